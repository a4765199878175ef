"""The real API server judges a render before anything is written (appmod.agent_platform.server_validate): with
no cluster, render.yml starts a private throwaway control plane from the local default's binaries, and it leaves
no process, port or file behind. Refusals name the component, the object, the API server's words and the values
level that set the offending value. (Against a target, the same check runs in every playbook's preflight and in
--check: tests/badinput.)"""
from __future__ import annotations

import glob
import subprocess

import pytest

from harness import run_playbook

pytestmark = [pytest.mark.cluster]
PLANES = "/tmp/appmod-private-cp-*"


def _processes():
    return set(subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout.splitlines())


def _render(tmp_path, mirror, **extra):
    return run_playbook("render.yml", "inventories/local",
                        dict({"render_dir": tmp_path / "out", "enable_agent_platform": "true",
                              "agent_platform_chart_mirror_url": mirror}, **extra), args=("-v",))


def test_render_is_judged_by_a_private_plane_that_leaves_nothing(tmp_path, chart_mirror_url):
    planes, before = set(glob.glob(PLANES)), _processes()
    run = _render(tmp_path, chart_mirror_url)
    assert run.rc == 0, run.why()
    assert "objects accepted by the private control plane" in run.out, run.why()
    assert set(glob.glob(PLANES)) == planes, "a state dir was left behind"
    new = [p for p in _processes() - before if "appmod-private-cp-" in p]
    assert not new, new
    assert (tmp_path / "out" / "local-cluster" / "components" / "kagent" / "manifests.yaml").is_file()


@pytest.mark.parametrize("config,needles", [
    ({"resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}},
     ["Deployment agent-platform/litellm", "must be less than or equal to cpu limit",
      'resources.requests.cpu="2" was set by level 6 (cluster overrides']),
    ({"jaeger": {"securityContext": {"allowPrivilegeEscalation": True}}},
     ["Deployment agent-platform/jaeger (its pods)", 'violates PodSecurity "restricted', "allowPrivilegeEscalation != false",
      "jaeger.securityContext.allowPrivilegeEscalation=true was set by level 6 (cluster overrides"]),
], ids=["requests above limits", "privilege escalation under Pod Security restricted"])
def test_render_refuses_what_the_api_server_refuses_and_writes_nothing(tmp_path, chart_mirror_url, config, needles):
    component = needles[0].split("/")[1].split()[0]
    planes = set(glob.glob(PLANES))
    run = _render(tmp_path, chart_mirror_url,
                  agent_platform_cluster_values={"components": {component: {"config": config}}})
    assert run.rc != 0, run.why()
    assert "The API server refuses what this run would apply; nothing was changed" in run.out, run.why()
    assert "local-cluster: component %s:" % component in run.out
    for needle in needles:
        assert needle in run.out, (needle, run.why())
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.yaml"))
    assert set(glob.glob(PLANES)) == planes
