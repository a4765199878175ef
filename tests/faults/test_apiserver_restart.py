"""(a) kube-apiserver killed mid-converge and restarted with the engine's `up`; the rerun converges."""
import pytest

from .conftest import EXTRA, converge_twice, helm_release_exists, stop, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def test_apiserver_restart_mid_converge(private_cluster):
    pc = private_cluster
    run = pc.start_playbook(extra=EXTRA, log=pc.dir / "fault-apiserver.log")
    # mid-run: the first chart (kagent-crds, wave -4) is being installed
    assert wait_for(lambda: helm_release_exists(pc, "kagent-crds") or run.poll() is not None, 400), "never reached helm"
    pid = pc.kill("kube-apiserver")
    print("\nkilled kube-apiserver pid %d while the converge ran" % pid)
    pc.up()
    rc = stop(run)
    print("interrupted run rc=%s" % rc)
    first, second = converge_twice(pc)
    print("rerun %.0f s changed=%d; second run %.0f s changed=0" % (first.seconds, first.changed, second.seconds))
