"""The argocd role against the local control plane: register_cluster.yml (cluster Secret the
GitOps-bridge way, verified on the API server) and local mode (delegates to argocd-local.sh)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

import pytest

from . import argocd_helpers as h

PLAYBOOKS = h.FIXTURES / "playbooks"


def _playbook(name, extra_vars=None):
    # the venv's interpreter: it has the kubernetes client the kubernetes.core modules need
    # and the kubeconfig the test itself reads back from (ARGOCD_LOCAL_KUBECONFIG or .local-cluster's)
    ev = dict(extra_vars or {}, ansible_python_interpreter=str(h.PROJECT_ROOT / ".venv" / "bin" / "python"),
              argocd_kubeconfig=str(h.KUBECONFIG))
    cmd = [str(h.PROJECT_ROOT / ".venv" / "bin" / "ansible-playbook"), str(PLAYBOOKS / name),
           "-i", "localhost,", "-e", json.dumps(ev)]
    env = dict(os.environ, ANSIBLE_CONFIG=str(h.PROJECT_ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PROJECT_ROOT=str(h.PROJECT_ROOT),
               PATH="%s:%s:%s" % (h.PROJECT_ROOT / ".tools/bin", h.PROJECT_ROOT / ".venv/bin", os.environ["PATH"]))
    proc = subprocess.run(cmd, cwd=h.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1800)
    out = proc.stdout + proc.stderr
    recap = re.findall(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out)
    changed = sum(int(r[1]) for r in recap)
    return proc.returncode, changed, out


@pytest.fixture(scope="module")
def cluster_only():
    """register_cluster.yml needs only the API server, not Argo CD."""
    if not h.cluster_up():
        pytest.skip("local control plane not up (`bash scripts/local-cluster.sh status` failed)")


@pytest.mark.cluster
def test_register_cluster_labels_and_annotations_reach_the_api(cluster_only):
    name = "spoke-%s" % uuid.uuid4().hex[:6]
    ev = {
        "argocd_cluster_name": name,
        # a loopback address nobody listens on: the Secret is what is tested, not a connection
        "argocd_cluster_server": "https://127.0.0.1:1",
        "argocd_cluster_addons": {"agent_platform": True, "kagent": "true", "litellm": False, "jaeger": "no"},
        "argocd_cluster_labels": {"environment": "dev", "tenant": "tenant1"},
        "argocd_cluster_annotations": {
            "aws_region": "us-west-2",
            "aws_cluster_name": "peeks-hub",
            "addons_repo_url": "git://127.0.0.1:19418/agent-platform.git",
            "addons_repo_revision": "main",
            "addons_repo_basepath": "gitops/",
            "resource_prefix": "peeks",
            "kagent_iam_role_arn": "arn:aws:iam::123456789012:role/kagent",
        },
    }
    try:
        rc, changed, out = _playbook("register_cluster.yml", ev)
        assert rc == 0, out
        flat = " ".join(out.split())  # the YAML callback wraps long messages
        assert "7 labels and 7 annotations verified on the API server" in flat, out
        secret = h.get_json("secret", name, "-n", h.NAMESPACE)
        labels, annotations = secret["metadata"]["labels"], secret["metadata"]["annotations"]
        assert labels["argocd.argoproj.io/secret-type"] == "cluster"
        assert {k: v for k, v in labels.items() if k.startswith("enable_")} == {
            "enable_agent_platform": "true", "enable_kagent": "true",
            "enable_litellm": "false", "enable_jaeger": "false"}
        assert labels["environment"] == "dev" and labels["tenant"] == "tenant1"
        for k, v in ev["argocd_cluster_annotations"].items():
            assert annotations[k] == v, k
        data = h.kubectl("get", "secret", name, "-n", h.NAMESPACE, "-o", "jsonpath={.data.server}").stdout
        import base64
        assert base64.b64decode(data).decode() == "https://127.0.0.1:1"
        # the Secret's config never reaches the output
        assert "tlsClientConfig" not in out

        rc, changed, out = _playbook("register_cluster.yml", ev)
        assert rc == 0 and changed == 0, "second run not idempotent:\n" + out

        # flipping a flag off reaches the label too
        ev["argocd_cluster_addons"]["agent_platform"] = False
        rc, changed, out = _playbook("register_cluster.yml", ev)
        assert rc == 0 and changed >= 1, out
        labels = h.get_json("secret", name, "-n", h.NAMESPACE)["metadata"]["labels"]
        assert labels["enable_agent_platform"] == "false"

        rc, changed, out = _playbook("register_cluster.yml", dict(ev, argocd_state="absent"))
        assert rc == 0, out
        assert h.get_json("secret", name, "-n", h.NAMESPACE) is None
    finally:
        h.kubectl("delete", "secret", name, "-n", h.NAMESPACE, "--ignore-not-found", check=False)


@pytest.mark.cluster
def test_register_cluster_rejects_an_invalid_label_before_any_change(cluster_only):
    name = "spoke-%s" % uuid.uuid4().hex[:6]
    rc, _, out = _playbook("register_cluster.yml", {
        "argocd_cluster_name": name, "argocd_cluster_server": "https://127.0.0.1:1",
        "argocd_cluster_addons": {"agent platform!": True}})
    assert rc != 0
    assert "enable_agent platform!" in out, out
    assert h.get_json("secret", name, "-n", h.NAMESPACE) is None


@pytest.mark.cluster
@pytest.mark.slow
def test_local_mode_role_is_idempotent(argocd_local):
    rc, _, out = _playbook("argocd_local.yml")
    assert rc == 0, out
    rc, changed, out = _playbook("argocd_local.yml")
    assert rc == 0 and changed == 0, "second run not idempotent:\n" + out
    assert h.script("status", check=False).returncode == 0
