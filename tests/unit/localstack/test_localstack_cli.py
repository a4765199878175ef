"""The CLI contract: python -m tools.localstack <stack> <command>, settings from the environment."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT_DIR = str(Path(__file__).resolve().parents[3])


def cli(*args, **env):
    e = dict(os.environ, PYTHONPATH=ROOT_DIR, **env)
    return subprocess.run([sys.executable, "-m", "tools.localstack", *args], cwd=ROOT_DIR, env=e,
                          capture_output=True, text=True, timeout=120)


def kv(out):
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_cluster_env_and_kubeconfig_follow_the_environment(tmp_path):
    p = cli("cluster", "env", LOCAL_CLUSTER_DIR=str(tmp_path / "lc"), LOCAL_CLUSTER_API_PORT="36443",
            APPMOD_CACHE_DIR=str(tmp_path / "cache"))
    assert p.returncode == 0, p.stderr
    env = kv(p.stdout)
    assert env["LOCAL_CLUSTER_API_PORT"] == "36443" and env["LOCAL_CLUSTER_SERVER"] == "https://127.0.0.1:36443"
    assert env["KUBECONFIG"] == str(tmp_path / "lc" / "kubeconfig")
    assert env["LOCAL_CLUSTER_K8S_VERSION"] == "v1.34.4"
    assert env["LOCAL_CLUSTER_ARGOCD_VERSION"] == "v3.6.1"  # the binary's version by default
    assert cli("cluster", "kubeconfig", LOCAL_CLUSTER_DIR=str(tmp_path / "lc")).stdout.strip() == env["KUBECONFIG"]


def test_argocd_env_and_mirror_url():
    env = kv(cli("argocd", "env", ARGOCD_LOCAL_GIT_PORT="29418", APPMOD_CHART_MIRROR_PORT="28879").stdout)
    assert env["ARGOCD_LOCAL_GIT_URL"] == "git://127.0.0.1:29418/agent-platform.git"
    assert env["APPMOD_CHART_MIRROR_URL"] == "http://127.0.0.1:28879"
    assert env["ARGOCD_VERSION"] == "v3.6.1" and env["ARGOCD_BIN"].endswith("/argocd-local/v3.6.1/bin/argocd-local")
    assert cli("mirror", "url", APPMOD_CHART_MIRROR_PORT="28879").stdout.strip() == "http://127.0.0.1:28879"


def test_build_list_names_every_build():
    p = cli("build")
    assert p.returncode == 0, p.stderr
    for name in ("etcd", "k8s", "kwok", "argocd-local"):
        assert name in p.stdout


def test_errors_are_one_line_without_traceback(tmp_path):
    p = cli("cluster", "status", LOCAL_CLUSTER_API_PORT="sixty")
    assert p.returncode == 1
    assert p.stderr.strip() == "[local-cluster] ERROR: LOCAL_CLUSTER_API_PORT='sixty' is not an integer"
    p = cli("build", "nope")
    assert p.returncode == 1 and "unknown build nope" in p.stderr


def test_status_of_a_stopped_cluster_exits_1(tmp_path):
    p = cli("cluster", "status", LOCAL_CLUSTER_DIR=str(tmp_path / "none"), LOCAL_CLUSTER_API_PORT="1")
    assert p.returncode == 1 and "stopped" in p.stdout and "not ready" in p.stdout
