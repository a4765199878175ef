"""The agent-platform AppProject: valid against Argo CD's AppProject CRD, and it admits exactly
what the component charts render (every kind, namespace and cluster-scoped kind)."""
from __future__ import annotations


import jsonschema
import pytest
import yaml

from harness import ROOT

pytestmark = pytest.mark.helm

PROJECT = ROOT / "gitops" / "appproject" / "agent-platform.yaml"


@pytest.fixture(scope="module")
def project():
    return yaml.safe_load(PROJECT.read_text())


def test_appproject_valid_against_argocd_crd(project):
    # Argo CD's own CRD of the version the local stack runs (from its Go module, cached once): never skipped.
    from tools.localstack import crds

    crd_path = crds.crd_file("appproject-crd.yaml")
    crd = next(d for d in yaml.safe_load_all(crd_path.read_text()) if d and d.get("kind") == "CustomResourceDefinition")
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    jsonschema.validate(project, version["schema"]["openAPIV3Schema"])


def test_appproject_admits_every_rendered_object(project, manifests, rendered_sets):
    """Every kind and namespace of every inventory and profile, and nothing the charts never render."""
    spec = project["spec"]
    cluster = {(g["group"], g["kind"]) for g in spec["clusterResourceWhitelist"]}
    namespaced = {(g["group"], g["kind"]) for g in spec["namespaceResourceWhitelist"]}
    dests = {d["namespace"] for d in spec["destinations"]}
    seen = set()
    for key, by_component in manifests.items():
        for component, docs in by_component.items():
            for doc in docs:
                gk = (doc["apiVersion"].rpartition("/")[0], doc["kind"])
                seen.add(gk)
                if gk in cluster:
                    continue
                assert gk in namespaced, "%s %s: %s not whitelisted" % (key, component, gk)
                ns = doc["metadata"].get("namespace")
                assert ns is None or ns in dests, "%s %s: namespace %s not a destination" % (key, component, ns)
    # Monitoring, backups and the external database are off by default: they are whitelisted for when they are on.
    optional = {("monitoring.coreos.com", k) for k in ("ServiceMonitor", "PodMonitor", "PrometheusRule")} | {
        ("velero.io", "Schedule"), ("batch", "CronJob"), ("networking.k8s.io", "Ingress"),
        ("autoscaling", "HorizontalPodAutoscaler")}
    assert (cluster | namespaced) - seen <= optional, "whitelisted but never rendered: %s" % ((cluster | namespaced) - seen - optional)
    for url in ("ghcr.io/kagent-dev/kagent/helm", "https://jaegertracing.github.io/helm-charts", "http://127.0.0.1:18879"):
        assert url in spec["sourceRepos"]
