"""plugins/module_utils/aws_leftovers.py and the workshop_aws_leftovers module, with paged stand-ins of the
boto3 EKS and IAM clients (the real calls run on moto in tests/workshop/test_clusters_event.py)."""
from __future__ import annotations

import pytest

from ansible_collections.appmod.agent_platform.plugins.module_utils import aws_runner
from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_leftovers import describe_leftovers, find_leftovers
from ansible_collections.appmod.agent_platform.plugins.modules import workshop_aws_leftovers

from test_aws_runner import Exited, FakeModule  # the stand-in of AnsibleAWSModule, same folder


class Paged:
    """A client whose paginators return the given pages for each operation."""

    def __init__(self, **pages):
        self.pages, self.calls = pages, []

    def get_paginator(self, operation):
        client = self

        class Paginator:
            def paginate(self, **kwargs):
                client.calls.append((operation, kwargs))
                return iter(client.pages[operation])
        return Paginator()


EKS = Paged(list_clusters=[{"clusters": ["ev-p1-agent-platform", "ev-p10-agent-platform"]}, {"clusters": ["other"]}])
IAM = Paged(list_roles=[{"Roles": [{"RoleName": "ev-p1-KagentRole"}]}, {"Roles": [{"RoleName": "ev-p2-KagentRole"}]}],
            list_policies=[{"Policies": [{"PolicyName": "ev-p1-KagentPolicy"}, {"PolicyName": "ev-p1x"}]}])


def test_every_page_is_read_and_only_names_with_a_prefix_are_listed():
    found = find_leftovers(EKS, IAM, ["ev-p1-"])
    assert found == {"eks_clusters": ["ev-p1-agent-platform"], "iam_roles": ["ev-p1-KagentRole"],
                     "iam_policies": ["ev-p1-KagentPolicy"]}  # not ev-p10-..., not ev-p1x
    assert ("list_policies", {"Scope": "Local"}) in IAM.calls  # customer managed policies only
    assert describe_leftovers(found) == "EKS cluster ev-p1-agent-platform; IAM role ev-p1-KagentRole; IAM policy ev-p1-KagentPolicy"


@pytest.mark.parametrize("prefixes", [[], [""]])
def test_no_prefix_finds_nothing(prefixes):
    assert find_leftovers(EKS, IAM, prefixes) == {"eks_clusters": [], "iam_roles": [], "iam_policies": []}
    assert describe_leftovers(find_leftovers(EKS, IAM, prefixes)) == ""


def test_the_module_gets_an_eks_and_an_iam_client_and_changes_nothing(monkeypatch):
    module = FakeModule({"prefixes": ["ev-p2-"]}, check_mode=True)
    monkeypatch.setattr(aws_runner, "AnsibleAWSModule", module)
    monkeypatch.setattr(module, "client", lambda service: module.services.append(service) or {"eks": EKS, "iam": IAM}[service])
    with pytest.raises(Exited):
        workshop_aws_leftovers.main()
    assert module.services == ["eks", "iam"]
    assert module.end == ("exit", {"changed": False, "count": 1, "description": "IAM role ev-p2-KagentRole",
                                   "leftovers": {"eks_clusters": [], "iam_roles": ["ev-p2-KagentRole"], "iam_policies": []}})
