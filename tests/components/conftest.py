"""Fixtures for the component role tests on the local control plane (marker ``cluster``).

The cluster is not started here: scripts/test.sh brings it up before pytest. When
``scripts/local-cluster.sh status`` fails the tests are skipped with that reason. Pods are
faked by kwok, so any image "runs"; the API server, admission (Pod Security), CRD
validation, Helm and the roles are real.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBECONFIG = ROOT / ".local-cluster" / "kubeconfig"
# kubernetes.core 6.2 is tested with Helm 3; the charts themselves are linted/rendered on 3 and 4.
HELM = ROOT / ".tools" / "bin" / "helm3"
ALL = ["tofu_controller", "kagent", "jaeger", "litellm", "langfuse", "agent_gateway", "agent_core"]
PV_NAME = "components-test-langfuse-pv"


@pytest.fixture(scope="session")
def kubeconfig() -> Path:
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "local-cluster.sh"), "status"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not KUBECONFIG.exists():
        pytest.skip("local cluster not running (scripts/local-cluster.sh status): " + proc.stdout.strip()[-300:])
    return KUBECONFIG


@pytest.fixture(scope="session")
def api(kubeconfig):
    kubernetes = pytest.importorskip("kubernetes")
    client = kubernetes.config.new_client_from_config(config_file=str(kubeconfig))
    yield client
    client.close()


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{ROOT / '.tools' / 'bin'}:{ROOT / '.venv' / 'bin'}:{e.get('PATH', '')}"
    e["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
    e.pop("K8S_AUTH_KUBECONFIG", None)
    return e


@pytest.fixture(scope="session")
def local_values(tmp_path_factory) -> Path:
    """Values for a 2-core local cluster: small requests, Langfuse on a static PV."""
    small = {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}}
    vals = {
        "kagent_values": {"resources": small},
        "litellm_values": {"replicas": 1, "resources": small},
        "agent_gateway_values": {"replicas": 1, "resources": small},
        "jaeger_values": {"resources": small},
        "langfuse_values": {"resources": small, "postgres": {"storage": "1Gi", "resources": small},
                            "redis": {"resources": small}},
        "tofu_controller_values": {"resources": small},
        "agent_core_values": {"resources": small, "projectName": "ekspoc-dev-v4"},
        "tofu_controller_wait_timeout": "180s",
    }
    path = tmp_path_factory.mktemp("components") / "local-values.yml"
    path.write_text(yaml.safe_dump(vals))
    return path


def run_playbook(env, kubeconfig, values_file, state="present", components=ALL, extra=None):
    cmd = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), str(ROOT / "playbooks" / "components.yml"),
           "-e", f"agent_platform_kubeconfig={kubeconfig}", "-e", f"agent_platform_helm_binary={HELM}",
           "-e", f"components_state={state}", "-e", yaml.safe_dump({"components": components}, default_flow_style=True).strip(),
           "-e", f"@{values_file}"]
    for item in extra or []:
        cmd += ["-e", item]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)


def recap(stdout: str) -> dict[str, int]:
    m = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", stdout)
    assert m, stdout[-2000:]
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, m.groups())))


@pytest.fixture(scope="session")
def static_pv(api):
    """A PV for the Langfuse PostgreSQL claim (the local cluster has no provisioner)."""
    from kubernetes import client
    core = client.CoreV1Api(api)
    pv = client.V1PersistentVolume(
        metadata=client.V1ObjectMeta(name=PV_NAME),
        spec=client.V1PersistentVolumeSpec(
            capacity={"storage": "1Gi"}, access_modes=["ReadWriteOnce"],
            persistent_volume_reclaim_policy="Delete", storage_class_name="",
            host_path=client.V1HostPathVolumeSource(path="/tmp/" + PV_NAME)))
    try:
        core.create_persistent_volume(pv)
    except client.ApiException as exc:
        if exc.status != 409:
            raise
    yield PV_NAME
    core.delete_persistent_volume(PV_NAME)
