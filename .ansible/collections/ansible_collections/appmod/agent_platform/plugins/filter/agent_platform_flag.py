# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: agent_platform_flag
short_description: Resolve the agent-platform feature flag over its four levels
version_added: 0.1.0
description:
  - Resolves the workshop type and the C(agent-platform) feature flag from, lowest to highest
    precedence, (1) the bootstrap addon defaults, (2) the environment override, (3) the
    infrastructure parameters C(workshop_type) / C(enable_agent_platform) and (4) the runtime
    environment variables C(WORKSHOP_TYPE) / C(ENABLE_AGENT_PLATFORM).
  - A level decides only when it sets a value; empty strings and nulls are "not set".
  - Every level is validated, even one that a higher level overrides. An unknown workshop type or a
    value that is not a boolean (C(ENABLE_AGENT_PLATFORM=maybe)) fails with a message naming the
    variable and the level (and file) it came from.
options:
  _input:
    description:
      - Mapping with keys C(bootstrap_addons) (level 1), C(environment_addons) (level 2),
        C(infrastructure) (level 3, keys C(workshop_type), C(enable_agent_platform)),
        C(runtime) (level 4, keys C(WORKSHOP_TYPE), C(ENABLE_AGENT_PLATFORM)) and optionally
        C(sources) (level number to a description of where it came from, used in messages),
        C(default_workshop_type) and C(default_enabled) (what the playbook asks for when no level
        above the bootstrap default sets the flag).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Resolve the flag
  ansible.builtin.set_fact:
    flag: >-
      {{ {'bootstrap_addons': {'agent-platform': {'enabled': false}},
          'environment_addons': {},
          'infrastructure': {'workshop_type': 'agent-platform', 'enable_agent_platform': true},
          'runtime': {'ENABLE_AGENT_PLATFORM': lookup('ansible.builtin.env', 'ENABLE_AGENT_PLATFORM')}}
         | appmod.agent_platform.agent_platform_flag }}
# flag.enabled -> true, flag.decided_by.level -> 3
"""

RETURN = r"""
_value:
  description: The resolution.
  type: dict
  contains:
    workshop_type:
      description: platform-engineering or agent-platform.
      type: str
    enabled:
      description: Whether the agent platform is deployed.
      type: bool
    decided_by:
      description: C(level), C(name) and C(variable) of the level that decided the flag.
      type: dict
    workshop_type_decided_by:
      description: Same, for the workshop type.
      type: dict
    warnings:
      description: Unusual combinations (agent-platform workshop with the flag off).
      type: list
      elements: str
    trace:
      description: What each level said, lowest first.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.feature_flags import (
    FeatureFlagError,
    resolve,
)

_KEYS = ("bootstrap_addons", "environment_addons", "infrastructure", "runtime", "sources",
         "default_workshop_type", "default_enabled")


def agent_platform_flag(data):
    if not isinstance(data, dict):
        raise AnsibleFilterError("agent_platform_flag expects a mapping, got %s" % type(data).__name__)
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise AnsibleFilterError("agent_platform_flag: unknown keys %s (known: %s)" % (unknown, ", ".join(_KEYS)))
    kwargs = {k: v for k, v in data.items() if v is not None}
    if "sources" in kwargs:
        kwargs["sources"] = {int(k): v for k, v in kwargs["sources"].items()}
    try:
        return resolve(**kwargs)
    except FeatureFlagError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule(object):
    def filters(self):
        return {"agent_platform_flag": agent_platform_flag}
