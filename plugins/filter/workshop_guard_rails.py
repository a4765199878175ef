# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: workshop_guard_rail_objects
short_description: The guard rails of a workshop participant's namespace, and the checks of their limits
version_added: 0.3.0
description:
  - C(workshop_guard_rail_objects) returns, for one participant of a tenants-mode event, the objects that bound
    their namespace - the Namespace's labels, a ResourceQuota and a LimitRange (event file C(quota) and
    C(limit_range) over the defaults), a NetworkPolicy that lets no other participant's pods in, and a
    RoleBinding of the built-in C(edit) ClusterRole to the group C(workshop:<event>:<participant>).
  - C(workshop_quota_problems) (same file) takes the participant's rendered manifests and returns why the
    effective quota is too small for the platform's own pods (a rolling update included); empty when it fits.
  - C(workshop_nodegroup_problems) (same file) takes the event's C(cost_limits) and returns why a participant's
    node group settings are not allowed; empty when they are.
  - C(workshop_expired) (same file) takes a participant's end (ISO 8601) and returns whether it is past, plus a
    grace in minutes (C(grace_minutes), default 60), now; the expiry sweep (C(state=expired)) removes those.
  - Logic in C(plugin_utils/workshop_guard_rails.py).
options:
  _input:
    description: >-
      The participant id (C(workshop_guard_rail_objects)), the rendered manifests as YAML strings
      (C(workshop_quota_problems)), or the event's C(cost_limits) (C(workshop_nodegroup_problems)).
    type: raw
    required: true
  namespace:
    description: The participant's namespace.
    type: str
  event:
    description: The event name (C(workshop_guard_rail_objects)).
    type: str
  quota:
    description: The participant's quota over the defaults, a mapping of ResourceQuota names to quantities.
    type: dict
  limit_range:
    description: The event's C(limit_range) over the defaults.
    type: dict
  end:
    description: The event's end (ISO 8601), written as annotation C(workshop.appmod.io/end) of the namespace.
    type: str
  participant:
    description: The participant id named in messages.
    type: str
  instance_types:
    description: The node group's instance types (C(workshop_nodegroup_problems)).
    type: list
    elements: str
  sizes:
    description: The node group's C({min_size, desired_size, max_size}) (C(workshop_nodegroup_problems)).
    type: dict
  grace_minutes:
    description: Minutes after the end before C(workshop_expired) is true; null for the default (60).
    type: int
"""

EXAMPLES = r"""
- name: Bound the participant's namespace
  kubernetes.core.k8s:
    definition: >-
      {{ workshop_event_participant | appmod.agent_platform.workshop_guard_rail_objects(
           namespace=agent_platform_namespace, event=workshop_event_name, quota=workshop_event_quota,
           limit_range=workshop_event_limit_range, end=workshop_event_end) }}

- name: Refuse a quota the platform does not fit in
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | join('; ') }}"
  vars:
    _problems: >-
      {{ rendered_manifests | appmod.agent_platform.workshop_quota_problems(namespace='ev-p01', participant='p01',
           quota={'requests.cpu': '1'}, limit_range={}) }}
"""

RETURN = r"""
_value:
  description: >-
    A list of Kubernetes objects, or a list of messages (empty when the limits hold), or (C(workshop_expired))
    a boolean.
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import workshop_guard_rails as guard_rails


def workshop_guard_rail_objects(participant, namespace, event, quota=None, limit_range=None, end=None):
    try:
        return guard_rails.objects(namespace, event, participant, quota, limit_range, end)
    except guard_rails.GuardRailError as exc:
        raise AnsibleFilterError("workshop_guard_rail_objects: %s" % exc)


def workshop_quota_problems(manifests, namespace, participant="", quota=None, limit_range=None):
    try:
        needs = guard_rails.platform_needs(manifests, namespace, limit_range)
    except (guard_rails.GuardRailError, ValueError) as exc:
        raise AnsibleFilterError("workshop_quota_problems: %s" % exc)
    return guard_rails.quota_problems(quota, needs, participant, namespace)


def workshop_nodegroup_problems(cost_limits, instance_types, sizes, participant=""):
    sizes = sizes or {}
    return guard_rails.nodegroup_problems(cost_limits, instance_types, sizes.get("min_size"), sizes.get("desired_size"),
                                          sizes.get("max_size"), participant)


def workshop_expired(end, grace_minutes=None):
    try:
        return guard_rails.expired(end, grace_minutes)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("workshop_expired: %r is not an ISO 8601 end: %s" % (end, exc))


class FilterModule:
    def filters(self):
        return {
            "workshop_guard_rail_objects": workshop_guard_rail_objects,
            "workshop_quota_problems": workshop_quota_problems,
            "workshop_nodegroup_problems": workshop_nodegroup_problems,
            "workshop_expired": workshop_expired,
        }
