"""Every rendered workload is admitted by the real API server's PodSecurity admission at level
`restricted` (server-side dry-run into a namespace enforcing it), and a privileged pod is refused."""
from __future__ import annotations

import copy
import json

import pytest

from .conftest import kubectl

pytestmark = [pytest.mark.cluster, pytest.mark.helm]

RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest",
              "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted"}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"}


def pod_spec(obj):
    if obj["kind"] == "Pod":
        return obj["spec"]
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def as_pod(component, obj, namespace):
    """The workload's pod template as a Pod (enforce only judges Pods; the workload itself only warns).
    The ServiceAccount becomes `default` (the chart's does not exist in this namespace; PSA ignores it)."""
    spec = copy.deepcopy(pod_spec(obj))
    spec["serviceAccountName"] = "default"
    # a StatefulSet's claims become volumes of its pods (as the StatefulSet controller does)
    for claim in obj.get("spec", {}).get("volumeClaimTemplates", []) if obj["kind"] == "StatefulSet" else []:
        name = claim["metadata"]["name"]
        spec.setdefault("volumes", []).append(
            {"name": name, "persistentVolumeClaim": {"claimName": "%s-%s-0" % (name, obj["metadata"]["name"])}})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": ("psa-%s-%s" % (obj["kind"], obj["metadata"]["name"])).lower()[:63].rstrip("-"),
                         "namespace": namespace}, "spec": spec}


def dry_run(kubeconfig, obj):
    return kubectl(kubeconfig, "apply", "--server-side", "--dry-run=server", "--field-manager=sec-psa", "-f", "-",
                   stdin=json.dumps(obj))


def test_every_rendered_workload_is_admitted_as_restricted(rendered, shared_kubeconfig, own_namespace):
    ns = own_namespace("sec-psa", RESTRICTED)
    _, objects, _ = rendered
    workloads = [(c, o) for c, o in objects if o["kind"] in WORKLOADS]
    assert len(workloads) >= 8, [o["metadata"]["name"] for _, o in workloads]
    refused = []
    for component, obj in workloads:
        workload = copy.deepcopy(obj)
        workload["metadata"]["namespace"] = ns
        for what, doc in (("workload", workload), ("pod", as_pod(component, obj, ns))):
            proc = dry_run(shared_kubeconfig, doc)
            if proc.returncode != 0 or "PodSecurity" in proc.stderr:
                refused.append("%s %s/%s (%s): %s" % (component, obj["kind"], obj["metadata"]["name"], what,
                                                       proc.stderr.strip()[-400:]))
    print("\n%d workloads (%s) dry-run as workload and as pod under restricted" % (
        len(workloads), ", ".join(sorted({"%s/%s" % (o["kind"], o["metadata"]["name"]) for _, o in workloads}))))
    assert not refused, "\n".join(refused)


def test_privileged_pod_is_refused(shared_kubeconfig, own_namespace):
    """Negative control: the same path refuses a privileged pod, so the test above can fail."""
    ns = own_namespace("sec-psa-neg", RESTRICTED)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "privileged", "namespace": ns},
           "spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                                    "securityContext": {"privileged": True}}]}}
    proc = dry_run(shared_kubeconfig, pod)
    assert proc.returncode != 0
    assert "violates PodSecurity" in proc.stderr and "restricted" in proc.stderr, proc.stderr
