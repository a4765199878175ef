"""The real API server's verdict on what every inventory renders (default catalogue profile and the seed's):
a private, throwaway kube-apiserver (tools/localstack, the local default's binaries) holding the pinned
upstream CRDs, the Gateway API CRDs and Argo CD's, with the platform's namespaces enforcing Pod Security
`restricted`. Every rendered object is sent as a server-side dry run, and every pod template as the Pod its
controller would create: the schema, CEL rules and Pod Security admission all have their say. The seed's
kagent smoke objects, rewritten for the API version the pinned kagent serves, are accepted."""
from __future__ import annotations

import pytest
import yaml

from harness import MIRROR_DIR, SMOKE_AGENT, SMOKE_MODEL
from rendering import CATALOGUE, SETS, set_id

pytestmark = [pytest.mark.cluster]
NAMESPACES = ("agent-platform", "flux-system", "velero")
RESTRICTED = {"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"}


# Kinds of operators the platform does not install (External Secrets, Prometheus Operator, Velero): their CRDs
# are not in the mirror, so the objects are rendered for clusters that have them and not sent here.
THIRD_PARTY_KINDS = {"ExternalSecret", "ServiceMonitor", "PodMonitor", "PrometheusRule", "Schedule"}


@pytest.fixture(scope="module")
def control_planes():
    """control_planes(profile): one private API server per catalogue profile (a CRD cannot go back to an
    older version once a newer one stored objects), all stopped at the end, leaving nothing behind."""
    from contextlib import ExitStack

    from tools.localstack.private import PrivateControlPlane

    with ExitStack() as stack:
        planes = {}

        def get(profile="default"):
            if profile not in planes:
                cp = stack.enter_context(PrivateControlPlane(argocd_crds=True, label="dry-run-%s" % profile))
                cp.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": RESTRICTED}}
                          for ns in NAMESPACES])
                pin = CATALOGUE["profiles"]["default"]["manifests"]["gateway-api-crds"]
                cp.load_crds(MIRROR_DIR / pin["mirrorPath"])
                planes[profile] = cp
            return planes[profile]

        yield get


@pytest.fixture(scope="module")
def control_plane(control_planes):
    return control_planes("default")


def _crds(by_component):
    return [d for docs in by_component.values() for d in docs if d["kind"] == "CustomResourceDefinition"]


@pytest.mark.parametrize("key", SETS, ids=set_id)
def test_the_api_server_accepts_every_rendered_object(control_planes, manifests, key):
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.dryrun import Validator

    control_plane = control_planes(key[1])
    by_component = manifests[key + (3,)]
    crds = _crds(by_component)
    # The CRDs of this set for real (the next set may pin other versions of them), then everything dry-run.
    control_plane.apply(crds)
    from tools.localstack import kube
    control_plane.cluster.sup.wait("CRDs Established", lambda: kube.crds_established(
        control_plane.api(), [c["metadata"]["name"] for c in crds]), 60)
    validator = Validator(control_plane.api())
    problems = []
    for component, docs in by_component.items():
        namespace = next(c.get("namespace") or "agent-platform" for c in CATALOGUE["components"] if c["name"] == component)
        objects = [d for d in docs if d["kind"] != "CustomResourceDefinition"]
        for problem in validator.validate(objects, namespace, real_kinds=("ServiceAccount",)):
            if problem.get("unserved") and problem["object"].split()[0] in THIRD_PARTY_KINDS:
                continue
            problems.append("%s: %s: %s %s" % (component, problem["object"], problem["message"], problem["fields"]))
    assert not problems, "\n".join(problems)


def test_the_seeds_smoke_objects_are_accepted_and_bad_ones_refused(control_plane, manifests):
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.dryrun import Validator

    control_plane.apply(_crds(manifests[("local", "default", 3)]))
    validator = Validator(control_plane.api())
    assert validator.validate([SMOKE_MODEL, SMOKE_AGENT], "agent-platform") == []
    bad_model = yaml.safe_load(yaml.safe_dump(SMOKE_MODEL))
    bad_model["spec"]["provider"] = "bedrock"  # the seed's lower-case spelling: not in the enum
    [problem] = validator.validate([bad_model], "agent-platform")
    assert "spec.provider" in problem["message"] and "Bedrock" in problem["message"]
    v1alpha1 = {"apiVersion": "kagent.dev/v1alpha1", "kind": "Agent", "metadata": {"name": "seed", "namespace": "agent-platform"},
                "spec": {"systemPrompt": "You are a helpful assistant", "modelConfig": {"provider": "bedrock"}}}
    assert validator.validate([v1alpha1], "agent-platform"), "the seed's v1alpha1 Agent must not pass as written"


def test_pod_security_refuses_a_pod_without_the_restricted_context(control_plane):
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.dryrun import Validator

    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "loose", "namespace": "agent-platform"}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "loose", "namespace": "agent-platform"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                      "metadata": {"labels": {"a": "b"}}, "spec": {"serviceAccountName": "loose",
                                                                   "containers": [{"name": "c", "image": "x:1"}]}}}}
    [problem] = Validator(control_plane.api()).validate([account, deployment], "agent-platform", real_kinds=("ServiceAccount",))
    assert "(its pods)" in problem["object"] and 'violates PodSecurity "restricted' in problem["message"]


def test_catalogue_lists_every_crd_group_it_renders(manifests):
    groups = {}
    for (inventory, profile, major), by_component in manifests.items():
        if profile == "default" and major == 3:
            for component, docs in by_component.items():
                groups.setdefault(component, set()).update(d["spec"]["group"] for d in docs if d["kind"] == "CustomResourceDefinition")
    for entry in CATALOGUE["components"]:
        if entry["name"] in groups:
            assert groups[entry["name"]] <= set(entry.get("crdGroups") or []), entry["name"]
