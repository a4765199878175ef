# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: by_sync_wave
short_description: Order Kubernetes manifests by their Argo CD sync wave
version_added: 0.1.0
description:
  - Sorts manifests by the integer value of the C(argocd.argoproj.io/sync-wave) annotation (default 0),
    then by name, which is the order Argo CD applies them in within one sync.
  - Empty documents (C(null)) are dropped. A wave that is not an integer fails naming the object.
options:
  _input:
    description: List of manifests (mappings), or a multi-document YAML string such as Helm's output.
    type: raw
    required: true
  reverse:
    description: Highest wave first (the order to delete in).
    type: bool
    default: false
  kind:
    description: Keep only manifests of this kind (for example C(Application)).
    type: str
"""

EXAMPLES = r"""
- name: Install in wave order
  ansible.builtin.debug:
    msg: "{{ item.metadata.name }}"
  loop: "{{ rendered | appmod.agent_platform.by_sync_wave }}"

- name: The Applications of a chart's output, in wave order
  ansible.builtin.debug:
    msg: "{{ helm_output.stdout | appmod.agent_platform.by_sync_wave(kind='Application') | map(attribute='metadata.name') }}"
"""

RETURN = r"""
_value:
  description: The manifests in wave order.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.argocd import by_sync_wave as _by_sync_wave


def by_sync_wave(manifests, reverse=False, kind=None):
    try:
        return _by_sync_wave(manifests, reverse=reverse, kind=kind)
    except (ValueError, AttributeError, TypeError) as exc:
        raise AnsibleFilterError("by_sync_wave: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"by_sync_wave": by_sync_wave}
