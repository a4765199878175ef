# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/helm_template_batch.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: helm_template_batch
short_description: Run helm template for several releases in one task
version_added: 0.1.0
description:
  - Runs C(helm template) for every release of O(releases), in order, on the controller (an action plugin,
    no module is sent to the host), and returns each one's manifests. One task instead of a loop of
    M(kubernetes.core.helm_template), which starts a module per release.
  - Each release runs as M(kubernetes.core.helm_template) runs it with the same options
    (C(helm template <release_name> <chart_ref> -n <release_namespace> -f=<values file>), C(HELM_NAMESPACE)
    set to the namespace, the values file being O(releases[].release_values) dumped as YAML; no C(-f) when
    they are empty), so RV(results[].stdout) is byte for byte what that module returns.
  - Renders offline (no cluster). It changes nothing, so it also runs in check mode and never reports a change.
  - Helm runs for several releases side by side (one process per CPU); on a failure the message gives the first
    failing release (in their order), the chart and Helm's error.
options:
  binary_path:
    description: The helm binary, a path or a name looked up on C(PATH). Default C(helm) on C(PATH).
    type: path
  releases:
    description: The releases to render, in order. Other keys than the ones below are ignored (so the
      RV(appmod.agent_platform.application_releases#module:releases) of that module can be passed as they are).
    type: list
    elements: dict
    required: true
    suboptions:
      chart_ref:
        description: Path of the chart folder.
        type: path
        required: true
      release_name:
        description: Release name.
        type: str
      release_namespace:
        description: Namespace (C(-n), and C(HELM_NAMESPACE)).
        type: str
      release_values:
        description: Values handed to the chart (as one C(-f) file).
        type: dict
      include_crds:
        description: Also render the chart's C(crds/) folder (C(--include-crds)), as Argo CD does.
        type: bool
        default: false
  spool_dir:
    description:
      - Keep each release's manifests in a file in this folder instead of in the result (RV(results[].stdout_file),
        named by the output's sha256, written atomically; files unused for a day are removed by a later spool).
      - For playbooks with many hosts. Ansible keeps every host's registered results in the controller process and
        forks each per-host task worker from it, so megabytes of manifests per host make every later task dearer.
        The filter P(appmod.agent_platform.rendered_manifests#filter) reads them back.
      - The folder is also a render cache. A release whose inputs were rendered before, by this task for another
        host or by an earlier run, is read back instead of running Helm again (RV(results[].reused)). The inputs
        are the Helm binary (path, size, modification time), the chart's content (archive bytes, or every file
        of its folder), the release name and namespace, O(releases[].include_crds), the values file and the
        C(HELM_*) environment variables. C(helm template) renders offline, so its output depends on nothing else.
        Hosts rendering the same release side by side wait for the first render. A failed render is not kept.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
attributes:
  check_mode:
    details: Runs Helm in check mode too (it only reads).
seealso:
  - module: kubernetes.core.helm_template
  - module: appmod.agent_platform.render_tree
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Render two charts offline
  appmod.agent_platform.helm_template_batch:
    binary_path: /usr/local/bin/helm
    releases:
      - chart_ref: gitops/charts/kagent
        release_name: kagent
        release_namespace: kagent
        release_values: {replicas: 2}
      - chart_ref: gitops/charts/jaeger
        release_name: jaeger
        release_namespace: jaeger
  register: rendered

- name: Show the first release's manifests
  ansible.builtin.debug:
    msg: "{{ rendered.results[0].stdout }}"

- name: Render for many hosts, the manifests kept in files
  appmod.agent_platform.helm_template_batch:
    releases: "{{ releases }}"
    spool_dir: "{{ lookup('ansible.builtin.env', 'HOME') }}/.cache/rendered"
  register: spooled

- name: Read them back
  ansible.builtin.debug:
    msg: "{{ (spooled.results | appmod.agent_platform.rendered_manifests)[0] }}"
"""

RETURN = r"""
results:
  description: One entry per release, in the order of O(releases).
  returned: success
  type: list
  elements: dict
  contains:
    chart_ref:
      description: The chart folder.
      type: str
      sample: gitops/charts/kagent
    release_name:
      description: The release name.
      type: str
      sample: kagent
    release_namespace:
      description: The namespace.
      type: str
      sample: kagent
    command:
      description: The Helm command line (the values file is a temporary file, removed afterwards).
      type: str
      sample: /usr/local/bin/helm template kagent gitops/charts/kagent -n kagent -f=/tmp/tmpa1b2c3.yml
    rc:
      description: Helm's exit code.
      type: int
      sample: 0
    stdout:
      description: The rendered manifests (without O(spool_dir)).
      type: str
    stdout_file:
      description: The file that holds the rendered manifests (with O(spool_dir)).
      type: str
      returned: with O(spool_dir)
    stdout_sha256:
      description: sha256 (hex) of the rendered manifests (with O(spool_dir)).
      type: str
      returned: with O(spool_dir)
    stderr:
      description: Helm's warnings.
      type: str
    reused:
      description: The manifests were read back from an earlier render with the same inputs; Helm did not run
        (with O(spool_dir)).
      type: bool
      returned: with O(spool_dir)
failed_index:
  description: The index in O(releases) of the release Helm failed on (the first in their order).
  returned: failure of Helm
  type: int
command:
  description: The command line of the release that failed.
  returned: failure of Helm
  type: str
rc:
  description: Helm's exit code for the release that failed.
  returned: failure of Helm
  type: int
stderr:
  description: Helm's error output for the release that failed.
  returned: failure of Helm
  type: str
"""
