# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Bridge-chart value helpers: a component's `config` out of one values level."""

from __future__ import annotations

_MISSING = object()


def component_config(level, component_key):
    """``level.components.<component_key>.config`` or None when the level does not set it.

    None (not {}) keeps "this level says nothing" distinct from "this level sets an empty map",
    which matters to Helm (``{}`` deletes nothing, but an absent key changes nothing either way),
    and a null config is kept as an explicit null only when the level writes it.
    """
    if not isinstance(level, dict):
        return None
    components = level.get("components")
    if not isinstance(components, dict):
        return None
    component = components.get(component_key)
    if not isinstance(component, dict):
        return None
    return component.get("config")
