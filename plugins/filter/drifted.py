# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: drifted
short_description: The objects of a list that a merge into the live ones would change
version_added: 0.3.0
description:
  - Returns the objects of the input that are missing from O(live) (matched by namespace and name) or whose live
    counterpart a merge patch would change (P(appmod.agent_platform.merge_drift#filter)).
  - One M(kubernetes.core.k8s) task with these as its C(definition) writes what changed and nothing else.
positional: live
options:
  _input:
    description: The desired objects (one kind).
    type: list
    elements: dict
    required: true
  live:
    description: The live objects of that kind (C(resources) of M(appmod.agent_platform.k8s_read)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Apply only the Applications that differ
  kubernetes.core.k8s:
    state: present
    definition: "{{ applications | appmod.agent_platform.drifted(live.resources) }}"
  when: applications | appmod.agent_platform.drifted(live.resources) | length > 0
"""

RETURN = r"""
_value:
  description: The objects to write.
  type: list
  elements: dict
"""

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.k8s_read import drifted


class FilterModule:
    def filters(self):
        return {"drifted": drifted}
