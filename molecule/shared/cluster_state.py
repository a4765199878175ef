"""Assertions on the real API server of the local control plane, shared by the scenarios.

They read the cluster (kubernetes client, admin kubeconfig), never the playbook's variables.
"""
import os
from pathlib import Path

import yaml
from kubernetes import client, config

PREFIX = "peeks"
ARGOCD = "argocd"
CLUSTER_SECRET = "local-cluster"
ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())
# Derived from the catalogue: the local inventory enables every component enabled by default
# (agent-core, which needs AWS, stays off).
ENTRIES = {c["name"]: c for c in CATALOGUE["components"] if c["enabled"]}
EXPECTED = {name: (str(c["wave"]), c.get("namespace") or "agent-platform") for name, c in ENTRIES.items()}
PINS = dict(CATALOGUE["profiles"]["default"]["charts"])
MIRROR = os.environ.get("APPMOD_CHART_MIRROR_URL") or "http://127.0.0.1:18879"


def api():
    config.load_kube_config(config_file=os.environ.get("APPMOD_KUBECONFIG"))
    return client.ApiClient()


def applications(api_client):
    co = client.CustomObjectsApi(api_client)
    items = co.list_namespaced_custom_object("argoproj.io", "v1alpha1", ARGOCD, "applications")["items"]
    return {a["metadata"]["name"]: a for a in items}


def namespaces(api_client):
    return {n.metadata.name: n for n in client.CoreV1Api(api_client).list_namespace().items}


def cluster_secret(api_client):
    return client.CoreV1Api(api_client).read_namespaced_secret(CLUSTER_SECRET, ARGOCD)


def assert_off(api_client):
    apps = applications(api_client)
    ours = sorted(n for n in apps if n.startswith("%s-agent-platform" % PREFIX))
    assert ours == [], "agent-platform Applications remain: %s" % ours
    ns = namespaces(api_client)
    assert "agent-platform" not in ns, "namespace agent-platform remains"
    assert "flux-system" not in ns, "namespace flux-system (created by us) remains"
    secret = cluster_secret(api_client)
    assert secret.metadata.labels["enable_agent_platform"] == "false"
    assert secret.metadata.labels["argocd.argoproj.io/secret-type"] == "cluster"


def assert_on(api_client):
    secret = cluster_secret(api_client)
    assert secret.metadata.labels["enable_agent_platform"] == "true"
    for key in ("resource_prefix", "aws_region", "aws_cluster_name", "addons_repo_url",
                "addons_repo_revision", "addons_repo_basepath"):
        assert secret.metadata.annotations.get(key), key
    assert secret.metadata.annotations["aws_cluster_name"] == "local-cluster"

    apps = applications(api_client)
    parent = apps.get("%s-agent-platform" % PREFIX)
    assert parent, "parent Application (app-of-apps) missing"
    assert parent["spec"]["source"]["path"] == "gitops/charts/agent-platform"
    assert parent["spec"]["source"]["helm"]["valuesObject"]["enabled"] is True
    assert parent["spec"]["source"]["helm"]["valuesObject"]["chartMirror"]["url"] == MIRROR
    bridge = "%s-agent-platform" % PREFIX
    children = {n: a for n, a in apps.items()
                if a["metadata"].get("labels", {}).get("agent-platform.appmod.io/bridge") == bridge and n != bridge}
    assert sorted(children) == sorted("%s-agent-platform-%s" % (PREFIX, c) for c in EXPECTED)
    for component, (wave, namespace) in EXPECTED.items():
        entry = ENTRIES[component]
        app = children["%s-agent-platform-%s" % (PREFIX, component)]
        assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == wave
        assert app["metadata"].get("finalizers") == (None if entry.get("keep") else ["resources-finalizer.argocd.argoproj.io"])
        assert app["spec"]["project"] == "default"
        assert app["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": namespace}
        sources = app["spec"]["sources"]
        # The upstream charts at the catalogue's pins, from the local chart mirror, then the glue from Git.
        for chart, source in zip(entry["charts"], sources):
            assert (source["repoURL"], source["chart"], source["targetRevision"]) == (
                MIRROR, PINS[chart].get("chart", chart), str(PINS[chart]["version"])), component
        for source in sources[len(entry["charts"]):]:
            assert source["path"] == "gitops/charts/%s" % component
            assert source["helm"]["valuesObject"]["global"] == {
                "namespace": "agent-platform", "resourcePrefix": PREFIX, "awsRegion": "us-east-1",
                "eksClusterName": "local-cluster"}
        assert len(sources) == len(entry["charts"]) + (1 if entry.get("glue") else 0)
        sp = app["spec"]["syncPolicy"]
        assert sp["automated"]["selfHeal"] is True
        assert sp["automated"]["prune"] is (not entry.get("keep"))
        assert "CreateNamespace=true" in sp["syncOptions"]
        assert sp["retry"] == {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}
        assert {"name": "Wave", "value": wave} in app["spec"]["info"]
    kagent = children["%s-agent-platform-kagent" % PREFIX]["spec"]["sources"][0]["helm"]["valuesObject"]
    # level 3 (gitops/values/default/agent-platform.yaml) and level 2 (the bridge chart's defaults)
    assert kagent["controller"]["resources"]["limits"]["memory"] == "1Gi"
    assert kagent["providers"]["default"] == "openAI"
    litellm = children["%s-agent-platform-litellm" % PREFIX]["spec"]["sources"][0]["helm"]["valuesObject"]
    assert litellm["replicas"] == 1 and litellm["providers"] == ["bedrock"]  # level 4 and level 3

    if os.environ.get("APPMOD_EXPECT_ARGOCD", "true") == "true":
        assert_synced_in_wave_order([parent] + list(children.values()))

    ns = namespaces(api_client)
    for name in ("agent-platform", "flux-system"):
        assert name in ns
        assert ns[name].metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted"
    apps_api = client.AppsV1Api(api_client)
    for name in ("agent-platform", "flux-system"):
        deployments = apps_api.list_namespaced_deployment(name).items
        assert deployments, "no Deployment in %s" % name
        for d in deployments:
            conditions = {c.type: c.status for c in (d.status.conditions or [])}
            assert conditions.get("Available") == "True", "%s/%s not Available" % (name, d.metadata.name)
        for s in apps_api.list_namespaced_stateful_set(name).items:
            assert (s.status.ready_replicas or 0) == s.spec.replicas, "%s/%s not ready" % (name, s.metadata.name)


def assert_synced_in_wave_order(apps):
    """Argo CD's own record: every Application Synced and Healthy, and the children of each wave
    created and first deployed no earlier than the previous wave's first deployment started
    (metadata.creationTimestamp, status.history oldest entry)."""
    from datetime import datetime

    def ts(value):
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")

    for app in apps:
        status = app.get("status", {})
        assert status.get("sync", {}).get("status") == "Synced", app["metadata"]["name"]
        assert status.get("health", {}).get("status") == "Healthy", app["metadata"]["name"]
    waves = {}
    for app in apps:
        wave = app["metadata"].get("annotations", {}).get("argocd.argoproj.io/sync-wave")
        if wave is None:
            continue  # the parent
        history = sorted(app.get("status", {}).get("history") or [], key=lambda h: h.get("id", 0))
        if not history:
            # Already in sync when created (the kept kagent CRDs after an off/on): Argo CD ran no
            # sync operation, so there is nothing to order; Synced+Healthy was checked above.
            continue
        first = history[0]
        waves.setdefault(int(wave), []).append(
            (app["metadata"]["name"], ts(app["metadata"]["creationTimestamp"]), ts(first["deployStartedAt"])))
    # The parent creates wave n+1 only once wave n is Healthy (the Application health check in
    # argocd-cm), so every child of wave n+1 is created, and starts deploying, no earlier than every
    # child of wave n started. (Health can turn green a second before a child's own operation is
    # recorded as finished, so finishedAt is not a reliable bound at one-second resolution.)
    ordered = sorted(waves)
    for low, high in zip(ordered, ordered[1:]):
        low_started = max(started for _, _, started in waves[low])
        for name, created, started in waves[high]:
            assert created >= low_started and started >= low_started, (
                "%s (wave %d) created %s / started %s before wave %d started %s" % (
                    name, high, created, started, low, low_started))
