"""eks_pod_identity_association logic (plugins/module_utils/eks_api.py) against botocore's Stubber.

moto 5.2.5 has no EKS pod identity API (HTTP 404), so the request shapes are checked here: Stubber
validates every call against botocore's EKS model and the expected parameters.
"""
from __future__ import annotations

import pytest

from ansible_collections.appmod.agent_platform.plugins.module_utils import eks_api

CLUSTER = "peeks-agent-platform"
ROLE = "arn:aws:iam::123456789012:role/peeks-AgentCoreRole"
ASSOC_ARN = f"arn:aws:eks:us-east-1:123456789012:podidentityassociation/{CLUSTER}/a-0123456789abcdefg"
LIST = {"clusterName": CLUSTER, "namespace": "agent-platform", "serviceAccount": "agent-core"}


def _association(role=ROLE, tags=None):
    return {"clusterName": CLUSTER, "namespace": "agent-platform", "serviceAccount": "agent-core", "roleArn": role,
            "associationArn": ASSOC_ARN, "associationId": "a-0123456789abcdefg", "tags": tags or {}}


def _found(stub, role=ROLE, tags=None):
    stub.add_response("list_pod_identity_associations", {"associations": [
        {"clusterName": CLUSTER, "namespace": "agent-platform", "serviceAccount": "agent-core",
         "associationArn": ASSOC_ARN, "associationId": "a-0123456789abcdefg"}]}, LIST)
    stub.add_response("describe_pod_identity_association", {"association": _association(role, tags)},
                      {"clusterName": CLUSTER, "associationId": "a-0123456789abcdefg"})


def test_create(eks):
    client, stub = eks
    stub.add_response("list_pod_identity_associations", {"associations": []}, LIST)
    stub.add_response("create_pod_identity_association", {"association": _association(tags={"team": "p"})},
                      dict(LIST, roleArn=ROLE, tags={"team": "p"}))
    changed, association, actions = eks_api.ensure_pod_identity_association_present(
        client, CLUSTER, "agent-platform", "agent-core", ROLE, tags={"team": "p"})
    assert changed and actions == ["create"] and association["roleArn"] == ROLE


def test_create_check_mode_sends_nothing(eks):
    client, stub = eks
    stub.add_response("list_pod_identity_associations", {"associations": []}, LIST)
    changed, association, actions = eks_api.ensure_pod_identity_association_present(
        client, CLUSTER, "agent-platform", "agent-core", ROLE, check_mode=True)
    assert changed and actions == ["create"] and association["roleArn"] == ROLE


def test_unchanged(eks):
    client, stub = eks
    _found(stub, tags={"team": "p"})
    assert eks_api.ensure_pod_identity_association_present(
        client, CLUSTER, "agent-platform", "agent-core", ROLE, tags={"team": "p"})[0] is False


def test_role_and_tags_converge(eks):
    client, stub = eks
    _found(stub, role="arn:aws:iam::123456789012:role/old", tags={"stale": "1"})
    stub.add_response("update_pod_identity_association", {"association": _association()},
                      {"clusterName": CLUSTER, "associationId": "a-0123456789abcdefg", "roleArn": ROLE})
    stub.add_response("tag_resource", {}, {"resourceArn": ASSOC_ARN, "tags": {"team": "p"}})
    stub.add_response("untag_resource", {}, {"resourceArn": ASSOC_ARN, "tagKeys": ["stale"]})
    stub.add_response("describe_pod_identity_association", {"association": _association(tags={"team": "p"})},
                      {"clusterName": CLUSTER, "associationId": "a-0123456789abcdefg"})
    changed, association, actions = eks_api.ensure_pod_identity_association_present(
        client, CLUSTER, "agent-platform", "agent-core", ROLE, tags={"team": "p"})
    assert changed and actions == ["update_role_arn", "tag", "untag"] and association["tags"] == {"team": "p"}


def test_role_arn_required():
    with pytest.raises(eks_api.EksError, match="role_arn"):
        eks_api.ensure_pod_identity_association_present(None, CLUSTER, "agent-platform", "agent-core", "")


def test_delete(eks):
    client, stub = eks
    _found(stub)
    stub.add_response("delete_pod_identity_association", {"association": _association()},
                      {"clusterName": CLUSTER, "associationId": "a-0123456789abcdefg"})
    changed, _, actions = eks_api.ensure_pod_identity_association_absent(client, CLUSTER, "agent-platform", "agent-core")
    assert changed and actions == ["delete"]


def test_delete_when_cluster_is_gone(eks):
    client, stub = eks
    stub.add_client_error("list_pod_identity_associations", "ResourceNotFoundException", "No cluster found", 404, expected_params=LIST)
    assert eks_api.ensure_pod_identity_association_absent(client, CLUSTER, "agent-platform", "agent-core") == (False, None, [])


def test_other_errors_propagate(eks):
    client, stub = eks
    stub.add_client_error("list_pod_identity_associations", "AccessDeniedException", "no", 403, expected_params=LIST)
    with pytest.raises(Exception, match="AccessDenied"):
        eks_api.ensure_pod_identity_association_absent(client, CLUSTER, "agent-platform", "agent-core")
