"""python -m tools.ci: every test, in phases, timed (what `make test` and .ci/run run).

    setup (scripts/setup.sh, run by scripts/test.sh before this)
    builds         in the background from the start: the local stack's Go builds and the real programs
    lint           meanwhile: yamllint, ansible-lint, helm lint, antsibull, galaxy build
    tests w/o cluster   meanwhile: the folders that need no cluster
    cluster start  the local control plane, Argo CD and the chart mirror (once the local stack is built)
    tests on the cluster  the folders that need it, each timed
    deploy + smoke the platform on the local default (make local), then the real programs (make smoke), once
                   they are built (their build runs niced, beside the cluster tests)

Two lanes run at once after lint, because most of a test's time is spent waiting on a controller, a
sync or a helm release, not on the two cores: lane "shared" is everything on the shared local cluster
(one after the other, they share its Argo CD), lane "own" is everything that brings its own servers
(the offline folders, moto, the private control planes of tests/components and tests/faults).

At the end it prints the phase table, pytest's 25 slowest tests and one summary line. No test is ever
skipped for time: when the run nears the budget (APPMOD_CI_BUDGET_MIN, default 85 of CI's 90 minutes)
the current phase is stopped, the run fails and the table names the slow phases.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "out" / "ci"
PY = str(ROOT / ".venv" / "bin" / "python")
# Lane "own", in run order. No cluster: run while the builds run (moto is a Python server).
OFFLINE = ["tests/unit", "tests/helm", "tests/core", "tests/charts", "tests/playbooks", "tests/aws"]
# Lane "own", once the builds are done: each module starts a private control plane (own ports and state);
# tests/cluster's dry runs use private planes and the chart mirror only, so it balances the lanes from here.
PRIVATE = ["tests/components", "tests/faults", "tests/cluster"]
# Lane "shared": on the shared local cluster (and moto), cheap and core first, the long suites last.
CLUSTER = ["tests/local_cluster", "tests/argocd", "tests/molecule", "tests/badinput", "tests/security",
           "tests/workshop"]
SMOKE = ["tests/smoke"]


@dataclass
class Phase:
    name: str
    lane: str = ""
    seconds: float = 0.0
    status: str = "ok"
    detail: str = ""


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    phases: list = field(default_factory=list)
    junit: list = field(default_factory=list)
    failed: bool = False

    def budget_left(self) -> float:
        budget = float(os.environ.get("APPMOD_CI_BUDGET_MIN", "85")) * 60
        spent = float(os.environ.get("APPMOD_CI_SETUP_SECONDS", "0"))
        return budget - spent - (time.monotonic() - self.started)


def log(msg: str) -> None:
    sys.stderr.write("\033[1;34m==>\033[0m [ci %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def run_phase(run: Run, name: str, argv: list, log_file: Path | None = None, env=None, lane: str = "") -> Phase:
    """Run one phase as a process group; stop it (and fail) when the budget runs out."""
    phase = Phase(name, lane)
    run.phases.append(phase)
    left = run.budget_left()
    if left <= 0:
        phase.status, phase.detail = "not run", "budget exhausted before it started"
        run.failed = True
        return phase
    log("%s: %s" % (name, " ".join(map(str, argv))))
    out = open(log_file, "w") if log_file else None
    start = time.monotonic()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out or None, stderr=subprocess.STDOUT if out else None,
                            start_new_session=True)
    try:
        rc = proc.wait(timeout=left)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        rc = None
    finally:
        if out:
            out.close()
    phase.seconds = time.monotonic() - start
    if rc is None:
        phase.status, phase.detail = "STOPPED", "the CI budget ran out during this phase"
        run.failed = True
    elif rc == 5 and "pytest" in name:
        phase.status, phase.detail = "FAILED", "pytest collected no tests (exit 5)"
        run.failed = True
    elif rc != 0:
        phase.status, phase.detail = "FAILED", "exit %d%s" % (rc, (", log %s" % log_file) if log_file else "")
        run.failed = True
    log("%s: %s in %s" % (name, phase.status, _fmt(phase.seconds)))
    return phase


def pytest_phase(run: Run, folder: str, extra=(), lane: str = "") -> Phase:
    name = "pytest %s" % folder
    if not (ROOT / folder).is_dir():
        phase = Phase(name, lane, status="absent")
        run.phases.append(phase)
        return phase
    junit = OUT / ("junit-%s.xml" % folder.replace("/", "-"))
    run.junit.append(junit)
    argv = [PY, "-m", "pytest", "-p", "no:cacheprovider", "-ra", "-m", "not pending", "--junitxml", str(junit),
            folder, *extra]
    return run_phase(run, name, argv, lane=lane)


STACK_BUILD = "build etcd, kubernetes, kwok, argocd"
PROGRAMS_BUILD = "build the real programs (jaeger, kagent, mockllm, litellm venv, apt)"


@dataclass
class Builds:
    """The background builds: ``stack_done`` is set when the local stack's build ends (every cluster phase needs
    it), the thread ends after the real programs' build (only the smoke needs those)."""
    results: dict = field(default_factory=dict)
    stack_done: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


def builds(run: Run, state: Builds) -> None:
    """The cold builds, one after the other, in a background thread (their own log files). The real programs are
    built niced: on a cold machine the cluster tests start meanwhile, and most of their time is spent waiting on
    a controller, so the build takes the cycles they leave instead of slowing them."""
    steps = [
        (STACK_BUILD, [PY, "-m", "tools.localstack", "build", "etcd", "k8s", "kwok", "argocd-local"]),
        (PROGRAMS_BUILD, ["nice", "-n", "10", "bash", "scripts/setup-programs.sh"]),
    ]
    try:
        for name, argv in steps:
            log_file = OUT / ("%s.log" % name.split(" (")[0].replace(" ", "-").replace(",", ""))
            state.results[name] = run_phase(run, name, argv, log_file, lane="builds")
            if name == STACK_BUILD:
                state.stack_done.set()
            if state.results[name].status != "ok":
                break
    finally:
        state.stack_done.set()


def junit_table(files: list[Path]):
    """(per-folder seconds and counts, the 25 slowest tests) from pytest's junit files."""
    cases = []
    for file in files:
        if not file.exists():
            continue
        for case in ET.parse(file).getroot().iter("testcase"):
            outcome = "passed"
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome = "failed"
                elif child.tag == "skipped":
                    outcome = "skipped"
            cases.append(("%s::%s" % (case.get("classname"), case.get("name")), float(case.get("time") or 0), outcome))
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for _, _, outcome in cases:
        counts[outcome] += 1
    return counts, sorted(cases, key=lambda c: -c[1])[:25]


def _fmt(seconds: float) -> str:
    return "%dm%02ds" % (seconds // 60, seconds % 60)


def report(run: Run) -> int:
    counts, slowest = junit_table(run.junit)
    setup = float(os.environ.get("APPMOD_CI_SETUP_SECONDS", "0"))
    total = setup + time.monotonic() - run.started
    lines = ["", "Phase times (this run; phases of different lanes ran at the same time):",
             "| lane | phase | time | status |", "|---|---|---|---|",
             "| | setup (scripts/setup.sh) | %s | ok |" % _fmt(setup)]
    for p in run.phases:
        lines.append("| %s | %s | %s | %s%s |" % (p.lane, p.name, _fmt(p.seconds), p.status,
                                                 (": " + p.detail) if p.detail else ""))
    lines.append("| | **total (wall clock)** | **%s** | |" % _fmt(total))
    lines += ["", "25 slowest tests:"] + ["  %7.1fs  %s  %s" % (t, outcome, name) for name, t, outcome in slowest]
    print("\n".join(lines))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "phases.md").write_text("\n".join(lines) + "\n")
    skipped_for_time = [p.name for p in run.phases if p.status in ("STOPPED", "not run")]
    print("\n%d passed, %d failed, %d skipped in %s%s" % (
        counts["passed"], counts["failed"], counts["skipped"], _fmt(total),
        ("; NOT RUN for lack of time: %s" % ", ".join(skipped_for_time)) if skipped_for_time else ""))
    if counts["passed"] == 0:
        print("no test passed: failing the run")
        return 1
    return 1 if run.failed or counts["failed"] else 0


def builds_ready(run: Run, state: Builds, lane: str, programs: bool = False) -> bool:
    """Wait for the local stack's build (and with ``programs`` for the real programs' too); False (and the run
    failed) when what is waited for did not finish or failed."""
    wanted = [STACK_BUILD, PROGRAMS_BUILD] if programs else [STACK_BUILD]
    log("%s: waiting for the %s" % (lane, "builds" if programs else "local stack's build"))
    if programs:
        state.thread.join(max(run.budget_left(), 0))
    else:
        state.stack_done.wait(max(run.budget_left(), 0))
    if any(name not in state.results or state.results[name].status != "ok" for name in wanted):
        run.failed = True
        log("%s: the %s did not finish: the phases that need it cannot run" % (lane, " and ".join(wanted)))
        return False
    return True


def own_lane(run: Run, state: Builds, args: list) -> None:
    """The folders that bring their own servers: offline ones and moto first, then the private planes."""
    for folder in OFFLINE:
        pytest_phase(run, folder, args, lane="own")
    if builds_ready(run, state, "own"):
        for folder in PRIVATE:
            pytest_phase(run, folder, args, lane="own")


def shared_lane(run: Run, state: Builds, args: list) -> None:
    """The shared local cluster: start it, every folder on it, the deploy of the local default, the smoke."""
    if not builds_ready(run, state, "shared"):
        return
    start = run_phase(run, "cluster start (control plane, Argo CD, chart mirror)",
                      ["bash", "-c", "bash scripts/local-cluster.sh up && bash scripts/argocd-local.sh up"],
                      OUT / "cluster-start.log", lane="shared")
    if start.status != "ok":
        return
    for folder in CLUSTER:
        pytest_phase(run, folder, args, lane="shared")
    run_phase(run, "deploy the platform on the local default (make local)",
              [str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/agent-platform.yml", "-i", "inventories/local"],
              OUT / "make-local.log", lane="shared")
    if builds_ready(run, state, "shared", programs=True):
        for folder in SMOKE:
            pytest_phase(run, folder, args, lane="shared")


def main(argv=None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    OUT.mkdir(parents=True, exist_ok=True)
    run = Run()
    state = Builds()
    state.thread = threading.Thread(target=builds, args=(run, state), daemon=True)
    state.thread.start()
    # One chart mirror for both lanes (the stack's, on its fixed port), started before either looks for one.
    run_phase(run, "chart mirror", [PY, "-m", "tools.localstack", "mirror", "up"], OUT / "chart-mirror.log")
    run_phase(run, "lint", ["bash", "scripts/lint.sh"], OUT / "lint.log")
    own = threading.Thread(target=own_lane, args=(run, state, args), daemon=True)
    own.start()
    shared_lane(run, state, args)
    own.join(max(run.budget_left(), 0) + 60)
    return report(run)


if __name__ == "__main__":
    sys.exit(main())
