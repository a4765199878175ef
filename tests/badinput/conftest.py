"""Bad input against the shared local control plane: every case runs a real playbook and must leave
the cluster unchanged.

``cluster_snapshot`` records Applications and Secrets in ``argocd``, Namespaces and Helm release
Secrets (label ``owner=helm``) by name and resourceVersion; ``assert_unchanged`` compares after the
run. Other engineers run tests on the same cluster at the same time (``peeks-*``, ``evt-*``, ``ev20-*``
...), so the comparison is scoped to what a case could touch: every case passes its own resource prefix
(``bad``), cluster name and cluster secret (``bad-cluster``) and namespaces (``bad-*``, tofu-controller
included), so any object whose name or namespace starts with ``bad`` is compared, plus the namespace
``argocd`` a run writes to first. (``agent-platform`` and ``flux-system`` are not compared: other runs
relabel them at any time, and every case moves its own components out of them.)
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

import harness  # tests/ is the import root

ROOT = Path(__file__).resolve().parents[2]
KUBECONFIG = ROOT / ".local-cluster" / "kubeconfig"
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
MINE = re.compile(r"^bad")
SHARED_NAMESPACES = {"argocd"}
# What every case passes so that, if it got through, it would only touch objects of its own.
OWN = {
    "agent_platform_local_cluster": False,       # never (re)start or publish to the shared Argo CD
    "agent_platform_cluster_name": "bad-cluster",
    "agent_platform_namespace": "bad-ap",
    "agent_platform_resource_prefix": "bad",
    "agent_platform_wait_timeout": 30,
    # tofu-controller would go to flux-system (shared): keep it in a namespace of ours too.
    "agent_platform_tenant_values": {"components": {"tofuController": {"namespace": "bad-flux"}}},
}


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def shared_kubeconfig():
    yield harness.shared_cluster_kubeconfig()
    cleanup(KUBECONFIG)


def cleanup(kubeconfig):
    """Remove whatever a case that did get through left behind (only ``bad*`` objects)."""
    def kubectl(*args):
        return subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), *args], capture_output=True,
                              text=True, timeout=180)
    apps = [a["metadata"]["name"] for a in _kubectl_json(kubeconfig, "applications.argoproj.io", "-n", "argocd")
            if MINE.match(a["metadata"]["name"])]
    for app in apps:  # no controller may ever process the finalizer of a parent that never synced
        kubectl("patch", "applications.argoproj.io", app, "-n", "argocd", "--type=merge", "-p",
                '{"metadata":{"finalizers":null}}')
    if apps:
        kubectl("delete", "applications.argoproj.io", "-n", "argocd", "--wait=true", *apps)
    secrets = [s["metadata"]["name"] for s in _kubectl_json(kubeconfig, "secrets", "-n", "argocd")
               if MINE.match(s["metadata"]["name"])]
    if secrets:
        kubectl("delete", "secret", "-n", "argocd", *secrets)
    namespaces = [n["metadata"]["name"] for n in _kubectl_json(kubeconfig, "namespaces") if MINE.match(n["metadata"]["name"])]
    if namespaces:
        kubectl("delete", "namespace", "--wait=false", *namespaces)


def _kubectl_json(kubeconfig, *args):
    proc = subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), "get", *args, "-o", "json"],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(proc.stdout)["items"]


def snapshot(kubeconfig) -> dict:
    """{(kind, namespace, name): resourceVersion} of the objects a bad run could have touched."""
    objs = {}
    for kind, args in (("Application", ["applications.argoproj.io", "-n", "argocd"]),
                       ("Secret", ["secrets", "-n", "argocd"]),
                       ("Namespace", ["namespaces"]),
                       ("HelmRelease", ["secrets", "-A", "-l", "owner=helm"])):
        for item in _kubectl_json(kubeconfig, *args):
            meta = item["metadata"]
            ns, name = meta.get("namespace", ""), meta["name"]
            if not (MINE.match(name) or MINE.match(ns) or MINE.match(name.replace("sh.helm.release.v1.", ""))
                    or (kind == "Namespace" and name in SHARED_NAMESPACES)):
                continue
            objs[(kind, ns, name)] = meta["resourceVersion"]
    return objs


def diff(before: dict, after: dict) -> list[str]:
    out = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            out.append("deleted %s %s/%s" % key)
        elif key not in before:
            out.append("created %s %s/%s" % key)
        elif before[key] != after[key]:
            out.append("modified %s %s/%s" % key)
    return out


@pytest.fixture
def cluster_snapshot(shared_kubeconfig):
    """Snapshot before the test; call the returned function after the run to assert nothing changed."""
    before = snapshot(shared_kubeconfig)

    def assert_unchanged():
        changes = diff(before, snapshot(shared_kubeconfig))
        assert not changes, "a failed run must change nothing, but: %s" % changes

    return assert_unchanged


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    e = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
             PATH="%s:%s:%s" % (ROOT / ".tools/bin", ROOT / ".venv/bin", os.environ["PATH"]))
    for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM", "K8S_AUTH_KUBECONFIG", "KUBECONFIG", "APPMOD_KUBECONFIG",
              "ANSIBLE_INVENTORY_ENABLED"):
        e.pop(k, None)
    return e


@pytest.fixture
def run_playbook(env):
    """run_playbook(name, inventory, extra_vars: dict, env: dict) -> Run; extra vars passed as JSON."""

    def run(name, inventory="inventories/local", extra_vars=None, environ=None, timeout=300):
        cmd = [str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/%s" % name]
        if inventory:  # None: the implicit localhost (ansible_playbook_python, like tests/components)
            cmd += ["-i", str(inventory)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        return Run(subprocess.run(cmd, cwd=ROOT, env=dict(env, **(environ or {})), capture_output=True,
                                  text=True, timeout=timeout))

    return run
