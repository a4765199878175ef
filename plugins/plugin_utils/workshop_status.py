# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The status of a workshop event: one record per participant and component, and each participant's readiness.

What ``out/events/<event>/status.json`` holds and the roster's readiness column shows. A component's state
comes from how the participant's run ended (its wait saw every Application Synced and Healthy, or it failed)
and, in tenants mode with Argo CD, from the participant's Applications read at the end: for a failed run they
tell which components failed, pending or were syncing; for a run that ended well only a failure since counts
(a refresh in between does not make a rerun rewrite the file). Participants not in this run (``-e participant=``
retries) keep their previous records, so a retry updates the same file. A record's ``since`` changes only
when its state does, so a rerun that changes nothing writes the same file (changed=0).

Importable by plain pytest as
``ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_status``.
"""
from __future__ import annotations

import datetime

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import application_component

STATES = ("pending", "syncing", "healthy", "failed")
# Longest error kept per record: the full one is in the run's output.
MAX_ERROR = 500


def _iso(timestamp):
    return datetime.datetime.fromtimestamp(float(timestamp), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(text):
    text = " ".join(str(text or "").split())
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 3] + "..."


def application_state(app):
    """(state, error) of an Argo CD Application object, or (None, None) for none.

    failed: the last sync failed or errored, or the health is Degraded; healthy: Synced and Healthy;
    syncing: a sync runs or the health is Progressing; pending: anything else (OutOfSync, Missing, no status).
    """
    if not app:
        return None, None
    status = app.get("status") or {}
    health = (status.get("health") or {}).get("status")
    sync = (status.get("sync") or {}).get("status")
    operation = status.get("operationState") or {}
    phase = operation.get("phase")
    if phase in ("Failed", "Error") or health == "Degraded":
        messages = [operation.get("message")] if phase in ("Failed", "Error") else []
        messages += [c.get("message") for c in status.get("conditions") or [] if "Error" in str(c.get("type"))]
        messages.append((status.get("health") or {}).get("message"))
        return "failed", _short("; ".join(m for m in messages if m) or "health %s, sync %s" % (health, sync))
    if sync == "Synced" and health == "Healthy":
        return "healthy", None
    if phase == "Running" or health == "Progressing":
        return "syncing", None
    return "pending", None


def _previous_records(previous):
    """{(participant, component): record} of a previous status document (anything unreadable counts as none)."""
    out = {}
    if not isinstance(previous, dict):
        return out
    for record in previous.get("records") or []:
        if isinstance(record, dict) and record.get("participant") and record.get("component"):
            out[(record["participant"], record["component"])] = record
    return out


def status_document(event, participants, applications=(), previous=None, now=None):
    """The event's status document (what status.json holds).

    ``participants``: one mapping per participant of the event: ``participant``, ``components`` (list of
    ``{component, application}`` its render produced; empty when it never rendered), ``targeted`` (in this
    run), ``outcome`` (``done``, ``failed`` or ``untouched``), ``state`` (the run's present/absent/expired),
    ``error`` (the run's error when failed). ``applications``: Argo CD Application objects read from the
    cluster (any namespace; matched by name). ``previous``: the document of the last run, or None.
    """
    now_iso = _iso(now) if now is not None else _iso(datetime.datetime.now(datetime.timezone.utc).timestamp())
    apps = {((a.get("metadata") or {}).get("name")): a for a in applications or [] if isinstance(a, dict)}
    before = _previous_records(previous)
    records = []
    for p in sorted(participants, key=lambda item: item["participant"]):
        pid = p["participant"]
        if not p.get("targeted") or p.get("outcome") == "untouched":
            records += [r for (who, _), r in sorted(before.items()) if who == pid]
            continue
        if p.get("state") in ("absent", "expired") and p.get("outcome") == "done":
            continue  # removed: no record is left of it
        components = p.get("components") or [{"component": "-", "application": None}]
        for item in components:
            state, error = application_state(apps.get(item.get("application")))
            if p.get("outcome") == "done":
                # The run's own wait saw it Synced and Healthy: a refresh since then counts only if it failed.
                if state != "failed":
                    state, error = "healthy", None
            elif state is None:
                state, error = "failed", _short(p.get("error") or "the participant's run failed")
            old = before.get((pid, item["component"])) or {}
            records.append({
                "participant": pid,
                "component": item["component"],
                "application": item.get("application"),
                "state": state,
                "since": old["since"] if old.get("state") == state and old.get("since") else now_iso,
                "error": error,
            })
    return {
        "event": event["name"],
        "mode": event["mode"],
        "participants": readiness(records),
        "records": records,
    }


def readiness(records):
    """{participant: readiness} from the records: ready, failed: <components>, syncing n/m, pending n/m."""
    by_participant = {}
    for record in records:
        by_participant.setdefault(record["participant"], []).append(record)
    out = {}
    for pid, items in sorted(by_participant.items()):
        states = [r["state"] for r in items]
        healthy = states.count("healthy")
        if "failed" in states:
            out[pid] = "failed: " + ", ".join(r["component"] for r in items if r["state"] == "failed")
        elif healthy == len(states):
            out[pid] = "ready"
        elif "syncing" in states:
            out[pid] = "syncing %d/%d" % (healthy, len(states))
        else:
            out[pid] = "pending %d/%d" % (healthy, len(states))
    return out


def participant_input(hostvars, state):
    """The ``participants`` entry of :func:`status_document` from one participant host's variables."""
    get = hostvars.get
    components = []
    for app in get("agent_platform_applications") or []:
        name = (app.get("metadata") or {}).get("name") or ""
        component = application_component(name, get("agent_platform_resource_prefix"))
        components.append({"component": component or name, "application": name})
    if get("__workshop_event_untouched"):
        outcome = "untouched"
    elif get("__workshop_event_done"):
        outcome = "done"
    else:
        outcome = "failed"
    return {
        "participant": get("workshop_event_participant"),
        "components": components,
        "targeted": bool(get("__workshop_event_targeted")),
        "outcome": outcome,
        "state": state,
        "error": get("__workshop_event_error"),
    }
