"""The background private validator of render.yml (tools/localstack/validator.py) on the real binaries: it
starts from the warm start of the CRDs the last validation kept, the dry run makes its CRDs exactly the
rendered ones, and it leaves nothing behind however the run ends (stopped, stopped before it was up, or the
run that started it gone)."""
from __future__ import annotations

import os
import subprocess
import tempfile
import time

import pytest

from .helpers import ROOT  # noqa: F401 - puts the project root on sys.path
from .test_private_control_plane import CRD

from tools.localstack import builds, gobuild, validator  # noqa: E402
from tools.localstack.supervisor import alive  # noqa: E402
from tools.localstack.validator import BackgroundValidator  # noqa: E402

pytestmark = pytest.mark.cluster
# .collections holds the collection as ansible_collections.appmod.agent_platform (scripts/setup.sh links it)
COLLECTIONS = ROOT / ".collections"

WIDGET = {"apiVersion": "example.appmod.local/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 2}}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Its own warm-start cache and TMPDIR (what it leaves is looked for there)."""
    if not (gobuild.cached(builds.ETCD) and gobuild.cached(builds.K8S)):
        pytest.skip("etcd / Kubernetes not built yet: bash scripts/local-cluster.sh build")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("APPMOD_VALIDATOR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp
    assert _processes(tmp) == [], "processes left behind"
    assert [p.name for p in tmp.iterdir()] == [], "files left behind"


def _processes(folder):
    lines = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout.splitlines()
    return [line for line in lines if str(folder) in line]


def _api(ready):
    from kubernetes import config

    return config.new_client_from_config(config_file=ready["kubeconfig"])


def _render(*manifests):
    return {"host": "h", "objects": [], "namespaces": {"ns": {}}, "level_names": [],
            "releases": [{"component": "widgets", "release_namespace": "ns", "manifests": list(manifests), "levels": [{}]}]}


def _validate(ready, render):
    import sys

    sys.path.insert(0, str(COLLECTIONS))
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun

    api = _api(ready)
    try:
        return dryrun.validate_render(api, [render], private=True, preloaded=ready["preloaded"],
                                      keep_crds=["applications.argoproj.io"])
    finally:
        api.close()


def test_warm_start_serves_the_kept_crds_and_the_dry_run_keeps_only_the_rendered(tmp_path):
    cold = BackgroundValidator.start(watch_pid=os.getpid())
    try:
        ready = cold.attach()
        assert ready["preloaded"] == []  # nothing kept yet
        verdict = _validate(ready, _render(CRD, WIDGET))  # it applies the CRD itself
        assert verdict["problems"] == [] and verdict["checked"] == 1
    finally:
        cold.stop()
    assert not cold.dir.exists()

    validator.save_warm({"some text digest": CRD})
    warm = BackgroundValidator.start(watch_pid=os.getpid())
    try:
        ready = warm.attach()
        assert ready["preloaded"] == [CRD]  # held from the start: Established before the dry run asks
        assert _validate(ready, _render(CRD, WIDGET))["problems"] == []
    finally:
        warm.stop()
    templates = list((tmp_path / "cache").glob("plane-*"))
    assert len(templates) == 1

    # A kept CRD the render no longer brings is deleted first: its kind is not served to this render.
    again = BackgroundValidator.start(watch_pid=os.getpid())
    try:
        verdict = _validate(again.attach(), _render(WIDGET))
    finally:
        again.stop()
    assert [p["message"] for p in verdict["problems"]] == [
        "the API server does not serve example.appmod.local/v1 Widget (no such CRD here)"]
    assert list((tmp_path / "cache").glob("plane-*")) == templates  # the same warm start, not made again


def test_stopped_before_it_is_up_it_stops_at_once():
    plane = BackgroundValidator.start(watch_pid=os.getpid())
    time.sleep(1)
    start = time.monotonic()
    plane.stop()
    print("\nstopped while starting in %.1f s" % (time.monotonic() - start))
    assert not plane.dir.exists()


def test_it_never_outlives_the_run_that_started_it():
    run = subprocess.Popen(["sleep", "300"])
    plane = BackgroundValidator.start(watch_pid=run.pid)
    try:
        plane.attach()
        pid = plane.pid()
        run.kill()
        run.wait()
        deadline = time.monotonic() + 60
        while (plane.dir.exists() or alive(pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not plane.dir.exists(), plane.log_tail()
        assert not alive(pid)
    finally:
        run.kill()
        plane.stop()


def test_on_a_target_the_prerequisites_crds_count_as_brought():
    """A target cluster without the Gateway API CRDs yet: the run applies them (the catalogue's prerequisites)
    before the charts, so a Gateway in a chart is deferred, not refused as a kind nobody serves."""
    import sys

    sys.path.insert(0, str(COLLECTIONS))
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun
    from tools.localstack.private import PrivateControlPlane

    widget_crd = dict(CRD, metadata={"name": CRD["metadata"]["name"]})
    with PrivateControlPlane() as target:
        api = target.api()
        render = dict(_render(WIDGET), namespaces={})
        refused = dryrun.validate_render(api, [render], private=False)
        assert [p["message"] for p in refused["problems"]] == [
            "the API server does not serve example.appmod.local/v1 Widget (no such CRD here)"]
        verdict = dryrun.validate_render(api, [dict(render, prerequisites=[widget_crd])], private=False)
        assert verdict["problems"] == [] and verdict["deferred"] == ["Widget ns/w"]
        # the target is not changed, and the prerequisites themselves are not judged there
        from kubernetes import client as k

        assert not [c for c in k.ApiextensionsV1Api(api).list_custom_resource_definition().items
                    if c.metadata.name == CRD["metadata"]["name"]]


def test_a_targets_judges_change_with_what_decides_its_verdict():
    """The key of a remembered dry run (server_validate accepted_cache) on a real API server: read as metadata
    only, it is the same while nothing changes, and changes with a namespace's labels (Pod Security), a new CRD,
    a new admission policy, a ResourceQuota or LimitRange."""
    import sys

    sys.path.insert(0, str(COLLECTIONS))
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun
    from tools.localstack.private import PrivateControlPlane

    with PrivateControlPlane() as target:
        api = target.api()
        first = dryrun.cluster_judges(api)
        assert first == dryrun.cluster_judges(api)
        assert ("namespaces", "", "default") in {j[:3] for j in first}
        seen = {dryrun.accepted_key("s", "d", first)}
        changes = [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns"}},
            {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "ns", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}},
            dict(CRD, metadata={"name": CRD["metadata"]["name"]}),
            {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "ns"},
             "spec": {"hard": {"pods": "3"}}},
            {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l", "namespace": "ns"},
             "spec": {"limits": [{"type": "Container", "max": {"cpu": "1"}}]}},
            {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
             "metadata": {"name": "p"}, "spec": {"validations": [{"expression": "true"}],
                                                 "matchConstraints": {"resourceRules": [{
                                                     "apiGroups": ["apps"], "apiVersions": ["v1"],
                                                     "operations": ["CREATE"], "resources": ["deployments"]}]}}},
        ]
        for change in changes:
            target.apply([change])
            key = dryrun.accepted_key("s", "d", dryrun.cluster_judges(api))
            assert key not in seen, "no new key after %s %s" % (change["kind"], change["metadata"]["name"])
            seen.add(key)
