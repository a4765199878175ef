# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: application_component
short_description: The component of a bridge Application name
version_added: 0.3.0
description:
  - The bridge chart names each component's Application C(<prefix>-agent-platform-<component>). Returns the
    component of such a name, or null for a name that is not one (of O(prefix)'s, when given).
options:
  _input:
    description: An Application name.
    type: str
    required: true
  prefix:
    description: The resource prefix the name must carry; any prefix when left out.
    type: str
"""

EXAMPLES = r"""
- name: The components of the rendered Applications
  ansible.builtin.debug:
    msg: "{{ applications | map(attribute='metadata.name') | map('appmod.agent_platform.application_component', 'peeks') | list }}"
"""

RETURN = r"""
_value:
  description: The component (for example C(kagent-crds)), or null.
  type: str
"""

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import application_component


class FilterModule(object):
    def filters(self):
        return {"application_component": application_component}
