# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/k8s_read.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_read
short_description: Read Kubernetes objects on the controller, as kubernetes.core.k8s_info would
version_added: 0.3.0
description:
  - Returns the objects O(kind) and O(name), O(namespace) or the selectors name, in C(resources), like
    M(kubernetes.core.k8s_info), read with kubernetes.core's own P(kubernetes.core.k8s#lookup) in the controller
    process.
  - A module task starts a Python process, imports the Kubernetes client and reads the API discovery each time (a
    second and more per read on a busy controller); this action does the same read in a tenth of that, which
    matters on a rerun that only reads.
  - The connection comes from the play's C(module_defaults) for M(kubernetes.core.k8s_info) (or its group
    C(group/kubernetes.core.k8s)), as it would for k8s_info; O(kubeconfig) overrides it. Without either, the
    client's default (C(K8S_AUTH_KUBECONFIG), else C(~/.kube/config)).
  - An object that does not exist, or a kind the API server does not serve, is an empty C(resources) (then
    C(api_found) is false); an unreachable API server fails the task.
options:
  api_version:
    description: API version of O(kind).
    type: str
    default: v1
  kind:
    description: Kind of the objects.
    type: str
    required: true
  name:
    description: Name of one object.
    type: str
  names:
    description:
      - Names of several objects, read one after the other in one task (those that do not exist are left out).
      - Mutually exclusive with O(name).
    type: list
    elements: str
  namespace:
    description: Namespace of the objects (namespaced kinds).
    type: str
  label_selectors:
    description: Label selectors, all of which must match.
    type: list
    elements: str
    default: []
  field_selectors:
    description: Field selectors, all of which must match.
    type: list
    elements: str
    default: []
  kubeconfig:
    description: Kubeconfig path, instead of the one C(module_defaults) gives kubernetes.core.k8s_info.
    type: path
  metadata_only:
    description:
      - Only C(apiVersion), C(kind) and C(metadata) of each object (the API server's PartialObjectMetadata), by
        O(name), O(names) or every object of the kind (in O(namespace)); no selectors. A CustomResourceDefinition's schema can be a megabyte; its labels and
        annotations are a few lines.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
seealso:
  - module: kubernetes.core.k8s_info
  - plugin: kubernetes.core.k8s
    plugin_type: lookup
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Read a Secret (its data stays out of the output)
  appmod.agent_platform.k8s_read:
    kind: Secret
    namespace: agent-platform
    name: langfuse-credentials
  register: credentials
  no_log: true

- name: Read the CustomResourceDefinitions a release templates (missing ones left out)
  appmod.agent_platform.k8s_read:
    api_version: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    names: [agents.kagent.dev, modelconfigs.kagent.dev]
    metadata_only: true
  register: crds

- name: List the Applications of one bridge
  appmod.agent_platform.k8s_read:
    api_version: argoproj.io/v1alpha1
    kind: Application
    namespace: argocd
    label_selectors:
      - agent-platform.appmod.io/bridge=peeks-agent-platform
  register: apps
"""

RETURN = r"""
api_found:
  description: Whether the API server serves O(kind) (false when its CRD is not installed).
  returned: success
  type: bool
resources:
  description: The objects found, as the API server returns them (empty when none matches).
  returned: success
  type: list
  elements: dict
"""
