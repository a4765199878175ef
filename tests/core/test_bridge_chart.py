"""The GitOps bridge chart on Helm 3 and Helm 4: off renders nothing, on renders exactly the
expected Applications, field by field, and they validate against Argo CD's real CRD schema."""

import jsonschema
import pytest
import yaml

from bridge_helpers import BRIDGE, ROOT, helm_template

pytestmark = pytest.mark.helm

CATALOGUE = yaml.safe_load((BRIDGE / "catalogue.yaml").read_text())
# Every expectation below is derived from the catalogue: no second component list.
EXPECTED = {c["name"]: (str(c["wave"]), c.get("namespace") or "agent-platform", c["displayName"])
            for c in CATALOGUE["components"]}
ON_BY_DEFAULT = [c["name"] for c in CATALOGUE["components"] if c["enabled"]]
DEV = yaml.safe_load((ROOT / "inventories/dev/group_vars/dev.yml").read_text())["agent_platform_environment_values"]
BOOTSTRAP = yaml.safe_load((ROOT / "gitops/values/default/agent-platform.yaml").read_text())


def _pins(profile):
    charts = dict(CATALOGUE["profiles"]["default"]["charts"])
    charts.update(CATALOGUE["profiles"][profile].get("charts") or {})
    return charts


def _argocd_schema():
    # Argo CD's own Application CRD, of the version the local stack runs (tools/localstack/crds.py: from the Go
    # module, into the project cache the first time). Never skipped: a cold machine fetches it here.
    from tools.localstack import crds

    crd = yaml.safe_load(crds.crd_file("application-crd.yaml").read_text())
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def test_off_renders_nothing(helm, tmp_path):
    assert helm_template(helm, BRIDGE, tmp_path=tmp_path) == []
    assert helm_template(helm, BRIDGE, [BOOTSTRAP, DEV, {"enabled": False}], tmp_path=tmp_path) == []


def test_on_renders_the_default_components(helm, tmp_path):
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, {"enabled": True}], tmp_path=tmp_path)
    names = sorted(a["metadata"]["name"] for a in apps)
    assert names == sorted("peeks-agent-platform-%s" % c for c in ON_BY_DEFAULT)
    assert len(apps) == 7


def test_dev_adds_agent_core(helm, tmp_path):
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, DEV, {"enabled": True}], tmp_path=tmp_path)
    assert sorted(a["metadata"]["name"] for a in apps) == sorted("peeks-agent-platform-%s" % c for c in EXPECTED)


@pytest.mark.parametrize("profile", sorted(CATALOGUE["profiles"]))
def test_every_field(helm, tmp_path, profile):
    values = {"enabled": True, "global": {"resourcePrefix": "ws42", "eksClusterName": "hub-1", "awsRegion": "eu-west-1"},
              "externalRepo": {"url": "https://git.example/x.git", "revision": "v1.2.3", "basePath": "gitops/charts/"},
              "catalogue": {"profile": profile}}
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, DEV, values], tmp_path=tmp_path)
    schema = _argocd_schema()
    pins = _pins(profile)
    entries = {c["name"]: c for c in CATALOGUE["components"]}
    assert sorted(a["metadata"]["labels"]["app.kubernetes.io/component"] for a in apps) == sorted(EXPECTED)
    for app in apps:
        component = app["metadata"]["labels"]["app.kubernetes.io/component"]
        entry = entries[component]
        wave, namespace, display = EXPECTED[component]
        assert app["apiVersion"] == "argoproj.io/v1alpha1" and app["kind"] == "Application"
        assert app["metadata"]["name"] == "ws42-agent-platform-%s" % component
        assert app["metadata"]["namespace"] == "argocd"
        # Kept components (the CRDs) have no finalizer: deleting the Application leaves them.
        assert app["metadata"].get("finalizers") == (None if entry.get("keep") else ["resources-finalizer.argocd.argoproj.io"])
        assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == wave
        spec = app["spec"]
        assert spec["project"] == "default" and "source" not in spec
        sources = spec["sources"]
        upstream, own = sources[:len(entry["charts"])], sources[len(entry["charts"]):]
        # One source per upstream chart, in the catalogue's install order, at the profile's version.
        for chart, source in zip(entry["charts"], upstream):
            pin = pins[chart]
            assert source["repoURL"] == pin["repository"].replace("oci://", "")
            assert source["chart"] == pin.get("chart", chart)
            assert source["targetRevision"] == str(pin["version"])
            assert source["helm"]["releaseName"] == chart
            assert "global" not in source["helm"]["valuesObject"]  # upstream charts get only their own values
        # Then the project's chart from Git, with the bridge's global values.
        assert len(own) == (1 if entry.get("glue") else 0)
        for source in own:
            assert source["repoURL"] == "https://git.example/x.git"
            assert source["targetRevision"] == "v1.2.3"
            assert source["path"] == "gitops/charts/%s" % component
            assert source["helm"]["releaseName"] == (component if not entry["charts"] else component + "-glue")
            assert source["helm"]["valuesObject"]["global"] == {
                "namespace": "agent-platform", "resourcePrefix": "ws42", "awsRegion": "eu-west-1", "eksClusterName": "hub-1"}
        assert spec["destination"] == {"server": "https://kubernetes.default.svc", "namespace": namespace}
        sp = spec["syncPolicy"]
        assert sp["automated"] == {"prune": not entry.get("keep"), "selfHeal": True}
        assert sp["syncOptions"] == ["CreateNamespace=true"] + (
            ["SkipDryRunOnMissingResource=true", "ServerSideApply=true"] if entry.get("crdGroups") else [])
        assert sp["retry"] == {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}
        assert sp["managedNamespaceMetadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert spec["info"][:2] == [{"name": "Component", "value": display}, {"name": "Wave", "value": wave}]
        assert spec["info"][2:] == [{"name": "Upstream %s" % c, "value": "%s (app %s)" % (pins[c]["version"], pins[c]["appVersion"])}
                                    for c in entry["charts"]]
        jsonschema.validate(app, schema)
    by_name = {a["metadata"]["labels"]["app.kubernetes.io/component"]: a for a in apps}
    kagent = by_name["kagent"]["spec"]["sources"][0]["helm"]["valuesObject"]
    assert kagent["controller"]["replicas"] == 1  # level 4 (dev)
    assert kagent["controller"]["resources"]["limits"]["memory"] == "1Gi"  # level 3 survives level 4
    assert kagent["providers"]["default"] == "openAI"  # level 2
    core = by_name["agent-core"]["spec"]["sources"][0]["helm"]["valuesObject"]
    assert core["projectName"] == "ekspoc-dev-v4" and core["capabilities"]["codeInterpreter"] is True
    # companions.<chart> configures the other upstream charts of a component.
    tofu = {s["helm"]["releaseName"]: s["helm"]["valuesObject"] for s in by_name["tofu-controller"]["spec"]["sources"]}
    assert tofu["flux2"]["kustomizeController"] == {"create": False}
    assert tofu["tofu-controller"]["awsPackage"] == {"install": False}


def test_chart_mirror_is_one_setting(helm, tmp_path):
    apps = helm_template(helm, BRIDGE, [{"enabled": True, "chartMirror": {"url": "http://mirror.internal:8080"}}],
                         tmp_path=tmp_path)
    upstream = [s for a in apps for s in a["spec"]["sources"] if "chart" in s]
    assert upstream and all(s["repoURL"] == "http://mirror.internal:8080" for s in upstream)
    git = [s for a in apps for s in a["spec"]["sources"] if "path" in s]
    assert git and all(s["repoURL"].startswith("https://github.com/") for s in git)


def test_null_reaches_the_component_values(helm, tmp_path):
    # A null at a high level must travel to Argo CD so that it deletes the component chart default.
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, {"enabled": True, "components": {"kagent": {"config": {"ui": None}}}}],
                         tmp_path=tmp_path)
    kagent = next(a for a in apps if a["metadata"]["name"].endswith("-kagent"))
    assert "ui" in kagent["spec"]["sources"][0]["helm"]["valuesObject"]
    assert kagent["spec"]["sources"][0]["helm"]["valuesObject"]["ui"] is None


def test_component_can_be_switched_off(helm, tmp_path):
    apps = helm_template(helm, BRIDGE, [{"enabled": True, "components": {"litellm": {"enabled": False}}}], tmp_path=tmp_path)
    assert "peeks-agent-platform-litellm" not in [a["metadata"]["name"] for a in apps]
    assert len(apps) == 6


@pytest.mark.parametrize("values,needle", [
    ({"enabled": True, "components": {"kagnet": {"enabled": True}}}, "kagnet"),
    ({"enabled": True, "global": {"resourcePrefix": "Peeks_1"}}, "resourcePrefix"),
    ({"enabled": True, "global": {"resourcePrefix": "a" * 31}}, "resourcePrefix"),
    ({"enabled": "yes"}, "enabled"),
    ({"enabled": True, "components": {"kagent": {"syncWave": "first"}}}, "syncWave"),
    ({"enabled": True, "components": {"kagent": {"config": ["replicas", 2]}}}, "config"),
    ({"enabled": True, "components": {"kagent": {"path": "elsewhere"}}}, "path"),
    ({"enabled": True, "catalogue": {"profile": "newest"}}, "newest"),
    ({"enabled": True, "chartMirror": {"url": "ftp://mirror"}}, "chartMirror"),
])
def test_bad_values_are_refused(helm, tmp_path, values, needle):
    err = helm_template(helm, BRIDGE, [values], expect_fail=True, tmp_path=tmp_path)
    assert needle in err


def test_lint_strict(helm):
    import subprocess
    proc = subprocess.run([helm, "lint", "--strict", str(BRIDGE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
