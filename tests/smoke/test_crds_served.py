"""After the platform is deployed on the local default through Argo CD: the CRDs the API server serves are exactly
the ones the pinned upstream charts ship (no hand-made copy, no drift), and every Application is Synced and Healthy
at the catalogue's versions."""
from __future__ import annotations

import pytest
import yaml

from harness import ROOT

pytestmark = [pytest.mark.cluster]

CATALOGUE = yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())


@pytest.fixture(scope="module")
def deployed(shared_platform):
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=str(shared_platform))
    apps = client.CustomObjectsApi(api).list_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications")
    yield api, [a for a in apps["items"]
                if a["metadata"].get("labels", {}).get("agent-platform.appmod.io/bridge") == "peeks-agent-platform"]
    api.close()


def _comparable(crd):
    """What a CRD says, without what the API server adds (status, defaults it fills in)."""
    spec = dict(crd["spec"])
    spec.pop("conversion", None)  # defaulted to {strategy: None}
    return spec


def test_served_crds_are_the_pinned_upstream_ones(deployed, tmp_path):
    from kubernetes import client

    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, charts, helm_template

    api, apps = deployed
    from rendering import CHART_CACHE  # the chart cache the agent_platform role filled

    data = catalogue.load(str(ROOT))

    releases = charts.releases(apps, str(ROOT), str(CHART_CACHE), str(ROOT / ".tools/bin/helm3"),
                               keys=catalogue.keys(data), mains=catalogue.mains(data))
    rendered = helm_template.template_all(str(ROOT / ".tools/bin/helm3"), [
        {"chart_ref": r["chart_ref"], "release_name": r["release_name"], "release_namespace": r["release_namespace"],
         "release_values": r["release_values"], "include_crds": True} for r in releases if r["kind"] == "upstream"])
    pinned = {d["metadata"]["name"]: d for result in rendered for d in yaml.safe_load_all(result["stdout"])
              if d and d.get("kind") == "CustomResourceDefinition"}
    assert {d["spec"]["group"] for d in pinned.values()} >= {"kagent.dev", "infra.contrib.fluxcd.io", "agentgateway.dev"}
    ext = client.ApiextensionsV1Api(api)
    served = {c.metadata.name: api.sanitize_for_serialization(c) for c in ext.list_custom_resource_definition().items}
    differences = []
    for name, crd in sorted(pinned.items()):
        if name not in served:
            differences.append("%s: not served" % name)
        elif _comparable(served[name]) != _comparable(crd):
            differences.append("%s: the served spec differs from the pinned chart's" % name)
    assert not differences, "\n".join(differences)


def test_every_application_synced_healthy_at_the_catalogues_versions(deployed):
    _, apps = deployed
    pins = dict(CATALOGUE["profiles"]["default"]["charts"])
    enabled = {c["name"] for c in CATALOGUE["components"] if c["enabled"]}
    assert {a["metadata"]["labels"]["app.kubernetes.io/component"] for a in apps} == enabled
    for app in apps:
        status = app.get("status") or {}
        assert status.get("sync", {}).get("status") == "Synced", app["metadata"]["name"]
        assert status.get("health", {}).get("status") == "Healthy", app["metadata"]["name"]
        for source in app["spec"]["sources"]:
            if "chart" in source:
                pin = next(p for name, p in pins.items() if p.get("chart", name) == source["chart"])
                assert source["targetRevision"] == str(pin["version"])
        # Argo CD records the revisions it synced: the chart versions are what it deployed.
        revisions = status.get("sync", {}).get("revisions") or []
        charts = [s for s in app["spec"]["sources"] if "chart" in s]
        assert [r for r, s in zip(revisions, app["spec"]["sources"]) if "chart" in s] == [s["targetRevision"] for s in charts]
