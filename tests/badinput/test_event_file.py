"""Bad workshop event files through playbooks/workshop-event.yml: refused before any change, the
error names the file and the key. Skipped when the playbook is absent."""
from __future__ import annotations

import pytest
import yaml

from workshop.workshop_helpers import SAMPLE_EVENT  # tests/workshop's sample event

from .conftest import ROOT

pytestmark = [pytest.mark.cluster, pytest.mark.helm]

BASE = dict(SAMPLE_EVENT, name="badevt", participants=2, vars={"agent_platform_local_cluster": False})

# id -> (changes to BASE, needles)
CASES = {
    "event workshop_type unknown": ({"workshop_type": "data-science"}, ["workshop_type", "data-science"]),
    "event participants zero": ({"participants": 0}, ["participants"]),
    "event name not a DNS label": ({"name": "Bad_Event"}, ["name", "Bad_Event"]),
}


@pytest.mark.skipif(not (ROOT / "playbooks" / "workshop-event.yml").exists(), reason="no playbooks/workshop-event.yml")
@pytest.mark.parametrize("case", list(CASES))
def test_event_file_refused(case, tmp_path, run_playbook, cluster_snapshot, shared_kubeconfig):
    changes, needles = CASES[case]
    event = dict(BASE, **changes)
    event["vars"] = dict(event["vars"], agent_platform_kubeconfig=str(shared_kubeconfig))
    path = tmp_path / "bad-event.yml"
    path.write_text(yaml.safe_dump(event, sort_keys=False))
    run = run_playbook("workshop-event.yml", inventory=path,
                       environ={"ANSIBLE_INVENTORY_ENABLED": "appmod.agent_platform.workshop_event"})
    assert run.rc != 0, run.out[-2500:]
    for needle in needles + ["bad-event.yml"]:
        assert needle in run.out, "%r not in output:\n%s" % (needle, run.out[-3000:])
    cluster_snapshot()
