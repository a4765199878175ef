"""Paths, settings from the environment, logging and the error type shared by every stack."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# tools/localstack -> tools -> project root
DEFAULT_TOOLS_DIR = PACKAGE_DIR.parent
DEFAULT_PROJECT_ROOT = DEFAULT_TOOLS_DIR.parent


class LocalStackError(RuntimeError):
    """A failure with a message meant for the user (the CLI prints it without a traceback)."""


def env_str(name: str, default: str, env=None) -> str:
    value = (os.environ if env is None else env).get(name, "")
    return value if value != "" else default


def env_int(name: str, default: int, env=None) -> int:
    raw = env_str(name, str(default), env)
    try:
        return int(raw)
    except ValueError:
        raise LocalStackError("%s=%r is not an integer" % (name, raw)) from None


def project_root(env=None) -> Path:
    return Path(env_str("PROJECT_ROOT", str(DEFAULT_PROJECT_ROOT), env)).resolve()


def shared_dir(env=None) -> Path:
    """The read-only notes beside the project (chart mirror, upstream sources): ``APPMOD_SHARED_DIR``, else the
    project's sibling ``shared/``, else ``/work/shared`` (a clone made elsewhere on this machine, as CI's is)."""
    given = env_str("APPMOD_SHARED_DIR", "", env)
    if given:
        return Path(given)
    sibling = project_root(env).parent / "shared"
    return sibling if sibling.is_dir() else Path("/work/shared")


def tools_dir(env=None) -> Path:
    return Path(env_str("LOCAL_CLUSTER_TOOLS_DIR", str(DEFAULT_TOOLS_DIR), env)).resolve()


def cache_root(env=None) -> Path:
    """Binary cache root: $CACHE_ROOT, else $APPMOD_CACHE_DIR, else $XDG_CACHE_HOME/appmod-agent-platform,
    else ~/.cache/appmod-agent-platform (the same rule as scripts/lib.sh)."""
    env = os.environ if env is None else env
    for key in ("CACHE_ROOT", "APPMOD_CACHE_DIR"):
        if env.get(key):
            return Path(env[key]).expanduser()
    xdg = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(xdg).expanduser() / "appmod-agent-platform"


def tools_bin(env=None) -> Path:
    return project_root(env) / ".tools" / "bin"


class Log:
    """``[label HH:MM:SS] message`` lines on stderr (stdout carries only results)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream

    def __call__(self, message: str) -> None:
        stream = self.stream or sys.stderr
        stream.write("[%s %s] %s\n" % (self.label, time.strftime("%H:%M:%S"), message))
        stream.flush()

    info = __call__
