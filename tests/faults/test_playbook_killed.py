"""(b) ansible-playbook SIGKILLed mid-run (with its children: helm, kubectl); the rerun converges."""
import os
import signal

import pytest

from .conftest import EXTRA, converge_twice, helm_release_exists, stop, wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


# Written but not yet run green (CPU-starved session): deselected from CI by scripts/test.sh
# (-m "not pending") until a session runs it; see the issue note.
@pytest.mark.pending
def test_playbook_sigkilled_mid_run(private_cluster):
    pc = private_cluster
    run = pc.start_playbook(extra=EXTRA, log=pc.dir / "fault-sigkill.log")
    assert wait_for(lambda: helm_release_exists(pc, "kagent") or run.poll() is not None, 500), "never reached helm"
    os.killpg(run.pid, signal.SIGKILL)
    print("\nSIGKILLed the playbook's process group while release kagent was being installed: rc=%s" % stop(run))
    first, second = converge_twice(pc)
    print("rerun %.0f s changed=%d; second run %.0f s changed=0" % (first.seconds, first.changed, second.seconds))
