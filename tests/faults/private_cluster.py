"""A PRIVATE local control plane for tests and benchmarks that restart components or measure a cold
converge (its own state dir and free ports; never the shared one): tools.localstack.private.PrivateCluster.

    with PrivateCluster() as pc:            # up (~20-50 s with cached binaries) ... down, nothing left behind
        pc.playbook("agent-platform.yml")   # direct delivery, no Argo CD, kubeconfig of the private cluster
"""
from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # the project root: tools.localstack
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.localstack.common import project_root  # noqa: E402
from tools.localstack.private import PrivateCluster, Run  # noqa: E402

ROOT = project_root()

__all__ = ["PrivateCluster", "ROOT", "Run"]
