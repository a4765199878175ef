"""tests/workshop: the local control plane (and the local Argo CD, started by the playbook when down)
for the tenants event; moto (tests/aws's fixture code) for the clusters event."""
from __future__ import annotations

import pytest

from .workshop_helpers import KUBECONFIG


@pytest.fixture(scope="session")
def local_cluster():
    if not KUBECONFIG.exists():
        pytest.skip(f"{KUBECONFIG} is missing: start the local control plane (bash scripts/local-cluster.sh up)")
    return KUBECONFIG
