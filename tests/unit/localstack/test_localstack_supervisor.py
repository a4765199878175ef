"""The one process supervisor: detached start, pid files guarded by the command line, port clashes
named, flock, stop with SIGTERM then SIGKILL, fail-fast waits."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from tools.localstack.common import LocalStackError
from tools.localstack.supervisor import Port, Process, Supervisor, alive, free_ports, port_open, port_owner


def sleeper(name, tag, **kw):
    return Process(name, [sys.executable, "-c", "import time,sys; time.sleep(600)", tag], identity=[tag],
                   match_argv0=False, **kw)


@pytest.fixture
def sup(tmp_path):
    return Supervisor(tmp_path / "state", label="test")


def test_start_is_detached_and_idempotent(sup):
    proc = sleeper("s", "tag-%d" % os.getpid())
    pid = sup.start(proc)
    try:
        assert sup.pid(proc) == pid and sup.running(proc)
        assert sup.start(proc) == pid  # already running: no second process
        # own session (setsid -f): not a child of this process, so never our zombie
        assert os.getsid(pid) == pid
        assert open("/proc/%d/stat" % pid).read().split(")")[1].split()[1] != str(os.getpid())
        assert sup.pid_file("s").read_text().strip() == str(pid)
        assert "---- " in sup.log_path("s").read_text()
    finally:
        assert sup.stop(proc) == pid
    assert not alive(pid) and not sup.pid_file("s").exists()
    assert sup.stop(proc) is None  # nothing to stop


def test_pid_file_of_another_process_is_not_trusted(sup):
    """A recycled pid (the file names a live process that is not ours) is never reported or signalled."""
    proc = sleeper("s", "tag-mine")
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "tag-other"])
    try:
        sup.run_dir.mkdir(parents=True)
        sup.pid_file("s").write_text("%d\n" % stranger.pid)
        assert sup.pid(proc) is None
        assert sup.died(proc)
        assert sup.stop(proc) is None
        assert stranger.poll() is None, "the stranger must not have been signalled"
    finally:
        stranger.kill()
        stranger.wait()


def test_a_process_mid_exec_is_not_taken_for_dead(sup, monkeypatch):
    """While a launcher execs the program, /proc/<pid>/cmdline reads empty for a moment: not dead. Gone, or a
    stranger under the pid: dead."""
    from tools.localstack import supervisor

    proc = sleeper("s", "tag-exec-%d" % os.getpid())
    pid = sup.start(proc)
    try:
        assert not sup.died(proc)
        monkeypatch.setattr(supervisor, "read_cmdline", lambda _pid: None)
        assert not sup.died(proc)
        monkeypatch.setattr(supervisor, "read_cmdline", lambda _pid: ["sh", "-c", "something else"])
        assert sup.died(proc)
    finally:
        monkeypatch.undo()
        sup.stop(proc)
    assert sup.died(proc) is False  # stop removed the pid file: nothing to call dead


def test_port_clash_names_port_setting_and_owner(sup):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert port_open(port)
        owner = port_owner(port)
        assert owner and owner[0] == os.getpid()
        proc = sleeper("web", "tag-web", ports=[Port(port, "DEMO_PORT")])
        with pytest.raises(LocalStackError) as err:
            sup.start(proc)
    msg = str(err.value)
    assert "port %d" % port in msg and "DEMO_PORT" in msg and "pid %d" % os.getpid() in msg
    assert not sup.pid_file("web").exists()


def test_stop_escalates_to_sigkill(sup):
    code = "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    proc = Process("stubborn", [sys.executable, "-c", code, "tag-stubborn"], identity=["tag-stubborn"],
                   match_argv0=False, stop_timeout=1)
    pid = sup.start(proc)
    time.sleep(0.3)
    start = time.monotonic()
    assert sup.stop(proc) == pid
    assert not alive(pid) and time.monotonic() - start < 8


def test_wait_fails_fast_with_the_log_of_a_dead_process(sup):
    proc = Process("crash", [sys.executable, "-c", "import sys,time; time.sleep(0.5); print('boom: bad flag'); sys.exit(3)",
                             "tag-crash"], identity=["tag-crash"], match_argv0=False)
    sup.start(proc)
    start = time.monotonic()
    with pytest.raises(LocalStackError) as err:
        sup.wait("never", lambda: False, 60, watch=[proc])
    assert time.monotonic() - start < 10
    assert "crash exited" in str(err.value) and "boom: bad flag" in str(err.value)


def test_wait_times_out(sup):
    with pytest.raises(LocalStackError, match="timed out after"):
        sup.wait("nothing", lambda: False, 0.3, interval=0.1)


def test_lock_serialises(sup):
    order = []

    def second():
        with sup.lock(10):
            order.append("second")

    with sup.lock(10):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.8)
        order.append("first")
    t.join(10)
    assert order == ["first", "second"]


def test_lock_times_out_with_a_clear_error(sup):
    import fcntl

    sup.lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(sup.lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        # flock locks belong to the open file description: a second open() in this process conflicts too
        with pytest.raises(LocalStackError, match="holds"):
            with sup.lock(0.5):
                pass
    finally:
        os.close(fd)


def _open_files(pid):
    """What the process has open; an fd closed while we look (the child may still be exec'ing) is skipped."""
    out = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out.append(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except FileNotFoundError:
            pass
    return out


def test_started_processes_do_not_hold_the_lock(sup):
    proc = sleeper("s", "tag-lock")
    with sup.lock(5):
        pid = sup.start(proc)
    try:
        with sup.lock(2):  # free again although the child lives on
            pass
        assert str(sup.lock_file) not in _open_files(pid)
    finally:
        sup.stop(proc)


def test_kill_for_fault_injection(sup):
    proc = sleeper("s", "tag-kill")
    pid = sup.start(proc)
    assert sup.kill(proc, signal.SIGKILL) == pid
    assert not alive(pid) and sup.died(proc)


def test_free_ports_are_distinct_and_free():
    ports = free_ports(6)
    assert len(set(ports)) == 6
    assert not any(port_open(p) for p in ports)
