# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: template_crds
short_description: The CRDs a chart renders from its templates
version_added: 0.2.0
description:
- Given the output of C(helm template --include-crds), returns the names of the CustomResourceDefinitions that come from
  the chart's templates, leaving out those of its C(crds/) folder (Helm installs those only when absent and never takes
  ownership of them).
positional: _input
options:
  _input:
    description: Multi-document YAML as C(helm template) prints it (with its C(# Source:) comments).
    type: str
    required: true
author:
- Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: CRDs a release would have to adopt
  ansible.builtin.debug:
    msg: "{{ rendered.stdout | appmod.agent_platform.template_crds }}"
"""

RETURN = r"""
_value:
  description: CRD names.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import charts


def template_crds(manifests):
    try:
        return charts.template_crds(manifests)
    except Exception as exc:  # noqa: BLE001 - YAML errors, named for the task
        raise AnsibleFilterError("template_crds: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"template_crds": template_crds}
