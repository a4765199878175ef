"""One supervisor for every local process (control plane, Argo CD, redis, git daemon, chart mirror).

A process is described as data (:class:`Process`); a :class:`Supervisor` owns a state directory with
``<run_dir>/<name>.pid`` and ``<log_dir>/<name>.log`` and starts, finds, waits for and stops processes:

* processes run detached (own session, double fork through ``setsid -f``), so they outlive the Python
  process or shell that started them and are never left as zombies of a long-running caller (pytest);
* a pid file is trusted only while ``/proc/<pid>/cmdline`` still matches the process (argv[0]'s basename
  and the identity substrings): a recycled pid is never signalled;
* before a start every port of the process is checked: a clash fails at once, naming the port, the
  setting that chose it and the process holding it;
* ``lock()`` serialises ``up``/``down`` of one state dir (flock; started processes do not inherit it);
* ``wait()`` polls a readiness check and fails fast, with the log tail, when a watched process died.

Example::

    sup = Supervisor("/tmp/demo", label="demo")
    web = Process("web", [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "18999"],
                  ports=[Port(18999, "DEMO_PORT")], identity=["http.server", "18999"], match_argv0=False,
                  ready=lambda: port_open(18999))
    with sup.lock():
        sup.start(web)
        sup.wait_ready(web)
    sup.stop(web)
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from .common import Log, LocalStackError


@dataclass(frozen=True)
class Port:
    """A port a process listens on, and the setting (environment variable) that chose it."""

    number: int
    setting: str = ""
    host: str = "127.0.0.1"


@dataclass
class Process:
    name: str                                   # pid file and log file name
    argv: Sequence[str]
    env: Mapping[str, str] | None = None        # the complete environment (None: inherit)
    cwd: str | None = None
    ports: Sequence[Port] = ()
    identity: Sequence[str] = ()                # substrings /proc/<pid>/cmdline must contain
    match_argv0: bool = True                    # basename(argv[0]) must equal basename(self.argv[0])
    ready: Callable[[], bool] | None = None     # readiness check (True when serving)
    ready_timeout: float = 60.0
    stop_timeout: float = 15.0                  # SIGTERM, then SIGKILL after this many seconds
    kill_group: bool = True                     # signal the whole process group (git daemon children)
    extra: dict = field(default_factory=dict)   # free-form data for the stack (e.g. a description)


def read_cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path("/proc/%d/cmdline" % pid).read_bytes()
    except OSError:
        return None
    if not raw:  # zombie or kernel thread
        return None
    return raw.rstrip(b"\0").decode(errors="replace").split("\0")


def alive(pid: int) -> bool:
    """True while the process exists and any of its threads is not a zombie (a killed multi-threaded
    program's main thread turns Z before its other threads have exited and released its sockets)."""
    try:
        tasks = [t.name for t in Path("/proc/%d/task" % pid).iterdir()]
    except OSError:
        return False
    for tid in tasks:
        try:
            stat = Path("/proc/%d/task/%s/stat" % (pid, tid)).read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X"):
            return True
    return False


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    return inodes


def port_owner(port: int) -> tuple[int, str] | None:
    """(pid, command line) of the process listening on ``port``, when /proc lets us see it."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {"socket:[%s]" % i for i in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                try:
                    if os.readlink(fd) in targets:
                        cmd = read_cmdline(int(proc.name)) or ["?"]
                        return int(proc.name), " ".join(cmd)[:200]
                except OSError:
                    continue
        except OSError:
            continue
    return None


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as err:
            if err.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports free right now (held open together while choosing, so never equal)."""
    socks, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


class Supervisor:
    def __init__(self, state_dir, label: str, run_dir=None, log_dir=None, lock_file=None, log: Log | None = None):
        self.state_dir = Path(state_dir)
        self.run_dir = Path(run_dir) if run_dir else self.state_dir / "run"
        self.log_dir = Path(log_dir) if log_dir else self.state_dir / "logs"
        self.lock_file = Path(lock_file) if lock_file else self.state_dir / ".lock"
        self.label = label
        self.log = log or Log(label)
        self.heartbeat = 30.0  # seconds between "still waiting" lines

    # ------------------------------------------------------------------ files
    def pid_file(self, name: str) -> Path:
        return self.run_dir / ("%s.pid" % name)

    def log_path(self, name: str) -> Path:
        return self.log_dir / ("%s.log" % name)

    def tail(self, name: str, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path(name).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log at %s)" % self.log_path(name)

    @contextlib.contextmanager
    def lock(self, timeout: float = 3600, what: str = "up/down"):
        """Exclusive flock on the state dir's lock file (another up/down of the same state dir waits)."""
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            deadline = time.monotonic() + timeout
            announced = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LocalStackError("another %s %s holds %s" % (self.label, what, self.lock_file)) from None
                    if not announced:
                        self.log("waiting for another %s %s (lock %s)" % (self.label, what, self.lock_file))
                        announced = True
                    time.sleep(0.5)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # ------------------------------------------------------------------ identity
    def matches(self, proc: Process, pid: int) -> bool:
        cmd = read_cmdline(pid)
        if not cmd or not alive(pid):
            return False
        if proc.match_argv0:
            want = os.path.basename(str(proc.argv[0]))
            # a process that rewrote its title (redis: "/usr/bin/redis-server 127.0.0.1:16379") has one string
            names = {os.path.basename(cmd[0]), os.path.basename(cmd[0].split(" ", 1)[0])}
            if want not in names:
                return False
        joined = " ".join(cmd)
        return all(token in joined for token in proc.identity)

    def recorded_pid(self, proc: Process) -> int | None:
        """The pid ``proc``'s pid file names (whatever runs under it now), or None."""
        try:
            return int(self.pid_file(proc.name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def pid(self, proc: Process) -> int | None:
        """The pid of ``proc`` if its pid file names a live process that still is ``proc``."""
        pid = self.recorded_pid(proc)
        return pid if pid is not None and self.matches(proc, pid) else None

    def running(self, proc: Process) -> bool:
        return self.pid(proc) is not None

    def died(self, proc: Process) -> bool:
        """A pid file exists but its process is gone (or is no longer ``proc``).

        A live process with no command line yet is not dead: while a launcher (sh, setpriv) execs the program, the
        kernel swaps in the new address space before it sets up the new arguments, and /proc/<pid>/cmdline reads
        empty for that moment (a smoke run once took kagent-adk for dead there, on a loaded machine)."""
        pid = self.recorded_pid(proc)
        if pid is None:
            return self.pid_file(proc.name).exists()
        if alive(pid) and read_cmdline(pid) is None:
            return False
        return not self.matches(proc, pid)

    # ------------------------------------------------------------------ start / stop
    def check_ports(self, proc: Process, settle: float = 10.0) -> None:
        """Fail when another process LISTENS on a port of ``proc``. Sockets of a process that was just
        killed (connections still closing, not listening) only delay: they are waited out for up to
        ``settle`` seconds, then the program is started anyway (it binds with SO_REUSEADDR)."""
        for port in proc.ports:
            deadline = time.monotonic() + settle
            while not port_free(port.number, port.host):
                listening = bool(_listening_inodes(port.number))
                owner = port_owner(port.number) if listening else None
                # a listener nobody owns is a process still exiting: wait for it like closing connections
                if owner or (listening and time.monotonic() > deadline):
                    who = ("pid %d (%s)" % owner) if owner else "another process"
                    hint = (" or choose another port with %s" % port.setting) if port.setting else ""
                    raise LocalStackError(
                        "cannot start %s: port %d on %s is already in use by %s; stop it%s"
                        % (proc.name, port.number, port.host, who, hint))
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)

    def start(self, proc: Process) -> int:
        """Start ``proc`` unless it already runs; returns its pid."""
        pid = self.pid(proc)
        if pid:
            return pid
        self.check_ports(proc)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        pid_file = self.pid_file(proc.name)
        pid_file.unlink(missing_ok=True)
        self.log("starting %s" % proc.name)
        # setsid -f: fork into a new session, so the process belongs to no caller (no zombie, no
        # SIGHUP); the shell writes its own pid (= the program's after exec) atomically first.
        launcher = ["setsid", "-f", "sh", "-c", 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"',
                    str(pid_file), *[str(a) for a in proc.argv]]
        with open(self.log_path(proc.name), "ab") as out:
            out.write(("---- %s start: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), " ".join(map(str, proc.argv)))).encode())
            out.flush()
            subprocess.run(launcher, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                           env=dict(proc.env) if proc.env is not None else None, cwd=proc.cwd, check=True,
                           close_fds=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pid = self.recorded_pid(proc)
            if pid is not None:
                break
            time.sleep(0.02)
        else:
            raise LocalStackError("%s did not start (no pid file %s); log: %s" % (proc.name, pid_file, self.log_path(proc.name)))
        # until exec has happened the cmdline is the launcher's: give it a moment
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not self.matches(proc, pid):
            if not alive(pid):
                raise LocalStackError("%s exited at once; log %s:\n%s" % (proc.name, self.log_path(proc.name), self.tail(proc.name)))
            time.sleep(0.02)
        return pid

    def stop(self, proc: Process) -> int | None:
        """SIGTERM (the process group), SIGKILL after ``stop_timeout``; returns the pid it stopped."""
        pid = self.pid(proc)
        if pid is None:
            self.pid_file(proc.name).unlink(missing_ok=True)
            return None
        self.log("stopping %s (pid %d)" % (proc.name, pid))
        self._signal(proc, pid, signal.SIGTERM)
        deadline = time.monotonic() + proc.stop_timeout
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            self.log("  %s did not stop in %.0f s: SIGKILL" % (proc.name, proc.stop_timeout))
            self._signal(proc, pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.pid_file(proc.name).unlink(missing_ok=True)
        self.log("stopped %s (pid %d)" % (proc.name, pid))
        return pid

    def kill(self, proc: Process, sig=signal.SIGKILL) -> int | None:
        """Send ``sig`` to the process only (fault injection); waits until it is gone for SIGKILL."""
        pid = self.pid(proc)
        if pid is None:
            return None
        os.kill(pid, sig)
        if sig == signal.SIGKILL:
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        return pid

    @staticmethod
    def _signal(proc: Process, pid: int, sig) -> None:
        try:
            if proc.kill_group and os.getpgid(pid) == pid:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        except ProcessLookupError:
            pass

    # ------------------------------------------------------------------ waiting
    def wait(self, what: str, predicate: Callable[[], object], timeout: float,
             watch: Iterable[Process] = (), interval: float = 0.5):
        """Poll ``predicate`` until truthy; fail fast when a watched process died; returns its value."""
        start = time.monotonic()
        watch = list(watch)
        next_beat = start + self.heartbeat
        while True:
            try:
                value = predicate()
            except Exception:  # noqa: BLE001 - a check that raises is "not yet"
                value = None
            if value:
                return value
            for proc in watch:
                if self.died(proc):
                    raise LocalStackError("%s exited while waiting for %s; log %s:\n%s"
                                          % (proc.name, what, self.log_path(proc.name), self.tail(proc.name)))
            if time.monotonic() - start > timeout:
                raise LocalStackError("timed out after %.0f s waiting for %s (logs: %s)" % (timeout, what, self.log_dir))
            if time.monotonic() >= next_beat:  # long waits show they are alive
                next_beat += self.heartbeat
                self.log("  ... still waiting for %s (%.0f s of %.0f s)" % (what, time.monotonic() - start, timeout))
            time.sleep(interval)

    def wait_ready(self, proc: Process, watch: Iterable[Process] = ()) -> float:
        """Wait for ``proc.ready``; returns the seconds it took."""
        start = time.monotonic()
        if proc.ready is not None:
            self.wait("%s ready" % proc.name, proc.ready, proc.ready_timeout, watch=[proc, *watch])
        return time.monotonic() - start
