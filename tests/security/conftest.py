"""Fixtures for the security checks.

* ``rendered``: playbooks/render.yml on inventories/dev (every component, agent-core included) into a
  temporary folder; returns the folder and the list of every rendered object.
* ``shared_kubeconfig``: the shared local control plane (skip when it is down). Tests on it only create
  objects in their own ``sec-*`` namespaces and delete them afterwards.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

import harness  # tests/ is the import root

ROOT = Path(__file__).resolve().parents[2]
KUBECONFIG = ROOT / ".local-cluster" / "kubeconfig"
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"


def ansible_env():
    e = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
             PATH="%s:%s:%s" % (ROOT / ".tools/bin", ROOT / ".venv/bin", os.environ["PATH"]))
    for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM", "K8S_AUTH_KUBECONFIG", "KUBECONFIG", "APPMOD_KUBECONFIG"):
        e.pop(k, None)
    return e


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, chart_mirror_url):
    out = tmp_path_factory.mktemp("security-render")
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/render.yml", "-i", "inventories/dev",
                           "-e", json.dumps({"render_dir": str(out), "agent_platform_chart_mirror_url": chart_mirror_url,
                                             # the API server's verdict is tests/cluster's; these read the files
                                             "agent_platform_server_validation": False})],
                          cwd=ROOT, env=ansible_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    objects = []
    for path in sorted(out.rglob("manifests.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind"):
                objects.append((path.parent.name, doc))
    assert objects
    return out, objects, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def shared_kubeconfig():
    return harness.shared_cluster_kubeconfig()


def kubectl(kubeconfig, *args, stdin=None, check=False, timeout=120):
    return subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout, check=check)


@pytest.fixture
def own_namespace(shared_kubeconfig, request):
    """A namespace of this test on the shared cluster (``sec-<name>``), deleted afterwards."""
    created = []

    def make(name, labels=None):
        ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}}
        proc = kubectl(shared_kubeconfig, "apply", "-f", "-", stdin=json.dumps(ns))
        assert proc.returncode == 0, proc.stderr
        created.append(name)
        return name

    yield make
    for name in created:
        kubectl(shared_kubeconfig, "delete", "namespace", name, "--wait=false")
