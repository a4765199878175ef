"""After a real converge (PRIVATE control plane, direct delivery, `-v`): the generated credential
Secrets' values appear in no captured output, and every namespace of the platform has NetworkPolicies
(a default deny among them). The shared cluster is not used: a converge installs charts."""
from __future__ import annotations

import base64
import json
import subprocess

import pytest

from faults.private_cluster import PrivateCluster  # tests/ is the import root (no __init__.py)

from .conftest import ROOT

pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.helm]

GENERATED = {("litellm-api-keys", "master-key"), ("langfuse-credentials", "postgres-password"),
             ("langfuse-credentials", "nextauth-secret"), ("langfuse-credentials", "salt")}


@pytest.fixture(scope="module")
def converged():
    pc = PrivateCluster()
    try:
        pc.up()
    except Exception as exc:  # noqa: BLE001
        pc.down()
        pytest.skip("private cluster could not start: %s" % str(exc)[-500:])
    try:
        run = pc.playbook(extra={"agent_platform_resource_prefix": "sec"}, verbose=True, timeout=1200)
        assert run.rc == 0, run.out[-4000:]
        yield pc, run
    finally:
        pc.down()


def secret_values(pc):
    values = {}
    for s in pc.get("secrets", "-A"):
        for key, b64 in (s.get("data") or {}).items():
            if (s["metadata"]["name"], key) in GENERATED:
                values["%s/%s:%s" % (s["metadata"]["namespace"], s["metadata"]["name"], key)] = \
                    base64.b64decode(b64).decode()
    return values


def test_generated_secret_values_appear_nowhere(converged, rendered):
    pc, run = converged
    values = secret_values(pc)
    assert {k.split("/", 1)[1] for k in values} == {"%s:%s" % x for x in GENERATED}, sorted(values)
    assert all(len(v) >= 16 for v in values.values())
    render_dir, _, render_log = rendered
    texts = {"converge -v output": run.out, "render.yml output": render_log,
             "Applications": json.dumps(pc.get("applications.argoproj.io", "-n", "argocd")),
             "ConfigMaps": json.dumps(pc.get("configmaps", "-A")),
             "Helm release values": "\n".join(
                 subprocess.run([str(ROOT / ".tools/bin/helm3"), "--kubeconfig", str(pc.kubeconfig), "get", "values",
                                 "-a", "-n", r["namespace"], r["name"]], capture_output=True, text=True).stdout
                 for r in json.loads(subprocess.run([str(ROOT / ".tools/bin/helm3"), "--kubeconfig", str(pc.kubeconfig),
                                                     "list", "-A", "-o", "json"], capture_output=True, text=True).stdout))}
    for path in render_dir.rglob("*"):
        if path.is_file():
            texts["rendered %s" % path.relative_to(render_dir)] = path.read_text()
    leaks = ["%s in %s" % (name, where) for name, value in values.items() for where, text in texts.items()
             if value in text]
    print("\n%d generated values checked against %d captured texts (%d bytes of converge -v output)" % (
        len(values), len(texts), len(run.out)))
    assert not leaks, leaks


def selects(selector, labels) -> bool:
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


def test_every_platform_pod_is_isolated_by_network_policies(converged):
    """Each release ships a default deny for its own pods (releases share the agent-platform namespace,
    so no single chart owns a namespace-wide one): every pod of every platform namespace must be
    selected by a policy of both types (ingress and egress denied unless allowed)."""
    pc, _ = converged
    apps = pc.get("applications.argoproj.io", "-n", "argocd")
    namespaces = sorted({a["spec"]["destination"]["namespace"] for a in apps
                         if a["metadata"]["name"] != "sec-agent-platform"})
    assert "agent-platform" in namespaces and "flux-system" in namespaces, namespaces
    uncovered, empty = [], []
    for ns in namespaces:
        policies = [p["spec"] for p in pc.get("networkpolicies", "-n", ns)
                    if {"Ingress", "Egress"} <= set(p["spec"].get("policyTypes") or [])]
        pods = pc.get("pods", "-n", ns)
        print("%s: %d pods, %d ingress+egress NetworkPolicies" % (ns, len(pods), len(policies)))
        if not policies:
            empty.append(ns)
        uncovered += ["%s/%s" % (ns, pod["metadata"]["name"]) for pod in pods
                      if not any(selects(p.get("podSelector"), pod["metadata"].get("labels") or {}) for p in policies)]
    assert not empty, "namespaces without an ingress+egress NetworkPolicy: %s" % empty
    assert not uncovered, "pods no NetworkPolicy isolates: %s" % uncovered
