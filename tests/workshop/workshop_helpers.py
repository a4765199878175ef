"""Helpers for tests/workshop: write an event file, run playbooks/workshop-event.yml, read the recap and the cluster."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from helpers_runs import Run, run_timed  # tests/ is the import root (no __init__.py)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
KUBECONFIG = Path(os.environ.get("APPMOD_KUBECONFIG") or ROOT / ".local-cluster" / "kubeconfig")
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"

# What every local tenants event of these tests uses (events/example.yml without overrides).
LOCAL_VARS = {
    "agent_platform_local_cluster": True,
    "agent_platform_kubeconfig": str(KUBECONFIG),
    "agent_platform_repo_url": "git://127.0.0.1:19418/agent-platform.git",
    "agent_platform_repo_revision": "main",
    "agent_platform_environment": "local",
    "agent_platform_environment_values": {"components": {"kagent": {"config": {"replicas": 1}},
                                                         "litellm": {"config": {"replicas": 1}}}},
}


def event_file(path: Path, **fields) -> Path:
    data = {
        "plugin": "appmod.agent_platform.workshop_event",
        "workshop_type": "agent-platform",
        "mode": "tenants",
        "region": "us-east-1",
        "start": "2026-12-01T09:00:00+00:00",
        "end": "2026-12-01T17:00:00+00:00",
        "delivery": "argocd",
        "vars": LOCAL_VARS,
    }
    data.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run_event(event: Path, *args: str, env: dict | None = None, timeout: int = 900) -> Run:
    cmd = [str(VENV_BIN / "ansible-playbook"), str(ROOT / "playbooks" / "workshop-event.yml"), "-i", str(event), *args]
    full_env = dict(os.environ if env is None else env)
    full_env.update(ANSIBLE_INVENTORY_ENABLED="appmod.agent_platform.workshop_event",
                    ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    return run_timed(cmd, full_env, timeout)


def kubectl_json(*args: str) -> dict:
    proc = subprocess.run([str(KUBECTL), "--kubeconfig", str(KUBECONFIG), *args, "-o", "json"],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)


def leftovers(prefix: str) -> dict:
    """Everything on the cluster whose name starts with the event's prefix."""
    def names(*args):
        return sorted(i["metadata"]["name"] for i in kubectl_json("get", *args)["items"]
                      if i["metadata"]["name"].startswith(prefix + "-"))
    return {
        "applications": names("applications.argoproj.io", "-n", "argocd"),
        "namespaces": names("namespaces"),
        "secrets": names("secrets", "-n", "argocd"),
        "clusterroles": names("clusterroles"),
    }


NOTHING = {"applications": [], "namespaces": [], "secrets": [], "clusterroles": []}
