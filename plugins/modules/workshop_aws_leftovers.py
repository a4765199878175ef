#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: workshop_aws_leftovers
short_description: List the AWS resources of workshop participants that should be gone
version_added: 0.3.0
description:
  - Lists the EKS clusters, IAM roles and customer managed IAM policies whose names start with one of
    O(prefixes) (a participant's resource prefix and a dash, C(<event>-<id>-)). Run after a clusters-mode
    teardown or expiry sweep, what it finds outlived its participant.
  - Changes nothing. The logic lives in C(plugins/module_utils/aws_leftovers.py).
author:
  - Platform Engineering on EKS maintainers
options:
  prefixes:
    description: Name prefixes of the participants that should be gone. An empty list finds nothing.
    required: true
    type: list
    elements: str
notes:
  - Read-only; supports check mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What outlived p07 and p08
  appmod.agent_platform.workshop_aws_leftovers:
    prefixes: [ev20-p07-, ev20-p08-]
  register: leftovers

- name: Say so
  ansible.builtin.debug:
    msg: "{{ leftovers.description }}"
  when: leftovers.count > 0
"""

RETURN = r"""
leftovers:
  description: Names found, by kind, sorted.
  returned: always
  type: dict
  sample: {"eks_clusters": ["ev20-p07-agent-platform"], "iam_roles": ["ev20-p07-KagentRole"], "iam_policies": []}
count:
  description: How many resources were found.
  returned: always
  type: int
description:
  description: The resources in one line (C(EKS cluster a; IAM role b)), empty when none.
  returned: always
  type: str
"""

from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_leftovers import describe_leftovers, find_leftovers
from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_runner import run_aws_module


def list_leftovers(clients, p, check_mode):
    found = find_leftovers(clients["eks"], clients["iam"], p["prefixes"])
    return dict(changed=False, leftovers=found, count=sum(len(v) for v in found.values()),
                description=describe_leftovers(found))


def main():
    argument_spec = dict(prefixes=dict(type="list", elements="str", required=True))
    run_aws_module(argument_spec, ["eks", "iam"], list_leftovers, "Could not list the AWS resources of {prefixes}",
                   supports_check_mode=True)


if __name__ == "__main__":
    main()
