# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: workshop_event_validate
short_description: Validate a workshop event file
version_added: 0.2.0
description:
  - >-
    Reads the YAML file at the given path. When it is a workshop event file (its C(plugin) key is
    C(appmod.agent_platform.workshop_event)), validates it and returns the normalised event;
    otherwise returns C(None).
  - Checks the name (a DNS label), the participants (a count 1..200 or a list of unique DNS-label ids;
    C(<event>-<id>) at most 30 characters), the workshop type, the mode, the region, the dates (ISO 8601,
    start before end) and the overrides (known participants, C(values) a mapping, C(enable_agent_platform) a boolean).
  - >-
    Errors name the file and the key, e.g. C(events/x.yml: participants[3]: participant id 'p03' is not unique).
  - Logic in C(plugin_utils/workshop_event.py), shared with the C(workshop_event) inventory plugin.
options:
  _input:
    description: Path of the event file.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Validate the event file
  ansible.builtin.debug:
    msg: "{{ 'events/example.yml' | appmod.agent_platform.workshop_event_validate }}"
"""

RETURN = r"""
_value:
  description: The normalised event (participants as a list of ids, dates ISO), or None for another file.
  type: dict
"""

import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_event import (
    WorkshopEventError,
    validate_event,
)


def workshop_event_validate(path):
    try:
        with open(str(path), encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise AnsibleFilterError("%s: cannot be read as YAML: %s" % (path, exc))
    if not isinstance(data, dict) or data.get("plugin") not in ("appmod.agent_platform.workshop_event", "workshop_event"):
        return None
    try:
        return validate_event(data, source=str(path))
    except WorkshopEventError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self):
        return {"workshop_event_validate": workshop_event_validate}
