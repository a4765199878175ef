"""The real API server judges a render before anything is written (appmod.agent_platform.server_validate): with
no cluster, render.yml starts a private throwaway control plane from the local default's binaries, and it leaves
no process, port or file behind. Refusals name the component, the object, the API server's words and the values
level that set the offending value. (Against a target, the same check runs in every playbook's preflight and in
--check: tests/badinput.)"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import run_playbook

pytestmark = [pytest.mark.cluster]


@pytest.fixture
def own_tmp():
    """The run's TMPDIR, where its private plane keeps its state: other tests may run private planes in /tmp at
    the same time (CI's second lane), so only this folder tells what this run left. Short: under /tmp."""
    path = Path(tempfile.mkdtemp(prefix="sv-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _planes(own_tmp):
    return sorted(p.name for p in own_tmp.glob("appmod-*"))  # private planes, validation work dirs


def _processes(own_tmp):
    lines = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout.splitlines()
    return [line for line in lines if str(own_tmp) in line]


def _render(tmp_path, mirror, own_tmp, **extra):
    return run_playbook("render.yml", "inventories/local",
                        dict({"render_dir": tmp_path / "out", "enable_agent_platform": "true",
                              "agent_platform_chart_mirror_url": mirror}, **extra),
                        extra_env={"TMPDIR": str(own_tmp)}, args=("-v",))


def test_render_is_judged_by_a_private_plane_that_leaves_nothing(tmp_path, chart_mirror_url, own_tmp):
    run = _render(tmp_path, chart_mirror_url, own_tmp)
    assert run.rc == 0, run.why()
    assert "objects accepted by the private control plane" in run.out, run.why()
    assert _planes(own_tmp) == [], "a state dir was left behind"
    assert _processes(own_tmp) == []
    assert (tmp_path / "out" / "local-cluster" / "components" / "kagent" / "manifests.yaml").is_file()


@pytest.mark.parametrize("config,needles", [
    ({"resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}},
     ["Deployment agent-platform/litellm", "must be less than or equal to cpu limit",
      'resources.requests.cpu="2" was set by level 6 (cluster overrides']),
    ({"jaeger": {"securityContext": {"allowPrivilegeEscalation": True}}},
     ["Deployment agent-platform/jaeger (its pods)", 'violates PodSecurity "restricted', "allowPrivilegeEscalation != false",
      "jaeger.securityContext.allowPrivilegeEscalation=true was set by level 6 (cluster overrides"]),
], ids=["requests above limits", "privilege escalation under Pod Security restricted"])
def test_render_refuses_what_the_api_server_refuses_and_writes_nothing(tmp_path, chart_mirror_url, own_tmp, config, needles):
    component = needles[0].split("/")[1].split()[0]
    run = _render(tmp_path, chart_mirror_url, own_tmp,
                  agent_platform_cluster_values={"components": {component: {"config": config}}})
    assert run.rc != 0, run.why()
    assert "The API server refuses what this run would apply; nothing was changed" in run.out, run.why()
    assert "local-cluster: component %s:" % component in run.out
    for needle in needles:
        assert needle in run.out, (needle, run.why())
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.yaml"))
    assert _planes(own_tmp) == [] and _processes(own_tmp) == []


def test_prerequisites_are_loaded_into_the_private_plane(tmp_path, chart_mirror_url, own_tmp):
    """inventories/dev enables agent-gateway, whose Gateway and HTTPRoute need the Gateway API CRDs that a cluster
    gets before the charts (the catalogue's prerequisites): the private plane must hold them too."""
    run = run_playbook("render.yml", "inventories/dev",
                       {"render_dir": tmp_path / "out", "agent_platform_chart_mirror_url": chart_mirror_url},
                       extra_env={"TMPDIR": str(own_tmp)}, args=("-v",))
    assert run.rc == 0, run.why()
    assert "objects accepted by the private control plane" in run.out, run.why()
    assert "Gateway agent-platform/agent-gateway" not in run.out
    manifests = next((tmp_path / "out").glob("*/components/agent-gateway/manifests.yaml")).read_text()
    assert "kind: HTTPRoute" in manifests and "kind: Gateway\n" in manifests
    assert _planes(own_tmp) == [] and _processes(own_tmp) == []
