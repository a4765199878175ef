"""The GitOps bridge chart on Helm 3 and Helm 4: off renders nothing, on renders exactly the
expected Applications, field by field, and they validate against Argo CD's real CRD schema."""
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

from bridge_helpers import BRIDGE, ROOT, helm_template

pytestmark = pytest.mark.helm

EXPECTED = {  # component -> (wave, namespace, display name)
    "kagent-crds": ("-4", "agent-platform", "Kagent CRDs"),
    "tofu-controller": ("-1", "flux-system", "Tofu Controller"),
    "kagent": ("0", "agent-platform", "Kagent"),
    "jaeger": ("0", "agent-platform", "Jaeger"),
    "litellm": ("1", "agent-platform", "LiteLLM"),
    "langfuse": ("1", "agent-platform", "Langfuse"),
    "agent-gateway": ("2", "agent-platform", "Agent Gateway"),
    "agent-core": ("3", "agent-platform", "Agent Core"),
}
DEV = yaml.safe_load((ROOT / "inventories/dev/group_vars/dev.yml").read_text())["agent_platform_environment_values"]
BOOTSTRAP = yaml.safe_load((ROOT / "gitops/values/default/agent-platform.yaml").read_text())


def _argocd_schema():
    # The project's own copy (scripts/local-cluster.sh fetches Argo CD v3.5.1's CRDs from the Go module
    # proxy into the cache when the cluster first starts), else the copy beside the project.
    cache = Path(os.environ.get("APPMOD_CACHE_DIR")
                 or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "appmod-agent-platform")
    for candidate in (cache / "argocd-crds" / "v3.5.1" / "application-crd.yaml",
                      ROOT.parent / "shared" / "argocd-crds" / "application-crd.yaml"):
        if candidate.exists():
            crd = yaml.safe_load(candidate.read_text())
            return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    pytest.skip("Argo CD Application CRD not found (start the local cluster once: scripts/local-cluster.sh up)")


def test_off_renders_nothing(helm, tmp_path):
    assert helm_template(helm, BRIDGE, tmp_path=tmp_path) == []
    assert helm_template(helm, BRIDGE, [BOOTSTRAP, DEV, {"enabled": False}], tmp_path=tmp_path) == []


def test_on_renders_the_seven_default_components(helm, tmp_path):
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, {"enabled": True}], tmp_path=tmp_path)
    names = sorted(a["metadata"]["name"] for a in apps)
    assert names == sorted("peeks-agent-platform-%s" % c for c in EXPECTED if c != "agent-core")
    assert len(apps) == 7


def test_dev_adds_agent_core(helm, tmp_path):
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, DEV, {"enabled": True}], tmp_path=tmp_path)
    assert sorted(a["metadata"]["name"] for a in apps) == sorted("peeks-agent-platform-%s" % c for c in EXPECTED)


def test_every_field(helm, tmp_path):
    values = {"enabled": True, "global": {"resourcePrefix": "ws42", "eksClusterName": "hub-1", "awsRegion": "eu-west-1"},
              "externalRepo": {"url": "https://git.example/x.git", "revision": "v1.2.3", "basePath": "gitops/charts/"}}
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, DEV, values], tmp_path=tmp_path)
    schema = _argocd_schema()
    for app in apps:
        component = app["metadata"]["labels"]["app.kubernetes.io/component"]
        wave, namespace, display = EXPECTED[component]
        assert app["apiVersion"] == "argoproj.io/v1alpha1" and app["kind"] == "Application"
        assert app["metadata"]["name"] == "ws42-agent-platform-%s" % component
        assert app["metadata"]["namespace"] == "argocd"
        assert app["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
        assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == wave
        spec = app["spec"]
        assert spec["project"] == "default"
        assert spec["source"]["repoURL"] == "https://git.example/x.git"
        assert spec["source"]["targetRevision"] == "v1.2.3"
        assert spec["source"]["path"] == "gitops/charts/%s" % component
        vo = spec["source"]["helm"]["valuesObject"]
        assert vo["global"] == {"namespace": "agent-platform", "resourcePrefix": "ws42",
                                "awsRegion": "eu-west-1", "eksClusterName": "hub-1"}
        assert spec["destination"] == {"server": "https://kubernetes.default.svc", "namespace": namespace}
        sp = spec["syncPolicy"]
        assert sp["automated"] == {"prune": component != "kagent-crds", "selfHeal": True}
        assert sp["syncOptions"] == ["CreateNamespace=true"]
        assert sp["retry"] == {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}
        assert sp["managedNamespaceMetadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert spec["info"] == [{"name": "Component", "value": display}, {"name": "Wave", "value": wave}]
        jsonschema.validate(app, schema)
    by_name = {a["metadata"]["labels"]["app.kubernetes.io/component"]: a for a in apps}
    kagent = by_name["kagent"]["spec"]["source"]["helm"]["valuesObject"]
    assert kagent["replicas"] == 1 and kagent["modelConfig"]["model"] == "anthropic.claude-3-sonnet-20240229-v1:0"
    assert kagent["llmProvider"] == "bedrock"  # level 3 survives level 4
    core = by_name["agent-core"]["spec"]["source"]["helm"]["valuesObject"]
    assert core["projectName"] == "ekspoc-dev-v4" and core["capabilities"]["codeInterpreter"] is True


def test_null_reaches_the_component_values(helm, tmp_path):
    # A null at a high level must travel to Argo CD so that it deletes the component chart default.
    apps = helm_template(helm, BRIDGE, [BOOTSTRAP, {"enabled": True, "components": {"kagent": {"config": {"resources": None}}}}],
                         tmp_path=tmp_path)
    kagent = next(a for a in apps if a["metadata"]["name"].endswith("-kagent"))
    assert "resources" in kagent["spec"]["source"]["helm"]["valuesObject"]
    assert kagent["spec"]["source"]["helm"]["valuesObject"]["resources"] is None


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
])
def test_bad_values_are_refused(helm, tmp_path, values, needle):
    err = helm_template(helm, BRIDGE, [values], expect_fail=True, tmp_path=tmp_path)
    assert needle in err


def test_lint_strict(helm):
    import subprocess
    proc = subprocess.run([helm, "lint", "--strict", str(BRIDGE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
