"""Fault tests on a PRIVATE control plane (tools.localstack.private.PrivateCluster; never the shared one):
each module starts its own (free ports, own state dir), converges a lean agent platform with
direct delivery, injects its fault and checks the rerun converges with nothing lost or duplicated."""
from __future__ import annotations

import json
import subprocess
import time

import pytest

from .private_cluster import ROOT, PrivateCluster

PREFIX = "flt"
# Lean: three components (CRDs, kagent, jaeger) keep each converge short on 2 shared cores.
LEAN = {"components": {k: {"enabled": False} for k in ("tofuController", "litellm", "langfuse", "agentGateway", "agentCore")}}
EXTRA = {"agent_platform_resource_prefix": PREFIX, "agent_platform_cluster_values": LEAN}
EXPECTED_APPS = sorted(["%s-agent-platform" % PREFIX] + ["%s-agent-platform-%s" % (PREFIX, c)
                                                          for c in ("kagent-crds", "kagent", "jaeger")])
# One release per source: the upstream charts and the glue charts.
EXPECTED_RELEASES = {("agent-platform", r) for r in ("kagent-crds", "kagent", "kagent-glue", "jaeger", "jaeger-glue")}


@pytest.fixture(scope="module")
def private_cluster():
    if not (ROOT / ".tools" / "bin" / "kubectl").exists():
        pytest.skip("run scripts/setup.sh first")
    pc = PrivateCluster()
    try:
        pc.up()
    except Exception as exc:  # noqa: BLE001 - the reason goes into the skip
        pc.down()
        pytest.skip("private cluster could not start: %s" % str(exc)[-500:])
    yield pc
    pc.down()


def assert_converged(pc: PrivateCluster):
    """Exactly the expected Applications, one deployed Helm revision chain per release, nothing pending,
    every Deployment Available."""
    apps = sorted(a["metadata"]["name"] for a in pc.get("applications.argoproj.io", "-n", "argocd"))
    assert apps == EXPECTED_APPS, apps
    releases = {}
    for s in pc.get("secrets", "-A", "-l", "owner=helm"):
        labels = s["metadata"]["labels"]
        releases.setdefault((s["metadata"]["namespace"], labels["name"]), []).append(
            (int(labels["version"]), labels["status"]))
    assert set(releases) == EXPECTED_RELEASES, releases
    for rel, revs in releases.items():
        statuses = [st for _, st in sorted(revs)]
        assert statuses.count("deployed") == 1 and statuses[-1] == "deployed", (rel, revs)
        assert not [st for st in statuses if st.startswith("pending")], (rel, revs)
    deployments = pc.get("deployments", "-A")
    assert deployments
    for d in deployments:
        conds = {c["type"]: c["status"] for c in d.get("status", {}).get("conditions", [])}
        assert conds.get("Available") == "True", (d["metadata"]["name"], d.get("status"))


def converge_twice(pc: PrivateCluster):
    """A rerun converges (rc 0), the run after it changes nothing; returns both runs."""
    first = pc.playbook(extra=EXTRA)
    assert first.rc == 0 and first.failed == 0, first.out[-4000:]
    second = pc.playbook(extra=EXTRA)
    assert second.rc == 0 and second.changed == 0, second.out[-4000:]
    assert_converged(pc)
    return first, second


def wait_for(pred, timeout, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return False


def helm_release_exists(pc: PrivateCluster, name: str) -> bool:
    proc = pc.kubectl("get", "secrets", "-A", "-l", "owner=helm,name=%s" % name, "-o", "json", check=False, timeout=10)
    return proc.returncode == 0 and bool(json.loads(proc.stdout or '{"items": []}')["items"])


def stop(proc: subprocess.Popen, timeout=600):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        import os
        import signal
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def pending_release(pc: PrivateCluster) -> str:
    """'release <name> revision <n> <status>' for a Helm revision in a pending-* state, else ''."""
    proc = pc.kubectl("get", "secrets", "-A", "-l", "owner=helm", "-o", "json", check=False, timeout=10)
    if proc.returncode != 0:
        return ""
    for s in json.loads(proc.stdout or '{"items": []}')["items"]:
        labels = s["metadata"]["labels"]
        if labels.get("status", "").startswith("pending-"):
            return "release %s revision %s was %s" % (labels["name"], labels["version"], labels["status"])
    return ""


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process and every descendant, also those in their own sessions (Ansible's workers call
    setsid, so killing the playbook's process group alone leaves helm running to completion)."""
    import os
    import signal
    children: dict[int, list[int]] = {}
    for line in subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout.splitlines():
        child, parent = (int(x) for x in line.split())
        children.setdefault(parent, []).append(child)
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    for victim in tree:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return tree
