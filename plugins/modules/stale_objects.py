# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/stale_objects.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: stale_objects
short_description: Which objects of a manifest bundle the cluster lacks or holds at another version
version_added: 0.2.0
description:
  - Reads every object of O(manifests) (or O(manifest_file)) from the API server and returns those that are missing or whose annotations
    differ from the manifest's (bundles such as the Gateway API CRDs record their version in an annotation).
  - A server-side apply of an unchanged bundle still rewrites managedFields once a status writer has touched an object,
    which M(kubernetes.core.k8s) reports as a change; applying only when this returns something keeps reruns at
    C(changed=0).
  - Runs on the controller (an action plugin) with the kubernetes client; changes nothing.
options:
  manifests:
    description: The manifests, as multi-document YAML text. One of O(manifests) and O(manifest_file) is required.
    type: str
  manifest_file:
    description:
      - A file of such manifests on the controller, read by the action (a large bundle templated into O(manifests)
        costs a second per task).
    type: path
  kubeconfig:
    description: Kubeconfig path; default C(K8S_AUTH_KUBECONFIG), else the client's default (C(~/.kube/config)).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
seealso:
  - module: kubernetes.core.k8s
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: What of the Gateway API bundle needs applying
  appmod.agent_platform.stale_objects:
    manifest_file: gateway-api-v1.6.0-standard-install.yaml
    kubeconfig: ~/.kube/config
  register: stale
"""

RETURN = r"""
stale:
  description: C(<Kind> [<namespace>/]<name>) of every object to apply (empty when the cluster holds the bundle).
  returned: success
  type: list
  elements: str
"""
