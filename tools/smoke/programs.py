"""Where the real programs are, which versions they are, and how they are run on this host.

The binaries come from ``scripts/setup-programs.sh`` (cache ``$CACHE_ROOT/<name>/<version>/bin``, the
versions read from the same wrapper modules / build scripts that script uses) and the LiteLLM venv
(``$CACHE_ROOT/litellm/<sha256 of requirements-litellm.txt>[:16]/venv``, or ``$LITELLM_VENV``). Every program runs under the localstack supervisor and, when the machine allows it
(root, ``unshare``), in a private mount namespace whose ``/etc/resolv.conf`` names a DNS sink on a
loopback address (:mod:`tools.smoke.dnssink`): a lookup of an in-cluster name (or of anything else) is
answered NXDOMAIN on this machine, recorded, and never reaches the machine's resolver.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools.localstack import common

ROOT = common.project_root()
TOOLS = ROOT / "tools"


class MissingProgram(RuntimeError):
    pass


def cache_root() -> Path:
    return common.cache_root()


@dataclass
class Program:
    name: str
    path: Path
    version: str           # the upstream version people know (Jaeger v2.13.0, kagent v0.9.9, ...)
    build: str              # how it was obtained

    def require(self) -> "Program":
        if not (self.path.is_file() and os.access(self.path, os.X_OK)):
            raise MissingProgram("%s not found at %s: run `bash scripts/setup-programs.sh`" % (self.name, self.path))
        return self

    def describe(self) -> str:
        home = str(Path.home())
        p = str(self.path)
        p = p.replace(str(ROOT) + "/", "") if p.startswith(str(ROOT)) else p.replace(home, "~")
        return "%s %s (%s; %s)" % (self.name, self.version, p, self.build)


def _built(spec, output=None) -> Program:
    """A program of the local stack's build catalogue (tools/localstack/builds.py), where it was built."""
    return Program(output or spec.outputs[0], spec.binary(output, cache_root()), spec.resolved_version(),
                   spec.description)


def jaeger() -> Program:
    from tools.localstack.builds import JAEGER

    program = _built(JAEGER)
    program.name, program.version = "Jaeger", JAEGER.ldflags_x[JAEGER.version_of + "/internal/version.latestVersion"]
    return program


def mockllm() -> Program:
    from tools.localstack.builds import MOCKLLM

    return _built(MOCKLLM)


def kagent(binary: str) -> Program:
    from tools.localstack.builds import KAGENT

    return _built(KAGENT, binary)


def litellm_venv() -> Path:
    """The venv scripts/setup-programs.sh makes for requirements-litellm.txt (same rule as that script)."""
    if os.environ.get("LITELLM_VENV"):
        return Path(os.environ["LITELLM_VENV"])
    import hashlib

    digest = hashlib.sha256((ROOT / "requirements-litellm.txt").read_bytes()).hexdigest()[:16]
    return cache_root() / "litellm" / digest / "venv"


def litellm() -> Program:
    venv = litellm_venv()
    exe = venv / "bin" / "litellm"
    version = "?"
    if (venv / "bin" / "python").exists():
        out = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('litellm'))"],
                             capture_output=True, text=True, timeout=60)
        version = out.stdout.strip() or "?"
    return Program("LiteLLM", exe, version, "PyPI litellm[proxy] from requirements-litellm.txt (hash-pinned)")


def postgres_bin_dir() -> Path:
    base = Path("/usr/lib/postgresql")
    versions = sorted((p for p in base.glob("*/bin/postgres")), key=lambda p: int(p.parent.parent.name)
                      if p.parent.parent.name.isdigit() else 0)
    if not versions:
        raise MissingProgram("PostgreSQL not installed (Debian package postgresql): run `bash scripts/setup-programs.sh apt`")
    return versions[-1].parent


def postgres() -> Program:
    d = postgres_bin_dir()
    out = subprocess.run([str(d / "postgres"), "--version"], capture_output=True, text=True, timeout=30)
    m = re.search(r"\(PostgreSQL\) (\S+)(?: \((.*)\))?", out.stdout)
    version = ("%s (%s)" % (m.group(1), m.group(2)) if m.group(2) else m.group(1)) if m else d.parent.name
    return Program("PostgreSQL", d / "postgres", version, "Debian package postgresql")


def wrk() -> Program:
    path = shutil.which("wrk") or "/usr/bin/wrk"
    version = "?"
    if os.path.exists(path):
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        m = re.search(r"wrk (\S+)", out.stdout + out.stderr)
        version = m.group(1) if m else "?"
    return Program("wrk", Path(path), version, "Debian package wrk")


# ---------------------------------------------------------------------------------- DNS sandbox
def sandbox_available() -> tuple[bool, str]:
    """Can programs run in a private mount namespace with their own /etc/resolv.conf?"""
    if os.geteuid() != 0:
        return False, "not root: cannot bind-mount a private /etc/resolv.conf"
    if not shutil.which("unshare"):
        return False, "unshare (util-linux) not found"
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return False, "unshare -m refused: %s" % probe.stderr.strip()
    return True, ""


def sandboxed(argv: list[str], resolv_conf: Path | None) -> list[str]:
    """argv run with ``resolv_conf`` bind-mounted over /etc/resolv.conf in a private mount namespace
    (the same pid all along: unshare and sh exec the program)."""
    if resolv_conf is None:
        return list(argv)
    return ["unshare", "-m", "--propagation", "private", "--", "sh", "-c",
            'mount --bind "$0" /etc/resolv.conf && exec "$@"', str(resolv_conf), *map(str, argv)]


def as_user(argv: list[str], user: str) -> list[str]:
    """argv run as ``user`` (setpriv execs: same pid), when we are root; else unchanged."""
    if os.geteuid() != 0:
        return list(argv)
    return ["setpriv", "--reuid=%s" % user, "--regid=%s" % user, "--init-groups", "--", *map(str, argv)]
