# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Bridge-chart value helpers: a component's `config` out of one values level."""

from __future__ import annotations

_MISSING = object()


def component_config(level, component_key, values_path="config"):
    """``level.components.<component_key>.<values_path>`` or None when the level does not set it.

    ``values_path`` is where a source of the component's Application takes its values: ``config`` (its
    first upstream chart, or its project chart), ``companions.<chart>`` (another upstream chart) or
    ``glue`` (the project's glue chart), dot-separated.

    None (not {}) keeps "this level says nothing" distinct from "this level sets an empty map",
    which matters to Helm (``{}`` deletes nothing, but an absent key changes nothing either way),
    and a null config is kept as an explicit null only when the level writes it.
    """
    if not isinstance(level, dict):
        return None
    components = level.get("components")
    if not isinstance(components, dict):
        return None
    node = components.get(component_key)
    for part in str(values_path).split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
