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
  - O(target=private) uses a private, throwaway control plane from the local default's cached binaries (own
    ports and state dir) with Argo CD's Application CRD, makes its CRDs exactly the rendered ones, creates the
    namespaces with the labels the role gives them, validates, and stops it, leaving no process, port or file;
    skipped (with the reason) when the binaries are not built.
  - The control plane runs in a background server process. O(state=started) starts it and returns at once
    (RV(plane)), so it comes up while the run renders, with the CRDs the previous validation brought already
    loaded (kept in the project cache; any that differ from the render are applied again, any the render lacks
    are deleted); O(state=validated) with that O(plane) attaches to it, validates and stops it (without
    O(plane) it starts one first); O(state=stopped) stops one a failed run left. It also stops by itself when
    ansible-playbook ends.
  - With O(accepted_cache), a target's verdict is remembered. A render (RV(render_digest)) the target accepted, by
    this dry run or for real (O(state=remembered) after a converge), is not sent again while the target's CRDs,
    admission webhooks and policies, namespaces, ResourceQuotas and LimitRanges are unchanged (their uids and
    resourceVersions, read as metadata only). What the live objects themselves hold is not part of that key; an
    object edited by hand since is judged by the apply itself.
  - Each refusal names the host, the component, the object, the API server's words and, for each value the
    offending fields hold, the values level that set it.
  - Runs on the controller (an action plugin); check mode is supported (it changes nothing anyway).
options:
  renders:
    description:
      - One entry per host whose render to validate (a private validator takes every host at once).
      - Required with O(state=validated).
    type: list
    elements: dict
    default: []
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
        description:
          - The matching results of M(appmod.agent_platform.helm_template_batch) (same order).
          - Left out, they are read from the host's O(rendered_var).
        type: list
        elements: dict
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
      manifest_files:
        description:
          - Manifest files (multi-document YAML) the run applies before any chart, for example the catalogue's
            prerequisites (the Gateway API CRDs). A private validator loads and judges them; on a target cluster
            their CRDs count as brought by the run (objects of their kinds are deferred until they exist).
        type: list
        elements: path
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
  state:
    description:
      - C(validated) judges O(renders); C(started) and C(stopped) start and stop a private validator in the
        background (O(target=private)).
      - C(remembered) records O(render_digest) as accepted by the target as it is now (O(accepted_cache)), after a
        run that applied it.
    type: str
    choices: [validated, started, stopped, remembered]
    default: validated
  accepted_cache:
    description:
      - A file on the controller where the target's accepted renders are remembered (the newest 20). Left out,
        every run sends every object.
    type: path
  render_digest:
    description: The RV(render_digest) of the validation to remember (O(state=remembered)).
    type: str
  plane:
    description: The RV(plane) of an earlier O(state=started) (O(target=private)).
    type: path
  rendered_var:
    description:
      - Name of the host variable registered by M(appmod.agent_platform.helm_template_batch), read as registered
        (not templated) for each render that leaves out C(rendered). Helm's output is megabytes; passing it
        through the task's arguments costs seconds per host.
    type: str
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

- name: Start the private validator before a long render (it comes up meanwhile)
  appmod.agent_platform.server_validate:
    state: started
    target: private
    project_root: "{{ playbook_dir }}/.."
  register: validator
  run_once: true

- name: Judge the render on it (then it stops)
  appmod.agent_platform.server_validate:
    renders: "{{ renders }}"
    target: private
    project_root: "{{ playbook_dir }}/.."
    plane: "{{ validator.plane }}"
  run_once: true
"""

RETURN = r"""
render_digest:
  description: sha256 of the renders judged (O(target=cluster)), for O(state=remembered).
  returned: success, target cluster
  type: str
accepted_before:
  description: When (epoch seconds) the target accepted this render with the same judges; nothing was sent.
  returned: when remembered
  type: float
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
  description: Wall time of the validation (for a private one, the wait for its control plane and its stop included).
  returned: success
  type: float
preloaded:
  description: How many CRDs the private validator held when it started (the warm start; O(target=private)).
  returned: O(target=private)
  type: int
plane:
  description: The background private validator's directory (O(state=started)); empty when skipped.
  returned: O(state=started)
  type: str
"""
