"""Shared, generic test helpers for the whole tests/ tree (keep minimal).

* Puts the collection on ``sys.path`` as ``ansible_collections.appmod.agent_platform`` (the
  ``.collections`` link made by ``scripts/setup.sh``; a temporary link if it is missing), so tests import
  plugin code by the same path Ansible uses.
* Fixtures: ``project_root`` (Path), ``helm_bin`` (``helm_bin(3)`` / ``helm_bin(4)`` -> path of the pinned
  binary, or a skip with the reason when it is missing) and ``chart_mirror_url`` (the offline chart mirror
  served on loopback). Everything else a test needs to run things is in ``harness.py``.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _collections_dir() -> Path:
    link = PROJECT_ROOT / ".collections" / "ansible_collections" / "appmod" / "agent_platform"
    if link.is_dir() and link.resolve() == PROJECT_ROOT:
        return PROJECT_ROOT / ".collections"
    tmp = Path(tempfile.mkdtemp(prefix="appmod-collections-"))
    (tmp / "ansible_collections" / "appmod").mkdir(parents=True)
    (tmp / "ansible_collections" / "appmod" / "agent_platform").symlink_to(PROJECT_ROOT)
    return tmp


_COLLECTIONS = str(_collections_dir())
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
# The project's own tools (tools.localstack, tools.smoke) import from the project root.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.append(str(PROJECT_ROOT))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def helm_bin():
    """``helm_bin(major)``: path of the pinned Helm binary of that major (``.tools/bin/helm3``, ``helm4``)."""

    def _helm_bin(major: int) -> str:
        path = PROJECT_ROOT / ".tools" / "bin" / f"helm{int(major)}"
        if not (path.exists() and os.access(path, os.X_OK)):
            pytest.skip(f"{path} is missing: run `bash scripts/setup.sh` to fetch the pinned Helm {major}")
        return str(path)

    return _helm_bin


@pytest.fixture(scope="session")
def chart_mirror_url():
    """URL of the offline chart mirror (../shared/chart-mirror) served on loopback for the session."""
    from harness import ChartMirror

    with ChartMirror() as mirror:
        yield mirror.url
