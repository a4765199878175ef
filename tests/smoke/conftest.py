"""Fixtures of the smoke suite's tests (marker ``cluster``).

* ``shared_platform`` - the shared local cluster's kubeconfig when the agent platform is deployed there
  (Application ``peeks-agent-platform-litellm`` Synced); otherwise the test is skipped, saying why. Used
  read-mostly: the suite creates and deletes only its own smoke Agent and ModelConfig.
* ``platform`` - the same cluster when deployed, else a throwaway private cluster with the local
  inventory rendered and applied (tools.smoke.private), removed after the module.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tools.smoke, tools.localstack
    sys.path.insert(0, str(ROOT))

SHARED_KUBECONFIG = ROOT / ".local-cluster" / "kubeconfig"
LITELLM_APP = "peeks-agent-platform-litellm"


def programs_missing() -> str:
    """'' when every program the suite runs is installed, else what is missing."""
    from tools.smoke import programs

    missing = []
    for get in (programs.mockllm, programs.jaeger, programs.litellm, lambda: programs.kagent("kagent-controller"),
                lambda: programs.kagent("kagent-adk"), programs.wrk):
        try:
            get().require()
        except Exception as err:  # noqa: BLE001
            missing.append(str(err))
    try:
        programs.postgres_bin_dir()
    except Exception as err:  # noqa: BLE001
        missing.append(str(err))
    return "; ".join(missing)


def shared_platform_state() -> tuple[bool, str]:
    """(deployed, reason): is the agent platform deployed on the shared local cluster?"""
    if not SHARED_KUBECONFIG.is_file():
        return False, "the shared local cluster is not up (no %s): make local" % SHARED_KUBECONFIG
    try:
        from tools.localstack import kube

        api = kube.client(SHARED_KUBECONFIG)
        try:
            app = kube.request(api, "GET", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/%s" % LITELLM_APP,
                               timeout=10)
        finally:
            api.close()
    except Exception as err:  # noqa: BLE001
        status = getattr(err, "status", None)
        if status == 404:
            return False, ("the agent platform is not deployed on the shared local cluster (no Application %s): "
                           "make local" % LITELLM_APP)
        return False, "the shared local cluster does not answer (%s): bash scripts/local-cluster.sh status" % (
            str(err).splitlines()[0][:200])
    sync = ((app.get("status") or {}).get("sync") or {}).get("status")
    if sync != "Synced":
        return False, "Application %s is %s, not Synced: the platform is not (yet) deployed" % (LITELLM_APP, sync)
    return True, ""


@pytest.fixture(scope="session")
def programs_ready():
    missing = programs_missing()
    if missing:
        pytest.skip("programs missing: %s" % missing)


@pytest.fixture(scope="module")
def shared_platform(programs_ready):
    ok, why = shared_platform_state()
    if not ok:
        pytest.skip(why)
    return SHARED_KUBECONFIG


@pytest.fixture(scope="module")
def platform(programs_ready):
    ok, _ = shared_platform_state()
    if ok:
        yield SHARED_KUBECONFIG
        return
    from tools.localstack import builds, gobuild
    from tools.smoke.private import PrivatePlatform

    if not all(gobuild.cached(b) for b in (builds.ETCD, builds.K8S, builds.KWOK)):
        pytest.skip("etcd / Kubernetes / kwok not built yet: bash scripts/local-cluster.sh build")
    if not (ROOT.parent / "shared" / "chart-mirror" / "index.yaml").is_file() and not Path("/work/shared/chart-mirror/index.yaml").is_file():
        pytest.skip("no chart mirror (../shared/chart-mirror) to render the local inventory from")
    with PrivatePlatform() as kubeconfig:
        yield kubeconfig
