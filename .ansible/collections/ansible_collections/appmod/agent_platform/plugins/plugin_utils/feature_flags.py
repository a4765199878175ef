# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Resolution of the ``agent-platform`` feature flag over its four levels.

Levels, lowest to highest precedence (the seed's "Feature Flag Mechanism"):

1. bootstrap addon defaults (``agent-platform: {enabled: false}`` in the bootstrap addons file)
2. environment override (the same key in the environment's addons file or inventory)
3. infrastructure parameters (``workshop_type``, ``enable_agent_platform``: Terraform variables,
   CloudFormation parameters, SSM parameters or inventory variables)
4. runtime environment variables (``WORKSHOP_TYPE``, ``ENABLE_AGENT_PLATFORM``)

A level decides only when it sets the value explicitly; defaults are not "settings". The workshop
type and the flag are independent (the seed's decision matrix): components are deployed iff the flag
is true; ``agent-platform`` with the flag off deploys the core only and is reported as unusual.

Pure Python so that plain pytest can test it without Ansible.
"""

from __future__ import annotations

WORKSHOP_TYPES = ("platform-engineering", "agent-platform")
DEFAULT_WORKSHOP_TYPE = "platform-engineering"
ADDON_KEY = "agent-platform"
LEVEL_NAMES = {
    1: "bootstrap addon defaults",
    2: "environment override",
    3: "infrastructure parameters",
    4: "runtime environment variables",
}
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


class FeatureFlagError(ValueError):
    """Bad input for the feature flag, with a message naming the variable and its source."""


def _where(level, source):
    where = "level %d (%s)" % (level, LEVEL_NAMES[level])
    return "%s from %s" % (where, source) if source else where


def parse_bool(value, variable, level, source=None):
    """Parse a boolean the way users write it (bool, true/false, yes/no, on/off, 1/0).

    Anything else fails with the variable's name and where it came from.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise FeatureFlagError(
        "%s=%r (%s) is not a boolean: use true or false"
        % (variable, value, _where(level, source))
    )


def parse_workshop_type(value, variable, level, source=None):
    if isinstance(value, str) and value.strip() in WORKSHOP_TYPES:
        return value.strip()
    raise FeatureFlagError(
        "%s=%r (%s) is not a known workshop type: use one of %s"
        % (variable, value, _where(level, source), ", ".join(WORKSHOP_TYPES))
    )


def _is_set(value):
    """Unset = absent, None or the empty string (an exported but empty env var)."""
    return value is not None and not (isinstance(value, str) and value.strip() == "")


def _addon_enabled(addons, level, source):
    """Read ``agent-platform.enabled`` from an addons mapping; None when not set there."""
    if addons is None:
        return None
    if not isinstance(addons, dict):
        raise FeatureFlagError(
            "%s must be a mapping of addons (e.g. {agent-platform: {enabled: false}}), got %s"
            % (_where(level, source), type(addons).__name__)
        )
    addon = addons.get(ADDON_KEY)
    if addon is None:
        return None
    if not isinstance(addon, dict):
        raise FeatureFlagError(
            "%r in %s must be a mapping with key 'enabled', got %s"
            % (ADDON_KEY, _where(level, source), type(addon).__name__)
        )
    if not _is_set(addon.get("enabled")):
        return None
    return parse_bool(addon["enabled"], "%s.enabled" % ADDON_KEY, level, source)


def resolve(bootstrap_addons=None, environment_addons=None, infrastructure=None, runtime=None,
            sources=None, default_workshop_type=DEFAULT_WORKSHOP_TYPE, default_enabled=None):
    """Resolve workshop type and the agent-platform flag.

    :param bootstrap_addons: level 1 addons mapping.
    :param environment_addons: level 2 addons mapping (or None).
    :param infrastructure: level 3 mapping with optional ``workshop_type`` / ``enable_agent_platform``.
    :param runtime: level 4 mapping with optional ``WORKSHOP_TYPE`` / ``ENABLE_AGENT_PLATFORM``.
    :param sources: optional ``{1: "file ...", 2: ..., 3: ..., 4: ...}`` naming where each level came from.
    :param default_workshop_type: type used when no level sets one (a playbook may pass its own).
    :param default_enabled: flag value a playbook asks for when levels 2-4 set nothing (below level 2,
        above the bootstrap default): ``agent-platform.yml`` passes true; ``"workshop_type"`` makes
        the flag follow the resolved workshop type (``site.yml``).
    :returns: dict with workshop_type, enabled, decided_by, workshop_type_decided_by, warnings, trace.
    """
    sources = sources or {}
    infrastructure = infrastructure or {}
    runtime = runtime or {}
    trace = []

    # Workshop type: levels 3 and 4 only (levels 1-2 are addon files without a type).
    workshop_type = parse_workshop_type(default_workshop_type, "default workshop type", 3, "the playbook")
    type_decided = {"level": 0, "name": "default", "variable": None}
    candidates = [
        (3, "workshop_type", infrastructure.get("workshop_type")),
        (4, "WORKSHOP_TYPE", runtime.get("WORKSHOP_TYPE")),
    ]
    for level, variable, value in candidates:
        if _is_set(value):
            workshop_type = parse_workshop_type(value, variable, level, sources.get(level))
            type_decided = {"level": level, "name": LEVEL_NAMES[level], "variable": variable}

    # Flag: every level is parsed (so a bad value anywhere fails, even if overridden).
    settings = [
        (1, "%s.enabled" % ADDON_KEY, _addon_enabled(bootstrap_addons, 1, sources.get(1))),
        (2, "%s.enabled" % ADDON_KEY, _addon_enabled(environment_addons, 2, sources.get(2))),
    ]
    for level, variable, value in (
        (3, "enable_agent_platform", infrastructure.get("enable_agent_platform")),
        (4, "ENABLE_AGENT_PLATFORM", runtime.get("ENABLE_AGENT_PLATFORM")),
    ):
        settings.append((level, variable, parse_bool(value, variable, level, sources.get(level))
                         if _is_set(value) else None))

    enabled = False
    decided = {"level": 0, "name": "built-in default", "variable": None}
    for level, variable, value in settings:
        if level == 2 and default_enabled is not None:
            # The playbook's request sits between the bootstrap default and the environment.
            if default_enabled == "workshop_type":
                enabled = workshop_type == "agent-platform"
                decided = {"level": 1, "name": "playbook default (follows workshop type %s)" % workshop_type,
                           "variable": "feature_flags_default_enabled"}
            else:
                enabled = parse_bool(default_enabled, "feature_flags_default_enabled", 1, "the playbook")
                decided = {"level": 1, "name": "playbook default", "variable": "feature_flags_default_enabled"}
        if value is None:
            trace.append("level %d (%s): %s not set" % (level, LEVEL_NAMES[level], variable))
            continue
        enabled = value
        decided = {"level": level, "name": LEVEL_NAMES[level], "variable": variable}
        trace.append("level %d (%s): %s=%s" % (level, LEVEL_NAMES[level], variable, str(value).lower()))

    warnings = []
    if workshop_type == "agent-platform" and not enabled:
        warnings.append(
            "workshop type 'agent-platform' with the agent-platform flag off deploys the core platform "
            "only; this is unusual (flag decided by level %d, %s%s)"
            % (decided["level"], decided["name"],
               ", " + decided["variable"] if decided["variable"] else "")
        )
    return {
        "workshop_type": workshop_type,
        "enabled": enabled,
        "components_deployed": enabled,
        "decided_by": decided,
        "workshop_type_decided_by": type_decided,
        "warnings": warnings,
        "trace": trace,
    }


def cluster_secret_label(enabled):
    """The Argo CD cluster-secret label value Argo CD selects on (a string, never a bool)."""
    return "true" if enabled else "false"
