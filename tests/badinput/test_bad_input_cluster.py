"""Bad input through the real playbooks against the shared local control plane.

Every case must fail, with an error that names the file, key or level, and must leave the cluster
unchanged (``cluster_snapshot``). With the 11 render.yml cases of tests/playbooks/test_bad_input.py
this is the catalogue of bad input (``test_catalogue_count`` prints the total).
"""
from __future__ import annotations

import copy

import pytest

from .conftest import OWN

pytestmark = [pytest.mark.cluster, pytest.mark.helm]

NOT_YAML = "agent-platform: [enabled: : false\n  - x"

# id -> (playbook, extra vars, environment, needles that must appear in the output)
PLATFORM = {
    "workshop type unknown (env)": ({}, {"WORKSHOP_TYPE": "data-science"}, ["WORKSHOP_TYPE", "data-science", "level 4"]),
    "flag maybe (env)": ({}, {"ENABLE_AGENT_PLATFORM": "maybe"},
                         ["ENABLE_AGENT_PLATFORM", "maybe", "level 4", "not a boolean"]),
    "cluster values level is a list": ({"agent_platform_cluster_values": [{"components": {}}]}, {},
                                       ["level 6", "cluster overrides"]),
    "environment values level is a string": ({"agent_platform_environment_values": "replicas: 3"}, {},
                                             ["level 4", "environment overrides"]),
    "bootstrap values file not YAML": (
        {"agent_platform_bootstrap_values":
         "{{ lookup('appmod.agent_platform.values_file', '@DIR@/bad-values.yaml', level='level 3 (bootstrap defaults)') }}"},
        {}, ["bad-values.yaml"]),
    "environment addons file not YAML": ({"feature_flags_environment": "bad",
                                          "feature_flags_environment_addons_file": "@DIR@/bad-values.yaml"}, {},
                                         ["bad-values.yaml", "level 2"]),
    "unknown component": ({"agent_platform_cluster_values": {"components": {"kagnet": {"enabled": True}}}}, {},
                          ["kagnet", "components"]),
    "prefix not a DNS label": ({"agent_platform_resource_prefix": "bad.prefix"}, {}, ["agent_platform_resource_prefix"]),
    "component key the bridge does not know": (
        {"agent_platform_cluster_values": {"components": {"agentGateway": {"name": "gateway"}}}}, {},
        ["components.agentGateway", "name"]),
    "bad syncWave": ({"agent_platform_cluster_values": {"components": {"jaeger": {"syncWave": "soon"}}}}, {},
                     ["syncWave"]),
    "state maybe": ({"agent_platform_state": "maybe"}, {}, ["agent_platform_state", "maybe"]),
    "delivery helm": ({"agent_platform_delivery": "helm"}, {}, ["agent_platform_delivery", "helm"]),
    "level sets enabled": ({"agent_platform_cluster_values": {"enabled": True}}, {},
                           ["agent_platform_cluster_values", "enabled"]),
    "chart revision empty": ({"agent_platform_repo_revision": ""}, {}, ["agent_platform_repo_revision"]),
    "missing model ID (values level)": (
        {"agent_platform_cluster_values": {"components": {"kagent": {"config": {"providers": {"openAI": {"model": ""}}}}}}},
        {}, ["kagent_values.providers.openAI.model", "components.kagent.config.providers"]),
    "unpinned image (values level)": (
        {"agent_platform_cluster_values": {"components": {"litellm": {"config": {"image": {"tag": "latest"}}}}}}, {},
        ["bad-agent-platform-litellm", "latest", "level 6 (cluster overrides"]),
    "replicas three (values level)": (
        {"agent_platform_cluster_values": {"components": {"litellm": {"config": {"replicas": "three"}}}}}, {},
        ["bad-agent-platform-litellm", 'replicas="three" was set by level 6 (cluster overrides']),
    "upstream chart refuses a value (kagent 0.7 on SQLite)": (
        {"agent_platform_catalogue_profile": "seed",
         "agent_platform_cluster_values": {"components": {"kagent": {"config": {"controller": {"replicas": 2}}}}}}, {},
        ["chart kagent 0.7.9 refuses its values", "controller.replicas=2 was set by level 6 (cluster overrides"]),
    "requests above limits (the target's API server, dry run)": (
        {"agent_platform_cluster_values": {"components": {"litellm": {"config": {
            "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}}}}}, {},
        ["The API server refuses what this run would apply; nothing was changed", "component litellm: Deployment",
         "must be less than or equal to cpu limit", 'resources.requests.cpu="2" was set by level 6 (cluster overrides']),
    "catalogue profile unknown": ({"agent_platform_catalogue_profile": "newest"}, {},
                                  ["agent_platform_catalogue_profile", "newest"]),
    "chart mirror not a URL": ({"agent_platform_chart_mirror_url": "mirror.internal"}, {},
                               ["agent_platform_chart_mirror_url"]),
    "unreachable API server": ({"agent_platform_kubeconfig": "@DIR@/unreachable.kubeconfig"}, {},
                               ["unreachable.kubeconfig", "Connection refused"]),
    "kubeconfig is garbage": ({"agent_platform_kubeconfig": "@DIR@/garbage.kubeconfig"}, {},
                              ["garbage.kubeconfig"]),
}

# components.yml (direct delivery of chosen components).
COMPONENTS = {
    "unknown component selected": (["kagent", "grafana"], {}, ["unknown components", "grafana"]),
    "components_state maybe": (["jaeger"], {"components_state": "maybe"}, ["components_state"]),
    "litellm model list without a model": (["litellm"], {"agent_platform_cluster_values": {"components": {"litellm": {
        "config": {"models": [{"model_name": "x"}]}}}}},
        ["models.0: litellm_params is required", 'models=[{"model_name": "x"}] was set by level 6 (cluster overrides']),
}

EXISTING_RENDER_CASES = 11  # tests/playbooks/test_bad_input.py


def _subst(value, tmp_path):
    if isinstance(value, str):
        return value.replace("@DIR@", str(tmp_path))
    if isinstance(value, dict):
        return {k: _subst(v, tmp_path) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst(v, tmp_path) for v in value]
    return value


def _files(tmp_path):
    (tmp_path / "bad-values.yaml").write_text(NOT_YAML)
    (tmp_path / "garbage.kubeconfig").write_text("\x00\x01 this is not a kubeconfig: [\n")
    (tmp_path / "unreachable.kubeconfig").write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster:\n    server: https://127.0.0.1:1\n"
        "    insecure-skip-tls-verify: true\ncontexts:\n- name: nowhere\n  context: {cluster: nowhere, user: nobody}\n"
        "current-context: nowhere\nusers:\n- name: nobody\n  user: {token: not-a-token}\n")


def _check(run, needles):
    assert run.rc != 0, "the playbook must fail:\n" + run.out[-2500:]
    for needle in needles:
        assert needle in run.out, "%r not in output:\n%s" % (needle, run.out[-3000:])


@pytest.mark.parametrize("case", list(PLATFORM))
def test_agent_platform_playbook_refuses(case, tmp_path, run_playbook, cluster_snapshot, shared_kubeconfig):
    extra, environ, needles = PLATFORM[case]
    _files(tmp_path)
    evars = copy.deepcopy(OWN)
    evars["agent_platform_kubeconfig"] = str(shared_kubeconfig)
    evars.update(_subst(extra, tmp_path))
    run = run_playbook("agent-platform.yml", extra_vars=evars, environ=environ)
    _check(run, needles)
    cluster_snapshot()


@pytest.mark.parametrize("case", list(COMPONENTS))
def test_components_playbook_refuses(case, tmp_path, run_playbook, cluster_snapshot, shared_kubeconfig):
    components, extra, needles = COMPONENTS[case]
    evars = copy.deepcopy(OWN)
    evars.update({"agent_platform_kubeconfig": str(shared_kubeconfig), "components": components})
    evars.update(extra)
    run = run_playbook("components.yml", extra_vars=evars)
    _check(run, needles)
    cluster_snapshot()


def test_catalogue_count():
    from . import test_event_file
    total = EXISTING_RENDER_CASES + len(PLATFORM) + len(COMPONENTS) + len(test_event_file.CASES)
    print("\nbad-input catalogue: %d cases (%d render.yml in tests/playbooks, %d agent-platform.yml, "
          "%d components.yml, %d workshop-event.yml)" % (total, EXISTING_RENDER_CASES, len(PLATFORM),
                                                          len(COMPONENTS), len(test_event_file.CASES)))
    assert total >= 25
