"""Direct delivery of every component (upstream charts + glue, no Argo CD) into namespaces enforcing Pod Security
`restricted`: every workload Available, generated credentials without literal values, the kagent CRDs serving the
seed's smoke objects, a second run changing nothing, removal keeping the CRDs, and bad input refused before any
change."""
from __future__ import annotations

import pytest
import yaml

from harness import ROOT

from .conftest import components

pytestmark = [pytest.mark.cluster, pytest.mark.slow]
NS = "agent-platform"
CATALOGUE = yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())


def test_a_check_run_on_a_new_target_says_what_it_would_do_and_writes_nothing(private_cluster):
    """Runs first, on the empty target (before `installed`): --check --diff names every release it would install
    with its values, and the API server holds nothing of the platform afterwards."""
    pc = private_cluster
    run = components(pc, args=("--check", "--diff"))
    assert run.rc == 0 and run.failed == 0, run.out[-6000:]
    assert run.changed > 0
    for release in ("kagent-crds", "kagent", "langfuse"):
        assert "%s: would install" % release in run.out, run.out[-6000:]
    assert "+++ after: kagent values (kagent " in run.out
    assert pc.get("secrets", "-A", "-l", "owner=helm") == []
    assert pc.get("applications.argoproj.io", "-A") == []
    assert not {NS, "flux-system"} & {n["metadata"]["name"] for n in pc.get("namespaces")}


@pytest.fixture(scope="module")
def installed(private_cluster):
    # -v: the generated credentials must stay out of even the verbose output
    run = components(private_cluster, verbose=True)
    assert run.rc == 0, run.out[-6000:]
    return run


def test_every_enabled_component_released_and_available(installed, private_cluster):
    pc = private_cluster
    releases = {(s["metadata"]["namespace"], s["metadata"]["labels"]["name"]): s["metadata"]["labels"]["status"]
                for s in pc.get("secrets", "-A", "-l", "owner=helm")}
    expected = set()
    for c in CATALOGUE["components"]:
        if not c["enabled"]:
            continue
        ns = c.get("namespace") or NS
        expected |= {(ns, chart) for chart in c["charts"]}
        if c.get("glue"):
            expected.add((ns, c["name"] + "-glue" if c["charts"] else c["name"]))
    assert set(releases) == expected and set(releases.values()) == {"deployed"}, releases
    for ns in (NS, "flux-system"):
        labels = yaml.safe_load(pc.kubectl("get", "namespace", ns, "-o", "yaml").stdout)["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted", ns
    for d in pc.get("deployments", "-A"):
        conditions = {c["type"]: c["status"] for c in d.get("status", {}).get("conditions", [])}
        assert conditions.get("Available") == "True", d["metadata"]["name"]
    for s in pc.get("statefulsets", "-A"):
        assert s["status"].get("readyReplicas") == s["spec"]["replicas"], s["metadata"]["name"]


def test_generated_secrets_exist_without_literal_values(installed, private_cluster):
    for name, keys in (("litellm-api-keys", {"master-key"}), ("kagent-litellm", {"OPENAI_API_KEY"}),
                       ("langfuse-credentials", {"salt", "nextauth-secret", "postgres-password", "redis-password",
                                                 "clickhouse-password", "s3-root-user", "s3-root-password"})):
        secret = yaml.safe_load(private_cluster.kubectl("get", "secret", name, "-n", NS, "-o", "yaml").stdout)
        assert set(secret["data"]) == keys, name
        assert secret["metadata"]["annotations"]["agent-platform.appmod.io/generated"] == "true"
    master = yaml.safe_load(private_cluster.kubectl("get", "secret", "litellm-api-keys", "-n", NS, "-o", "yaml").stdout)
    copy = yaml.safe_load(private_cluster.kubectl("get", "secret", "kagent-litellm", "-n", NS, "-o", "yaml").stdout)
    assert master["data"]["master-key"] == copy["data"]["OPENAI_API_KEY"]
    import base64
    for value in master["data"].values():
        assert base64.b64decode(value).decode() not in installed.out, "a credential reached the task output"


def test_the_seeds_smoke_agent_is_accepted(installed, private_cluster):
    from harness import SMOKE_AGENT, SMOKE_MODEL

    from harness import kubectl

    kubectl(private_cluster.kubeconfig, "apply", "--dry-run=server", "-f", "-",
            input=yaml.safe_dump_all([SMOKE_MODEL, SMOKE_AGENT]))


def _selects(selector, labels) -> bool:
    """Kubernetes label-selector semantics (matchLabels and matchExpressions); {} selects every pod."""
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values) \
                or (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def test_every_platform_pod_is_isolated_by_network_policies(installed, private_cluster):
    """Every pod the charts run (the upstream charts' and the glue's) is selected by a NetworkPolicy of both
    types in its namespace: ingress and egress denied unless a policy allows them."""
    uncovered = []
    for ns in (NS, "flux-system"):
        policies = [p["spec"] for p in private_cluster.get("networkpolicies", "-n", ns)]
        for pod in private_cluster.get("pods", "-n", ns):
            labels = pod["metadata"].get("labels") or {}
            types = {t for p in policies if _selects(p.get("podSelector"), labels) for t in p.get("policyTypes") or []}
            if not {"Ingress", "Egress"} <= types:
                uncovered.append("%s/%s: %s" % (ns, pod["metadata"]["name"], sorted(types)))
    assert not uncovered, "pods no NetworkPolicy isolates: %s" % uncovered


def test_generated_values_appear_in_no_output_values_or_object(installed, private_cluster):
    """The generated credentials are nowhere but in their Secrets: not in the converge's output, the
    Applications, any ConfigMap or any Helm release's values."""
    import base64
    import json
    import subprocess

    values = {}
    for name in ("litellm-api-keys", "langfuse-credentials"):
        secret = yaml.safe_load(private_cluster.kubectl("get", "secret", name, "-n", NS, "-o", "yaml").stdout)
        values.update({"%s:%s" % (name, k): base64.b64decode(v).decode() for k, v in secret["data"].items()})
    helm = str(ROOT / ".tools/bin/helm3")
    releases = json.loads(subprocess.run([helm, "--kubeconfig", str(private_cluster.kubeconfig), "list", "-A", "-o", "json"],
                                         capture_output=True, text=True, check=True).stdout)
    texts = {"converge output": installed.out,
             "Applications": json.dumps(private_cluster.get("applications.argoproj.io", "-n", "argocd")),
             "ConfigMaps": json.dumps(private_cluster.get("configmaps", "-A")),
             "Helm release values": "\n".join(subprocess.run(
                 [helm, "--kubeconfig", str(private_cluster.kubeconfig), "get", "values", "-a", "-n", r["namespace"], r["name"]],
                 capture_output=True, text=True).stdout for r in releases)}
    leaks = ["%s in %s" % (name, where) for name, value in values.items() for where, text in texts.items() if value in text]
    assert len(values) == 8 and all(len(v) >= 16 for v in values.values())
    assert not leaks, leaks


def test_second_run_changes_nothing(installed, private_cluster):
    before = private_cluster.kubectl("get", "secret", "litellm-api-keys", "-n", NS, "-o", "jsonpath={.data}").stdout
    again = components(private_cluster)
    assert again.rc == 0 and again.changed == 0, [l for l in again.out.splitlines() if l.startswith("changed:")]
    assert private_cluster.kubectl("get", "secret", "litellm-api-keys", "-n", NS, "-o", "jsonpath={.data}").stdout == before


@pytest.mark.parametrize("extra,needles", [
    ({"components": ["kagent", "grafana"]}, ["unknown components", "grafana"]),
    ({"agent_platform_cluster_values": {"components": {"kagent": {"config": {"providers": {"default": "openAI",
                                                                                            "openAI": {"model": ""}}}}}}},
     ["kagent_values.providers.openAI.model", "components.kagent.config.providers"]),
    ({"agent_platform_cluster_values": {"components": {"litellm": {"config": {"replicas": "two"}}}}},
     ["replicas", "level 6 (cluster overrides"]),
    ({"agent_platform_namespace": "Agent_Platform"}, ["agent_platform_namespace"]),
])
def test_bad_input_is_refused_before_any_change(installed, private_cluster, extra, needles):
    before = private_cluster.kubectl("get", "secrets,configmaps,deployments", "-A", "-o",
                                     "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}").stdout
    run = components(private_cluster, extra=extra, timeout=600)
    assert run.rc != 0
    for needle in needles:
        assert needle in run.out, "%r not in:\n%s" % (needle, run.out[-3000:])
    after = private_cluster.kubectl("get", "secrets,configmaps,deployments", "-A", "-o",
                                    "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}").stdout
    assert before == after, "a refused run changed the cluster"


def test_zz_remove_keeps_the_crds(installed, private_cluster):
    """Runs last: removal leaves no release, no Application, no platform namespace; the CRDs stay."""
    run = components(private_cluster, "absent")
    assert run.rc == 0, run.out[-4000:]
    assert private_cluster.get("secrets", "-A", "-l", "owner=helm") == []
    assert private_cluster.get("applications.argoproj.io", "-A") == []
    namespaces = {n["metadata"]["name"] for n in private_cluster.get("namespaces")}
    assert not {NS, "flux-system"} & namespaces
    crds = {c["metadata"]["name"] for c in private_cluster.get("crds")}
    assert {"agents.kagent.dev", "modelconfigs.kagent.dev"} <= crds
    again = components(private_cluster, "absent")
    assert again.rc == 0 and again.changed == 0, again.out[-3000:]
