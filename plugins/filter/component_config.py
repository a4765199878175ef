# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: component_config
short_description: A component's values out of one bridge values level
version_added: 0.1.0
description:
  - Returns C(components.<component>.<values_path>) of a bridge values level (C(config) by default), or
    null when that level does not set it, so that a list of bridge levels can be turned into the levels of one component's values
    (for M(appmod.agent_platform.merge_values) and M(appmod.agent_platform.values_provenance)).
options:
  _input:
    description: One bridge values level (a mapping or null).
    type: raw
    required: true
  component:
    description: The component key in C(components), for example C(kagent) or C(agentGateway).
    type: str
    required: true
  values_path:
    description:
      - Where in the component the source's values are, dot-separated - C(config) (its first upstream chart or
        its project chart), C(companions.<chart>) (another upstream chart), C(glue) (the project's glue chart).
    type: str
    default: config
"""

EXAMPLES = r"""
- name: Kagent's values as set by each level
  ansible.builtin.debug:
    msg: "{{ [bootstrap, environment, tenant, cluster] | map('appmod.agent_platform.component_config', 'kagent') | list }}"
"""

RETURN = r"""
_value:
  description: The component's config at that level, or null.
  type: raw
"""

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import component_config


class FilterModule(object):
    def filters(self):
        return {"component_config": component_config}
