# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: workshop_status
short_description: Status of a workshop event, one record per participant and component (status.json)
version_added: 0.3.0
description:
  - Takes the participants' host variables after a run of C(playbooks/workshop-event.yml) and returns the
    event's status document C({event, mode, participants, records}) - C(participants) maps each participant
    to its readiness (C(ready), C(failed) and the components, C(syncing n/m), C(pending n/m)); C(records) holds
    one C({participant, component, application, state, since, error}) per participant and component.
  - A component's state comes from its Argo CD Application when one is given (tenants mode), else from how
    the participant's run ended. Participants not in this run keep their records from C(previous), so a
    retry of one participant updates the same file; C(since) changes only with the state.
  - Logic in C(plugin_utils/workshop_status.py).
options:
  _input:
    description: The participants' host variables (C(groups['participants'] | map('extract', hostvars))).
    type: list
    elements: dict
    required: true
  event:
    description: The validated event (the C(workshop_event) group variable of the inventory plugin).
    type: dict
    required: true
  state:
    description: The run's C(state) (present, absent or expired).
    type: str
    default: present
  applications:
    description: Argo CD Application objects read from the cluster (matched by name).
    type: list
    elements: dict
    default: []
  previous:
    description: The status document of the last run (the parsed status.json), or none.
    type: dict
"""

EXAMPLES = r"""
- name: Write status.json
  ansible.builtin.copy:
    dest: out/events/{{ workshop_event.name }}/status.json
    content: >-
      {{ groups['participants'] | map('extract', hostvars) | list
         | appmod.agent_platform.workshop_status(event=workshop_event, applications=apps.resources)
         | to_nice_json }}
    mode: "0644"
"""

RETURN = r"""
_value:
  description: C({event, mode, participants, records}).
  type: dict
"""

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_status import (
    participant_input,
    status_document,
)


def workshop_status(participants, event, state="present", applications=None, previous=None):
    return status_document(event, [participant_input(h, state) for h in participants],
                           applications or [], previous or None)


class FilterModule:
    def filters(self):
        return {"workshop_status": workshop_status}
