"""Shared helpers of the local cluster tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tools.localstack
    sys.path.insert(0, str(ROOT))
SCRIPT = ROOT / "scripts" / "local-cluster.sh"
KUBECONFIG = ROOT / ".local-cluster" / "kubeconfig"


def run_script(*args: str, timeout: int = 3600) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    proc = subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return proc, time.monotonic() - start


def pinned_k8s_version() -> str:
    from tools.localstack.builds import K8S

    return K8S.resolved_version()
