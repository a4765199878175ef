# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The input rules of the collection, written once: the roles (through the ``input_errors`` and
``unknown_values`` filters), the workshop inventory plugin and the tests call these functions.

Each rule returns the problems it finds as messages that name the variable (and the values level), never
raises; an empty list means valid. Importable by plain pytest as
``ansible_collections.appmod.agent_platform.plugins.plugin_utils.validation``.
"""
from __future__ import annotations

import functools
import re

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")
# '<prefix>-agent-platform-tofu-controller' (the longest Application name) must fit a label value (63).
MAX_PREFIX = 30
GIT_URL = re.compile(r"^(https?|git|ssh)://[^\s/]+(/\S*)?$|^[\w.-]+@[\w.-]+:\S+$")
HTTP_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def dns_label(name, value, max_len=63):
    if not isinstance(value, str) or not DNS_LABEL.match(value) or len(value) > max_len:
        return ["%s=%r is not a DNS label of at most %d characters (lowercase letters, digits, '-', starting and "
                "ending with a letter or digit)" % (name, value, max_len)]
    return []


def aws_region(name, value):
    if not isinstance(value, str) or not AWS_REGION.match(value):
        return ["%s=%r is not an AWS region (for example us-east-1)" % (name, value)]
    return []


def url(name, value, pattern=GIT_URL, what="a Git repository URL (https://, git://, ssh:// or user@host:path)"):
    if not isinstance(value, str) or not pattern.match(value):
        return ["%s=%r is not %s" % (name, value, what)]
    return []


def non_empty(name, value):
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        return ["%s is empty" % name]
    return []


def one_of(name, value, choices):
    if value not in choices:
        return ["%s=%r is not one of %s" % (name, value, ", ".join(map(str, choices)))]
    return []


# The values levels the agent_platform role takes from the inventory (levels 3-6 of the bridge values).
VALUES_LEVELS = ("agent_platform_bootstrap_values", "agent_platform_environment_values",
                 "agent_platform_tenant_values", "agent_platform_cluster_values")


def flag_resolved(value):
    """The feature_flags role ran first: ``agent_platform_enabled`` is its boolean."""
    if not isinstance(value, bool):
        return ["agent_platform_enabled is not set: run the appmod.agent_platform.feature_flags role before "
                "appmod.agent_platform.agent_platform (the playbooks in playbooks/ do)"]
    return []


def flag_not_in_values(name, level):
    """A values level must not set the flag: it comes only from the feature_flags levels, through the label."""
    if isinstance(level, dict) and "enabled" in level:
        return ["%s sets 'enabled': the agent-platform flag comes only from the feature_flags levels (bootstrap "
                "addons, environment override, workshop_type/enable_agent_platform, WORKSHOP_TYPE/"
                "ENABLE_AGENT_PLATFORM) through the Argo CD cluster secret label; remove 'enabled' from %s"
                % (name, name)]
    return []


def agent_platform_inputs(inputs, profiles=(), components=()):
    """Problems of the agent_platform role's inventory inputs (what a type cannot say). ``agent_platform_enabled``
    and the values levels (:data:`VALUES_LEVELS`) are checked when ``inputs`` has them."""
    get = inputs.get
    errors = []
    if "agent_platform_enabled" in inputs:
        errors += flag_resolved(get("agent_platform_enabled"))
    errors += one_of("agent_platform_state", get("agent_platform_state"), ("present", "absent"))
    errors += one_of("agent_platform_delivery", get("agent_platform_delivery"), ("argocd", "direct"))
    errors += dns_label("agent_platform_resource_prefix", get("agent_platform_resource_prefix"), MAX_PREFIX)
    errors += dns_label("agent_platform_namespace", get("agent_platform_namespace"))
    errors += dns_label("agent_platform_argocd_namespace", get("agent_platform_argocd_namespace"))
    errors += aws_region("agent_platform_aws_region", get("agent_platform_aws_region"))
    errors += non_empty("agent_platform_cluster_name", get("agent_platform_cluster_name"))
    errors += url("agent_platform_repo_url", get("agent_platform_repo_url"))
    errors += non_empty("agent_platform_repo_revision", get("agent_platform_repo_revision"))
    if get("agent_platform_chart_mirror_url"):
        errors += url("agent_platform_chart_mirror_url", get("agent_platform_chart_mirror_url"), HTTP_URL,
                      "an http(s) URL of a Helm repository")
    if profiles:
        errors += one_of("agent_platform_catalogue_profile", get("agent_platform_catalogue_profile"), sorted(profiles))
    unknown = [c for c in get("agent_platform_component_selection") or [] if c not in components]
    if components and unknown:
        errors.append("agent_platform_component_selection names unknown components %s; known (catalogue.yaml): %s"
                      % (", ".join(unknown), ", ".join(components)))
    for name in VALUES_LEVELS:
        if name in inputs:
            errors += flag_not_in_values(name, inputs[name])
    return errors


def _walk(node, path=()):
    """(path, value) of every leaf of a user values mapping; an empty mapping is a leaf too."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _walk(value, path + (str(key),))
    else:
        yield path, node


@functools.lru_cache(maxsize=64)
def _whole(refs):
    """The references no other reference extends: what a template reads as a whole."""
    inner = {r[:i] for r in refs for i in range(1, len(r))}
    return refs - inner


def unread_key(path, defaults, references=(), open_paths=()):
    """The first part of ``path`` that neither the chart's values.yaml defines nor its templates read, or None.

    Free-form, so never reported: whatever is below a scalar, list, null or empty-mapping default
    (``podAnnotations: {}``), below a path the templates read as a whole (``toYaml .Values.x.podSecurityContext``:
    referenced, and no deeper reference), or below one they reach with a computed key or range over
    (``open_paths``); ``global`` is shared by every chart and subchart.
    """
    refs = references if isinstance(references, (set, frozenset)) else set(references)
    whole = _whole(frozenset(refs))
    node = defaults
    for depth, key in enumerate(path):
        prefix = tuple(path[:depth + 1])
        if depth == 0 and key == "global":
            return None
        if prefix[:-1] in open_paths or prefix[:-1] in whole and depth > 0:
            return None
        if isinstance(node, dict) and node and key in node:
            node = node[key]
            if not isinstance(node, dict) or not node:
                return None  # a scalar, list, null or empty mapping default: whatever is below is its business
            continue
        if prefix in refs:
            node = {}
            continue  # read by a template, not defined in values.yaml: go on with what is below it
        if not isinstance(node, dict) or (not node and depth > 0):
            return None
        return ".".join(prefix)
    return None


def unknown_values(levels, defaults, names, where, references=(), open_paths=()):
    """Values keys of the user levels that the chart does not define: nothing would read them.

    ``levels``: the user levels of one release's values (None: the level does not set them), ``names`` their
    names, ``defaults`` the chart's own values.yaml, ``where`` the values path for the message
    (``components.kagent.config``). Returns one message per unread key, naming its level.
    """
    errors = []
    for level, name in zip(levels, names):
        if not isinstance(level, dict):
            continue
        seen = set()
        for path, value in _walk(level):
            if value is None:
                continue  # a null deletes a chart default: it sets nothing
            key = unread_key(path, defaults, references, open_paths)
            if key and key not in seen:
                seen.add(key)
                errors.append("%s.%s (%s): the chart does not define this value, so nothing would read it" % (
                    where, key, name))
    return errors


def unknown_release_values(releases, bridge_levels, names):
    """unknown_values for every release of :func:`charts.releases`, against its chart's values.yaml and templates.

    ``bridge_levels`` are whole bridge values levels (level 2 up); each release's part of them is
    ``components.<values_key>.<values_path>``.
    """
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import bridge, charts

    errors = []
    for release in releases:
        defaults, refs, open_paths = charts.chart_value_paths(release["chart_ref"])
        refs, open_paths = frozenset(refs), frozenset(open_paths)
        levels = [bridge.component_config(level, release["values_key"], release["values_path"]) for level in bridge_levels]
        where = "components.%s.%s" % (release["values_key"], release["values_path"])
        errors += unknown_values(levels, defaults, names, where, refs, open_paths)
    return errors
