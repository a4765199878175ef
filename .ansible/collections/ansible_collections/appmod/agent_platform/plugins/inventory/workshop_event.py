# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: workshop_event
short_description: Workshop participants as inventory hosts, from an event file
version_added: 0.2.0
description:
  - Reads a workshop event file (C(events/<event>.yml)), validates it (name a DNS label, 1..200
    participants or a list of unique ids, known workshop type, region, ISO dates with start < end,
    overrides of known participants) and makes every participant an inventory host.
  - Groups C(event_<name>) (dashes become underscores), C(participants) and, in C(tenants) mode,
    C(event_shared) with the host C(<event>-shared) that installs the cluster-scoped pieces once.
  - Each participant gets C(agent_platform_resource_prefix) C(<event>-<id>) (a DNS label of at most
    30 characters), C(agent_platform_namespace) (its own namespace, the prefix),
    C(agent_platform_cluster_name), C(agent_platform_tenant) (the event), C(agent_platform_cluster_values)
    (values level 6 from its overrides; in tenants mode the shared components are switched off there),
    C(enable_agent_platform) when its override sets it, and C(workshop_event_*) variables.
  - The file's C(vars) mapping is added to every host (connection, kubeconfig, AWS endpoint...).
  - Errors name the file and the key. Logic lives in C(plugin_utils/workshop_event.py).
  - The plugin must be enabled, e.g. C(ANSIBLE_INVENTORY_ENABLED=appmod.agent_platform.workshop_event)
    or in C(ansible.cfg) C([inventory] enable_plugins).
options:
  plugin:
    description: Token that marks the file as an event file for this plugin.
    required: true
    type: str
    choices: [appmod.agent_platform.workshop_event]
"""

EXAMPLES = r"""
# events/kubecon-lab.yml
plugin: appmod.agent_platform.workshop_event
name: kubecon-lab
workshop_type: agent-platform
mode: tenants
region: us-east-1
start: "2026-12-01T09:00:00+00:00"
end: "2026-12-01T17:00:00+00:00"
participants: 20
overrides:
  p03:
    values: {components: {litellm: {config: {replicas: 2}}}}
  p07:
    enable_agent_platform: false
"""

RETURN = r""" # """

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

try:  # ansible-core >= 2.19: a template written by a plugin must be marked trusted
    from ansible.template import trust_as_template
except ImportError:  # pragma: no cover - older ansible-core trusts every string
    def trust_as_template(value):
        return value

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_event import (
    WorkshopEventError,
    event_hosts,
    group_name,
    validate_event,
)

_NAME = "appmod.agent_platform.workshop_event"


class InventoryModule(BaseInventoryPlugin):
    NAME = _NAME

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".yml", ".yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:  # the event's `vars` may hold templates (lookups), as in any YAML inventory
            data = self.loader.load_from_file(path, cache="none", trusted_as_template=True)
        except TypeError:  # pragma: no cover - ansible-core < 2.19
            data = self.loader.load_from_file(path, cache="none")
        if not isinstance(data, dict) or data.get("plugin") not in (_NAME, "workshop_event"):
            raise AnsibleParserError("%s: not a workshop event file (plugin: %s)" % (path, _NAME))
        try:
            event = validate_event(dict(data), source=path)
        except WorkshopEventError as exc:
            raise AnsibleParserError(str(exc))
        event_group = group_name(event["name"])
        for group in (event_group, "participants"):
            self.inventory.add_group(group)
        hosts = event_hosts(event)
        if event["mode"] == "tenants":
            self.inventory.add_group("event_shared")
        for host, hostvars in hosts.items():
            self.inventory.add_host(host, group=event_group)
            self.inventory.add_host(host, group="event_shared" if hostvars["workshop_event_role"] == "shared" else "participants")
            # Every host is worked on from the control node; the event's vars may say otherwise.
            # Pipelining: no module file copied per task, ~20% faster with many hosts on the control node.
            merged = {"ansible_connection": "local", "ansible_pipelining": True,
                      "ansible_python_interpreter": trust_as_template("{{ ansible_playbook_python }}")}
            merged.update(event["vars"])
            merged.update(hostvars)
            for key, value in merged.items():
                self.inventory.set_variable(host, key, value)
        self.inventory.set_variable(event_group, "workshop_event", event)
