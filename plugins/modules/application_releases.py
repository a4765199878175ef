# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/application_releases.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: application_releases
short_description: The Helm releases behind the sources of Argo CD Applications, with their charts on disk
version_added: 0.2.0
description:
  - For every source of every Application in O(applications), returns the Helm release Argo CD would render - release name, namespace, values (the source's C(helm.valuesObject)), and a local C(chart_ref).
  - Upstream charts (a source with C(chart)) are pulled once with C(helm pull) into O(cache_dir), keyed by
    repository, chart and version; a repository URL without scheme is Argo CD's Helm-OCI form and is pulled as
    C(oci://). The project's own charts (a Git source with C(path)) are the folders C(gitops/charts/<name>) of
    O(collection_root).
  - Also returns each chart's own C(values.yaml) (level 1 of the values levels) for provenance.
  - Runs on the controller (an action plugin), changes nothing but the download cache, and runs in check mode.
options:
  applications:
    description: Rendered Argo CD Application manifests (C(spec.sources) or C(spec.source)).
    type: list
    elements: dict
    required: true
  collection_root:
    description: The collection's root folder (where C(gitops/charts/) is).
    type: path
    required: true
  cache_dir:
    description: Download cache for upstream chart archives.
    type: path
    required: true
  binary_path:
    description: The helm binary, a path or a name looked up on C(PATH). Default C(helm) on C(PATH).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
attributes:
  check_mode:
    details: Pulls charts in check mode too (only the local download cache changes).
seealso:
  - module: appmod.agent_platform.helm_template_batch
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Resolve the charts of the rendered Applications
  appmod.agent_platform.application_releases:
    applications: "{{ agent_platform_applications }}"
    collection_root: "{{ playbook_dir }}/.."
    cache_dir: ~/.cache/appmod-agent-platform/charts
  register: releases

- name: Render them
  appmod.agent_platform.helm_template_batch:
    releases: "{{ releases.releases }}"
"""

RETURN = r"""
releases:
  description: One entry per source, in the Applications' order.
  returned: success
  type: list
  elements: dict
  contains:
    application:
      description: Name of the Application.
      type: str
    component:
      description: The component (the Application's C(app.kubernetes.io/component) label).
      type: str
    source_index:
      description: Index of the source in C(spec.sources).
      type: int
    kind:
      description: C(upstream) (a chart from a Helm repository) or C(project) (a chart of this collection).
      type: str
    release_name:
      description: The source's C(helm.releaseName).
      type: str
    release_namespace:
      description: The Application's destination namespace.
      type: str
    chart_ref:
      description: Local path of the chart (archive or folder).
      type: str
    chart:
      description: Chart name.
      type: str
    version:
      description: Chart version (upstream charts).
      type: str
    repo_url:
      description: The source's repository URL as the Application writes it.
      type: str
    release_values:
      description: The source's C(helm.valuesObject).
      type: dict
    chart_defaults:
      description: The chart's own values.yaml.
      type: dict
    values_path:
      description: >-
        Where in C(components.<key>) the values levels set this source's values (C(config),
        C(companions.<chart>) or C(glue)).
      type: str
    values_key:
      description: The component's key under C(components) in the values levels (from the catalogue).
      type: str
"""
