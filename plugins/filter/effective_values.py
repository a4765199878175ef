# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: effective_values
short_description: Each release's effective values and the level each value came from
version_added: 0.3.0
description:
  - "For the releases of M(appmod.agent_platform.application_releases), returns
    C({component: {release name: {chart, values_from, values, provenance}}})."
  - C(values) is what Helm hands the chart's templates (P(appmod.agent_platform.merge_values#filter) of the chart
    defaults and the release's values); C(provenance) is P(appmod.agent_platform.values_provenance#filter) of the chart
    defaults and each bridge level's part for the release (C(components.<values_key>.<values_path>)).
  - One call for all releases of a host (a task loop over them costs a second per host).
options:
  _input:
    description: The releases (each with C(component), C(release_name), C(chart), C(version), C(values_key), C(values_path), C(chart_defaults), C(release_values)).
    type: list
    elements: dict
    required: true
  bridge_levels:
    description: The bridge values levels 2-6, lowest precedence first.
    type: list
    elements: raw
    required: true
  names:
    description: Names of the six levels (chart defaults first), for error messages.
    type: list
    elements: str
  helm_major:
    description: Helm major version whose coalescing to reproduce.
    type: int
    default: 3
"""

EXAMPLES = r"""
- name: What each chart of kagent renders with, and why
  ansible.builtin.debug:
    msg: "{{ (releases.releases | appmod.agent_platform.effective_values(levels, names=level_names)).kagent }}"
"""

RETURN = r"""
_value:
  description: Component -> release name -> C(chart), C(values_from), C(values), C(provenance).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_values
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import effective_values


def _effective_values(*args, **kwargs):
    try:
        return effective_values(*args, **kwargs)
    except helm_values.HelmValuesError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule(object):
    def filters(self):
        return {"effective_values": _effective_values}
