"""The smoke suite (tools.smoke, `make smoke`): (a) the whole suite against the shared local cluster, and
(b) configuration broken on purpose, where the check must fail with the PROGRAM's own error message
(LiteLLM's, the kagent controller's, PostgreSQL's), not one of the suite's.

Each break changes only what the suite read from the cluster before the program starts (the tests
never write to a cluster): the program then runs with that configuration, as a pod would after a bad
sync.
"""
from __future__ import annotations

import re

import pytest

from tools.smoke import kagent_controller_only, litellm_only, run_all
from tools.smoke.report import FAIL, PASS

pytestmark = pytest.mark.cluster


def _check(comp, prefix):
    chk = comp.get(prefix)
    assert chk is not None, "no check %r in %s: %s" % (prefix, comp.key, [c.name for c in comp.checks])
    return chk


# ------------------------------------------------------------------------------------------- (a)
def test_smoke_suite_passes_on_the_shared_cluster(shared_platform):
    ok, comps, text = run_all(shared_platform, "agent-platform", load_duration="3s")
    print(text)
    assert ok, "\n".join("%s: %s: %s" % (c.key, c.first_failure().name, c.first_failure().detail)
                         for c in comps if c.failed)
    by_key = {c.key: c for c in comps}
    # every real program ran and was checked
    for key in ("mockllm", "jaeger", "litellm", "postgresql", "kagent", "agent", "load"):
        assert by_key[key].status == PASS, key
    # what cannot run here says so plainly
    assert "NOT RUN" in " ".join(by_key["langfuse"].notes)
    assert "NOT RUN" in " ".join(by_key["agent-core"].notes)
    # every rewrite is listed, and only 127.0.0.1 addresses are introduced
    for key in ("litellm", "kagent", "agent"):
        for line in by_key[key].rewrites:
            assert re.search(r"127\.0\.0\.1|mount |KUBECONFIG|-> \S*appmod-smoke-|--port \S+ -> \d+$", line), line
    assert "Hello from mockllm" in _check(by_key["agent"], "A2A message/send").detail
    assert "separate traces" in " ".join(by_key["agent"].notes)


# ------------------------------------------------------------------------------------------- (b)
def test_wrong_model_name_fails_with_litellms_own_error(platform):
    """LiteLLM's config names the model differently from what kagent's ModelConfig asks for: the chat
    check fails with LiteLLM's 400 'Invalid model name passed in model=...'."""
    def rename_model(spec):
        spec.config["model_list"][0]["model_name"] = "bedrock-claude-renamed"

    comp = litellm_only(platform, tamper=rename_model)
    assert _check(comp, "livenessProbe").status == PASS          # it runs ...
    chat = _check(comp, "POST /v1/chat/completions")
    assert chat.status == FAIL                                   # ... but cannot serve the platform's model
    assert "HTTP 400" in chat.detail
    assert "Invalid model name passed in model=" in chat.detail
    # LiteLLM lists what it was really given
    assert "bedrock-claude-renamed" in _check(comp, "GET /v1/models with the master key").detail


def test_wrong_master_key_fails_with_litellms_own_error(platform):
    """LiteLLM started with another master key than the Secret its clients read: a key that is not the
    master key is looked up in LiteLLM's database, and there is none (the chart runs without one), so
    LiteLLM answers 400 'No connected db.' - its own words, which the checks report."""
    def other_key(spec):
        spec.env["LITELLM_MASTER_KEY"] = "sk-" + "not-what-the-secret-says"

    comp = litellm_only(platform, tamper=other_key)
    models = _check(comp, "GET /v1/models with the master key")
    chat = _check(comp, "POST /v1/chat/completions")
    assert models.status == FAIL and chat.status == FAIL
    assert "No connected db." in models.detail and "No connected db." in chat.detail
    assert _check(comp, "GET /v1/models without a key").status == PASS   # still 401 without a key


def test_wrong_database_password_fails_with_the_controllers_own_error(platform):
    """kagent's database URL carries another password than the one its database was initialised with
    (Secret kagent-postgresql): PostgreSQL refuses the login and the controller exits with its own
    migration error, which the start check reports."""
    def other_password(env):
        env["POSTGRES_DATABASE_URL"] = re.sub(r"://([^:]+):[^@]*@", r"://\1:wrong-password@", env["POSTGRES_DATABASE_URL"])

    comps = {c.key: c for c in kagent_controller_only(platform, tamper=other_password)}
    login = _check(comps["postgresql"], "TCP login")
    assert login.status == FAIL and 'password authentication failed for user' in login.detail
    start = _check(comps["kagent"], "start")
    assert start.status == FAIL
    assert "database migration failed" in start.detail                      # the controller's words
    assert "password authentication failed" in start.detail                 # relayed from PostgreSQL
    assert "wrong-password" not in start.detail                             # passwords stay masked
