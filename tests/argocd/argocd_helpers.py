"""Helpers for the Argo CD tests: the tool's Application helpers (tools.localstack.apps, shared with
bench/argocd_time_to_healthy.py) plus the pinned kubectl for generic reads.

Everything goes through the real processes: the local Argo CD (tools.localstack.argocd, what
scripts/argocd-local.sh runs), the local control plane, and Argo CD's own status fields on the
Application objects. Nothing here imitates Argo CD.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # tools.localstack
    sys.path.insert(0, str(PROJECT_ROOT))

from tools.localstack.apps import (  # noqa: E402,F401 - re-exported for the tests
    FIXTURES, HEALTH_KEY, HEALTH_LUA, IN_CLUSTER, NAMESPACE, app_table, applications, apply, controller_log_tail,
    delete_tree, format_wave_rows, local_env, parent_application, publish_fixtures, refresh,
    set_application_health_check, stage_fixtures, synced_healthy, ts, wait_for, wave_rows)
from tools.localstack.argocd import ArgoCD, ArgoSettings  # noqa: E402
from tools.localstack.cluster import LocalCluster  # noqa: E402

SCRIPT = PROJECT_ROOT / "scripts" / "argocd-local.sh"
LOCAL_CLUSTER = PROJECT_ROOT / "scripts" / "local-cluster.sh"
KUBECTL = PROJECT_ROOT / ".tools" / "bin" / "kubectl"
KUBECONFIG = ArgoSettings.from_env().kubeconfig


def run(argv, check=True, input_text=None, timeout=600):
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True, input=input_text,
                          timeout=timeout, cwd=PROJECT_ROOT)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (rc=%d)\nstdout:\n%s\nstderr:\n%s"
                           % (" ".join(str(a) for a in argv), proc.returncode, proc.stdout, proc.stderr))
    return proc


def script(*args, check=True, timeout=1800):
    """scripts/argocd-local.sh, the entry point users and the argocd role run."""
    return run(["bash", SCRIPT, *args], check=check, timeout=timeout)


def cluster_up() -> bool:
    """The local control plane is healthy (what `local-cluster.sh status` checks)."""
    return LocalCluster().status()[0]


def argocd_up() -> bool:
    return ArgoCD().status()[0]


def kubectl(*args, check=True, input_text=None):
    return run([KUBECTL, "--kubeconfig", KUBECONFIG, "--request-timeout=30s", *args],
               check=check, input_text=input_text)


def get_json(*args):
    proc = kubectl("get", *args, "-o", "json", check=False)
    if proc.returncode != 0:
        if "NotFound" in proc.stderr or "not found" in proc.stderr:
            return None
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout)
