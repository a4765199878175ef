"""The chart mirror that `argocd-local.sh up` starts (a directory served as an HTTP Helm repository on
127.0.0.1) and Argo CD's CRDs being the binary's version.

* Helm itself pulls and renders an upstream chart from the mirror (`helm pull --repo`).
* An Application whose source is an upstream chart of the mirror (jaeger 4.2.3) is synced by the real
  repo server and controller (Synced, its Deployment created in the cluster).
"""

from __future__ import annotations

import subprocess
import uuid

import pytest
import yaml

from . import argocd_helpers as h

from tools.localstack import crds  # noqa: E402

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

HELM = h.PROJECT_ROOT / ".tools" / "bin" / "helm"


def test_helm_pulls_from_the_mirror(argocd_local, tmp_path):
    url = argocd_local["APPMOD_CHART_MIRROR_URL"]
    assert url == "http://127.0.0.1:18879" or url.startswith("http://127.0.0.1:")
    subprocess.run([str(HELM), "pull", "--repo", url, "kagent", "--version", "0.9.9", "-d", str(tmp_path)],
                   check=True, capture_output=True, text=True, timeout=120)
    assert (tmp_path / "kagent-0.9.9.tgz").is_file()
    out = subprocess.run([str(HELM), "template", "j", "jaeger", "--repo", url, "--version", "4.2.3", "-n", "x"],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    kinds = {d["kind"] for d in yaml.safe_load_all(out) if d}
    assert "Deployment" in kinds


def test_argocd_crds_are_the_binary_version(argocd_local):
    """One Argo CD version: the installed CRDs are those of the module the binary is built from."""
    version = argocd_local["ARGOCD_VERSION"]
    for path, name in zip(crds.crd_files(version), crds.NAMES):
        want = yaml.safe_load(path.read_text())
        got = h.get_json("crd", name)
        assert [v["schema"] for v in got["spec"]["versions"]] == [v["schema"] for v in want["spec"]["versions"]], name


def test_application_from_the_chart_mirror_syncs(argocd_local):
    name = "mirror-jaeger-%s" % uuid.uuid4().hex[:4]
    app = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": name, "namespace": h.NAMESPACE, "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": {
            "project": "default",
            "source": {"repoURL": argocd_local["APPMOD_CHART_MIRROR_URL"], "chart": "jaeger", "targetRevision": "4.2.3",
                       "helm": {"releaseName": "jaeger"}},
            "destination": {"server": h.IN_CLUSTER, "namespace": name},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]},
        },
    }
    h.apply(app)
    try:
        def synced():
            a = h.applications(name.rsplit("-", 1)[0]).get(name) or {}
            st = a.get("status") or {}
            return a if (st.get("sync") or {}).get("status") == "Synced" and (st.get("operationState") or {}).get("phase") == "Succeeded" else None

        a = h.wait_for(synced, 300, what="%s Synced from the chart mirror" % name,
                       on_timeout=lambda: "%s\n%s" % (h.app_table(), h.controller_log_tail()))
        print("\n%s: sync %s at %s, health %s" % (name, a["status"]["sync"]["status"], a["status"]["sync"].get("revision"),
                                                 a["status"]["health"]["status"]))
        assert a["status"]["sync"]["revision"] == "4.2.3"
        deployments = (h.get_json("deployments", "-n", name) or {}).get("items", [])
        assert deployments, "the chart's Deployment was not created"
    finally:
        h.delete_tree(name, name.rsplit("-", 1)[0], timeout=180)
        h.kubectl("delete", "namespace", name, "--ignore-not-found", "--wait=false", check=False)
