# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The component catalogue (``gitops/charts/agent-platform/catalogue.yaml``): the one list of components
and of the upstream charts each deploys. Every other list in the collection is derived from it here.

Importable by plain pytest as ``ansible_collections.appmod.agent_platform.plugins.plugin_utils.catalogue``.
The bridge chart reads the same file with ``.Files.Get``; :func:`profile_charts` follows the same rule as
its ``agent-platform.profileCharts`` template (a profile's own pins over the default profile's).
"""
from __future__ import annotations

import os

import yaml

CATALOGUE_RELPATH = os.path.join("gitops", "charts", "agent-platform", "catalogue.yaml")
DEFAULT_PROFILE = "default"


class CatalogueError(ValueError):
    """The catalogue is malformed or a name is not in it."""


def own_root():
    """The root of the collection this module belongs to (plugins/plugin_utils/ is two levels down)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))


def load_own():
    """The catalogue of this collection."""
    return load(own_root())


def path(collection_root):
    """Where the catalogue lives in a collection checkout."""
    return os.path.join(collection_root, CATALOGUE_RELPATH)


def load(collection_root=None, file=None):
    """The catalogue as a mapping, checked for the fields everything else relies on."""
    file = file or path(collection_root)
    with open(file, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    check(data, file)
    return data


def check(data, where="catalogue.yaml"):
    """Raise :class:`CatalogueError` unless every component and profile has what the derivations need."""
    if not isinstance(data, dict) or not isinstance(data.get("components"), list):
        raise CatalogueError("%s: `components` must be a list" % where)
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or DEFAULT_PROFILE not in profiles:
        raise CatalogueError("%s: `profiles` must be a mapping with a `%s` profile" % (where, DEFAULT_PROFILE))
    seen = set()
    for entry in data["components"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        for field in ("name", "key", "displayName", "wave"):
            if not isinstance(entry, dict) or entry.get(field) in (None, ""):
                raise CatalogueError("%s: component %s has no `%s`" % (where, name or entry, field))
        if name in seen:
            raise CatalogueError("%s: component %s is listed twice" % (where, name))
        seen.add(name)
        if not entry.get("charts") and not entry.get("glue"):
            raise CatalogueError("%s: component %s deploys nothing (no charts, no glue)" % (where, name))
        for profile in profiles:
            charts = profile_charts(data, profile)
            for chart in entry.get("charts") or []:
                pin = charts.get(chart)
                if not isinstance(pin, dict) or not pin.get("repository") or not pin.get("version"):
                    raise CatalogueError("%s: profile %s pins no repository and version for chart %s (component %s)"
                                         % (where, profile, chart, name))
            if entry.get("main") and entry["main"] not in (entry.get("charts") or []):
                raise CatalogueError("%s: component %s: main chart %s is not one of its charts" % (where, name, entry["main"]))
            for manifest in entry.get("prerequisites") or []:
                if manifest not in profile_manifests(data, profile):
                    raise CatalogueError("%s: profile %s has no manifest %s (prerequisite of %s)"
                                         % (where, profile, manifest, name))
    return data


def components(data):
    """The component entries, in wave order (stable: catalogue order within a wave)."""
    return sorted(data["components"], key=lambda c: int(c["wave"]))


def component(data, name):
    """The entry of a component by its name or its values key."""
    for entry in data["components"]:
        if name in (entry["name"], entry["key"]):
            return entry
    raise CatalogueError("no component %r in the catalogue (known: %s)"
                         % (name, ", ".join(c["name"] for c in data["components"])))


def names(data):
    """Component names in wave order."""
    return [c["name"] for c in components(data)]


def keys(data):
    """Component name -> its key under ``components:`` in the values levels."""
    return {c["name"]: c["key"] for c in components(data)}


def roles(data):
    """Component name -> the role that prepares it (components without one are left out)."""
    return {c["name"]: c["role"] for c in components(data) if c.get("role")}


def mains(data):
    """Component name -> the upstream chart its ``config`` configures (``main``, default the first chart)."""
    return {c["name"]: c.get("main") or c["charts"][0] for c in components(data) if c.get("charts")}


def waves(data):
    """Component name -> its sync wave (int)."""
    return {c["name"]: int(c["wave"]) for c in components(data)}


def crd_groups(data):
    """API groups of every CRD the components install (Argo CD never deletes a CRD, argo-cd#6078: removing
    them is a deliberate step)."""
    return sorted({g for c in data["components"] for g in c.get("crdGroups") or []})


def kept_crd_groups(data):
    """API groups of the CRDs that outlive their Application (removed only on purpose)."""
    return sorted({g for c in data["components"] if c.get("keep") for g in c.get("crdGroups") or []})


def _profile(data, profile):
    profiles = data["profiles"]
    if profile not in profiles:
        raise CatalogueError("catalogue.profile %r: no such profile (profiles: %s)" % (profile, ", ".join(sorted(profiles))))
    return profiles[profile] or {}


def profile_charts(data, profile=DEFAULT_PROFILE):
    """Chart name -> pin (repository, version, appVersion, chart) of a profile, over the default profile."""
    charts = dict(data["profiles"][DEFAULT_PROFILE].get("charts") or {})
    charts.update(_profile(data, profile).get("charts") or {})
    return charts


def profile_manifests(data, profile=DEFAULT_PROFILE):
    """Manifest name -> (url, mirrorPath, version) of a profile, over the default profile."""
    manifests = dict(data["profiles"][DEFAULT_PROFILE].get("manifests") or {})
    manifests.update(_profile(data, profile).get("manifests") or {})
    return manifests


def manifest_url(pin, mirror_url=""):
    """Where to fetch a prerequisite manifest: the mirror's copy when a mirror is set."""
    if mirror_url:
        return "%s/%s" % (mirror_url.rstrip("/"), pin["mirrorPath"].lstrip("/"))
    return pin["url"]


def prerequisites(data, profile=DEFAULT_PROFILE):
    """[{name, component, pin}] of every component's prerequisite manifests, in wave order."""
    pins = profile_manifests(data, profile)
    return [{"name": m, "component": c["name"], "pin": pins[m]}
            for c in components(data) for m in c.get("prerequisites") or []]


def profiles(data):
    """Profile names."""
    return sorted(data["profiles"])


def profile_values(data, profile=DEFAULT_PROFILE):
    """The bridge values a profile adds to level 2 (``profiles.<name>.values``; the default profile's are
    the bridge chart's values.yaml itself)."""
    return _profile(data, profile).get("values") or {}
