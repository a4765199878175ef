"""(c) etcd restarted mid-run; the rerun converges, and etcd restarted between runs changes nothing."""
import pytest

from .conftest import EXTRA, assert_converged, converge_twice, helm_release_exists, stop, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def test_etcd_restart_mid_run_and_between_runs(private_cluster):
    pc = private_cluster
    run = pc.start_playbook(extra=EXTRA, log=pc.dir / "fault-etcd.log")
    assert wait_for(lambda: helm_release_exists(pc, "kagent-crds") or run.poll() is not None, 400), "never reached helm"
    print("\nkilled etcd pid %d mid-run" % pc.kill("etcd"))
    pc.up()
    print("interrupted run rc=%s" % stop(run))
    converge_twice(pc)
    # between runs
    pc.kill("etcd")
    pc.up()
    assert pc.wait_api()
    again = pc.playbook(extra=EXTRA)
    assert again.rc == 0 and again.changed == 0, again.out[-4000:]
    assert_converged(pc)
