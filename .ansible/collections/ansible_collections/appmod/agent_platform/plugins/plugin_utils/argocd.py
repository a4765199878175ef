# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Argo CD helpers shared by the filters: sync-wave ordering of Application manifests."""

from __future__ import annotations

SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"


def sync_wave(manifest):
    """The object's sync wave as an int (Argo CD's default wave is 0)."""
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    raw = annotations.get(SYNC_WAVE_ANNOTATION, "0")
    try:
        return int(str(raw).strip())
    except ValueError:
        name = (manifest.get("metadata") or {}).get("name", "?")
        raise ValueError("%s %s: annotation %s=%r is not an integer"
                         % (manifest.get("kind", "object"), name, SYNC_WAVE_ANNOTATION, raw))


def by_sync_wave(manifests, reverse=False):
    """Order manifests the way Argo CD applies them: by wave, then kind-independent by name.

    ``reverse=True`` gives the deletion order (highest wave first).
    """
    items = [m for m in manifests if m]
    ordered = sorted(items, key=lambda m: (sync_wave(m), (m.get("metadata") or {}).get("name", "")))
    return list(reversed(ordered)) if reverse else ordered
