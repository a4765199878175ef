"""Shared, generic test helpers for the whole tests/ tree (keep minimal).

* Puts the collection on ``sys.path`` as ``ansible_collections.appmod.agent_platform`` (the
  ``.collections`` link made by ``scripts/setup.sh``; a temporary link if it is missing), so tests import
  plugin code by the same path Ansible uses.
* Fixtures: ``project_root`` (Path) and ``helm_bin`` (``helm_bin(3)`` / ``helm_bin(4)`` -> path of the pinned
  binary, or a skip with the reason when it is missing).
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


# CI has a hard wall-clock limit (90 min for .ci/run, cold builds included). scripts/test.sh exports
# APPMOD_TEST_DEADLINE (epoch seconds); once it has passed, the remaining tests are skipped with that
# reason instead of the whole run being killed half-way with no result. Never a timed assertion.
_DEADLINE = float(os.environ.get("APPMOD_TEST_DEADLINE", "0") or 0)


def pytest_runtest_setup(item):
    import time

    if _DEADLINE and time.time() > _DEADLINE:
        pytest.skip("CI time budget exhausted (APPMOD_TEST_DEADLINE): not run")
