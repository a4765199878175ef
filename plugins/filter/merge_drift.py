# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: merge_drift
short_description: Where a desired object differs from the live one, as a merge patch sees it
version_added: 0.3.0
description:
  - Returns the dotted paths at which merging O(desired) into the live object (the input) would change it; an
    empty list when it would change nothing. Mappings are compared key by key (keys only the live object has are
    kept by a merge); lists and scalars must be equal. A missing live object (null) gives one path, C((missing)).
  - "Lets a rerun skip a M(kubernetes.core.k8s) task (C(state=present), a merge) whose object already holds what it
    would write: the read is in the controller process (M(appmod.agent_platform.k8s_read)), the module run is not."
options:
  _input:
    description: The live object (the first of C(resources) of a read), or null when it does not exist.
    type: raw
    required: true
  desired:
    description: What the task would write.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the namespace
  appmod.agent_platform.k8s_read:
    kind: Namespace
    name: agent-platform
  register: live

- name: Label the namespace only when a label is missing or different
  kubernetes.core.k8s:
    state: present
    definition: "{{ desired }}"
  when: live.resources | first | default(none) | appmod.agent_platform.merge_drift(desired) | length > 0
"""

RETURN = r"""
_value:
  description: Dotted paths of O(desired) the live object lacks or holds otherwise.
  type: list
  elements: str
"""

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.k8s_read import merge_drift


class FilterModule:
    def filters(self):
        return {"merge_drift": merge_drift}
