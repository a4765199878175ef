# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: workshop_roster
short_description: Roster of a workshop event (CSV and Markdown), and the shared pieces a cluster already has
version_added: 0.2.0
description:
  - C(workshop_roster) turns one mapping per participant into the event roster, returned as
    C({rows, csv, markdown}). It lists where credentials are stored (Secret namespace/name,
    kubeconfig path, IAM role ARNs), never a credential.
  - C(workshop_shared_components) (same file) takes the CustomResourceDefinitions found in the cluster
    and the event's shared namespace and returns C(component_key -> owner) for the cluster-scoped
    components (kagentCrds, tofuController) that someone else already installed.
  - Logic in C(plugin_utils/workshop_event.py).
options:
  _input:
    description: >-
      Participants (list of mappings with participant, prefix, namespace, cluster, values and optionally
      cluster_arn, kubeconfig, iam_roles, argocd_namespace).
    type: list
    elements: dict
    required: true
  event:
    description: The validated event (the C(workshop_event) group variable of the inventory plugin).
    type: dict
    required: true
  readiness:
    description: >-
      Participant -> readiness (the C(participants) of the C(workshop_status) filter's document) for the
      roster's C(readiness) column; participants not in it are C(not provisioned).
    type: dict
    required: false
"""

EXAMPLES = r"""
- name: Write the roster
  ansible.builtin.copy:
    dest: out/events/{{ workshop_event.name }}/roster.md
    content: "{{ (rows | appmod.agent_platform.workshop_roster(event=workshop_event)).markdown }}"
    mode: "0644"
"""

RETURN = r"""
_value:
  description: C({rows, csv, markdown}).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_event import (
    roster_csv,
    roster_markdown,
    roster_rows,
    shared_components_present,
)


def workshop_roster(participants, event, readiness=None):
    try:
        rows = roster_rows(participants, readiness)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("workshop_roster: a participant entry lacks %s" % exc)
    return {"rows": rows, "csv": roster_csv(rows), "markdown": roster_markdown(rows, event)}


def workshop_shared_components(crds, namespace):
    return shared_components_present(crds, namespace)


class FilterModule:
    def filters(self):
        return {"workshop_roster": workshop_roster, "workshop_shared_components": workshop_shared_components}
