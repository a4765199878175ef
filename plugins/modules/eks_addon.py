#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_addon
short_description: Manage an Amazon EKS add-on (vpc-cni, coredns, eks-pod-identity-agent, ...)
version_added: 0.1.0
description:
  - Creates, updates (version, IRSA role, configuration values, tags) or deletes an EKS add-on.
  - Neither amazon.aws nor community.aws 10 has an EKS add-on module; the logic lives in
    C(plugins/module_utils/eks_api.py).
author:
  - Platform Engineering on EKS maintainers
options:
  cluster_name:
    description: Name of the EKS cluster.
    required: true
    type: str
  name:
    description: Add-on name, for example C(vpc-cni), C(coredns), C(kube-proxy) or C(eks-pod-identity-agent).
    required: true
    type: str
  addon_version:
    description: Exact add-on version. When omitted EKS picks the default version and the module never changes it.
    type: str
  service_account_role_arn:
    description: IAM role for the add-on's service account (IRSA).
    type: str
  configuration_values:
    description: Add-on configuration as a dict (sent as JSON) or a JSON/YAML string.
    type: raw
  resolve_conflicts:
    description: How to resolve field conflicts with existing in-cluster objects.
    type: str
    choices: ["OVERWRITE", "NONE", "PRESERVE"]
    default: OVERWRITE
  preserve:
    description: On deletion, keep the add-on's Kubernetes objects in the cluster.
    type: bool
    default: false
  tags:
    description: Tags to add (existing tags are kept).
    type: dict
    aliases: ["resource_tags"]
  state:
    description: Whether the add-on should exist.
    type: str
    choices: ["present", "absent"]
    default: present
  wait:
    description: Wait until the add-on is ACTIVE (present) or gone (absent).
    type: bool
    default: false
notes:
  - Supports check mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Pod identity agent (needed by EKS Pod Identity associations)
  appmod.agent_platform.eks_addon:
    cluster_name: peeks-agent-platform
    name: eks-pod-identity-agent
    wait: true

- name: Pinned CoreDNS with custom replica count
  appmod.agent_platform.eks_addon:
    cluster_name: peeks-agent-platform
    name: coredns
    addon_version: v1.11.4-eksbuild.2
    configuration_values:
      replicaCount: 3
"""

RETURN = r"""
addon:
  description: The add-on after the task (snake_case keys, tags as-is).
  returned: when the add-on exists or would be created
  type: dict
  sample: {"addon_name": "coredns", "addon_version": "v1.11.4-eksbuild.2", "status": "ACTIVE"}
actions:
  description: The API changes made (or that would be made in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create"]
"""

from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_runner import resource_result, run_aws_module
from ansible_collections.appmod.agent_platform.plugins.module_utils.eks_api import ensure_addon_absent, ensure_addon_present


def converge(client, p, check_mode):
    if p["state"] == "present":
        outcome = ensure_addon_present(
            client, p["cluster_name"], p["name"], addon_version=p["addon_version"],
            service_account_role_arn=p["service_account_role_arn"], configuration_values=p["configuration_values"],
            resolve_conflicts=p["resolve_conflicts"], tags=p["tags"], check_mode=check_mode, wait=p["wait"],
        )
    else:
        outcome = ensure_addon_absent(
            client, p["cluster_name"], p["name"], preserve=p["preserve"], check_mode=check_mode, wait=p["wait"],
        )
    return resource_result("addon", *outcome)


def main():
    argument_spec = dict(
        cluster_name=dict(type="str", required=True),
        name=dict(type="str", required=True),
        addon_version=dict(type="str"),
        service_account_role_arn=dict(type="str"),
        configuration_values=dict(type="raw"),
        resolve_conflicts=dict(type="str", choices=["OVERWRITE", "NONE", "PRESERVE"], default="OVERWRITE"),
        preserve=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait=dict(type="bool", default=False),
    )
    run_aws_module(argument_spec, "eks", converge, "EKS add-on {name} on cluster {cluster_name}: API call failed",
                   supports_check_mode=True)


if __name__ == "__main__":
    main()
