"""A workshop event rendered only (`-e workshop_event_render_dir=...`): no cluster, no AWS. Every participant's
Applications and manifests are written, one private validator judges every participant's render (the linear play;
under the provisioning play's free strategy each participant started its own and they ended without a report),
and a rerun changes nothing."""
from __future__ import annotations

import re

import pytest
import yaml

from .workshop_helpers import event_file, run_event

pytestmark = [pytest.mark.slow]

PARTICIPANTS = ["p01", "p02", "p03"]


def test_render_only_event_writes_every_participant_with_one_validator(tmp_path, chart_mirror_url):
    vars_ = {"agent_platform_chart_mirror_url": chart_mirror_url}
    event = event_file(tmp_path / "evr3.yml", name="evr3", participants=len(PARTICIPANTS))
    data = yaml.safe_load(event.read_text())
    data["vars"] = dict(data["vars"], **vars_)
    event.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "rendered"
    args = ("-e", "workshop_event_render_dir=%s" % out, "-e", "workshop_event_out_dir=%s" % (tmp_path / "out"))

    first = run_event(event, *args)
    assert first.rc == 0 and first.failed == 0, first.why()
    for participant in PARTICIPANTS:
        prefix = "evr3-%s" % participant
        written = list((out / prefix).glob("*/applications/%s-agent-platform-*.yaml" % prefix))
        # Tenants mode: the participant's own components (the event's shared ones are installed once, apart).
        assert len(written) == 3, (participant, written)
        assert list((out / prefix).glob("*/components/litellm/manifests.yaml")), participant
    starts = re.findall(r"TASK \[[^\]]*Start the private validator[^\]]*\][^\n]*\n((?:(?:ok|changed|skipping): \[[^\]]+\]\n)+)",
                        first.stdout)
    started = [line for block in starts for line in block.splitlines() if not line.startswith("skipping")]
    assert len(started) <= 1, "one private validator for the whole event, not one per participant: %s" % started

    again = run_event(event, *args)
    assert again.rc == 0 and again.failed == 0, again.why()
    assert all(again.recap[p]["changed"] == 0 for p in PARTICIPANTS), again.recap
