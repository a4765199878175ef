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


# The bridge chart names each component's Application `<prefix>-agent-platform-<component>`
# (gitops/charts/agent-platform/templates/_helpers.tpl): every reader of those names in Python goes through here.
APPLICATION_INFIX = "-agent-platform-"


def application_component(name, prefix=None):
    """The component of a bridge Application name (of ``prefix``'s, when given), or None for any other name."""
    name = str(name or "")
    if prefix is not None:
        head = "%s%s" % (prefix, APPLICATION_INFIX)
        return name[len(head):] or None if name.startswith(head) else None
    return name.rsplit(APPLICATION_INFIX, 1)[1] or None if APPLICATION_INFIX in name else None


def effective_values(releases, bridge_levels, names=None, helm_major=3):
    """``{component: {release name: {chart, values_from, values, provenance}}}``: what render.yml writes to each
    component's values.yaml. ``values`` is what Helm hands the chart's templates (chart defaults, then the release's
    values); ``provenance`` gives the level of each leaf, the levels being the chart defaults and each bridge
    values level's part for the release (``components.<values_key>.<values_path>``)."""
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values import merge_values, values_provenance

    out = {}
    for release in releases:
        levels = [release.get("chart_defaults")] + [
            component_config(level, release["values_key"], release["values_path"]) for level in bridge_levels]
        out.setdefault(release["component"], {})[release["release_name"]] = {
            "chart": "%s %s" % (release["chart"], release["version"]) if release.get("version")
            else "%s (this collection)" % release["chart"],
            "values_from": "components.%s.%s" % (release["values_key"], release["values_path"]),
            "values": merge_values([release.get("chart_defaults"), release.get("release_values")], helm_major=helm_major),
            "provenance": values_provenance(levels, names=names, helm_major=helm_major),
        }
    return out
