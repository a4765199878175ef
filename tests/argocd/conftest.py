"""Fixtures for the Argo CD tests (markers ``cluster`` and ``slow``).

They need the local control plane (healthy, as ``scripts/local-cluster.sh status`` reports; scripts/test.sh
brings it up) and the Argo CD binary built by ``scripts/argocd-local.sh build`` (cached under
$CACHE_ROOT/argocd-local/<version>/bin). Either missing -> skip, with the reason. The session fixture
starts the local Argo CD (``argocd-local.sh up``, which also starts the chart mirror) and stops it again
if it started it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from . import argocd_helpers as h


def _skip_reason():
    if not h.KUBECTL.exists():
        return "kubectl missing: run scripts/setup.sh"
    env = h.local_env()
    if not Path(env["ARGOCD_BIN"]).exists() and os.environ.get("ARGOCD_LOCAL_BUILD") != "1":
        return ("Argo CD binary %s missing: run `bash scripts/argocd-local.sh build` "
                "(or set ARGOCD_LOCAL_BUILD=1 to let the tests build it)" % env["ARGOCD_BIN"])
    if not h.cluster_up():
        return "local control plane not up (`bash scripts/local-cluster.sh status` failed): run `bash scripts/local-cluster.sh up`"
    return None


@pytest.fixture(scope="session")
def argocd_local():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    was_up = h.argocd_up()
    up = h.script("up", timeout=3600)
    print(up.stdout)
    env = h.local_env()
    yield env
    if not was_up and os.environ.get("ARGOCD_LOCAL_KEEP") != "1":
        h.script("down", check=False)


@pytest.fixture(scope="module")
def test_repo(argocd_local):
    """A fresh git repository on the local git daemon holding the fixture charts."""
    name = "argocd-test-%s" % uuid.uuid4().hex[:6]
    commit = h.publish_fixtures(name)
    yield {"name": name, "url": "%s/%s.git" % (argocd_local["ARGOCD_LOCAL_GIT_BASE"], name), "commit": commit}
    git_dir = Path(argocd_local["ARGOCD_LOCAL_GIT_DIR"])
    for repo in git_dir.glob(name + "*.git"):
        shutil.rmtree(repo, ignore_errors=True)
