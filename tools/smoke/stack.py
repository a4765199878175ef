"""The smoke run's process stack: a run directory, the supervisor, free ports, the DNS sink, and the
guarantee that every process started is stopped (also after Ctrl-C, SIGTERM, or a crashed earlier run).

    with Smoke(kubeconfig, "agent-platform") as s:
        comp = components.run_mockllm(s)
        ...
    # every process stopped, run directory removed (unless keep=True)
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from tools.localstack.common import Log
from tools.localstack.supervisor import Port, Process, Supervisor, alive, read_cmdline

from . import programs
from .cluster import Cluster
from .net import Endpoints, PortPool

RUN_PREFIX = "appmod-smoke-"


def reap_stale_runs(log: Log, base: str | None = None) -> list[str]:
    """Stop processes of earlier smoke runs that did not clean up (killed runner), by their record."""
    base = base or tempfile.gettempdir()
    reaped = []
    for rec in Path(base).glob(RUN_PREFIX + "*/processes.json"):
        run_dir = rec.parent
        owner = (run_dir / "owner.pid")
        try:
            owner_pid = int(owner.read_text())
        except (OSError, ValueError):
            owner_pid = 0
        if owner_pid and owner_pid != os.getpid() and alive(owner_pid):
            continue  # that run is still going
        try:
            entries = json.loads(rec.read_text())
        except (OSError, ValueError):
            entries = []
        for e in entries:
            pid, tokens = e.get("pid"), e.get("identity") or []
            cmd = read_cmdline(pid) if pid else None
            if not cmd or not alive(pid) or not all(t in " ".join(cmd) for t in tokens):
                continue
            log("stopping %s (pid %d) left behind by an earlier smoke run in %s" % (e.get("name"), pid, run_dir))
            try:
                os.killpg(pid, signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            reaped.append("%s pid %d" % (e.get("name"), pid))
        if not e_keep(run_dir):
            shutil.rmtree(run_dir, ignore_errors=True)
    return reaped


def e_keep(run_dir: Path) -> bool:
    return (run_dir / "KEEP").exists()


class Smoke:
    """One smoke run against the cluster of ``kubeconfig``."""

    def __init__(self, kubeconfig, namespace: str = "agent-platform", keep: bool = False,
                 dns_sandbox: bool = True, log: Log | None = None, load_duration: str = "5s"):
        self.log = log or Log("smoke")
        self.t0 = time.monotonic()
        reap_stale_runs(self.log)
        self.cluster = Cluster(kubeconfig, namespace)
        self.namespace = namespace
        self.dir = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
        os.chmod(self.dir, 0o755)  # PostgreSQL runs as the postgres user below it
        (self.dir / "owner.pid").write_text(str(os.getpid()))
        self.keep = keep
        if keep:
            (self.dir / "KEEP").touch()
        self.sup = Supervisor(self.dir, "smoke", log=self.log)
        self.sup.heartbeat = 20
        self.ports = PortPool()
        self.endpoints = Endpoints(namespace)
        self.load_duration = load_duration
        self.started: list[Process] = []
        self._pids: dict[str, int] = {}      # pid each process had when it started (safety net at close)
        self.components = []
        self.facts: dict = {}            # values later checks need (ports, keys, trace ids ...)
        self._lock = threading.Lock()
        self.resolv_conf: Path | None = None
        self.dns_log: Path | None = None
        self.dns_note = ""
        self._dns_sandbox = dns_sandbox
        self._closed = False
        self.dns_final: list[tuple[str, str]] | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self):
        self._old_handlers = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGHUP):
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        try:
            self._start_dns_sink()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        for sig, h in getattr(self, "_old_handlers", {}).items():
            signal.signal(sig, h)

    def _on_signal(self, signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)

    def close(self) -> list[str]:
        """Stop every process started (reverse order); returns what could not be stopped."""
        if self._closed:
            return []
        self._closed = True
        left = []
        for proc in reversed(self.started):
            try:
                self.sup.stop(proc)
            except Exception as err:  # noqa: BLE001 - keep stopping the others
                left.append("%s: %s" % (proc.name, err))
            if self.sup.running(proc):
                left.append(proc.name)
        # safety net: a process whose pid is still alive with its run-dir identity is killed and reported
        for proc in self.started:
            pid = self._pids.get(proc.name)
            cmd = read_cmdline(pid) if pid else None
            if pid and alive(pid) and cmd and all(t in " ".join(cmd) for t in proc.identity[1:]):
                self.log("%s (pid %d) did not stop: SIGKILL" % (proc.name, pid))
                try:
                    os.killpg(pid, signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                left.append("%s (pid %d, killed)" % (proc.name, pid))
        # and anything else still running from the run directory (its path in the command line)
        for proc_dir in Path("/proc").iterdir():
            if not proc_dir.name.isdigit() or int(proc_dir.name) == os.getpid():
                continue
            cmd = read_cmdline(int(proc_dir.name))
            if cmd and str(self.dir) + "/" in " ".join(cmd) and alive(int(proc_dir.name)):
                self.log("pid %s still runs from %s: SIGKILL (%s)" % (proc_dir.name, self.dir, " ".join(cmd)[:120]))
                try:
                    os.kill(int(proc_dir.name), signal.SIGKILL)
                except ProcessLookupError:
                    pass
                left.append("pid %s (%s, killed)" % (proc_dir.name, os.path.basename(cmd[0])))
        self.dns_final = self.dns_queries()  # read before the run directory goes
        self.cluster.close()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            self.log("kept the run directory %s (logs, configs)" % self.dir)
        return left

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    # ------------------------------------------------------------------ processes
    def path(self, *parts) -> Path:
        p = self.dir.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def subdir(self, *parts) -> Path:
        p = self.dir.joinpath(*parts)
        p.mkdir(parents=True, exist_ok=True)
        return p

    def process(self, name: str, argv: list[str], env: dict | None, ports: list[int], identity: list[str],
                ready=None, ready_timeout: float = 60, stop_timeout: float = 15, cwd: str | None = None,
                sandbox: bool = True, program: str | None = None) -> Process:
        """A supervised process; ``program`` is the executable that finally runs when ``argv`` starts with a
        wrapper (setpriv): its name and ``identity`` must be in /proc/<pid>/cmdline for the pid to count."""
        wrapped = programs.sandboxed(argv, self.resolv_for(name) if sandbox else None)
        return Process(name, wrapped, env=env, cwd=cwd or str(self.dir), ports=[Port(p, "(free port chosen by the smoke run)") for p in ports],
                       identity=[os.path.basename(str(program or argv[0]))] + identity, match_argv0=False, ready=ready,
                       ready_timeout=ready_timeout, stop_timeout=stop_timeout)

    def start(self, proc: Process) -> int:
        with self._lock:
            self.started.append(proc)
        pid = self.sup.start(proc)
        with self._lock:
            self._pids[proc.name] = pid
            self._record()
        return pid

    def _record(self) -> None:
        entries = []
        for p in self.started:
            pid = self.sup.pid(p)
            if pid:
                entries.append({"name": p.name, "pid": pid, "identity": list(p.identity)})
        (self.dir / "processes.json").write_text(json.dumps(entries))

    def wait_ready(self, proc: Process) -> float:
        return self.sup.wait_ready(proc)

    def stop(self, proc: Process) -> None:
        self.sup.stop(proc)

    def log_tail(self, proc: Process, lines: int = 15) -> str:
        return self.sup.tail(proc.name, lines)

    def log_text(self, proc: Process) -> str:
        try:
            return self.sup.log_path(proc.name).read_text(errors="replace")
        except OSError:
            return ""

    # ------------------------------------------------------------------ DNS
    DNS_SLOTS = 24

    def _start_dns_sink(self) -> None:
        if not self._dns_sandbox:
            self.dns_note = "DNS sandbox off (--no-dns-sandbox): programs use the machine's resolver"
            return
        ok, why = programs.sandbox_available()
        if not ok:
            self.dns_note = "DNS sandbox unavailable (%s): programs use the machine's resolver" % why
            self.log(self.dns_note)
            return
        import random
        import sys

        # one loopback address per program (its own resolv.conf): the log then says who asked
        a, b = random.randint(64, 250), random.randint(1, 250)
        self._dns_addrs = ["127.%d.%d.%d" % (a, b, 10 + i) for i in range(self.DNS_SLOTS)]
        self._dns_owner: dict[str, str] = {}
        self.dns_log = self.path("dns", "queries.log")
        self.dns_log.touch()
        argv = [sys.executable, "-m", "tools.smoke.dnssink", "--log", str(self.dns_log)]
        for addr in self._dns_addrs:
            argv += ["--listen", addr]
        proc = Process("dns-sink", argv, env=dict(os.environ, PYTHONPATH=str(programs.ROOT)), cwd=str(programs.ROOT),
                       ports=[Port(53, "", addr) for addr in self._dns_addrs],
                       identity=["tools.smoke.dnssink", self._dns_addrs[0]], match_argv0=False,
                       ready=lambda: "dns sink on" in self.sup.tail("dns-sink", 5), ready_timeout=20, stop_timeout=5)
        self.start(proc)
        self.wait_ready(proc)
        self.resolv_conf = self.path("dns", "resolv.conf")  # marks the sandbox as on
        self.dns_note = ("every program runs with a private /etc/resolv.conf naming a local DNS sink (127.%d.%d.x:53, "
                         "NXDOMAIN for every name): no lookup reaches the machine's resolver" % (a, b))

    def resolv_for(self, name: str) -> Path | None:
        """The resolv.conf of program ``name`` (its own sink address)."""
        if self.resolv_conf is None:
            return None
        with self._lock:
            addr = self._dns_addrs[len(self._dns_owner) % self.DNS_SLOTS]
            self._dns_owner[addr] = name
        path = self.path("dns", "resolv-%s.conf" % name)
        path.write_text("# smoke run, program %s: every lookup goes to a local sink that answers NXDOMAIN\n"
                        "nameserver %s\noptions ndots:1 timeout:1 attempts:1\n" % (name, addr))
        return path

    def dns_queries(self) -> list[tuple[str, str]]:
        """Distinct (program, name) looked up, in order of first lookup."""
        if self.dns_final is not None:
            return self.dns_final
        if not self.dns_log or not self.dns_log.exists():
            return []
        seen = []
        for line in self.dns_log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 4:
                item = (self._dns_owner.get(parts[1], parts[1]), parts[3])
                if item not in seen:
                    seen.append(item)
        return seen
