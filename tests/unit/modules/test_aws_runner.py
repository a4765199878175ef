"""plugins/module_utils/aws_runner.py (the main() of the five AWS modules) with a stand-in for AnsibleAWSModule.

The success paths of eks_addon and eks_pod_identity_association cannot run against moto 5.2.5 (no such
APIs), so their converge() is checked here with the ensure_* functions replaced by canned outcomes.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.appmod.agent_platform.plugins.module_utils import aws_runner
from ansible_collections.appmod.agent_platform.plugins.module_utils.eks_api import EksError
from ansible_collections.appmod.agent_platform.plugins.modules import (
    eks_addon,
    eks_cluster_endpoint_access,
    eks_cluster_info,
    eks_pod_identity_association,
    iam_oidc_provider,
)


class Exited(Exception):
    pass


class FakeModule:
    """Records what AnsibleAWSModule would be built with and how the module ends."""

    def __init__(self, params, check_mode=False):
        self.params, self.check_mode, self.kwargs, self.services, self.end = params, check_mode, None, [], None

    def __call__(self, **kwargs):
        self.kwargs = kwargs
        return self

    def client(self, service):
        self.services.append(service)
        return "client-" + service

    def exit_json(self, **result):
        self.end = ("exit", result)
        raise Exited()

    def fail_json(self, msg):
        self.end = ("fail", msg)
        raise Exited()

    def fail_json_aws(self, exc, msg):
        self.end = ("fail_aws", msg, exc)
        raise Exited()


def _run(monkeypatch, module, converge, error_msg="thing {name} failed", **module_kwargs):
    monkeypatch.setattr(aws_runner, "AnsibleAWSModule", module)
    with pytest.raises(Exited):
        aws_runner.run_aws_module({"name": {}}, "eks", converge, error_msg, **module_kwargs)
    return module.end


def test_runner_builds_module_and_client_and_exits_with_the_result(monkeypatch):
    module = FakeModule({"name": "c1"}, check_mode=True)
    seen = []

    def converge(client, params, check_mode):
        seen.append((client, params, check_mode))
        return {"changed": True, "actions": ["x"]}

    end = _run(monkeypatch, module, converge, supports_check_mode=True, required_if=[("a", "b", ["c"])])
    assert end == ("exit", {"changed": True, "actions": ["x"]})
    assert module.kwargs == {"argument_spec": {"name": {}}, "supports_check_mode": True, "required_if": [("a", "b", ["c"])]}
    assert module.services == ["eks"] and seen == [("client-eks", {"name": "c1"}, True)]


def test_runner_eks_error_fails_with_its_own_text(monkeypatch):
    def converge(client, params, check_mode):
        raise EksError("EKS cluster 'c1' does not exist")

    assert _run(monkeypatch, FakeModule({"name": "c1"}), converge) == ("fail", "EKS cluster 'c1' does not exist")


def test_runner_aws_error_names_the_resource(monkeypatch):
    exc = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeCluster")

    def converge(client, params, check_mode):
        raise exc

    end = _run(monkeypatch, FakeModule({"name": "c1", "cluster_name": "k"}), converge, "add-on {name} on cluster {cluster_name}")
    assert end == ("fail_aws", "add-on c1 on cluster k", exc)


def test_resource_result():
    resource = {"addonName": "coredns", "tags": {"someKey": "v"}}
    assert aws_runner.resource_result("addon", False, None, []) == {"changed": False, "actions": []}
    assert aws_runner.resource_result("addon", True, resource, ["create"]) == {
        "changed": True, "actions": ["create"], "addon": {"addon_name": "coredns", "tags": {"someKey": "v"}}}
    assert aws_runner.resource_result("provider", True, resource, [], convert=False)["provider"] is resource


ADDON = dict(cluster_name="k", name="coredns", addon_version=None, service_account_role_arn=None, configuration_values=None,
             resolve_conflicts="OVERWRITE", preserve=False, tags=None, wait=False)
ASSOCIATION = dict(cluster_name="k", namespace="ns", service_account="sa", role_arn="arn:r", tags=None, purge_tags=True)


@pytest.mark.parametrize("module, name, params, key", [
    (eks_addon, "ensure_addon_present", dict(ADDON, state="present"), "addon"),
    (eks_addon, "ensure_addon_absent", dict(ADDON, state="absent"), "addon"),
    (eks_pod_identity_association, "ensure_pod_identity_association_present", dict(ASSOCIATION, state="present"), "association"),
    (eks_pod_identity_association, "ensure_pod_identity_association_absent", dict(ASSOCIATION, state="absent"), "association"),
])
def test_converge_dispatches_on_state_and_snake_cases_the_resource(monkeypatch, module, name, params, key):
    calls = []
    monkeypatch.setattr(module, name, lambda *a, **kw: calls.append((a, kw)) or (True, {"someKey": 1, "tags": {"aB": "c"}}, ["x"]))
    assert module.converge("client", params, True) == {"changed": True, "actions": ["x"], key: {"some_key": 1, "tags": {"aB": "c"}}}
    assert calls[0][0][0] == "client" and calls[0][1]["check_mode"] is True
    monkeypatch.setattr(module, name, lambda *a, **kw: (False, None, []))
    assert module.converge("client", params, False) == {"changed": False, "actions": []}


def test_pod_identity_tags_are_purged_only_when_given(monkeypatch):
    calls = []
    monkeypatch.setattr(eks_pod_identity_association, "ensure_pod_identity_association_present",
                        lambda *a, **kw: calls.append(kw) or (False, None, []))
    eks_pod_identity_association.converge("client", dict(ASSOCIATION, state="present"), False)
    eks_pod_identity_association.converge("client", dict(ASSOCIATION, state="present", tags={"a": "1"}), False)
    assert [(c["tags"], c["purge_tags"]) for c in calls] == [({}, False), ({"a": "1"}, True)]


def test_endpoint_access_and_cluster_info_results(monkeypatch):
    monkeypatch.setattr(eks_cluster_endpoint_access, "ensure_endpoint_access", lambda *a, **kw: (True, {}, ["cluster_missing"]))
    params = dict(name="c1", endpoint_public_access=None, endpoint_private_access=True, public_access_cidrs=None, wait=False)
    assert eks_cluster_endpoint_access.converge("client", params, True) == {
        "changed": True, "actions": ["cluster_missing"], "cluster": {}}
    info = {"exists": True, "cluster": {"resourcesVpcConfig": {"endpointPrivateAccess": True}}, "nodegroups": [],
            "oidc_issuer": "", "region": "us-east-1"}
    monkeypatch.setattr(eks_cluster_info, "cluster_info", lambda client, name, include: dict(info))
    assert eks_cluster_info.describe("client", {"name": "c1", "include_nodegroups": True}, False) == dict(
        info, changed=False, cluster={"resources_vpc_config": {"endpoint_private_access": True}})


def test_iam_oidc_provider_arn(monkeypatch):
    provider = {"arn": "arn:p", "url": "u"}
    monkeypatch.setattr(iam_oidc_provider, "ensure_present", lambda *a, **kw: (True, provider, ["create"]))
    monkeypatch.setattr(iam_oidc_provider, "ensure_absent", lambda *a, **kw: (True, provider, ["delete"]))
    params = dict(url="u", client_ids=["sts.amazonaws.com"], thumbprints=[], tags=None, purge_tags=True)
    assert iam_oidc_provider.converge("client", dict(params, state="present"), False) == {
        "changed": True, "actions": ["create"], "arn": "arn:p", "provider": provider}
    assert iam_oidc_provider.converge("client", dict(params, state="absent"), False) == {
        "changed": True, "actions": ["delete"], "arn": None, "provider": provider}
