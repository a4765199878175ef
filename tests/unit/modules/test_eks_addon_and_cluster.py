"""eks_addon, eks_cluster_info and eks_cluster_endpoint_access logic against botocore's Stubber.

moto 5.2.5 has no EKS add-on API (HTTP 404): the add-on request shapes are only checked here.
"""
from __future__ import annotations

import json

import pytest

from ansible_collections.appmod.agent_platform.plugins.module_utils import eks_api

CLUSTER = "peeks-agent-platform"
ADDON_ARN = f"arn:aws:eks:us-east-1:123456789012:addon/{CLUSTER}/coredns/abc"
KEY = {"clusterName": CLUSTER, "addonName": "coredns"}


def _addon(**extra):
    return dict({"addonName": "coredns", "clusterName": CLUSTER, "status": "ACTIVE", "addonVersion": "v1.11.4-eksbuild.2",
                 "addonArn": ADDON_ARN, "tags": {}}, **extra)


def _missing(stub, method="describe_addon", params=KEY):
    stub.add_client_error(method, "ResourceNotFoundException", "not found", 404, expected_params=params)


# --------------------------------------------------------------------------- add-ons
def test_addon_create_with_all_arguments(eks):
    client, stub = eks
    _missing(stub)
    stub.add_response("create_addon", {"addon": _addon()}, dict(
        KEY, resolveConflicts="OVERWRITE", addonVersion="v1.11.4-eksbuild.2",
        serviceAccountRoleArn="arn:aws:iam::123456789012:role/r", configurationValues='{"replicaCount": 3}', tags={"a": "1"}))
    stub.add_response("describe_addon", {"addon": _addon()}, KEY)
    changed, addon, actions = eks_api.ensure_addon_present(
        client, CLUSTER, "coredns", addon_version="v1.11.4-eksbuild.2", service_account_role_arn="arn:aws:iam::123456789012:role/r",
        configuration_values={"replicaCount": 3}, tags={"a": 1})
    assert changed and actions == ["create"] and addon["status"] == "ACTIVE"


def test_addon_create_minimal_and_check_mode(eks):
    client, stub = eks
    _missing(stub)
    assert eks_api.ensure_addon_present(client, CLUSTER, "coredns", check_mode=True)[2] == ["create"]
    _missing(stub)
    stub.add_response("create_addon", {"addon": _addon()}, dict(KEY, resolveConflicts="OVERWRITE"))
    stub.add_response("describe_addon", {"addon": _addon()}, KEY)
    assert eks_api.ensure_addon_present(client, CLUSTER, "coredns")[0] is True


def test_addon_unchanged_when_version_unpinned_and_config_equal(eks):
    client, stub = eks
    stub.add_response("describe_addon", {"addon": _addon(configurationValues='{"replicaCount":3}')}, KEY)
    changed, _, actions = eks_api.ensure_addon_present(client, CLUSTER, "coredns", configuration_values='{"replicaCount": 3}')
    assert not changed and actions == []


def test_addon_update_version_and_config(eks):
    client, stub = eks
    stub.add_response("describe_addon", {"addon": _addon()}, KEY)
    stub.add_response("update_addon", {"update": {"id": "u1", "status": "InProgress", "type": "AddonUpdate"}}, dict(
        KEY, resolveConflicts="PRESERVE", addonVersion="v1.12.0-eksbuild.1", configurationValues=json.dumps({"replicaCount": 2})))
    stub.add_response("describe_addon", {"addon": _addon(addonVersion="v1.12.0-eksbuild.1")}, KEY)
    changed, addon, actions = eks_api.ensure_addon_present(
        client, CLUSTER, "coredns", addon_version="v1.12.0-eksbuild.1", configuration_values={"replicaCount": 2},
        resolve_conflicts="PRESERVE")
    assert changed and actions == ["update:addonVersion,configurationValues"] and addon["addonVersion"] == "v1.12.0-eksbuild.1"


def test_addon_tags_added(eks):
    client, stub = eks
    stub.add_response("describe_addon", {"addon": _addon(tags={"keep": "1"})}, KEY)
    stub.add_response("tag_resource", {}, {"resourceArn": ADDON_ARN, "tags": {"new": "2"}})
    stub.add_response("describe_addon", {"addon": _addon(tags={"keep": "1", "new": "2"})}, KEY)
    changed, _, actions = eks_api.ensure_addon_present(client, CLUSTER, "coredns", tags={"keep": "1", "new": "2"})
    assert changed and actions == ["tag"]


def test_addon_delete_and_missing(eks):
    client, stub = eks
    stub.add_response("describe_addon", {"addon": _addon()}, KEY)
    stub.add_response("delete_addon", {"addon": _addon(status="DELETING")}, dict(KEY, preserve=True))
    assert eks_api.ensure_addon_absent(client, CLUSTER, "coredns", preserve=True)[2] == ["delete"]
    _missing(stub)
    assert eks_api.ensure_addon_absent(client, CLUSTER, "coredns") == (False, None, [])


# --------------------------------------------------------------------------- cluster info
def _cluster(**vpc):
    return {"name": CLUSTER, "arn": f"arn:aws:eks:eu-west-1:123456789012:cluster/{CLUSTER}", "version": "1.33",
            "status": "ACTIVE", "endpoint": "https://example.eks.amazonaws.com",
            "identity": {"oidc": {"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"}},
            "resourcesVpcConfig": dict({"subnetIds": ["subnet-1", "subnet-2"]}, **vpc)}


def test_cluster_info_existing(eks):
    client, stub = eks
    stub.add_response("describe_cluster", {"cluster": _cluster()}, {"name": CLUSTER})
    stub.add_response("list_nodegroups", {"nodegroups": ["b"], "nextToken": "t"}, {"clusterName": CLUSTER})
    stub.add_response("list_nodegroups", {"nodegroups": ["a"]}, {"clusterName": CLUSTER, "nextToken": "t"})
    info = eks_api.cluster_info(client, CLUSTER)
    assert info["exists"] and info["nodegroups"] == ["a", "b"]
    assert info["region"] == "eu-west-1" and info["oidc_issuer"].endswith("/id/ABC")


def test_cluster_info_missing(eks):
    client, stub = eks
    _missing(stub, "describe_cluster", {"name": CLUSTER})
    assert eks_api.cluster_info(client, CLUSTER) == {"exists": False, "cluster": {}, "nodegroups": [], "oidc_issuer": "", "region": ""}


# --------------------------------------------------------------------------- endpoint access
def test_endpoint_access_unchanged(eks):
    client, stub = eks
    stub.add_response("describe_cluster", {"cluster": _cluster(endpointPublicAccess=True, endpointPrivateAccess=True,
                                                               publicAccessCidrs=["0.0.0.0/0"])}, {"name": CLUSTER})
    assert eks_api.ensure_endpoint_access(client, CLUSTER, True, True, None)[0] is False


def test_endpoint_access_update_sends_every_managed_setting(eks):
    client, stub = eks
    stub.add_response("describe_cluster", {"cluster": _cluster(endpointPublicAccess=True, endpointPrivateAccess=False)}, {"name": CLUSTER})
    stub.add_response("update_cluster_config", {"update": {"id": "u", "status": "InProgress", "type": "EndpointAccessUpdate"}},
                      {"name": CLUSTER, "resourcesVpcConfig": {"endpointPublicAccess": True, "endpointPrivateAccess": True,
                                                               "publicAccessCidrs": ["10.0.0.0/8", "203.0.113.0/24"]}})
    stub.add_response("describe_cluster", {"cluster": _cluster(endpointPublicAccess=True, endpointPrivateAccess=True)}, {"name": CLUSTER})
    changed, _, actions = eks_api.ensure_endpoint_access(client, CLUSTER, True, True, ["203.0.113.0/24", "10.0.0.0/8"])
    assert changed and actions == ["update_cluster_config:endpointPrivateAccess,publicAccessCidrs"]


def test_endpoint_access_check_mode(eks):
    client, stub = eks
    stub.add_response("describe_cluster", {"cluster": _cluster(endpointPublicAccess=True, endpointPrivateAccess=False)}, {"name": CLUSTER})
    changed, cluster, _ = eks_api.ensure_endpoint_access(client, CLUSTER, False, True, check_mode=True)
    assert changed and cluster["resourcesVpcConfig"]["endpointPublicAccess"] is False
    _missing(stub, "describe_cluster", {"name": CLUSTER})
    assert eks_api.ensure_endpoint_access(client, CLUSTER, True, True, check_mode=True) == (True, {}, ["cluster_missing"])


def test_endpoint_access_errors(eks):
    client, stub = eks
    with pytest.raises(eks_api.EksError, match="both be false"):
        eks_api.ensure_endpoint_access(client, CLUSTER, False, False)
    _missing(stub, "describe_cluster", {"name": CLUSTER})
    with pytest.raises(eks_api.EksError, match="does not exist"):
        eks_api.ensure_endpoint_access(client, CLUSTER, True, True)
