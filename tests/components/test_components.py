"""Direct delivery of every component (upstream charts + glue, no Argo CD) into namespaces enforcing Pod Security
`restricted`: every workload Available, generated credentials without literal values, the kagent CRDs serving the
seed's smoke objects, a second run changing nothing, removal keeping the CRDs, and bad input refused before any
change."""
from __future__ import annotations

import pytest
import yaml

from harness import ROOT

from .conftest import components

pytestmark = [pytest.mark.cluster, pytest.mark.slow]
NS = "agent-platform"
CATALOGUE = yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())


@pytest.fixture(scope="module")
def installed(private_cluster):
    run = components(private_cluster)
    assert run.rc == 0, run.out[-6000:]
    return run


def test_every_enabled_component_released_and_available(installed, private_cluster):
    pc = private_cluster
    releases = {(s["metadata"]["namespace"], s["metadata"]["labels"]["name"]): s["metadata"]["labels"]["status"]
                for s in pc.get("secrets", "-A", "-l", "owner=helm")}
    expected = set()
    for c in CATALOGUE["components"]:
        if not c["enabled"]:
            continue
        ns = c.get("namespace") or NS
        expected |= {(ns, chart) for chart in c["charts"]}
        if c.get("glue"):
            expected.add((ns, c["name"] + "-glue" if c["charts"] else c["name"]))
    assert set(releases) == expected and set(releases.values()) == {"deployed"}, releases
    for ns in (NS, "flux-system"):
        labels = yaml.safe_load(pc.kubectl("get", "namespace", ns, "-o", "yaml").stdout)["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted", ns
    for d in pc.get("deployments", "-A"):
        conditions = {c["type"]: c["status"] for c in d.get("status", {}).get("conditions", [])}
        assert conditions.get("Available") == "True", d["metadata"]["name"]
    for s in pc.get("statefulsets", "-A"):
        assert s["status"].get("readyReplicas") == s["spec"]["replicas"], s["metadata"]["name"]


def test_generated_secrets_exist_without_literal_values(installed, private_cluster):
    for name, keys in (("litellm-api-keys", {"master-key"}), ("kagent-litellm", {"OPENAI_API_KEY"}),
                       ("langfuse-credentials", {"salt", "nextauth-secret", "postgres-password", "redis-password",
                                                 "clickhouse-password", "s3-root-user", "s3-root-password"})):
        secret = yaml.safe_load(private_cluster.kubectl("get", "secret", name, "-n", NS, "-o", "yaml").stdout)
        assert set(secret["data"]) == keys, name
        assert secret["metadata"]["annotations"]["agent-platform.appmod.io/generated"] == "true"
    master = yaml.safe_load(private_cluster.kubectl("get", "secret", "litellm-api-keys", "-n", NS, "-o", "yaml").stdout)
    copy = yaml.safe_load(private_cluster.kubectl("get", "secret", "kagent-litellm", "-n", NS, "-o", "yaml").stdout)
    assert master["data"]["master-key"] == copy["data"]["OPENAI_API_KEY"]
    import base64
    for value in master["data"].values():
        assert base64.b64decode(value).decode() not in installed.out, "a credential reached the task output"


def test_the_seeds_smoke_agent_is_accepted(installed, private_cluster):
    from harness import SMOKE_AGENT, SMOKE_MODEL

    from harness import kubectl

    kubectl(private_cluster.kubeconfig, "apply", "--dry-run=server", "-f", "-",
            input=yaml.safe_dump_all([SMOKE_MODEL, SMOKE_AGENT]))


def test_second_run_changes_nothing(installed, private_cluster):
    before = private_cluster.kubectl("get", "secret", "litellm-api-keys", "-n", NS, "-o", "jsonpath={.data}").stdout
    again = components(private_cluster)
    assert again.rc == 0 and again.changed == 0, [l for l in again.out.splitlines() if l.startswith("changed:")]
    assert private_cluster.kubectl("get", "secret", "litellm-api-keys", "-n", NS, "-o", "jsonpath={.data}").stdout == before


@pytest.mark.parametrize("extra,needles", [
    ({"components": ["kagent", "grafana"]}, ["unknown components", "grafana"]),
    ({"agent_platform_cluster_values": {"components": {"kagent": {"config": {"providers": {"default": "openAI",
                                                                                            "openAI": {"model": ""}}}}}}},
     ["kagent_values.providers.openAI.model", "components.kagent.config.providers"]),
    ({"agent_platform_cluster_values": {"components": {"litellm": {"config": {"replicas": "two"}}}}},
     ["replicas", "level 6 (cluster overrides"]),
    ({"agent_platform_namespace": "Agent_Platform"}, ["agent_platform_namespace"]),
])
def test_bad_input_is_refused_before_any_change(installed, private_cluster, extra, needles):
    before = private_cluster.kubectl("get", "secrets,configmaps,deployments", "-A", "-o",
                                     "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}").stdout
    run = components(private_cluster, extra=extra, timeout=600)
    assert run.rc != 0
    for needle in needles:
        assert needle in run.out, "%r not in:\n%s" % (needle, run.out[-3000:])
    after = private_cluster.kubectl("get", "secrets,configmaps,deployments", "-A", "-o",
                                    "jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}").stdout
    assert before == after, "a refused run changed the cluster"


def test_zz_remove_keeps_the_crds(installed, private_cluster):
    """Runs last: removal leaves no release, no Application, no platform namespace; the CRDs stay."""
    run = components(private_cluster, "absent")
    assert run.rc == 0, run.out[-4000:]
    assert private_cluster.get("secrets", "-A", "-l", "owner=helm") == []
    assert private_cluster.get("applications.argoproj.io", "-A") == []
    namespaces = {n["metadata"]["name"] for n in private_cluster.get("namespaces")}
    assert not {NS, "flux-system"} & namespaces
    crds = {c["metadata"]["name"] for c in private_cluster.get("crds")}
    assert {"agents.kagent.dev", "modelconfigs.kagent.dev"} <= crds
    again = components(private_cluster, "absent")
    assert again.rc == 0 and again.changed == 0, again.out[-3000:]
