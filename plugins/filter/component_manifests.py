# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: component_manifests
short_description: The rendered manifests of one component, all its releases together
version_added: 0.2.0
description:
  - A component's Argo CD Application has several sources (its upstream charts and the project's glue chart).
    Given the releases returned by M(appmod.agent_platform.application_releases) and the matching results of
    M(appmod.agent_platform.helm_template_batch), returns the manifests of the releases of one component,
    concatenated in source order.
options:
  _input:
    description: The component name (the Application's C(app.kubernetes.io/component) label).
    type: str
    required: true
  releases:
    description: The C(releases) of M(appmod.agent_platform.application_releases).
    type: list
    elements: dict
    required: true
  rendered:
    description: The C(results) of M(appmod.agent_platform.helm_template_batch) for those releases, same order.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Kagent's manifests (upstream chart and glue)
  ansible.builtin.copy:
    content: "{{ 'kagent' | appmod.agent_platform.component_manifests(releases.releases, rendered.results) }}"
    dest: /tmp/kagent.yaml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: Multi-document YAML.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import charts


def component_manifests(component, releases, rendered):
    try:
        return charts.component_manifests(component, releases, rendered)
    except charts.ChartError as exc:
        raise AnsibleFilterError("component_manifests: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"component_manifests": component_manifests}
