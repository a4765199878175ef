"""Unit tests of the live workshop matrix: plugins/plugin_utils/workshop_progress.py and the callback
plugins/callback/workshop_progress.py (fed with result objects shaped as ansible-core 2.19 gives them)."""
from __future__ import annotations

import types

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_progress import Matrix


def _app(component, sync="Synced", health="Healthy", participant="p01"):
    return {"kind": "Application", "metadata": {"name": "ev-%s-agent-platform-%s" % (participant, component)},
            "status": {"sync": {"status": sync}, "health": {"status": health}}}


def test_cells_start_pending_and_follow_the_applications():
    m = Matrix()
    assert m.components("p01", ["kagent", "jaeger"]) is True
    assert m.components("p01", ["kagent", "jaeger"]) is False  # nothing new
    assert m.rows["p01"] == {"kagent": "pending", "jaeger": "pending"}
    assert m.applications("p01", [_app("kagent", "OutOfSync", "Progressing")]) is True
    assert m.rows["p01"] == {"kagent": "syncing", "jaeger": "pending"}  # jaeger not listed yet: unchanged
    assert m.applications("p01", [_app("kagent", "OutOfSync", "Progressing")]) is False
    m.applications("p01", [_app("kagent"), _app("jaeger", health="Degraded")])
    assert m.rows["p01"] == {"kagent": "healthy", "jaeger": "failed"}
    assert m.applications("p09", [_app("kagent", participant="p09")]) is False  # unknown participant: ignored


def test_end_of_run_done_failed_and_teardown():
    m = Matrix()
    m.components("p01", ["kagent", "jaeger"])
    m.components("p02", ["kagent", "jaeger"])
    m.applications("p02", [_app("kagent", participant="p02")])
    assert m.finished("p01") is True and set(m.rows["p01"].values()) == {"healthy"}
    assert m.failed("p02") is True
    assert m.rows["p02"] == {"kagent": "healthy", "jaeger": "failed"}  # what was healthy stays so
    m.components("p03", [])
    m.failed("p03")
    assert m.rows["p03"] == {"-": "failed"}  # never rendered: one cell
    assert m.summary() == "1 done, 2 failed, 0 in progress (of 3)"
    t = Matrix()
    t.components("p01", ["kagent", "jaeger"])
    t.applications("p01", [_app("kagent")], removing=True)
    assert t.rows["p01"] == {"kagent": "removing", "jaeger": "removed"}
    assert t.finished("p01", removing=True) and t.summary() == "1 done, 0 failed, 0 in progress (of 1)"


def test_lines_are_a_table_with_a_header_and_a_summary():
    m = Matrix()
    m.components("p01", ["kagent", "jaeger"])
    m.components("p10", ["kagent", "jaeger", "litellm"])
    m.applications("p10", [_app("litellm", "OutOfSync", "Progressing", participant="p10")])
    assert m.lines() == [
        "participant  kagent  jaeger  litellm",
        "p01          ..      ..",
        "p10          ..      ..      sync",
        "0 done, 0 failed, 2 in progress (of 2)",
    ]
    assert m.line("p10") == "p10  kagent=.. jaeger=.. litellm=sync"


# ---- the callback ----------------------------------------------------------------------------------------
class _Group:
    def __init__(self, name):
        self.name = name


class _Host:
    def __init__(self, name, groups):
        self._name, self._groups = name, [_Group(g) for g in groups]

    def get_name(self):
        return self._name

    def get_groups(self):
        return self._groups


class _Play:
    def __init__(self, flagged, state="present"):
        self._vars = {"workshop_event_progress_matrix": True} if flagged else {}
        self._vm = types.SimpleNamespace(extra_vars={"state": state})

    def get_vars(self):
        return self._vars

    def get_variable_manager(self):
        return self._vm

    def get_name(self):
        return "a play"

    check_mode = False


def _result(host, data):
    return types.SimpleNamespace(host=host, result=data, task=None)


@pytest.fixture
def callback(monkeypatch):
    from ansible_collections.appmod.agent_platform.plugins.callback.workshop_progress import CallbackModule

    cb = CallbackModule()
    shown = []
    monkeypatch.setattr(cb._display, "display", lambda msg, *a, **k: shown.append(msg))
    # the default callback's own printing is not under test here
    monkeypatch.setattr(type(cb).__mro__[1], "v2_runner_on_ok", lambda self, result: shown.append("default ok"))
    monkeypatch.setattr(type(cb).__mro__[1], "v2_runner_retry", lambda self, result: shown.append("default retry"))
    monkeypatch.setattr(type(cb).__mro__[1], "v2_runner_on_failed", lambda self, r, ignore_errors=False: shown.append("fatal"))
    monkeypatch.setattr(type(cb).__mro__[1], "v2_playbook_on_play_start", lambda self, play: None)
    cb.shown = shown
    return cb


def test_off_a_terminal_the_default_lines_stay_and_a_progress_line_follows_each_change(callback):
    p01, shared = _Host("p01", ["participants"]), _Host("ev-shared", ["event_shared"])
    callback._tty = False
    callback.v2_playbook_on_play_start(_Play(flagged=False))
    callback.v2_runner_on_ok(_result(p01, {"ansible_facts": {"agent_platform_components": ["kagent", "jaeger"]}}))
    assert callback.shown == ["default ok"]  # an unflagged play: the default output only
    callback.v2_playbook_on_play_start(_Play(flagged=True))
    callback.v2_runner_retry(_result(p01, {"resources": [_app("kagent", "OutOfSync", "Progressing")]}))
    callback.v2_runner_on_ok(_result(shared, {"resources": [_app("kagent")]}))  # not a participant
    callback.v2_runner_on_ok(_result(p01, {"ansible_facts": {"__workshop_event_done": True}}))
    assert callback.shown[1:] == [
        "default retry", "[progress] p01  kagent=sync jaeger=.. | 0 done, 0 failed, 1 in progress (of 1)",
        "default ok",
        "default ok", "[progress] p01  kagent=ok jaeger=ok | 1 done, 0 failed, 0 in progress (of 1)"]


def test_on_a_terminal_the_matrix_replaces_the_participants_lines_and_is_redrawn_in_place(callback):
    p01, p02 = _Host("p01", ["participants"]), _Host("p02", ["participants"])
    callback._tty = True
    callback.v2_playbook_on_play_start(_Play(flagged=True))
    callback.v2_runner_on_ok(_result(p01, {"ansible_facts": {"agent_platform_components": ["kagent"]}}))
    assert callback.shown == ["participant  kagent", "p01          ..", "0 done, 0 failed, 1 in progress (of 1)"]
    callback.shown.clear()
    callback.v2_runner_on_ok(_result(p01, {"changed": False}))  # nothing new: nothing printed
    assert callback.shown == []
    callback.v2_runner_on_ok(_result(p02, {"ansible_facts": {"agent_platform_components": ["kagent"]}}))
    assert callback.shown[0] == "\x1b[3F\x1b[J" and callback.shown[-1] == "0 done, 0 failed, 2 in progress (of 2)"
    callback.shown.clear()
    callback.v2_runner_on_failed(_result(p02, {"msg": "boom"}))
    assert callback.shown[0] == "fatal" and "\x1b" not in callback.shown[1]  # drawn anew under the failure
    assert "p02          FAIL" in callback.shown
