"""(b) ansible-playbook SIGKILLed mid-run with every descendant (helm, kubectl) while a Helm release is
pending; the rerun drops the dead pending revision and converges."""
import pytest

from .conftest import EXTRA, converge_twice, kill_tree, pending_release, stop, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def test_playbook_sigkilled_mid_run(private_cluster):
    pc = private_cluster
    run = pc.start_playbook(extra=EXTRA, log=pc.dir / "fault-sigkill.log")
    # Kill while Helm holds a release pending (installing, waiting for readiness): the worst moment.
    assert wait_for(lambda: pending_release(pc) or run.poll() is not None, 600, step=0.2), "never reached helm"
    caught = pending_release(pc)
    killed = kill_tree(run.pid)
    print("\nSIGKILLed the playbook and its %d descendants (helm among them) while %s: rc=%s"
          % (len(killed) - 1, caught, stop(run)))
    assert caught, "the playbook ended before any release was pending"
    first, second = converge_twice(pc)
    assert "a run was interrupted" in first.out, first.out[-3000:]
    print("rerun %.0f s changed=%d; second run %.0f s changed=0" % (first.seconds, first.changed, second.seconds))
