"""The private validator of render.yml, started in the background while the run renders.

A throwaway control plane (etcd + kube-apiserver, :class:`tools.localstack.private.PrivateControlPlane`) takes
5-6 s to start and the platform's CRDs another 4 s to become Established: more than the render itself. So the
run starts it first (``start``), renders meanwhile, then ``attach`` es, dry-runs, and ``stop`` s it:

    plane = BackgroundValidator.start(watch_pid=os.getppid())   # returns at once: a detached server process
    ...                                                          # render
    ready = plane.attach()            # waits for it: {"kubeconfig", "preloaded": [the CRDs it holds already]}
    ...                                                          # dry runs against ready["kubeconfig"]
    plane.stop()                      # raises LocalStackError naming anything left behind

The server process (``python -m tools.localstack validator serve DIR``) also loads the CRDs the last validation
brought (the *warm set*, kept in the cache as ``validator/crds.json``) while it waits: the catalogue rarely
changes between runs, so the dry run finds them Established. The warm set is only a head start: the validator
applies every CRD the render brings whose content differs and deletes every preloaded one it does not bring
(``plugins/plugin_utils/dryrun.py``), so what is judged is always exactly the render.

It never outlives the run: it stops on ``stop``, when the watched process (ansible-playbook) is gone, or after
``IDLE_LIMIT`` seconds.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import common, crds
from .common import Log, LocalStackError
from .supervisor import alive

IDLE_LIMIT = 1800
KEEP_RUNS = 50  # a CRD no validation brought in this many runs leaves the warm set
WARM_FILE = ("validator", "crds.json")


def warm_file() -> Path:
    """``$APPMOD_VALIDATOR_CACHE/crds.json``, by default in the project cache (beside the binaries)."""
    folder = os.environ.get("APPMOD_VALIDATOR_CACHE")
    return Path(folder) / WARM_FILE[1] if folder else common.cache_root().joinpath(*WARM_FILE)


def _read_warm() -> dict:
    try:
        data = json.loads(warm_file().read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("crds"), dict):
        return {}
    data["crds"] = {name: e for name, e in data["crds"].items()
                    if isinstance(e, dict) and isinstance(e.get("object"), dict) and e.get("sha256")}
    return data


def load_warm_texts() -> dict:
    """The warm set as validations kept it: sha256 of each CRD's YAML text -> the CRD."""
    return {e["sha256"]: e["object"] for e in _read_warm().get("crds", {}).values()}


def load_warm() -> list[dict]:
    """The CRDs of the warm set, by name."""
    crd_map = _read_warm().get("crds", {})
    return [crd_map[n]["object"] for n in sorted(crd_map)]


def save_warm(texts: dict) -> bool:
    """Keep the CRDs a validation brought (sha256 of each one's YAML text -> the CRD) for the next runs' head
    start: their control plane holds them already, and their render need not parse them again.

    The set is the union of what the last ``KEEP_RUNS`` validations brought (the newest text of each name), so
    renders of different inventories (agent-gateway on or off) share one warm start instead of remaking it in
    turn; a CRD the render lacks is deleted by the dry run. Atomic; returns whether the set of CRDs changed."""
    data = _read_warm()
    runs = int(data.get("runs") or 0) + 1
    before = {name: e.get("sha256") for name, e in data.get("crds", {}).items()}
    crd_map = dict(data.get("crds") or {})
    for digest, obj in texts.items():
        crd_map[obj["metadata"]["name"]] = {"sha256": digest, "object": obj, "run": runs}
    crd_map = {name: e for name, e in crd_map.items() if runs - int(e.get("run") or 0) < KEEP_RUNS}
    path = warm_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".crds-")
    with os.fdopen(fd, "w") as f:
        json.dump({"runs": runs, "crds": crd_map}, f, sort_keys=True)
    os.replace(tmp, path)
    return before != {name: e["sha256"] for name, e in crd_map.items()}


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a pid (guards against a recycled pid)."""
    try:
        return Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


class _Stopped(BaseException):
    """SIGTERM while the control plane was still starting."""


def _write_json(path: Path, data) -> None:
    tmp = path.with_name("." + path.name)
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


class BackgroundValidator:
    """A handle on one background validator, by its directory (ready.json, done.json, serve.pid, serve.log)."""

    def __init__(self, directory):
        self.dir = Path(directory)

    # ------------------------------------------------------------ client side
    @classmethod
    def start(cls, watch_pid: int, root=None) -> "BackgroundValidator":
        """Start the server process detached (returns at once); it dies with ``watch_pid``."""
        root = Path(root or common.project_root())
        directory = Path(tempfile.mkdtemp(prefix="appmod-validator-"))
        log = open(directory / "serve.log", "wb")
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tools.localstack", "validator", "serve", str(directory),
                 str(watch_pid), _start_time(watch_pid) or ""],
                cwd=str(root), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, env=dict(os.environ, PYTHONPATH=str(root)))
        finally:
            log.close()
        (directory / "serve.pid").write_text(str(proc.pid))
        return cls(directory)

    def pid(self) -> int | None:
        try:
            return int((self.dir / "serve.pid").read_text())
        except (OSError, ValueError):
            return None

    def attach(self, timeout: float = 180) -> dict:
        """Wait until the control plane is up with the warm set Established: {"kubeconfig", "server",
        "preloaded"} (the CRDs it holds besides Argo CD's Application, as applied)."""
        deadline = time.monotonic() + timeout
        ready = self.dir / "ready.json"
        while not ready.exists():
            pid = self.pid()
            if pid is None or not alive(pid):
                raise LocalStackError("the background validator exited before it was ready:\n" + self.log_tail())
            if time.monotonic() > deadline:
                raise LocalStackError("the background validator was not ready after %.0f s:\n%s" % (timeout, self.log_tail()))
            time.sleep(0.1)
        data = json.loads(ready.read_text())
        if data.get("error"):
            raise LocalStackError("the background validator failed to start: %s" % data["error"])
        data["preloaded"] = json.loads((self.dir / "preloaded.json").read_text()) if data.get("preloaded") else []
        return data

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.dir / "serve.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 60) -> None:
        """Stop it (idempotent) and remove its directory; LocalStackError names anything left behind."""
        if not self.dir.exists():
            return
        pid = self.pid()
        if pid is not None and alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        left = []
        if pid is not None and alive(pid):
            left.append("validator server pid %d still running (log %s)" % (pid, self.dir / "serve.log"))
        else:
            try:
                left += json.loads((self.dir / "done.json").read_text()).get("left", [])
            except (OSError, ValueError):
                left.append("the validator server ended without a report:\n" + self.log_tail())
            shutil.rmtree(self.dir, ignore_errors=True)
        if left:
            raise LocalStackError("the private validator left behind: " + "; ".join(left))

    # ------------------------------------------------------------ server side
    def serve(self, watch_pid: int, watch_start: str = "") -> int:
        """Run the control plane until SIGTERM, the watched process's end, or IDLE_LIMIT; then report and exit."""
        from .private import PrivateControlPlane

        stop = {"now": False, "starting": True}

        def on_stop(*_):
            stop["now"] = True
            if stop["starting"]:  # a run that failed early: abandon the start (the finally below stops it)
                raise _Stopped()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        log = Log("validator", sys.stderr)
        plane, ready = None, {}
        try:
            warm = load_warm()
            template = None
            if warm:
                try:
                    template = ensure_template(warm, log)
                except Exception as exc:  # noqa: BLE001 - a head start only: the validator applies what it needs
                    log("no warm start (%s): the validator applies the CRDs itself" % exc)
            plane = PrivateControlPlane(crd_files=application_crd(), label="validator", log=log, template=template)
            plane.up()
            if template is not None:
                (self.dir / "preloaded.json").write_text(json.dumps(warm))
                ready["preloaded"] = len(warm)
            ready.update(kubeconfig=str(plane.kubeconfig), server=plane.server)
            stop["starting"] = False
        except _Stopped:
            ready = {"error": "stopped before it was up"}
        except Exception as exc:  # noqa: BLE001 - reported to the attaching run
            ready = {"error": str(exc)}
        stop["starting"] = False
        _write_json(self.dir / "ready.json", ready)
        started = time.monotonic()
        while not ready.get("error") and not stop["now"] and time.monotonic() - started < IDLE_LIMIT:
            if not alive(watch_pid) or (watch_start and _start_time(watch_pid) != watch_start):
                log("the run that started it (pid %d) is gone: stopping" % watch_pid)
                break
            time.sleep(0.2)
        if plane is not None:
            # Throwaway state: no graceful shutdown to wait for (kube-apiserver's takes a second or more).
            for name in reversed(plane.settings.components):
                try:
                    plane.kill(name)
                except LocalStackError:
                    pass  # not running
        left = plane.down() if plane is not None else []
        _write_json(self.dir / "done.json", {"left": left})
        if not stop["now"] and not ready.get("error") and left == []:
            # abandoned (its run is gone, or idle): nobody will stop it, so its directory goes too
            shutil.rmtree(self.dir, ignore_errors=True)
        return 0


def application_crd() -> list[Path]:
    """Argo CD's Application CRD (the binary's version): every render holds Applications."""
    return [crds.crd_file("application-crd.yaml")]


def template_dir(warm) -> Path:
    """Where the stopped control plane holding ``warm`` is kept, by the versions and CRDs it holds."""
    from . import builds

    key = hashlib.sha256()
    for part in (builds.ETCD.resolved_version(), builds.K8S.resolved_version(), application_crd()[0].read_text(),
                 json.dumps(warm, sort_keys=True)):
        key.update(part.encode() + b"\0")
    return warm_file().parent / ("plane-" + key.hexdigest()[:16])


def ensure_template(warm, log) -> Path:
    """The stopped state of a control plane holding Argo CD's Application CRD and ``warm``, Established; made once
    (a fresh plane, the CRDs applied, stopped) and kept in the cache (only the newest)."""
    from .private import STATE_PARTS, PrivateControlPlane

    dest = template_dir(warm)
    if all((dest / part).is_dir() for part in STATE_PARTS):
        return dest
    log("making the warm start %s (once per set of CRDs)" % dest.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=dest.parent))
    plane = PrivateControlPlane(crd_files=application_crd(), label="validator-template", log=log,
                                state_dir=work / "state", keep=True)
    try:
        plane.up()
        plane.load_crd_objects(warm, timeout=120)
    except BaseException:
        plane.down()
        shutil.rmtree(work, ignore_errors=True)
        raise
    plane.cluster.close()
    plane.cluster.down(purge=False)  # stopped, its state kept
    for part in STATE_PARTS:
        os.rename(work / "state" / part, work / part)
    shutil.rmtree(work / "state", ignore_errors=True)
    try:
        os.rename(work, dest)
    except OSError:  # another run made it meanwhile
        shutil.rmtree(work, ignore_errors=True)
    for old in dest.parent.glob("plane-*"):
        if old != dest:
            shutil.rmtree(old, ignore_errors=True)
    return dest


def main(argv) -> int:
    """``serve DIR WATCH_PID [WATCH_START]`` (run by :meth:`BackgroundValidator.start`)."""
    if len(argv) < 3 or argv[0] != "serve":
        raise SystemExit("usage: validator serve DIR WATCH_PID [WATCH_START]")
    return BackgroundValidator(argv[1]).serve(int(argv[2]), argv[3] if len(argv) > 3 else "")

