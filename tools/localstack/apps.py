"""Argo CD Applications on the local stack, read and written with the kubernetes client: state tables,
sync-wave timestamps, waiting, deleting an app-of-apps tree, toggling the Application health check, and
the app-of-apps example of tests/argocd/fixtures (used by tests/argocd and bench/argocd_time_to_healthy.py).
Everything comes from Argo CD's own status fields; nothing here imitates Argo CD.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from . import common, kube, manifests
from .argocd import ArgoCD, ArgoSettings

NAMESPACE = manifests.ARGOCD_NAMESPACE
IN_CLUSTER = "https://kubernetes.default.svc"
GROUP, VERSION, PLURAL = "argoproj.io", "v1alpha1", "applications"
FIXTURES = common.project_root() / "tests" / "argocd" / "fixtures"
HEALTH_KEY = manifests.HEALTH_KEY
HEALTH_LUA = common.project_root() / "roles" / "argocd" / "files" / "application-health.lua"

_API = {}


def kubeconfig() -> Path:
    return ArgoSettings.from_env().kubeconfig


def api():
    path = str(kubeconfig())
    if path not in _API:
        _API[path] = kube.client(path)
    return _API[path]


def _custom():
    from kubernetes import client as k

    return k.CustomObjectsApi(api())


def local_env() -> dict[str, str]:
    """The local Argo CD's ports and URLs (what `argocd-local.sh env` prints)."""
    return ArgoCD().env()


def apply(manifest: dict, field_manager: str = "appmod-apps") -> None:
    kube.apply(api(), [manifest], field_manager)


def applications(prefix: str | None = None) -> dict[str, dict]:
    items = _custom().list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, _request_timeout=30)["items"]
    return {a["metadata"]["name"]: a for a in items
            if prefix is None or a["metadata"]["name"].startswith(prefix + "-")}


def synced_healthy(app: dict) -> bool:
    status = app.get("status") or {}
    return ((status.get("sync") or {}).get("status") == "Synced"
            and (status.get("health") or {}).get("status") == "Healthy")


def app_table(prefix: str | None = None) -> str:
    """`argocd app list`-like table (NAME SYNC HEALTH WAVE) from the Application objects."""
    rows = [("NAME", "SYNC", "HEALTH", "WAVE")]
    for name, app in sorted(applications(prefix).items()):
        status = app.get("status") or {}
        rows.append((name, (status.get("sync") or {}).get("status") or "<none>",
                     (status.get("health") or {}).get("status") or "<none>",
                     (app["metadata"].get("annotations") or {}).get("argocd.argoproj.io/sync-wave") or "<none>"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def ts(value: str) -> datetime:
    """Kubernetes RFC 3339 timestamp -> datetime (second resolution)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def wait_for(predicate, timeout, interval=2.0, what="condition", on_timeout=None):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    detail = on_timeout() if on_timeout else ""
    raise TimeoutError("timed out after %ss waiting for %s\n%s" % (timeout, what, detail))


def refresh(name: str) -> None:
    """Ask the controller to re-read git now (what `argocd app get --refresh` does)."""
    kube.patch(api(), _app_ref(name), {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}})


def _app_ref(name: str) -> dict:
    return {"apiVersion": "%s/%s" % (GROUP, VERSION), "kind": "Application", "metadata": {"name": name, "namespace": NAMESPACE}}


def delete_application(name: str) -> None:
    kube.delete(api(), _app_ref(name))


def delete_namespace(name: str) -> None:
    kube.delete(api(), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def delete_tree(parent: str, prefix: str, children=(), timeout: float = 180) -> None:
    """Delete the parent (its finalizer cascades), wait until its Applications are gone, drop the namespaces."""
    delete_application(parent)
    try:
        wait_for(lambda: not applications(prefix), timeout, what="Applications %s-* to be deleted" % prefix)
    finally:
        for child in children:
            delete_namespace("%s-%s" % (prefix, child))


def wave_rows(prefix: str) -> list[dict]:
    """Per child Application: wave, creation, own sync start/finish, Healthy since (Argo CD's own fields)."""
    rows = []
    for name, app in applications(prefix).items():
        wave = (app["metadata"].get("annotations") or {}).get("argocd.argoproj.io/sync-wave")
        if wave is None:
            continue
        status = app.get("status") or {}
        op = status.get("operationState") or {}
        rows.append({"name": name, "wave": int(wave), "created": app["metadata"]["creationTimestamp"],
                     "started": op.get("startedAt"), "finished": op.get("finishedAt"),
                     "healthy_since": (status.get("health") or {}).get("lastTransitionTime")})
    return sorted(rows, key=lambda r: r["wave"])


def format_wave_rows(rows) -> str:
    head = "%-20s %5s %-22s %-22s %-22s %-22s" % ("APPLICATION", "WAVE", "CREATED", "SYNC STARTED", "SYNC FINISHED", "HEALTHY SINCE")
    return "\n".join([head] + ["%-20s %5d %-22s %-22s %-22s %-22s" % (
        r["name"], r["wave"], r["created"], r["started"], r["finished"], r["healthy_since"]) for r in rows])


def set_application_health_check(enabled: bool) -> None:
    """Add or remove the Application health check in argocd-cm (the controller watches argocd-cm)."""
    path = "/data/" + HEALTH_KEY.replace("~", "~0").replace("/", "~1")
    patch = ([{"op": "add", "path": path, "value": HEALTH_LUA.read_text()}] if enabled
             else [{"op": "remove", "path": path}])
    kube.patch(api(), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-cm", "namespace": NAMESPACE}},
               patch, "application/json-patch+json")


def controller_log_tail(lines: int = 40) -> str:
    log = ArgoSettings.from_env().state_dir / "logs" / "application-controller.log"
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# ------------------------------------------------------------------ the app-of-apps example
def parent_application(name: str, repo_url: str, prefix: str, path: str = "app-of-apps") -> dict:
    """The parent of tests/argocd/fixtures/app-of-apps: renders child Applications in sync waves."""
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {
            "name": name, "namespace": NAMESPACE,
            # deleting the parent cascades to the children (and, through theirs, to their workloads)
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {"repoURL": repo_url, "targetRevision": "main", "path": path,
                       "helm": {"valuesObject": {"repoURL": repo_url, "prefix": prefix}}},
            "destination": {"server": IN_CLUSTER, "namespace": NAMESPACE},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def stage_fixtures(dest, children_enabled=None, fixtures: Path = FIXTURES) -> Path:
    """Copy the fixture charts to dest, optionally setting children.<name>.enabled in the parent's values."""
    import yaml

    dest = Path(dest)
    for chart in ("app-of-apps", "child"):
        shutil.copytree(fixtures / chart, dest / chart, dirs_exist_ok=True)
    if children_enabled:
        values_file = dest / "app-of-apps" / "values.yaml"
        values = yaml.safe_load(values_file.read_text())
        for child, enabled in children_enabled.items():
            values["children"][child]["enabled"] = bool(enabled)
        values_file.write_text(yaml.safe_dump(values, sort_keys=False))
    return dest


def publish_fixtures(repo: str, children_enabled=None) -> str:
    """Publish the fixture charts to the local git daemon's ``<repo>.git``; returns the commit."""
    with tempfile.TemporaryDirectory(prefix="argocd-fixtures-") as tmp:
        stage_fixtures(tmp, children_enabled)
        return ArgoCD().publish(tmp, repo)[0]
