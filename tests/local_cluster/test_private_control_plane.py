"""Private, throwaway control planes (tools.localstack.private): own state dir and free ports, CRDs
loaded, and nothing left behind - no process, no listening port, no file."""
from __future__ import annotations

import socket
import time

import pytest
import yaml

from .helpers import ROOT  # noqa: F401 - puts the project root on sys.path

from tools.localstack import builds, gobuild  # noqa: E402
from tools.localstack.common import LocalStackError  # noqa: E402
from tools.localstack.private import PrivateControlPlane  # noqa: E402
from tools.localstack.supervisor import alive, port_open  # noqa: E402

pytestmark = pytest.mark.cluster

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.appmod.local"},
    "spec": {"group": "example.appmod.local", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
             "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                 "type": "object", "properties": {"spec": {"type": "object", "required": ["size"], "properties": {
                     "size": {"type": "integer", "minimum": 1}}}}}}}]},
}


@pytest.fixture(scope="module", autouse=True)
def binaries():
    if not (gobuild.cached(builds.ETCD) and gobuild.cached(builds.K8S)):
        pytest.skip("etcd / Kubernetes not built yet: bash scripts/local-cluster.sh build")


def test_apiserver_only_with_crds_and_nothing_left(tmp_path):
    crd_file = tmp_path / "widget-crd.yaml"
    crd_file.write_text(yaml.safe_dump(CRD))
    start = time.monotonic()
    with PrivateControlPlane(crd_files=[crd_file]) as cp:
        print("\nprivate control plane (etcd + kube-apiserver, 1 CRD) up in %.1f s" % (time.monotonic() - start))
        from kubernetes import client as k
        from kubernetes.client.exceptions import ApiException

        assert k.VersionApi(cp.api()).get_code().git_version == "v1.34.4"
        assert sorted(cp.settings.components) == ["etcd", "kube-apiserver"]
        pids = [cp.pid("etcd"), cp.pid("kube-apiserver")]
        ports, state = cp.ports, cp.dir
        assert str(state).startswith("/tmp/") or state.is_dir()
        custom = k.CustomObjectsApi(cp.api())
        ok = {"apiVersion": "example.appmod.local/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 2}}
        custom.create_namespaced_custom_object("example.appmod.local", "v1", "default", "widgets", ok)
        bad = dict(ok, metadata={"name": "w2"}, spec={"size": 0})
        with pytest.raises(ApiException) as err:  # the CRD's schema is enforced: a validator can rely on it
            custom.create_namespaced_custom_object("example.appmod.local", "v1", "default", "widgets", bad)
        assert err.value.status == 422
        # load more CRDs later: the Argo CD CRDs of the pinned version
        from tools.localstack import crds

        assert cp.load_crds(*crds.crd_files()) == list(crds.NAMES)
    assert not any(alive(p) for p in pids)
    assert not any(port_open(p) for p in ports)
    assert not state.exists()


def test_port_clash_is_named_and_cleaned_up():
    cp = PrivateControlPlane()
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", cp.settings.api_port))
        s.listen()
        with pytest.raises(LocalStackError) as err:
            with cp:
                pass
    assert "port %d" % cp.settings.api_port in str(err.value)
    assert "kube-apiserver" in str(err.value)
    assert not cp.dir.exists() and not any(port_open(p) for p in cp.ports)


def test_restart_a_killed_component():
    with PrivateControlPlane() as cp:
        old = cp.kill("kube-apiserver")
        assert not alive(old) and not cp.cluster.apiserver_ready()
        assert cp.up() == "started"
        assert cp.pid("kube-apiserver") != old and cp.wait_api(30)
