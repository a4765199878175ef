"""The component roles against the local control plane: install every component with
playbooks/components.yml, check the workloads become Available under Pod Security
"restricted", use the kagent CRDs, re-run (changed=0), then remove."""
from __future__ import annotations

import subprocess
import time

import pytest
import yaml

from .conftest import ALL, HELM, ROOT, recap, run_playbook

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

NS = "agent-platform"


def leave_kept_crd_without_helm_owner(env, kubeconfig):
    """What an earlier install through Argo CD leaves (Prune=false, Delete=false): the Terraform CRD
    with no Helm ownership annotations. The direct install must adopt it, not fail."""
    rendered = subprocess.run([str(HELM), "template", "t", str(ROOT / "gitops/charts/tofu-controller")],
                              capture_output=True, text=True, check=True, env=env).stdout
    crd = next(d for d in yaml.safe_load_all(rendered) if d and d.get("kind") == "CustomResourceDefinition")
    for key in ("meta.helm.sh/release-name", "meta.helm.sh/release-namespace"):
        crd["metadata"].get("annotations", {}).pop(key, None)
    subprocess.run([str(ROOT / ".tools/bin/kubectl"), "--kubeconfig", str(kubeconfig), "apply", "-f", "-"],
                   input=yaml.safe_dump(crd), capture_output=True, text=True, check=True, env=env)
    return crd["metadata"]["name"]


@pytest.fixture(scope="module")
def installed(env, kubeconfig, local_values, static_pv, api):
    kept_crd = leave_kept_crd_without_helm_owner(env, kubeconfig)
    proc = run_playbook(env, kubeconfig, local_values, "present")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    from kubernetes import client
    crd = client.ApiextensionsV1Api(api).read_custom_resource_definition(kept_crd)
    assert crd.metadata.annotations["meta.helm.sh/release-name"] == "tofu-controller"
    yield proc
    rm = run_playbook(env, kubeconfig, local_values, "absent")
    assert rm.returncode == 0, rm.stdout[-4000:] + rm.stderr[-2000:]


def test_namespaces_enforce_restricted(installed, api):
    from kubernetes import client
    core = client.CoreV1Api(api)
    for ns in (NS, "flux-system"):
        labels = core.read_namespace(ns).metadata.labels
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted", ns


def test_every_workload_available(installed, api):
    from kubernetes import client
    apps = client.AppsV1Api(api)
    deployments = {(d.metadata.namespace, d.metadata.name): d for ns in (NS, "flux-system")
                   for d in apps.list_namespaced_deployment(ns).items}
    expected = {(NS, n) for n in ("kagent", "litellm", "agent-gateway", "langfuse", "langfuse-redis", "jaeger",
                                  "agent-core")} | {("flux-system", "tofu-controller")}
    assert expected <= set(deployments), sorted(deployments)
    # Helm already waited for readiness; poll briefly in case a fake node blinked since.
    deadline, missing = time.time() + 90, expected
    while missing and time.time() < deadline:
        missing = set()
        for ns, name in expected:
            d = apps.read_namespaced_deployment(name, ns)
            if {c.type: c.status for c in d.status.conditions or []}.get("Available") != "True":
                missing.add((ns, name))
        time.sleep(2 if missing else 0)
    assert not missing, f"not Available: {sorted(missing)}"
    sts = apps.read_namespaced_stateful_set("langfuse-postgres", NS)
    assert sts.status.ready_replicas == sts.spec.replicas == 1


def test_generated_secrets_exist_without_literal_values(installed, api):
    from kubernetes import client
    core = client.CoreV1Api(api)
    for name, keys in (("litellm-api-keys", {"master-key"}),
                       ("langfuse-credentials", {"postgres-password", "nextauth-secret", "salt"})):
        sec = core.read_namespaced_secret(name, NS)
        assert set(sec.data) == keys
        assert sec.metadata.annotations["agent-platform.appmod.io/generated"] == "true"
    for line in installed.stdout.splitlines():
        assert "stringData" not in line, "secret values must never reach task output"


def test_modelconfig_rendered_and_agent_accepted(installed, api):
    from kubernetes import client
    co = client.CustomObjectsApi(api)
    mc = co.get_namespaced_custom_object("kagent.dev", "v1alpha1", NS, "modelconfigs", "default-model-config")
    assert mc["spec"]["provider"] == "Bedrock" and mc["spec"]["model"]
    agent = {"apiVersion": "kagent.dev/v1alpha1", "kind": "Agent",
             "metadata": {"name": "test-agent", "namespace": NS},
             "spec": {"systemMessage": "You are a helpful assistant", "modelConfig": "default-model-config"}}
    co.create_namespaced_custom_object("kagent.dev", "v1alpha1", NS, "agents", agent)
    own = {"apiVersion": "kagent.dev/v1alpha1", "kind": "ModelConfig", "metadata": {"name": "test-mc", "namespace": NS},
           "spec": {"provider": "Bedrock", "model": "anthropic.claude-3-sonnet-20240229-v1:0", "bedrock": {"region": "us-east-1"}}}
    co.create_namespaced_custom_object("kagent.dev", "v1alpha1", NS, "modelconfigs", own)
    co.delete_namespaced_custom_object("kagent.dev", "v1alpha1", NS, "agents", "test-agent")
    co.delete_namespaced_custom_object("kagent.dev", "v1alpha1", NS, "modelconfigs", "test-mc")


@pytest.mark.parametrize("spec,needle", [
    ({"modelConfig": "default-model-config"}, "systemMessage"),
    ({"systemMessage": "x", "modelConfig": "m", "tools": [{"type": "Kubernetes"}]}, "type"),
    ({"systemMessage": "x", "modelConfig": "m", "tools": [{"type": "McpServer"}]}, "mcpServer"),  # CEL rule
    ({"systemPrompt": "seed example", "modelConfig": {"provider": "bedrock", "model": "m"}}, "modelConfig"),
])
def test_invalid_agent_rejected(installed, api, spec, needle):
    from kubernetes import client
    co = client.CustomObjectsApi(api)
    body = {"apiVersion": "kagent.dev/v1alpha1", "kind": "Agent",
            "metadata": {"name": "bad-agent", "namespace": NS}, "spec": spec}
    with pytest.raises(client.ApiException) as exc:
        co.create_namespaced_custom_object("kagent.dev", "v1alpha1", NS, "agents", body)
    assert exc.value.status == 422 and needle in exc.value.body, exc.value.body


def test_terraform_object_created(installed, api):
    from kubernetes import client
    tf = client.CustomObjectsApi(api).get_namespaced_custom_object(
        "infra.contrib.fluxcd.io", "v1alpha2", NS, "terraforms", "agent-core")
    vars_ = {v["name"]: v["value"] for v in tf["spec"]["vars"]}
    assert vars_["project_name"] == "ekspoc-dev-v4" and vars_["network_mode"] == "PUBLIC"


def test_second_run_changes_nothing(installed, env, kubeconfig, local_values, api):
    from kubernetes import client
    core = client.CoreV1Api(api)
    before = core.read_namespaced_secret("litellm-api-keys", NS).data
    proc = run_playbook(env, kubeconfig, local_values, "present")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert recap(proc.stdout)["changed"] == 0, [l for l in proc.stdout.splitlines() if l.startswith("changed:")]
    assert core.read_namespaced_secret("litellm-api-keys", NS).data == before, "the credential must not be regenerated"


def test_argocd_delivery_only_validates(installed, env, kubeconfig, local_values):
    proc = run_playbook(env, kubeconfig, local_values, "present", components=["jaeger"],
                        extra=["jaeger_delivery=argocd", '{"jaeger_values": {"storage": {"type": "memory"}}}'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Install or upgrade release" not in proc.stdout


def test_preflight_refuses_before_any_change(env, kubeconfig, local_values):
    proc = run_playbook(env, kubeconfig, local_values, "present", components=["kagent"],
                        extra=['{"kagent_values": {"modelConfig": {"model": ""}}}'])
    assert proc.returncode != 0
    assert "kagent_values" in proc.stdout and "model" in proc.stdout
    assert "Ensure the namespace" not in proc.stdout.split("fatal")[0]


def test_zz_remove(installed, env, kubeconfig, local_values, api):
    """Runs last in the module: removal leaves no workload behind and keeps the CRDs."""
    from kubernetes import client
    proc = run_playbook(env, kubeconfig, local_values, "absent")
    assert proc.returncode == 0, proc.stdout[-4000:]
    apps = client.AppsV1Api(api)
    deadline = time.time() + 120
    while time.time() < deadline:
        left = [d.metadata.name for ns in (NS, "flux-system") for d in apps.list_namespaced_deployment(ns).items
                if (d.metadata.labels or {}).get("app.kubernetes.io/part-of") == "agent-platform"]
        if not left:
            break
        time.sleep(2)
    assert not left, left
    ext = client.ApiextensionsV1Api(api)
    names = {c.metadata.name for c in ext.list_custom_resource_definition().items}
    assert {"agents.kagent.dev", "modelconfigs.kagent.dev", "toolservers.kagent.dev"} <= names, "CRDs are kept"
    again = run_playbook(env, kubeconfig, local_values, "absent")
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0
