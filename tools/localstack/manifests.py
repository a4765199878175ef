"""Every object and config file the local stack writes, as data (dicts), never as text templates."""
from __future__ import annotations

from pathlib import Path

FAKE_NODE_LABEL = "appmod.local/fake-node"
STATIC_PV_LABEL = "appmod.local/static-pv"


def kubeconfig(server: str, pki: Path, user: str) -> dict:
    return {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "local", "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")}}],
        "users": [{"name": user, "user": {"client-certificate": str(pki / ("%s.crt" % user)),
                                          "client-key": str(pki / ("%s.key" % user))}}],
        "contexts": [{"name": "local", "context": {"cluster": "local", "user": user}}],
        "current-context": "local",
    }


def namespace(name: str, labels: dict | None = None) -> dict:
    meta = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def storage_class() -> dict:
    # No dynamic provisioner on this cluster: PVCs bind only to the static PVs below
    # (WaitForFirstConsumer: bound when the scheduler places the first Pod using the claim).
    return {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "WaitForFirstConsumer",
        "reclaimPolicy": "Delete",
    }


def static_pvs(count: int, size: str) -> list[dict]:
    return [{
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": "local-pv-%03d" % i, "labels": {STATIC_PV_LABEL: "true"}},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": "standard",
            "volumeMode": "Filesystem",
            # nothing is written: no kubelet runs
            "hostPath": {"path": "/var/lib/appmod-local-cluster/pv-%03d" % i, "type": "DirectoryOrCreate"},
        },
    } for i in range(count)]


def fake_nodes(count: int, cpu: str, memory: str, pods: int | str) -> list[dict]:
    """Nodes kwok manages (annotation kwok.x-k8s.io/node=fake), created once with their capacity."""
    resources = {"cpu": str(cpu), "memory": str(memory), "pods": str(pods), "ephemeral-storage": "1Ti"}
    nodes = []
    for i in range(count):
        name = "kwok-node-%d" % i
        nodes.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": name,
                "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {FAKE_NODE_LABEL: "true", "type": "kwok", "kubernetes.io/arch": "amd64",
                           "kubernetes.io/os": "linux", "kubernetes.io/hostname": name,
                           "node-role.kubernetes.io/agent": "", "topology.kubernetes.io/zone": "local-%d" % i},
            },
            "spec": {},
            "status": {
                "allocatable": dict(resources), "capacity": dict(resources),
                "nodeInfo": {"architecture": "amd64", "kubeletVersion": "fake", "operatingSystem": "linux",
                             "containerRuntimeVersion": "kwok"},
            },
        })
    return nodes


# ------------------------------------------------------------------ Argo CD configuration
ARGOCD_NAMESPACE = "argocd"
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"


def _argocd_meta(name: str, namespace: str) -> dict:
    return {"name": name, "namespace": namespace,
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "argocd"}}


def argocd_cm(health_lua: str, resync_seconds: int, namespace: str = ARGOCD_NAMESPACE) -> dict:
    # The health check of argoproj.io/Application that Argo CD removed in 1.8 (argo-cd#3781), as given
    # in Argo CD's docs/operator-manual/health.md, so app-of-apps waves wait for Healthy children, not
    # merely existing ones (argo-cd#16870, #5585, #8358). Shared with the argocd role's cluster mode.
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _argocd_meta("argocd-cm", namespace),
            "data": {HEALTH_KEY: health_lua, "timeout.reconciliation": "%ds" % resync_seconds,
                     "application.resourceTrackingMethod": "annotation"}}


def argocd_cmd_params_cm(params: dict, namespace: str = ARGOCD_NAMESPACE) -> dict:
    # In a cluster the Deployments turn these keys into env vars. Out of cluster nothing reads it: it
    # records the parameters the tool passes as flags.
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _argocd_meta("argocd-cmd-params-cm", namespace),
            "data": {k: str(v) for k, v in params.items()}}


def argocd_rbac_cm(namespace: str = ARGOCD_NAMESPACE) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _argocd_meta("argocd-rbac-cm", namespace),
            "data": {"policy.default": "role:readonly"}}


def argocd_secret(server_secret_key: str, namespace: str = ARGOCD_NAMESPACE) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": _argocd_meta("argocd-secret", namespace),
            "type": "Opaque", "stringData": {"server.secretkey": server_secret_key}}


def default_app_project(namespace: str = ARGOCD_NAMESPACE) -> dict:
    # argocd-server creates it in a normal install; no server runs here.
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
            "metadata": {"name": "default", "namespace": namespace},
            "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
                     "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}}
