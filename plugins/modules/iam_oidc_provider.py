#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: iam_oidc_provider
short_description: Manage an IAM OpenID Connect identity provider (for EKS IRSA)
version_added: 0.1.0
description:
  - Creates, converges or deletes an IAM OpenID Connect provider, identified by its issuer URL.
  - Typically used with the OIDC issuer of an EKS cluster so that Kubernetes service accounts
    can assume IAM roles (IRSA).
  - Neither amazon.aws nor community.aws ships such a module; the logic lives in
    C(plugins/module_utils/iam_oidc.py).
author:
  - Platform Engineering on EKS maintainers
options:
  url:
    description:
      - Issuer URL of the identity provider, for example the EKS cluster's C(identity.oidc.issuer).
      - The scheme and a trailing slash are ignored when comparing.
    required: true
    type: str
  client_ids:
    description:
      - Audiences (client IDs) the provider accepts. Extra client IDs on an existing provider are removed.
    type: list
    elements: str
    default: ["sts.amazonaws.com"]
  thumbprints:
    description:
      - SHA-1 thumbprints of the issuer's certificate chain.
      - Leave empty to let IAM use its library of trusted CAs (the default for EKS issuers); an empty
        list never removes thumbprints from an existing provider.
    type: list
    elements: str
    default: []
  tags:
    description: Tags for the provider.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description: Remove tags that are not listed in O(tags). Ignored when O(tags) is not given.
    type: bool
    default: true
  state:
    description: Whether the provider should exist.
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
- name: Register the cluster's OIDC issuer for IRSA
  appmod.agent_platform.iam_oidc_provider:
    url: "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    client_ids: ["sts.amazonaws.com"]
    tags:
      agent-platform/cluster: peeks

- name: Remove it again
  appmod.agent_platform.iam_oidc_provider:
    url: "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    state: absent
"""

RETURN = r"""
arn:
  description: ARN of the provider (null in check mode before creation, or after deletion).
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE
provider:
  description: The provider as it is (or would be, in check mode) after the task.
  returned: when state=present, or when state=absent and a provider was deleted
  type: dict
  contains:
    arn:
      description: ARN of the provider.
      type: str
    url:
      description: Issuer without scheme.
      type: str
    client_ids:
      description: Accepted audiences, sorted.
      type: list
      elements: str
    thumbprints:
      description: Certificate thumbprints, sorted.
      type: list
      elements: str
    tags:
      description: Tags as a dict.
      type: dict
actions:
  description: The API changes made (or that would be made in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create"]
"""

from ansible_collections.appmod.agent_platform.plugins.module_utils.aws_runner import resource_result, run_aws_module
from ansible_collections.appmod.agent_platform.plugins.module_utils.iam_oidc import ensure_absent, ensure_present


def converge(client, params, check_mode):
    if params["state"] == "present":
        changed, provider, actions = ensure_present(
            client,
            params["url"],
            params["client_ids"],
            thumbprints=params["thumbprints"],
            tags=params["tags"] or {},
            purge_tags=params["purge_tags"] and params["tags"] is not None,
            check_mode=check_mode,
        )
        arn = (provider or {}).get("arn")
    else:
        changed, provider, actions = ensure_absent(client, params["url"], check_mode=check_mode)
        arn = None
    return dict(resource_result("provider", changed, provider, actions, convert=False), arn=arn)


def main():
    argument_spec = dict(
        url=dict(type="str", required=True),
        client_ids=dict(type="list", elements="str", default=["sts.amazonaws.com"]),
        thumbprints=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    run_aws_module(argument_spec, "iam", converge, "IAM OIDC provider for {url}: API call failed", supports_check_mode=True)


if __name__ == "__main__":
    main()
