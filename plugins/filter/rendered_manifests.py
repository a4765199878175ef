# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: rendered_manifests
short_description: The manifests of helm_template_batch results, whether kept in the results or in files
version_added: 0.9.0
description:
  - Given the C(results) of M(appmod.agent_platform.helm_template_batch), returns each release's rendered manifests,
    in the same order, read from C(stdout_file) when the task spooled them (its C(spool_dir)), else the result's
    C(stdout).
positional: _input
options:
  _input:
    description: The C(results) of M(appmod.agent_platform.helm_template_batch).
    type: list
    elements: dict
    required: true
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Every release's manifests
  ansible.builtin.debug:
    msg: "{{ rendered.results | appmod.agent_platform.rendered_manifests }}"
"""

RETURN = r"""
_value:
  description: Multi-document YAML, one string per release.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template


def rendered_manifests(results):
    try:
        return [helm_template.output_of(result) for result in results]
    except (OSError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("rendered_manifests: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"rendered_manifests": rendered_manifests}
