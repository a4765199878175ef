"""Preflight of the component roles: bad input fails before any cluster call, with a message
naming the variable. No cluster needed (the kubeconfig points nowhere)."""
from __future__ import annotations

import subprocess

import pytest
import yaml

from .conftest import ROOT

pytestmark = pytest.mark.helm

CASES = [
    (["kagent"], {"kagent_values": {"modelConfig": {"model": ""}}}, ["kagent_values", "modelConfig", "model"]),
    (["kagent"], {"kagent_values": {"replicas": "three"}}, ["kagent_values", "replicas"]),
    (["litellm"], {"litellm_values": {"image": {"tag": "latest"}}}, ["litellm_values", "latest", "pin a version"]),
    (["langfuse"], {"langfuse_values": "postgres: false"}, ["langfuse_values"]),
    (["agent_core"], {"agent_core_values": {"networkMode": "PRIVATE"}}, ["agent_core_values", "networkMode"]),
    (["jaeger"], {"jaeger_namespace": "Agent_Platform"}, ["jaeger_namespace"]),
    (["kagent", "grafana"], {}, ["unknown", "grafana"]),
]


@pytest.mark.parametrize("components,extra,needles", CASES, ids=[c[2][0] + "-" + str(i) for i, c in enumerate(CASES)])
def test_preflight_refuses_bad_input(env, tmp_path, components, extra, needles):
    varsfile = tmp_path / "vars.yml"
    varsfile.write_text(yaml.safe_dump({"components": components, **extra}))
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ansible-playbook"), str(ROOT / "playbooks" / "components.yml"),
         "-e", f"agent_platform_kubeconfig={tmp_path / 'no-such-kubeconfig'}", "-e", f"@{varsfile}"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    for needle in needles:
        assert needle in out, f"{needle!r} not in output:\n{out[-2500:]}"
    # failed in validation, before the first task that talks to a cluster
    assert "Ensure the namespace with Pod Security" not in out
    assert "no-such-kubeconfig" not in out.split("fatal")[-1]
