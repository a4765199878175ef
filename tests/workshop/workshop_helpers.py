"""Helpers for tests/workshop: write an event file, run playbooks/workshop-event.yml, read the recap and the cluster."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

import harness  # tests/ is the import root (no __init__.py)
from harness import Run, run_timed

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
KUBECONFIG = Path(os.environ.get("APPMOD_KUBECONFIG") or ROOT / ".local-cluster" / "kubeconfig")
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"

# What every local tenants event of these tests uses: the local inventory's repository, chart mirror and
# level 4 (events/example.yml without overrides), read from the inventory rather than copied.
_LOCAL_ALL = yaml.safe_load((ROOT / "inventories/local/group_vars/all.yml").read_text())
_LOCAL_ENV = yaml.safe_load((ROOT / "inventories/local/group_vars/local.yml").read_text())
LOCAL_VARS = {
    "agent_platform_local_cluster": True,
    "agent_platform_kubeconfig": str(KUBECONFIG),
    "agent_platform_repo_url": _LOCAL_ALL["agent_platform_repo_url"],
    "agent_platform_repo_revision": _LOCAL_ALL["agent_platform_repo_revision"],
    "agent_platform_chart_mirror_url": "http://127.0.0.1:18879",
    "agent_platform_environment": "local",
    "agent_platform_environment_values": _LOCAL_ENV["agent_platform_environment_values"],
}


# The sample event's fixed fields (tests/badinput starts from it too); name and vars are the caller's.
SAMPLE_EVENT = {
    "plugin": "appmod.agent_platform.workshop_event",
    "workshop_type": "agent-platform",
    "mode": "tenants",
    "region": "us-east-1",
    "start": "2026-12-01T09:00:00+00:00",
    "end": "2026-12-01T17:00:00+00:00",
    "delivery": "argocd",
}


def event_file(path: Path, **fields) -> Path:
    data = dict(SAMPLE_EVENT, vars=LOCAL_VARS)
    data.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run_event(event: Path, *args: str, env: dict | None = None, timeout: int = 900) -> Run:
    cmd = [str(VENV_BIN / "ansible-playbook"), str(ROOT / "playbooks" / "workshop-event.yml"), "-i", str(event), *args]
    full_env = dict(os.environ if env is None else env)
    full_env.update(ANSIBLE_INVENTORY_ENABLED="appmod.agent_platform.workshop_event",
                    ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    return run_timed(cmd, full_env, timeout)


def kubectl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """kubectl on the shared cluster; the caller reads the exit code."""
    return harness.kubectl(KUBECONFIG, *args, input=stdin, check=False, timeout=60)


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
