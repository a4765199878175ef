"""The component catalogue is the one component list: every other list in the collection is derived from it,
and the bridge chart reads the same file. Unit tests of plugins/plugin_utils/catalogue.py, charts.py (the parts
without Helm), argocd.oci_repository_secrets and helm_values.blame."""
from __future__ import annotations

import copy
import io
import tarfile
from pathlib import Path

import pytest
import yaml

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import argocd, catalogue, charts, helm_values

ROOT = Path(__file__).resolve().parents[4]
DATA = catalogue.load(str(ROOT))


def test_the_catalogue_is_the_only_component_list():
    names = catalogue.names(DATA)
    assert names[0] == "kagent-crds" and len(names) == len(set(names)) == 8
    # Every role directory that prepares a component is named by the catalogue, and every named role exists.
    roles = catalogue.roles(DATA)
    assert all((ROOT / "roles" / r / "tasks" / "main.yml").is_file() for r in roles.values())
    # Every component with glue has its chart folder; no chart folder is left without a component.
    glue = {c["name"] for c in DATA["components"] if c.get("glue")}
    folders = {p.name for p in (ROOT / "gitops/charts").iterdir() if p.is_dir()} - {"agent-platform"}
    assert glue == folders
    # Nothing else spells the component list: the bridge values only configure what the catalogue lists.
    bridge = yaml.safe_load((ROOT / "gitops/charts/agent-platform/values.yaml").read_text())
    assert set(bridge["components"]) == set(catalogue.keys(DATA).values())


def test_waves_are_the_seeds():
    assert catalogue.waves(DATA) == {"kagent-crds": -4, "tofu-controller": -1, "kagent": 0, "jaeger": 0,
                                     "litellm": 1, "langfuse": 1, "agent-gateway": 2, "agent-core": 3}


def test_a_version_appears_once():
    """A profile other than default lists only what differs; the default pins each chart once."""
    default = DATA["profiles"]["default"]["charts"]
    for name, profile in DATA["profiles"].items():
        if name == "default":
            continue
        for chart, pin in (profile.get("charts") or {}).items():
            assert pin["version"] != default[chart]["version"], (name, chart)
    text = (ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text()
    for chart, pin in default.items():
        assert text.count("version: %s," % pin["version"]) + text.count("version: %s}" % pin["version"]) >= 1


def test_profile_charts_fall_back_to_default():
    seed = catalogue.profile_charts(DATA, "seed")
    assert seed["kagent"]["version"] == "0.7.9" and seed["tofu-controller"]["chart"] == "tf-controller"
    assert seed["langfuse"] == DATA["profiles"]["default"]["charts"]["langfuse"]
    with pytest.raises(catalogue.CatalogueError, match="newest"):
        catalogue.profile_charts(DATA, "newest")


def test_kept_crds_and_mains_and_prerequisites():
    assert catalogue.kept_crd_groups(DATA) == ["kagent.dev"]
    assert catalogue.mains(DATA)["agent-gateway"] == "agentgateway"
    assert catalogue.mains(DATA)["tofu-controller"] == "tofu-controller"
    pre = catalogue.prerequisites(DATA)
    assert [(p["name"], p["component"]) for p in pre] == [("gateway-api-crds", "agent-gateway")]
    assert catalogue.manifest_url(pre[0]["pin"], "http://m:1/") == "http://m:1/crds/gateway-api-v1.6.0-standard-install.yaml"
    assert catalogue.manifest_url(pre[0]["pin"]).startswith("https://github.com/kubernetes-sigs/gateway-api/")


@pytest.mark.parametrize("mutate,needle", [
    (lambda d: d["components"][1].pop("wave"), "no `wave`"),
    (lambda d: d["components"].append(copy.deepcopy(d["components"][0])), "listed twice"),
    (lambda d: d["components"][2].update(charts=[], glue=False), "deploys nothing"),
    (lambda d: d["components"][2].update(charts=["kagent", "nope"]), "chart nope"),
    (lambda d: d["components"][2].update(main="jaeger"), "main chart jaeger"),
    (lambda d: d["profiles"].pop("default"), "default"),
])
def test_a_broken_catalogue_is_refused(mutate, needle):
    data = copy.deepcopy(DATA)
    mutate(data)
    with pytest.raises(catalogue.CatalogueError, match=needle):
        catalogue.check(data)


@pytest.mark.parametrize("url,chart,expected", [
    ("http://127.0.0.1:18879", "kagent", ("http://127.0.0.1:18879", "kagent")),
    ("https://jaegertracing.github.io/helm-charts/", "jaeger", ("https://jaegertracing.github.io/helm-charts", "jaeger")),
    ("ghcr.io/kagent-dev/kagent/helm", "kagent", (None, "oci://ghcr.io/kagent-dev/kagent/helm/kagent")),
    ("oci://cr.agentgateway.dev/charts", "agentgateway", (None, "oci://cr.agentgateway.dev/charts/agentgateway")),
])
def test_helm_repo_ref(url, chart, expected):
    assert charts.helm_repo_ref(url, chart) == expected


def test_cache_path_is_keyed_by_repository(tmp_path):
    a = charts.cache_path(str(tmp_path), "http://a", "kagent", "0.9.9")
    b = charts.cache_path(str(tmp_path), "http://b/", "kagent", "0.9.9")
    assert a != b and a.endswith("kagent-0.9.9.tgz")
    assert charts.cache_path(str(tmp_path), "http://a/", "kagent", "0.9.9") == a


def test_chart_default_values_from_an_archive(tmp_path):
    archive = tmp_path / "c-1.0.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in (("c/values.yaml", "a: 1\nb: {c: 2}\n"), ("c/charts/sub/values.yaml", "z: 9\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert charts.chart_default_values(str(archive)) == {"a": 1, "b": {"c": 2}}
    assert charts.chart_default_values(str(ROOT / "gitops/charts/litellm"))["service"]["port"] == 4000


def _app(name, sources, finalizer=True):
    return {"metadata": {"name": "p-agent-platform-%s" % name, "labels": {"app.kubernetes.io/component": name}},
            "spec": {"destination": {"namespace": "ns"}, "sources": sources}}


def test_releases_of_project_sources_need_no_helm(tmp_path):
    apps = [_app("litellm", [{"repoURL": "git://x", "path": "gitops/charts/litellm", "helm": {
        "releaseName": "litellm", "valuesObject": {"replicas": 1}}}])]
    [rel] = charts.releases(apps, str(ROOT), str(tmp_path), "/nonexistent/helm", keys={"litellm": "litellm"})
    assert rel["kind"] == "project" and rel["values_path"] == "config" and rel["values_key"] == "litellm"
    assert rel["release_values"] == {"replicas": 1} and rel["release_namespace"] == "ns"
    with pytest.raises(charts.ChartError, match="not a chart of this collection"):
        charts.releases([_app("x", [{"repoURL": "git://x", "path": "gitops/charts/nope"}])], str(ROOT), str(tmp_path), "h")


def test_values_paths_of_upstream_and_glue_sources(tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "pull", lambda helm, repo, chart, version, cache, env=None: str(ROOT / "gitops/charts/kagent"))
    apps = [_app("agent-gateway", [
        {"repoURL": "http://m", "chart": "agentgateway-crds", "targetRevision": "1.4.1", "helm": {"releaseName": "agentgateway-crds"}},
        {"repoURL": "http://m", "chart": "agentgateway", "targetRevision": "1.4.1", "helm": {"releaseName": "agentgateway"}},
        {"repoURL": "git://x", "path": "gitops/charts/agent-gateway", "helm": {"releaseName": "agent-gateway-glue"}}])]
    rels = charts.releases(apps, str(ROOT), str(tmp_path), "helm", keys=catalogue.keys(DATA), mains=catalogue.mains(DATA))
    assert [r["values_path"] for r in rels] == ["companions.agentgateway-crds", "config", "glue"]
    assert {r["values_key"] for r in rels} == {"agentGateway"}
    assert charts.component_manifests("agent-gateway", rels, [{"stdout": "a: 1"}, {"stdout": ""}, {"stdout": "b: 2\n"}]) == "a: 1\nb: 2\n"


def test_oci_repository_secrets():
    apps = [_app("kagent", [{"repoURL": "ghcr.io/kagent-dev/kagent/helm", "chart": "kagent"},
                            {"repoURL": "git://x", "path": "p"}]),
            _app("kagent-crds", [{"repoURL": "ghcr.io/kagent-dev/kagent/helm", "chart": "kagent-crds"}]),
            _app("jaeger", [{"repoURL": "https://jaegertracing.github.io/helm-charts", "chart": "jaeger"}])]
    [secret] = argocd.oci_repository_secrets(apps, "argocd")
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "repository"
    assert secret["stringData"] == {"name": secret["metadata"]["name"], "url": "ghcr.io/kagent-dev/kagent/helm",
                                    "type": "helm", "enableOCI": "true"}
    assert len(secret["metadata"]["name"]) <= 63
    assert argocd.oci_repository_secrets([_app("j", [{"repoURL": "http://127.0.0.1:1", "chart": "jaeger"}])]) == []


@pytest.mark.parametrize("message,expected", [
    ("ERROR: controller.replicas cannot be greater than 1 when database.type is 'sqlite'",
     [("controller.replicas", 4, 3), ("database.type", 1, "sqlite")]),
    ("values don't meet the specifications of the schema(s):\n- at '/controller/replicas': got string",
     [("controller.replicas", 4, 3)]),
    ("litellm:\n- controller: Additional property replica is not allowed", [("controller", 4, {"replicas": 3})]),
    ("nothing to see here", []),
    ("litellm:\n- models.0: litellm_params is required", [("models", 4, [{"a": 1}])]),
])
def test_blame_names_the_level_of_each_key_a_message_names(message, expected):
    levels = [{"controller": {"replicas": 1}, "database": {"type": "sqlite"}}, None, None,
              {"controller": {"replicas": 3}, "models": [{"a": 1}]}]
    assert helm_values.blame(message, levels) == expected


def test_application_names_and_their_components():
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import bridge

    name = "peeks-agent-platform-kagent-crds"
    assert bridge.application_component(name, "peeks") == "kagent-crds"
    assert bridge.application_component(name) == "kagent-crds"
    assert bridge.application_component(name, "other") is None
    assert bridge.application_component("peeks-agent-platform", "peeks") is None  # the parent Application
    assert bridge.application_component("peeks-agent-platform-", "peeks") is None
    assert bridge.application_component("argocd-server") is None and bridge.application_component(None) is None


def test_effective_values_of_each_release_with_provenance():
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import bridge

    releases = [
        {"component": "kagent", "release_name": "kagent", "chart": "kagent", "version": "0.9.9", "values_key": "kagent",
         "values_path": "config", "chart_defaults": {"replicas": 1, "image": {"tag": "a"}},
         "release_values": {"replicas": 3, "image": None}},
        {"component": "kagent", "release_name": "kagent-glue", "chart": "kagent", "version": "", "values_key": "kagent",
         "values_path": "glue", "chart_defaults": {"on": False}, "release_values": {}},
    ]
    levels = [None, {"components": {"kagent": {"config": {"replicas": 2}}}}, None, None,
              {"components": {"kagent": {"config": {"replicas": 3, "image": None}}}}]
    out = bridge.effective_values(releases, levels, names=["chart", "bridge", "bootstrap", "env", "tenant", "cluster"])
    assert out["kagent"]["kagent"] == {
        "chart": "kagent 0.9.9", "values_from": "components.kagent.config",
        "values": {"replicas": 3},  # a null deletes a chart default (Helm 3)
        "provenance": {"replicas": 6}}
    assert out["kagent"]["kagent-glue"]["chart"] == "kagent (this collection)"
    assert out["kagent"]["kagent-glue"]["provenance"] == {"on": 1}


def test_by_sync_wave_reads_helm_output_and_keeps_one_kind():
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.argocd import by_sync_wave

    output = """---
# Source: bridge/templates/a.yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: p-agent-platform-litellm, annotations: {argocd.argoproj.io/sync-wave: "1"}}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: p-agent-platform-kagent-crds, annotations: {argocd.argoproj.io/sync-wave: "-4"}}
---
"""
    names = [a["metadata"]["name"] for a in by_sync_wave(output, kind="Application")]
    assert names == ["p-agent-platform-kagent-crds", "p-agent-platform-litellm"]
    assert [m["metadata"]["name"] for m in by_sync_wave(output, reverse=True)] == [
        "p-agent-platform-litellm", "s", "p-agent-platform-kagent-crds"]
