"""Direct delivery (no Argo CD; playbooks/components.yml, agent_platform_delivery=direct) on a PRIVATE control
plane (tools.localstack.private.PrivateCluster: own ports and state, controllers, scheduler, kwok nodes, static
PVs), so the shared cluster's Argo CD never fights it. Pods are faked by kwok, so any image "runs"; the API server,
admission (Pod Security), CRD validation, Helm and the roles are real."""
from __future__ import annotations

import pytest

from harness import ROOT


@pytest.fixture(scope="module")
def private_cluster(chart_mirror_url):
    from tools.localstack.private import PrivateCluster

    with PrivateCluster(label="components") as pc:
        pc.mirror_url = chart_mirror_url
        yield pc


def components(pc, state="present", names=(), extra=None, timeout=1500, verbose=False, args=()):
    """playbooks/components.yml against the private cluster (the local inventory's values levels)."""
    evars = {"components_state": state, "components": list(names), "agent_platform_chart_mirror_url": pc.mirror_url}
    evars.update(extra or {})
    return pc.playbook("components.yml", evars, verbose=verbose, timeout=timeout, args=args)


__all__ = ["ROOT", "components"]
