# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Filters input_errors and unknown_values: thin wrappers around plugins/plugin_utils/validation.py, where every
input rule of the collection is written once. Their documentation lives in input_errors.yml and
unknown_values.yml next to this file."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, validation


def input_errors(inputs):
    data = catalogue.load_own()
    return validation.agent_platform_inputs(dict(inputs or {}), catalogue.profiles(data), catalogue.names(data))


def unknown_values(releases, levels, names):
    try:
        return validation.unknown_release_values(releases, levels, names)
    except (OSError, KeyError) as exc:
        raise AnsibleFilterError("unknown_values: %s" % exc) from exc


class FilterModule(object):
    def filters(self):
        return {"input_errors": input_errors, "unknown_values": unknown_values}
