"""Objects as data (manifests), the PKI and the chart mirror process."""
from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

import pytest
import yaml

from tools.localstack import manifests, pki
from tools.localstack.mirror import ChartMirror, MirrorSettings
from tools.localstack.supervisor import free_ports, port_open

ROOT = Path(__file__).resolve().parents[3]


def test_fake_nodes_and_static_pvs():
    nodes = manifests.fake_nodes(2, "32", "128Gi", 110)
    assert [n["metadata"]["name"] for n in nodes] == ["kwok-node-0", "kwok-node-1"]
    assert nodes[1]["metadata"]["annotations"]["kwok.x-k8s.io/node"] == "fake"
    assert nodes[0]["status"]["allocatable"] == {"cpu": "32", "memory": "128Gi", "pods": "110", "ephemeral-storage": "1Ti"}
    pvs = manifests.static_pvs(3, "100Gi")
    assert [p["metadata"]["name"] for p in pvs] == ["local-pv-000", "local-pv-001", "local-pv-002"]
    assert all(p["spec"]["storageClassName"] == "standard" for p in pvs)
    assert manifests.storage_class()["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"


def test_argocd_config_objects():
    lua = (ROOT / "roles" / "argocd" / "files" / "application-health.lua").read_text()
    cm = manifests.argocd_cm(lua, 60)
    assert cm["data"][manifests.HEALTH_KEY] == lua and cm["data"]["timeout.reconciliation"] == "60s"
    assert cm["metadata"]["labels"]["app.kubernetes.io/part-of"] == "argocd"
    proj = manifests.default_app_project()
    assert proj["kind"] == "AppProject" and proj["spec"]["sourceRepos"] == ["*"]


def test_pki_and_kubeconfig(tmp_path):
    from cryptography import x509

    d = tmp_path / "pki"
    assert pki.ensure_pki(d, "10.96.0.0/16") is True
    assert pki.ensure_pki(d, "10.96.0.0/16") is False  # kept as it is
    assert oct(d.stat().st_mode & 0o777) == "0o700"
    assert oct((d / "ca.key").stat().st_mode & 0o777) == "0o600"
    cert = x509.load_pem_x509_certificate((d / "apiserver.crt").read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "kubernetes.default.svc.cluster.local" in sans.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "10.96.0.1"]
    admin = x509.load_pem_x509_certificate((d / "admin.crt").read_bytes())
    assert "O=system:masters" in admin.subject.rfc4514_string()
    # the chain verifies with openssl, as kube-apiserver will
    subprocess.run(["openssl", "verify", "-CAfile", str(d / "ca.crt"), str(d / "apiserver.crt"), str(d / "admin.crt")],
                   check=True, capture_output=True)
    kc = manifests.kubeconfig("https://127.0.0.1:6443", d, "admin")
    assert yaml.safe_load(yaml.safe_dump(kc))["users"][0]["user"]["client-key"] == str(d / "admin.key")


def test_chart_mirror_serves_a_directory(tmp_path):
    repo = tmp_path / "charts"
    repo.mkdir()
    (repo / "index.yaml").write_text("apiVersion: v1\nentries: {}\n")
    port = free_ports(1)[0]
    m = ChartMirror(MirrorSettings(directory=repo, port=port, state_dir=tmp_path / "state"))
    assert m.status()[0] is False
    try:
        assert m.up() == "started"
        assert m.up() == "already up"
        ok, line = m.status()
        assert ok and m.url in line
        with urllib.request.urlopen(m.url + "/index.yaml") as resp:
            assert b"entries" in resp.read()
    finally:
        assert m.down() == "stopped"
    assert not port_open(port) and m.down() == "not running"


def test_chart_mirror_refuses_a_directory_without_index(tmp_path):
    from tools.localstack.common import LocalStackError

    m = ChartMirror(MirrorSettings(directory=tmp_path, port=free_ports(1)[0], state_dir=tmp_path / "state"))
    with pytest.raises(LocalStackError, match="no index.yaml"):
        m.up()


def _crd(name, marker="a"):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": name, "annotations": {"m": marker}}}


def test_validator_warm_set_is_the_union_of_recent_runs(tmp_path, monkeypatch):
    from tools.localstack import validator

    monkeypatch.setenv("APPMOD_VALIDATOR_CACHE", str(tmp_path))
    assert validator.load_warm() == [] and validator.load_warm_texts() == {}
    assert validator.save_warm({"h1": _crd("a.x"), "h2": _crd("b.x")})
    assert not validator.save_warm({"h1": _crd("a.x")})  # a render without b: b stays, nothing changed
    assert [o["metadata"]["name"] for o in validator.load_warm()] == ["a.x", "b.x"]
    assert validator.save_warm({"h3": _crd("a.x", "new")})  # a new text of a: it replaces the old one
    assert validator.load_warm_texts() == {"h3": _crd("a.x", "new"), "h2": _crd("b.x")}
    monkeypatch.setattr(validator, "KEEP_RUNS", 3)
    validator.save_warm({"h3": _crd("a.x", "new")})
    assert [o["metadata"]["name"] for o in validator.load_warm()] == ["a.x"]  # b unseen for 3 runs: dropped


def test_the_shared_notes_are_found_from_a_clone_anywhere(tmp_path):
    """The chart mirror and the kagent sources live beside the project; a clone elsewhere (CI's) still finds them."""
    from tools.localstack import common

    assert common.shared_dir({"APPMOD_SHARED_DIR": "/somewhere"}) == common.Path("/somewhere")
    (tmp_path / "shared").mkdir()
    (tmp_path / "clone").mkdir()
    assert common.shared_dir({"PROJECT_ROOT": str(tmp_path / "clone")}) == tmp_path / "shared"
    assert common.shared_dir({"PROJECT_ROOT": str(tmp_path / "shared" / "clone")}) == common.Path("/work/shared")
