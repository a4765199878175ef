"""The chart mirror: a directory served as a plain HTTP Helm repository on 127.0.0.1.

    python -m tools.localstack mirror up|down|status|url

Default directory /work/shared/chart-mirror (``APPMOD_CHART_MIRROR_DIR``), port 18879
(``APPMOD_CHART_MIRROR_PORT``); pid and log in ``.local-cluster/chart-mirror``
(``APPMOD_CHART_MIRROR_STATE_DIR``). Served by ``python -m http.server`` under the supervisor, so
``helm pull --repo http://127.0.0.1:18879 kagent --version 0.9.9`` and Argo CD's repo server (Applications
with ``repoURL: http://127.0.0.1:18879``, ``chart: <name>``) read the archives where they are: nothing is
copied into the work tree.
"""
from __future__ import annotations

import os
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import common
from .common import Log, LocalStackError
from .supervisor import Port, Process, Supervisor

DEFAULT_DIR = str(common.shared_dir() / "chart-mirror")
DEFAULT_PORT = 18879


@dataclass
class MirrorSettings:
    directory: Path
    port: int
    state_dir: Path

    @classmethod
    def from_env(cls, env=None) -> "MirrorSettings":
        root = common.project_root(env)
        return cls(
            directory=Path(os.path.realpath(common.env_str("APPMOD_CHART_MIRROR_DIR", DEFAULT_DIR, env))),
            port=common.env_int("APPMOD_CHART_MIRROR_PORT", DEFAULT_PORT, env),
            state_dir=Path(os.path.realpath(common.env_str("APPMOD_CHART_MIRROR_STATE_DIR",
                                                           str(root / ".local-cluster" / "chart-mirror"), env))))


class ChartMirror:
    def __init__(self, settings: MirrorSettings | None = None, log: Log | None = None):
        self.s = settings or MirrorSettings.from_env()
        self.log = log or Log("chart-mirror")
        self.sup = Supervisor(self.s.state_dir, "chart-mirror", run_dir=self.s.state_dir,
                              log_dir=self.s.state_dir / "logs", log=self.log)

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.s.port

    def process(self) -> Process:
        s = self.s
        return Process(
            "chart-mirror",
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(s.directory), str(s.port)],
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            ports=[Port(s.port, "APPMOD_CHART_MIRROR_PORT")],
            # any Python may have started it: recognised by module, directory and port
            identity=["-m http.server", "--directory %s %d" % (s.directory, s.port)], match_argv0=False,
            ready=self.serving, ready_timeout=30, stop_timeout=5)

    def serving(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/index.yaml", timeout=3) as resp:  # noqa: S310 - loopback
                return resp.status == 200
        except (OSError, ValueError):
            return False

    def up(self) -> str:
        proc = self.process()
        if self.sup.running(proc) and self.serving():
            return "already up"
        if not (self.s.directory / "index.yaml").is_file():
            raise LocalStackError("%s is not a Helm repository (no index.yaml); set APPMOD_CHART_MIRROR_DIR"
                                  % self.s.directory)
        with self.sup.lock(300):
            self.sup.start(proc)
            self.sup.wait_ready(proc)
        self.log("serving %s at %s" % (self.s.directory, self.url))
        return "started"

    def down(self) -> str:
        with self.sup.lock(120):
            return "stopped" if self.sup.stop(self.process()) else "not running"

    def status(self) -> tuple[bool, str]:
        pid = self.sup.pid(self.process())
        if pid and self.serving():
            return True, "%-30s ok (pid %d, %s, %s)" % ("chart-mirror", pid, self.url, self.s.directory)
        return False, "%-30s DOWN" % "chart-mirror"
