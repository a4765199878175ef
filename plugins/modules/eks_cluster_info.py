#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: eks_cluster_info
short_description: Read one EKS cluster, its node groups and its OIDC issuer
version_added: 0.1.0
description:
  - Describes an EKS cluster by name without changing anything. Reports RV(exists=false)
    instead of failing when the cluster does not exist.
  - Lists the cluster's managed node groups, so that roles can decide whether a node group must be
    created (C(community.aws.eks_nodegroup) is not idempotent against every backend).
  - community.aws 10 has no EKS cluster info module; the logic lives in C(plugins/module_utils/eks_api.py).
author:
  - Platform Engineering on EKS maintainers
options:
  name:
    description: Name of the cluster.
    required: true
    type: str
  include_nodegroups:
    description: Also list the names of the cluster's managed node groups.
    type: bool
    default: true
notes:
  - Read-only; supports check mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the cluster
  appmod.agent_platform.eks_cluster_info:
    name: peeks-agent-platform
  register: cluster

- name: Show the OIDC issuer
  ansible.builtin.debug:
    msg: "{{ cluster.oidc_issuer }}"
  when: cluster.exists
"""

RETURN = r"""
exists:
  description: Whether the cluster exists.
  returned: always
  type: bool
cluster:
  description: The cluster as returned by DescribeCluster, keys in snake_case (tags kept as-is). Empty if absent.
  returned: always
  type: dict
  sample: {"name": "peeks-agent-platform", "status": "ACTIVE", "version": "1.33", "endpoint": "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com"}
nodegroups:
  description: Names of the managed node groups, sorted.
  returned: always
  type: list
  elements: str
oidc_issuer:
  description: The cluster's OIDC issuer URL (empty if absent).
  returned: always
  type: str
  sample: https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
region:
  description: Region taken from the cluster ARN (empty if absent).
  returned: always
  type: str
  sample: us-east-1
"""

from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_runner import run_aws_module, snake
from ansible_collections.appmod.agent_platform.plugins.module_utils.eks_api import cluster_info


def describe(client, p, check_mode):
    info = cluster_info(client, p["name"], p["include_nodegroups"])
    return dict(info, changed=False, cluster=snake(info["cluster"]))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        include_nodegroups=dict(type="bool", default=True),
    )
    run_aws_module(argument_spec, "eks", describe, "Could not describe EKS cluster {name}", supports_check_mode=True)


if __name__ == "__main__":
    main()
