"""tools.ci: the cluster lanes start once the local stack is built; only the smoke waits for the real programs."""
from __future__ import annotations

import threading

import tools.ci.__main__ as ci


def fake_phases(monkeypatch, statuses, programs_started, release_programs):
    def run_phase(run, name, argv, log_file=None, env=None, lane=""):
        if name == ci.PROGRAMS_BUILD:
            programs_started.set()
            release_programs.wait(10)
        phase = ci.Phase(name, lane, status=statuses.get(name, "ok"))
        run.phases.append(phase)
        return phase
    monkeypatch.setattr(ci, "run_phase", run_phase)


def start(state, run):
    state.thread = threading.Thread(target=ci.builds, args=(run, state), daemon=True)
    state.thread.start()


def test_the_lanes_go_on_while_the_programs_build(monkeypatch):
    started, release = threading.Event(), threading.Event()
    fake_phases(monkeypatch, {}, started, release)
    run, state = ci.Run(), ci.Builds()
    start(state, run)
    assert started.wait(10)
    assert ci.builds_ready(run, state, "own")  # the stack is built, the programs still building
    assert state.thread.is_alive()
    release.set()
    assert ci.builds_ready(run, state, "shared", programs=True)
    assert not run.failed


def test_a_failed_stack_build_stops_the_cluster_lanes_and_the_programs(monkeypatch):
    started, release = threading.Event(), threading.Event()
    fake_phases(monkeypatch, {ci.STACK_BUILD: "FAILED"}, started, release)
    run, state = ci.Run(), ci.Builds()
    start(state, run)
    assert not ci.builds_ready(run, state, "own")
    state.thread.join(10)
    assert not started.is_set() and run.failed


def test_a_failed_programs_build_stops_only_the_smoke(monkeypatch):
    started, release = threading.Event(), threading.Event()
    release.set()
    fake_phases(monkeypatch, {ci.PROGRAMS_BUILD: "FAILED"}, started, release)
    run, state = ci.Run(), ci.Builds()
    start(state, run)
    assert ci.builds_ready(run, state, "own")
    assert not ci.builds_ready(run, state, "shared", programs=True)
    assert run.failed
