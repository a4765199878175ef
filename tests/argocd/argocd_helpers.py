"""Helpers for the Argo CD tests and bench/argocd_time_to_healthy.py.

Everything goes through the real processes: scripts/argocd-local.sh (the local Argo CD),
the project's pinned kubectl against the local control plane, and Argo CD's own status
fields on the Application objects. Nothing here imitates Argo CD.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "argocd-local.sh"
LOCAL_CLUSTER = PROJECT_ROOT / "scripts" / "local-cluster.sh"
KUBECTL = PROJECT_ROOT / ".tools" / "bin" / "kubectl"
KUBECONFIG = Path(os.environ.get("ARGOCD_LOCAL_KUBECONFIG", PROJECT_ROOT / ".local-cluster" / "kubeconfig"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAMESPACE = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
COLUMNS = "NAME:.metadata.name,SYNC:.status.sync.status,HEALTH:.status.health.status,WAVE:.metadata.annotations.argocd\\.argoproj\\.io/sync-wave"


def run(argv, check=True, input_text=None, timeout=600):
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, input=input_text,
                          timeout=timeout, cwd=PROJECT_ROOT)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (rc=%d)\nstdout:\n%s\nstderr:\n%s"
                           % (" ".join(str(a) for a in argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


def script(*args, check=True, timeout=1800):
    return run(["bash", SCRIPT, *args], check=check, timeout=timeout)


def local_env():
    """The script's ports and URLs (`argocd-local.sh env`) as a dict."""
    out = script("env").stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def kubectl(*args, check=True, input_text=None):
    return run([KUBECTL, "--kubeconfig", KUBECONFIG, "--request-timeout=30s", *args],
               check=check, input_text=input_text)


def apply(manifest):
    return kubectl("apply", "-f", "-", input_text=json.dumps(manifest))


def get_json(*args):
    proc = kubectl("get", *args, "-o", "json", check=False)
    if proc.returncode != 0:
        if "NotFound" in proc.stderr or "not found" in proc.stderr:
            return None
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)


def applications(prefix):
    items = (get_json("applications.argoproj.io", "-n", NAMESPACE) or {}).get("items", [])
    return {a["metadata"]["name"]: a for a in items if a["metadata"]["name"].startswith(prefix + "-")}


def app_table(prefix=None):
    """`argocd app list`-equivalent table, from the Application objects."""
    out = kubectl("get", "applications.argoproj.io", "-n", NAMESPACE, "-o", "custom-columns=" + COLUMNS).stdout
    if prefix is None:
        return out
    lines = out.splitlines()
    return "\n".join(lines[:1] + [ln for ln in lines[1:] if ln.startswith(prefix + "-")])


def ts(value):
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


def synced_healthy(app):
    status = app.get("status") or {}
    return ((status.get("sync") or {}).get("status") == "Synced"
            and (status.get("health") or {}).get("status") == "Healthy")


def stage_fixtures(dest, children_enabled=None):
    """Copy the fixture charts to dest, optionally flipping children.<name>.enabled in the parent's values."""
    dest = Path(dest)
    for chart in ("app-of-apps", "child"):
        shutil.copytree(FIXTURES / chart, dest / chart, dirs_exist_ok=True)
    if children_enabled:
        values = dest / "app-of-apps" / "values.yaml"
        lines = values.read_text().splitlines()
        current = None
        for i, line in enumerate(lines):
            stripped = line.strip()
            if line.startswith("  ") and not line.startswith("    ") and stripped.endswith(":"):
                current = stripped[:-1]
            elif current in children_enabled and stripped.startswith("enabled:"):
                lines[i] = line[: line.index("enabled:")] + "enabled: %s" % str(children_enabled[current]).lower()
        values.write_text("\n".join(lines) + "\n")
    return dest


def publish_fixtures(repo, children_enabled=None):
    """Publish the fixture charts (staged in a temp dir) to .local-cluster/git/<repo>.git; returns the commit."""
    with tempfile.TemporaryDirectory(prefix="argocd-fixtures-") as tmp:
        stage_fixtures(tmp, children_enabled)
        return script("publish", "--repo", repo, tmp).stdout.strip().splitlines()[-1]


def parent_application(name, repo_url, prefix):
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            # deleting the parent cascades to the children (and, through theirs, to their workloads)
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": repo_url,
                "targetRevision": "main",
                "path": "app-of-apps",
                "helm": {"valuesObject": {"repoURL": repo_url, "prefix": prefix}},
            },
            "destination": {"server": IN_CLUSTER, "namespace": NAMESPACE},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def refresh(name):
    """Ask the controller to re-read git now (what `argocd app get --refresh` does)."""
    kubectl("annotate", "--overwrite", "applications.argoproj.io", name, "-n", NAMESPACE,
            "argocd.argoproj.io/refresh=normal")


def delete_tree(parent, prefix, children=(), timeout=180):
    """Delete the parent (its finalizer cascades), wait until its Applications are gone, drop the namespaces."""
    kubectl("delete", "applications.argoproj.io", parent, "-n", NAMESPACE, "--ignore-not-found", "--wait=false")
    try:
        wait_for(lambda: not applications(prefix), timeout, what="Applications %s-* to be deleted" % prefix)
    finally:
        for child in children:
            kubectl("delete", "namespace", "%s-%s" % (prefix, child), "--ignore-not-found", "--wait=false", check=False)


def controller_log_tail(lines=40):
    log = Path(local_env().get("ARGOCD_LOCAL_DIR", PROJECT_ROOT / ".local-cluster" / "argocd")) / "logs" / "application-controller.log"
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wave_rows(prefix):
    """Per child Application: wave, creation, own sync start/finish, Healthy since (Argo CD's own fields)."""
    rows = []
    for name, app in applications(prefix).items():
        wave = (app["metadata"].get("annotations") or {}).get("argocd.argoproj.io/sync-wave")
        if wave is None:
            continue
        status = app.get("status") or {}
        op = status.get("operationState") or {}
        rows.append({
            "name": name, "wave": int(wave),
            "created": app["metadata"]["creationTimestamp"],
            "started": op.get("startedAt"), "finished": op.get("finishedAt"),
            "healthy_since": (status.get("health") or {}).get("lastTransitionTime"),
        })
    return sorted(rows, key=lambda r: r["wave"])


def format_wave_rows(rows):
    head = "%-20s %5s %-22s %-22s %-22s %-22s" % ("APPLICATION", "WAVE", "CREATED", "SYNC STARTED", "SYNC FINISHED", "HEALTHY SINCE")
    return "\n".join([head] + ["%-20s %5d %-22s %-22s %-22s %-22s" % (
        r["name"], r["wave"], r["created"], r["started"], r["finished"], r["healthy_since"]) for r in rows])


HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
HEALTH_LUA = PROJECT_ROOT / "roles" / "argocd" / "files" / "application-health.lua"


def set_application_health_check(enabled):
    """Add or remove the Application health check in argocd-cm (the controller watches argocd-cm)."""
    if enabled:
        patch = [{"op": "add", "path": "/data/" + HEALTH_KEY.replace("/", "~1"), "value": HEALTH_LUA.read_text()}]
    else:
        patch = [{"op": "remove", "path": "/data/" + HEALTH_KEY.replace("/", "~1")}]
    kubectl("patch", "configmap", "argocd-cm", "-n", NAMESPACE, "--type", "json", "-p", json.dumps(patch))
