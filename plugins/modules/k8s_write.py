# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/k8s_write.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_write
short_description: kubernetes.core.k8s, run in the controller's process
version_added: 0.9.0
description:
  - Creates, patches, applies (client- or server-side) or deletes Kubernetes objects exactly as
    M(kubernetes.core.k8s) does, because it runs that module's own code (its argument spec and C(run_module)),
    in the controller's process instead of a new Python on the target.
  - A module run of M(kubernetes.core.k8s) costs about a second before it sends anything (Ansible packs the module,
    a new Python imports the Kubernetes client and reads the API discovery); the cluster is reached from the
    controller either way, so this action skips that second. A cold converge makes about ten such writes.
  - Takes every option of M(kubernetes.core.k8s) and returns what it returns; check mode and diff as it does.
  - The connection comes from the play's C(module_defaults) for M(kubernetes.core.k8s) (or its group
    C(group/kubernetes.core.k8s)), as it would for that module; options on the task override them.
  - O(src) and O(kubeconfig) are paths on the controller; C(template) is not supported (render the definition
    with a lookup instead).
options: {}
attributes:
  diff_mode:
    support: full
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
seealso:
  - module: kubernetes.core.k8s
  - module: appmod.agent_platform.k8s_read
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Ensure a namespace with Pod Security labels (merged into any labels it has)
  appmod.agent_platform.k8s_write:
    state: present
    definition:
      apiVersion: v1
      kind: Namespace
      metadata:
        name: agent-platform
        labels:
          pod-security.kubernetes.io/enforce: restricted

- name: Apply a pinned upstream manifest server-side
  appmod.agent_platform.k8s_write:
    state: present
    apply: true
    server_side_apply:
      field_manager: appmod.agent_platform
    src: /path/to/standard-install.yaml

- name: Delete an Application and wait until it is gone
  appmod.agent_platform.k8s_write:
    state: absent
    api_version: argoproj.io/v1alpha1
    kind: Application
    namespace: argocd
    name: peeks-agent-platform
    wait: true
"""

RETURN = r"""
result:
  description: What M(kubernetes.core.k8s) returns for the object (for several, C(results) with one per object).
  returned: success
  type: dict
diff:
  description: The object before and after, with diff mode.
  returned: changed, with diff mode
  type: dict
"""
