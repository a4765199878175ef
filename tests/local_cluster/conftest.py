"""Fixtures for the local control plane tests (marker ``cluster``).

scripts/test.sh brings the cluster up before pytest; the session fixture calls
``scripts/local-cluster.sh up`` again, which must then be a quick no-op.
"""

from __future__ import annotations

import os
import uuid

import pytest

from .helpers import KUBECONFIG, ROOT, run_script


@pytest.fixture(scope="session")
def cluster_up():
    proc, _ = run_script("up")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return KUBECONFIG


@pytest.fixture(scope="session")
def api(cluster_up):
    kubernetes = pytest.importorskip("kubernetes")
    client = kubernetes.config.new_client_from_config(config_file=str(cluster_up))
    yield client
    client.close()


@pytest.fixture
def namespace(api):
    """A fresh namespace, deleted afterwards (the namespace controller finishes it)."""
    from kubernetes import client

    core = client.CoreV1Api(api)
    name = f"lc-test-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name, propagation_policy="Background")


@pytest.fixture(scope="session")
def env_with_tools() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / '.tools' / 'bin'}:{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
    env["PROJECT_ROOT"] = str(ROOT)
    return env
