#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_cluster_endpoint_access
short_description: Converge the public/private API endpoint access of an EKS cluster
version_added: 0.1.0
description:
  - Compares the cluster's C(resourcesVpcConfig) with the wanted endpoint access and calls
    C(UpdateClusterConfig) only for what differs.
  - C(community.aws.eks_cluster) creates clusters but cannot set or change endpoint access; this module
    fills that gap. Logic in C(plugins/module_utils/eks_api.py).
author:
  - Platform Engineering on EKS maintainers
options:
  name:
    description: Name of the cluster.
    required: true
    type: str
  endpoint_public_access:
    description: Whether the Kubernetes API endpoint is reachable from the internet. Unmanaged when omitted.
    type: bool
  endpoint_private_access:
    description: Whether the Kubernetes API endpoint is reachable from inside the VPC. Unmanaged when omitted.
    type: bool
  public_access_cidrs:
    description: CIDR blocks allowed to reach the public endpoint. Unmanaged when omitted.
    type: list
    elements: str
  wait:
    description: Wait until the cluster is ACTIVE again after an update.
    type: bool
    default: false
notes:
  - Supports check mode. In check mode a missing cluster is reported as a change (it would be created
    earlier in the same run); outside check mode a missing cluster is an error.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Private endpoint on, public endpoint limited to the office
  appmod.agent_platform.eks_cluster_endpoint_access:
    name: peeks-agent-platform
    endpoint_public_access: true
    endpoint_private_access: true
    public_access_cidrs: ["203.0.113.0/24"]
    wait: true
"""

RETURN = r"""
cluster:
  description: The cluster after the task (snake_case keys, tags as-is); empty in check mode if it does not exist yet.
  returned: always
  type: dict
actions:
  description: The API changes made (or that would be made in check mode).
  returned: always
  type: list
  elements: str
  sample: ["update_cluster_config:endpointPrivateAccess"]
"""

from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_runner import resource_result, run_aws_module
from ansible_collections.appmod.agent_platform.plugins.module_utils.eks_api import ensure_endpoint_access


def converge(client, p, check_mode):
    changed, cluster, actions = ensure_endpoint_access(
        client, p["name"], p["endpoint_public_access"], p["endpoint_private_access"], p["public_access_cidrs"],
        check_mode=check_mode, wait=p["wait"],
    )
    return resource_result("cluster", changed, cluster or {}, actions)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        endpoint_public_access=dict(type="bool"),
        endpoint_private_access=dict(type="bool"),
        public_access_cidrs=dict(type="list", elements="str"),
        wait=dict(type="bool", default=False),
    )
    run_aws_module(argument_spec, "eks", converge, "Could not update endpoint access of EKS cluster {name}",
                   supports_check_mode=True)


if __name__ == "__main__":
    main()
