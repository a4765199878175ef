"""Unit tests of plugins/plugin_utils/workshop_status.py (status.json and the roster's readiness column)."""
from __future__ import annotations

import pytest

from ansible_collections.appmod.agent_platform.plugins.filter.workshop_status import workshop_status
from ansible_collections.appmod.agent_platform.plugins.plugin_utils import workshop_status as ws
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_event import event_hosts, roster_rows, validate_event

EVENT = {"name": "ev", "mode": "tenants"}
T1, T2 = 1796115600, 1796119200  # 2026-12-01 09:00 and 10:00 UTC


def _app(name, sync="Synced", health="Healthy", phase=None, message=None, conditions=()):
    status = {"sync": {"status": sync}, "health": {"status": health}}
    if phase:
        status["operationState"] = {"phase": phase, "message": message}
    if conditions:
        status["conditions"] = list(conditions)
    return {"metadata": {"name": name}, "status": status}


def _p(pid, outcome="done", components=("kagent", "jaeger"), targeted=True, state="present", error=None):
    return {"participant": pid, "targeted": targeted, "outcome": outcome, "state": state, "error": error,
            "components": [{"component": c, "application": "%s-agent-platform-%s" % (pid, c)} for c in components]}


@pytest.mark.parametrize("app, state", [
    (_app("a"), "healthy"),
    (_app("a", sync="OutOfSync", health="Missing"), "pending"),
    (_app("a", sync="OutOfSync", health="Progressing"), "syncing"),
    (_app("a", sync="OutOfSync", health="Missing", phase="Running"), "syncing"),
    (_app("a", sync="OutOfSync", health="Missing", phase="Failed", message="one or more objects failed"), "failed"),
    (_app("a", health="Degraded"), "failed"),
    ({"metadata": {"name": "a"}}, "pending"),
])
def test_application_state_follows_sync_health_and_the_last_operation(app, state):
    assert ws.application_state(app)[0] == state


def test_a_failed_application_carries_argo_cds_messages():
    app = _app("a", sync="OutOfSync", health="Missing", phase="Failed", message="ComparisonError: x" * 100,
               conditions=[{"type": "SyncError", "message": "the server could not find the requested resource"}])
    state, error = ws.application_state(app)
    assert state == "failed" and "ComparisonError" in error and len(error) <= ws.MAX_ERROR


def test_one_record_per_participant_and_component_states_from_the_applications():
    apps = [_app("p01-agent-platform-kagent"), _app("p01-agent-platform-jaeger", health="Degraded"),
            _app("p02-agent-platform-kagent", sync="OutOfSync", health="Progressing")]
    doc = ws.status_document(EVENT, [_p("p01"), _p("p02", outcome="failed", error="task: timed out")], apps, now=T1)
    assert [(r["participant"], r["component"], r["state"]) for r in doc["records"]] == [
        ("p01", "kagent", "healthy"), ("p01", "jaeger", "failed"),
        ("p02", "kagent", "syncing"), ("p02", "jaeger", "failed")]
    assert doc["records"][3]["error"] == "task: timed out"  # no Application: the run's error
    assert doc["participants"] == {"p01": "failed: jaeger", "p02": "failed: jaeger"}
    assert {r["since"] for r in doc["records"]} == {"2026-12-01T09:00:00Z"}


def test_without_applications_the_run_outcome_decides_and_a_participant_that_never_rendered_gets_one_record():
    doc = ws.status_document(EVENT, [_p("p01"), _p("p02", outcome="failed", components=(), error="bad quota")], now=T1)
    assert doc["participants"] == {"p01": "ready", "p02": "failed: -"}
    assert doc["records"][-1] == {"participant": "p02", "component": "-", "application": None, "state": "failed",
                                  "since": "2026-12-01T09:00:00Z", "error": "bad quota"}


def test_a_rerun_with_the_same_states_gives_the_same_document_and_a_changed_state_a_new_since():
    first = ws.status_document(EVENT, [_p("p01"), _p("p02", outcome="failed")], now=T1)
    again = ws.status_document(EVENT, [_p("p01"), _p("p02", outcome="failed")], previous=first, now=T2)
    assert again == first
    retried = ws.status_document(EVENT, [_p("p01", targeted=False), _p("p02")], previous=first, now=T2)
    assert retried["participants"] == {"p01": "ready", "p02": "ready"}
    since = {(r["participant"], r["component"]): r["since"] for r in retried["records"]}
    assert since[("p01", "kagent")] == "2026-12-01T09:00:00Z"  # not in this run: kept as it was
    assert since[("p02", "kagent")] == "2026-12-01T10:00:00Z"  # failed -> healthy now


def test_removed_participants_lose_their_records_untouched_ones_keep_them():
    first = ws.status_document(EVENT, [_p("p01"), _p("p02")], now=T1)
    swept = ws.status_document(EVENT, [_p("p01", state="expired"), _p("p02", state="expired", outcome="untouched")],
                               previous=first, now=T2)
    assert [r["participant"] for r in swept["records"]] == ["p02", "p02"]
    assert swept["participants"] == {"p02": "ready"}


@pytest.mark.parametrize("previous", [None, {}, {"records": "x"}, {"records": [{"participant": "p01"}, 3]}, "garbage"])
def test_an_unreadable_previous_document_counts_as_none(previous):
    doc = ws.status_document(EVENT, [_p("p01", targeted=False)], previous=previous, now=T1)
    assert doc["records"] == [] and doc["participants"] == {}


@pytest.mark.parametrize("states, expected", [
    (["healthy", "healthy"], "ready"),
    (["healthy", "syncing", "pending"], "syncing 1/3"),
    (["pending", "pending"], "pending 0/2"),
    (["healthy", "failed"], "failed: c1"),
])
def test_readiness(states, expected):
    records = [{"participant": "p", "component": "c%d" % i, "state": s} for i, s in enumerate(states)]
    assert ws.readiness(records) == {"p": expected}


def test_the_filter_reads_host_variables_and_the_roster_shows_readiness():
    event = validate_event({"name": "ev", "workshop_type": "agent-platform", "mode": "tenants", "region": "us-east-1",
                            "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T17:00:00+00:00",
                            "participants": 3}, "events/ev.yml")
    hosts = {k: dict(h) for k, h in event_hosts(event).items() if k != "ev-shared"}
    prefix = hosts["p01"]["agent_platform_resource_prefix"]
    hosts["p01"].update(__workshop_event_targeted=True, __workshop_event_done=True,
                        agent_platform_applications=[{"metadata": {"name": "%s-agent-platform-kagent" % prefix}}])
    hosts["p02"].update(__workshop_event_targeted=True, __workshop_event_error="Install: boom")
    doc = workshop_status(list(hosts.values()), event)
    assert doc["records"][0]["component"] == "kagent"
    assert doc["participants"] == {"p01": "ready", "p02": "failed: -"}
    rows = {r["participant"]: r["readiness"] for r in roster_rows(hosts.values(), doc["participants"])}
    assert rows == {"p01": "ready", "p02": "failed: -", "p03": "not provisioned"}


def test_a_run_that_ended_well_stays_healthy_through_a_refresh_but_not_through_a_failure():
    apps = [_app("p01-agent-platform-kagent", sync="OutOfSync", health="Progressing"),
            _app("p01-agent-platform-jaeger", sync="OutOfSync", health="Missing", phase="Failed", message="sync failed")]
    doc = ws.status_document(EVENT, [_p("p01")], apps, now=T1)
    assert [(r["component"], r["state"], r["error"]) for r in doc["records"]] == [
        ("kagent", "healthy", None), ("jaeger", "failed", "sync failed")]
