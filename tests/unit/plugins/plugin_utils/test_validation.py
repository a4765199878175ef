"""The input rules (plugins/plugin_utils/validation.py), each with the message a user gets: these replace the
playbook runs the bad-input suite used to need per rule (tests/badinput keeps a few end to end)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, charts, validation
from harness import MIRROR_DIR

ROOT = Path(__file__).resolve().parents[4]
GOOD = {"agent_platform_state": "present", "agent_platform_delivery": "argocd", "agent_platform_resource_prefix": "peeks",
        "agent_platform_namespace": "agent-platform", "agent_platform_argocd_namespace": "argocd",
        "agent_platform_aws_region": "us-east-1", "agent_platform_cluster_name": "dev",
        "agent_platform_repo_url": "https://github.com/aws-samples/sample-agent-platform-on-eks",
        "agent_platform_repo_revision": "main", "agent_platform_chart_mirror_url": "",
        "agent_platform_catalogue_profile": "default", "agent_platform_component_selection": []}
DATA = catalogue.load(str(ROOT))


def errors(**override):
    inputs = dict(GOOD, **override)
    return validation.agent_platform_inputs(inputs, catalogue.profiles(DATA), catalogue.names(DATA))


def test_good_inputs_pass():
    assert errors() == []
    assert errors(agent_platform_repo_url="git://127.0.0.1:19418/agent-platform.git",
                  agent_platform_chart_mirror_url="http://127.0.0.1:18879", agent_platform_aws_region="us-gov-west-1",
                  agent_platform_component_selection=["kagent", "jaeger"]) == []


@pytest.mark.parametrize("override,needle", [
    ({"agent_platform_state": "maybe"}, "agent_platform_state='maybe' is not one of present, absent"),
    ({"agent_platform_delivery": "helm"}, "agent_platform_delivery='helm' is not one of argocd, direct"),
    ({"agent_platform_resource_prefix": "Peeks_1"}, "agent_platform_resource_prefix='Peeks_1' is not a DNS label"),
    ({"agent_platform_resource_prefix": "a" * 31}, "of at most 30 characters"),
    ({"agent_platform_resource_prefix": "bad.prefix"}, "agent_platform_resource_prefix='bad.prefix'"),
    ({"agent_platform_namespace": "Agent_Platform"}, "agent_platform_namespace='Agent_Platform' is not a DNS label"),
    ({"agent_platform_aws_region": "useast1"}, "agent_platform_aws_region='useast1' is not an AWS region"),
    ({"agent_platform_cluster_name": ""}, "agent_platform_cluster_name is empty"),
    ({"agent_platform_repo_url": "github.com/x"}, "agent_platform_repo_url='github.com/x' is not a Git repository URL"),
    ({"agent_platform_repo_revision": " "}, "agent_platform_repo_revision is empty"),
    ({"agent_platform_chart_mirror_url": "mirror.internal"}, "agent_platform_chart_mirror_url='mirror.internal' is not an http(s) URL"),
    ({"agent_platform_catalogue_profile": "newest"}, "agent_platform_catalogue_profile='newest' is not one of default, seed"),
    ({"agent_platform_component_selection": ["kagent", "grafana"]}, "unknown components grafana"),
])
def test_each_rule_names_the_variable(override, needle):
    found = errors(**override)
    assert len(found) == 1 and needle in found[0], found


def test_the_flag_must_be_resolved_and_no_values_level_may_set_it():
    assert errors(agent_platform_enabled=True, agent_platform_cluster_values={"components": {}}) == []
    for unresolved in (None, "true"):
        found = errors(agent_platform_enabled=unresolved)
        assert len(found) == 1 and found[0].startswith("agent_platform_enabled is not set: run the "
                                                       "appmod.agent_platform.feature_flags role"), found
    found = errors(agent_platform_tenant_values={"enabled": False}, agent_platform_bootstrap_values={"enabled": None},
                   agent_platform_environment_values="not a mapping: the merge names it")
    assert [f.split(" ", 1)[0] for f in found] == ["agent_platform_bootstrap_values", "agent_platform_tenant_values"]
    assert "agent_platform_tenant_values sets 'enabled'" in found[1]
    assert "remove 'enabled' from agent_platform_tenant_values" in found[1]


@pytest.fixture(scope="module")
def kagent_value_paths(tmp_path_factory):
    """kagent 0.9.9's value paths, from the offline chart mirror's archive (never skipped: a cold machine has no
    chart cache yet, and a test that skips there hides itself). A copy, since the answer is kept beside it."""
    archive = MIRROR_DIR / "kagent-0.9.9.tgz"
    assert archive.is_file(), "no %s: the chart mirror (APPMOD_CHART_MIRROR_DIR) lacks kagent 0.9.9" % archive
    copy = tmp_path_factory.mktemp("kagent") / archive.name
    shutil.copyfile(archive, copy)
    return charts.chart_value_paths(str(copy))


@pytest.mark.parametrize("path,unread", [
    (("controller", "replicas"), None),
    (("controller", "replica"), "controller.replica"),
    (("controller", "podSecurityContext", "runAsUser"), None),        # read whole by a template
    (("kagent-tools", "podSecurityContext", "runAsUser"), None),      # a subchart's, read whole
    (("providers", "openAI", "config", "baseUrl"), None),             # reached with a computed key
    (("k8s-agent", "enabled"), None),                                 # a dependency condition
    (("podAnnotations", "anything"), None),                           # an empty mapping default
    (("global", "anything"), None),
    (("nope",), "nope"),
])
def test_unread_keys_of_an_upstream_chart(kagent_value_paths, path, unread):
    defaults, refs, open_paths = kagent_value_paths
    assert validation.unread_key(path, defaults, refs, open_paths) == unread


def test_unknown_values_name_the_level_and_skip_nulls():
    defaults = {"a": {"b": 1}, "free": {}}
    found = validation.unknown_values([{"a": {"c": 2}}, None, {"a": {"b": None}, "zzz": None, "free": {"x": 1}}],
                                      defaults, ["level 2 (x)", "level 3 (y)", "level 4 (z)"], "components.k.config")
    assert found == ["components.k.config.a.c (level 2 (x)): the chart does not define this value, so nothing would read it"]


def test_the_project_charts_read_every_key_the_inventories_set():
    for chart in ("litellm", "kagent", "agent-gateway"):
        defaults, refs, open_paths = charts.chart_value_paths(str(ROOT / "gitops/charts" / chart))
        assert validation.unread_key(("networkPolicy", "enabled"), defaults, refs, open_paths) is None
        assert validation.unread_key(("networkPolicy", "enabeld"), defaults, refs, open_paths) == "networkPolicy.enabeld"


def _archive(tmp_path, values):
    import tarfile

    chart = tmp_path / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text(values)
    (chart / "templates" / "cm.yaml").write_text("data: {{ .Values.a.b }}\n")
    archive = tmp_path / "demo-1.0.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(chart, arcname="demo")
    return str(archive)


def test_chart_value_paths_of_an_archive_are_kept_beside_it(tmp_path):
    archive = _archive(tmp_path, "a: {b: 1}\nc: [1, 2]\n")
    first = charts.chart_value_paths(archive)
    assert first == ({"a": {"b": 1}, "c": [1, 2]}, {("a", "b")}, set())
    kept = tmp_path / "demo-1.0.0.tgz.value-paths.json"
    assert kept.is_file()
    assert charts.chart_value_paths(archive) == first  # answered from the kept file
    os.utime(archive, ns=(1, 1))  # another archive at that path: asked again
    kept.write_text('{"stamp": "stale"}')
    assert charts.chart_value_paths(archive) == first


def test_chart_value_paths_keep_nothing_json_would_change(tmp_path):
    archive = _archive(tmp_path, "when: 2026-11-30\n1: one\n")
    assert charts.chart_value_paths(archive)[0] == {"when": __import__("datetime").date(2026, 11, 30), 1: "one"}
    assert not (tmp_path / "demo-1.0.0.tgz.value-paths.json").exists()
