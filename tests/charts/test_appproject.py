"""The agent-platform AppProject: valid against Argo CD's AppProject CRD, and it admits exactly
what the component charts render (every kind, namespace and cluster-scoped kind)."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import CHARTS, ROOT

pytestmark = pytest.mark.helm

PROJECT = ROOT / "gitops" / "appproject" / "agent-platform.yaml"
ARGOCD_CRD = Path("/work/shared/argocd-crds/appproject-crd.yaml")


@pytest.fixture(scope="module")
def project():
    return yaml.safe_load(PROJECT.read_text())


def test_appproject_valid_against_argocd_crd(project):
    crd_path = ARGOCD_CRD
    if not crd_path.exists():
        pytest.skip(f"{crd_path} not available (Argo CD CRDs are fetched by the argocd tooling)")
    crd = next(d for d in yaml.safe_load_all(crd_path.read_text()) if d and d.get("kind") == "CustomResourceDefinition")
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    jsonschema.validate(project, version["schema"]["openAPIV3Schema"])


def test_appproject_admits_every_rendered_object(project, rendered):
    spec = project["spec"]
    cluster = {(g["group"], g["kind"]) for g in spec["clusterResourceWhitelist"]}
    namespaced = {(g["group"], g["kind"]) for g in spec["namespaceResourceWhitelist"]}
    dests = {d["namespace"] for d in spec["destinations"]}
    assert cluster == {("apiextensions.k8s.io", "CustomResourceDefinition"),
                       ("rbac.authorization.k8s.io", "ClusterRole"),
                       ("rbac.authorization.k8s.io", "ClusterRoleBinding")}
    assert ("", "Secret") not in namespaced and ("", "Namespace") not in cluster
    for chart in CHARTS:
        for vset in ("default", "full"):
            for doc in rendered[(chart, vset, 4)]:
                group = doc["apiVersion"].rpartition("/")[0]
                gk = (group, doc["kind"])
                ns = doc["metadata"].get("namespace")
                if ns is None:
                    assert gk in cluster, f"{chart}: cluster-scoped {gk} not whitelisted"
                else:
                    assert gk in namespaced, f"{chart}: {gk} not whitelisted"
                    assert ns in dests, f"{chart}: namespace {ns} not a destination"
