"""The one test harness of tests/: how a test runs a playbook and reads its result, waits, calls kubectl
and reaches the chart mirror. Every test folder imports it (``from harness import ...``; tests/ has no
``__init__.py``, so pytest puts this folder on sys.path).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS_BIN = ROOT / ".tools" / "bin"
VENV_BIN = ROOT / ".venv" / "bin"
KUBECTL = TOOLS_BIN / "kubectl"
if str(ROOT) not in sys.path:  # the project root: tools.localstack
    sys.path.append(str(ROOT))
from tools.localstack.mirror import DEFAULT_DIR as _STACK_MIRROR_DIR  # noqa: E402

# The stack's own rule (tools.localstack.common.shared_dir), so tests and the local stack serve the same mirror.
MIRROR_DIR = Path(os.environ.get("APPMOD_CHART_MIRROR_DIR") or _STACK_MIRROR_DIR)
RECAP_RE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", re.M)
# The seed's "Test Kagent agent creation" objects in kagent.dev/v1alpha2, the version the pinned kagent serves:
# v1alpha1's systemPrompt is declarative.systemMessage, the inline model a ModelConfig referenced by name, and the
# Agent carries the pod security context Pod Security `restricted` needs (the controller sets none by itself).
SMOKE_MODEL = {"apiVersion": "kagent.dev/v1alpha2", "kind": "ModelConfig",
               "metadata": {"name": "bedrock-claude", "namespace": "agent-platform"},
               "spec": {"provider": "Bedrock", "model": "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
                        "bedrock": {"region": "us-east-1"}}}
SMOKE_AGENT = {"apiVersion": "kagent.dev/v1alpha2", "kind": "Agent",
               "metadata": {"name": "test-agent", "namespace": "agent-platform"},
               "spec": {"type": "Declarative", "declarative": {
                   "systemMessage": "You are a helpful assistant", "modelConfig": "bedrock-claude",
                   "deployment": {
                       "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                                              "seccompProfile": {"type": "RuntimeDefault"}},
                       "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                           "capabilities": {"drop": ["ALL"]}}}}}}


# The levels and inputs a playbook reads from the environment: a test starts from none of them.
FLAG_ENV = ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM")


def env(extra: dict | None = None) -> dict:
    """The environment of a playbook or tool run: pinned tools first on PATH, no colour, no flag levels."""
    environ = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                   PATH="%s:%s:%s" % (TOOLS_BIN, VENV_BIN, os.environ.get("PATH", "")))
    for key in FLAG_ENV:
        environ.pop(key, None)
    environ.update({k: str(v) for k, v in (extra or {}).items()})
    return environ


def parse_recap(stdout: str) -> dict:
    """{host: {ok: n, changed: n, ...}} from the (last) PLAY RECAP block."""
    text = stdout.split("PLAY RECAP")[-1]
    return {host: {k: int(v) for k, v in (pair.split("=") for pair in counters.split())}
            for host, counters in RECAP_RE.findall(text)}


@dataclass
class Run:
    """A finished ansible-playbook run."""
    rc: int
    stdout: str
    stderr: str
    seconds: float = 0.0
    recap: dict = field(default_factory=dict)

    @property
    def out(self) -> str:
        return self.stdout + self.stderr

    output = out

    @property
    def changed(self) -> int:
        return sum(h.get("changed", 0) for h in self.recap.values())

    @property
    def failed(self) -> int:
        return sum(h.get("failed", 0) + h.get("unreachable", 0) for h in self.recap.values())

    def why(self) -> str:
        """The failures of a run (each 'fatal:' block), then the end of the output."""
        blocks = re.findall(r"^fatal: .*?(?=^\S)", self.stdout, re.M | re.S)
        return "\n".join(blocks)[-6000:] + "\n...\n" + self.out[-2000:]


def playbook_cmd(name: str, inventory: str | Path = "inventories/dev", extra_vars: dict | None = None,
                 check: bool = False, args=()) -> list[str]:
    cmd = [str(VENV_BIN / "ansible-playbook"), name if "/" in str(name) else "playbooks/%s" % name, "-i", str(inventory)]
    for key, value in (extra_vars or {}).items():
        cmd += ["-e", "%s=%s" % (key, value) if not isinstance(value, (dict, list, bool)) else _json_var(key, value)]
    if check:
        cmd += ["--check", "--diff"]
    return cmd + list(args)


def _json_var(key, value):
    import json
    return json.dumps({key: value})


def run(cmd: list[str], extra_env: dict | None = None, timeout: int = 3600, cwd: Path = ROOT) -> Run:
    """Run a command (an ansible-playbook line) from the project root; its Run with recap and duration."""
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env(extra_env), capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started, parse_recap(proc.stdout))


def run_timed(cmd: list[str], environ: dict, timeout: int) -> Run:
    """Run a command from the project root with exactly ``environ``; its Run with recap and duration."""
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started, parse_recap(proc.stdout))


def run_playbook(name: str, inventory: str | Path = "inventories/dev", extra_vars: dict | None = None,
                 extra_env: dict | None = None, check: bool = False, args=(), timeout: int = 3600) -> Run:
    return run(playbook_cmd(name, inventory, extra_vars, check, args), extra_env, timeout)


def wait_for(predicate, timeout: float, interval: float = 2.0, what: str = "condition"):
    """Poll ``predicate()`` until it returns a truthy value (returned) or ``timeout`` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))
        time.sleep(interval)


def kubectl(kubeconfig: str | Path, *args: str, input: str | None = None, check: bool = True,
            timeout: int = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), *args], input=input, capture_output=True,
                          text=True, env=env(), timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("kubectl %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr or proc.stdout))
    return proc


def shared_cluster_kubeconfig() -> Path:
    """The shared local cluster's kubeconfig; the test is skipped, saying why, when the cluster is not up."""
    import pytest

    kubeconfig = ROOT / ".local-cluster" / "kubeconfig"
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "local-cluster.sh"), "status"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not kubeconfig.exists():
        pytest.skip("local cluster not running (scripts/local-cluster.sh status): " + proc.stdout.strip()[-300:])
    return kubeconfig


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


STACK_MIRROR_PORT = 18879   # the local stack's (tools/localstack mirror)
TEST_MIRROR_PORT = 18889    # a test session's own, when the stack's is not up: a fixed port keeps chart cache
                            # keys and rendered output the same from one session to the next


class ChartMirror:
    """The offline chart mirror served on loopback for a test session: the one at APPMOD_CHART_MIRROR_URL, else
    the local stack's if it answers, else one of the session's own."""

    def __init__(self):
        self.url = os.environ.get("APPMOD_CHART_MIRROR_URL", "")
        self._proc = None

    def __enter__(self):
        if not self.url and _answers(STACK_MIRROR_PORT):
            self.url = "http://127.0.0.1:%d" % STACK_MIRROR_PORT
        if not self.url:
            if not (MIRROR_DIR / "index.yaml").is_file():
                raise RuntimeError("no chart mirror at %s (set APPMOD_CHART_MIRROR_DIR)" % MIRROR_DIR)
            port = TEST_MIRROR_PORT if not _answers(TEST_MIRROR_PORT) else free_port()
            self._proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                                           "--directory", str(MIRROR_DIR), str(port)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.url = "http://127.0.0.1:%d" % port
            wait_for(lambda: _answers(port), 20, 0.2, "the chart mirror on port %d" % port)
        return self

    def __exit__(self, *exc):
        if self._proc:
            self._proc.terminate()
            self._proc.wait(10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
