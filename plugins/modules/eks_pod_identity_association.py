#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_pod_identity_association
short_description: Manage an EKS Pod Identity association (service account to IAM role)
version_added: 0.1.0
description:
  - Associates a Kubernetes service account (namespace + name) of an EKS cluster with an IAM role
    through EKS Pod Identity, changes the role of an existing association, or deletes it.
  - The association is identified by cluster, namespace and service account.
  - The role's trust policy must allow C(pods.eks.amazonaws.com) to C(sts:AssumeRole) and C(sts:TagSession),
    and the C(eks-pod-identity-agent) add-on must run in the cluster.
  - Neither amazon.aws nor community.aws 10 has this module; the logic lives in C(plugins/module_utils/eks_api.py).
author:
  - Platform Engineering on EKS maintainers
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  namespace:
    description: Kubernetes namespace of the service account.
    required: true
    type: str
  service_account:
    description: Name of the Kubernetes service account.
    required: true
    type: str
  role_arn:
    description: IAM role the pods assume. Required when O(state=present).
    type: str
  tags:
    description: Tags for the association.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description: Remove tags that are not listed in O(tags). Ignored when O(tags) is not given.
    type: bool
    default: true
  state:
    description: Whether the association should exist.
    type: str
    choices: ["present", "absent"]
    default: present
notes:
  - Supports check mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Let the agent-core service account assume its role
  appmod.agent_platform.eks_pod_identity_association:
    cluster_name: peeks-agent-platform
    namespace: agent-platform
    service_account: agent-core
    role_arn: arn:aws:iam::123456789012:role/peeks-AgentCoreRole

- name: Remove the association
  appmod.agent_platform.eks_pod_identity_association:
    cluster_name: peeks-agent-platform
    namespace: agent-platform
    service_account: agent-core
    state: absent
"""

RETURN = r"""
association:
  description: The association after the task (snake_case keys, tags as-is).
  returned: when the association exists, would be created, or was deleted
  type: dict
  sample: {"association_id": "a-abcdefghijklmnop1", "namespace": "agent-platform", "service_account": "agent-core"}
actions:
  description: The API changes made (or that would be made in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create"]
"""

from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_runner import resource_result, run_aws_module
from ansible_collections.appmod.agent_platform.plugins.module_utils.eks_api import (
    ensure_pod_identity_association_absent,
    ensure_pod_identity_association_present,
)


def converge(client, p, check_mode):
    if p["state"] == "present":
        outcome = ensure_pod_identity_association_present(
            client, p["cluster_name"], p["namespace"], p["service_account"], p["role_arn"],
            tags=p["tags"] or {}, purge_tags=p["purge_tags"] and p["tags"] is not None, check_mode=check_mode,
        )
    else:
        outcome = ensure_pod_identity_association_absent(
            client, p["cluster_name"], p["namespace"], p["service_account"], check_mode=check_mode,
        )
    return resource_result("association", *outcome)


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        namespace=dict(type="str", required=True),
        service_account=dict(type="str", required=True),
        role_arn=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    run_aws_module(
        argument_spec, "eks", converge,
        "Pod identity association {namespace}/{service_account} on cluster {cluster_name}: API call failed",
        required_if=[("state", "present", ["role_arn"])],
        supports_check_mode=True,
    )


if __name__ == "__main__":
    main()
