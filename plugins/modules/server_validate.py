# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/server_validate.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: server_validate
short_description: The real API server's verdict on everything a run would apply, before anything changes
version_added: 0.2.0
description:
  - Sends every rendered object (the Applications, the cluster Secret and each component's manifests) to a
    kube-apiserver as a server-side dry run, and each workload's pod template as the Pod its controller would
    create, so the API's validation, the CRD schemas (OpenAPI and CEL) and every admission plugin (Pod Security
    among them) judge it. Nothing is stored.
  - O(target=cluster) asks the target cluster and never changes it; objects in a namespace it lacks yet, or of a
    CRD this render brings, are deferred (returned in RV(deferred)); a kind it serves for nobody is refused.
  - O(target=private) starts a private, throwaway control plane from the local default's cached binaries (own
    ports and state dir), loads Argo CD's CRDs and the rendered CRDs, creates the namespaces with the labels the
    role gives them, validates, and stops it, leaving no process, port or file; skipped (with the reason) when
    the binaries are not built.
  - Each refusal names the host, the component, the object, the API server's words and, for each value the
    offending fields hold, the values level that set it.
  - Runs on the controller (an action plugin); check mode is supported (it changes nothing anyway).
options:
  renders:
    description: One entry per host whose render to validate (a private validator takes every host at once).
    type: list
    elements: dict
    required: true
    suboptions:
      host:
        description: Name used in messages (the inventory host).
        type: str
        required: true
      releases:
        description: The releases of M(appmod.agent_platform.application_releases).
        type: list
        elements: dict
        required: true
      rendered:
        description: The matching results of M(appmod.agent_platform.helm_template_batch) (same order).
        type: list
        elements: dict
        required: true
      levels:
        description: The bridge values levels 2-6 (bridge defaults first), to name the level of an offending value.
        type: list
        elements: raw
        default: []
      level_names:
        description: Names of the six values levels (component chart defaults first).
        type: list
        elements: str
        default: []
      namespaces:
        description: Namespaces the role creates, name to labels (created on a private validator).
        type: dict
        default: {}
      objects:
        description: Objects outside the components (the Applications and the cluster Secret).
        type: list
        elements: dict
        default: []
  target:
    description: C(cluster) validates against O(kubeconfig); C(private) against a throwaway control plane.
    type: str
    choices: [cluster, private]
    default: cluster
  kubeconfig:
    description: Kubeconfig of the target cluster; default C(K8S_AUTH_KUBECONFIG), else the client's default.
    type: path
  project_root:
    description: The project work tree holding C(tools/localstack) (O(target=private) only).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
seealso:
  - module: appmod.agent_platform.helm_template_batch
  - module: appmod.agent_platform.application_releases
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Let the target cluster judge the render before anything changes
  appmod.agent_platform.server_validate:
    renders:
      - host: "{{ inventory_hostname }}"
        releases: "{{ releases.releases }}"
        rendered: "{{ render.results }}"
    kubeconfig: ~/.kube/config

- name: Render on a laptop, judged by a private control plane
  appmod.agent_platform.server_validate:
    renders:
      - host: "{{ inventory_hostname }}"
        releases: "{{ releases.releases }}"
        rendered: "{{ render.results }}"
        namespaces:
          agent-platform:
            pod-security.kubernetes.io/enforce: restricted
    target: private
    project_root: "{{ playbook_dir }}/.."
"""

RETURN = r"""
problems:
  description: Each refusal, with C(host), C(component), C(object), C(message), C(fields) and C(blame) (values path, level, value).
  returned: success
  type: list
  elements: dict
messages:
  description: One line per refusal (what the task's error message lists).
  returned: success
  type: list
  elements: str
checked:
  description: How many objects the API server judged.
  returned: success
  type: int
deferred:
  description: Objects a target cluster cannot judge yet (their namespace or CRD comes with this run).
  returned: success
  type: list
  elements: str
unchecked:
  description: Objects of operators the platform does not install, not judged by a private validator.
  returned: success
  type: list
  elements: str
seconds:
  description: Wall time of the validation (the private control plane's start and stop included).
  returned: success
  type: float
"""
