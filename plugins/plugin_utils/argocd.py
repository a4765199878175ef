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


def by_sync_wave(manifests, reverse=False, kind=None):
    """Order manifests the way Argo CD applies them: by wave, then kind-independent by name.

    ``manifests``: a list, or Helm's output (a multi-document YAML string, parsed with libyaml when present: a
    role renders the bridge chart on every run). ``reverse=True`` gives the deletion order (highest wave
    first); ``kind`` keeps only manifests of that kind.
    """
    if isinstance(manifests, str):
        from ansible_collections.appmod.agent_platform.plugins.plugin_utils.dryrun import manifest_documents

        manifests = manifest_documents(manifests)
    items = [m for m in manifests if m and (kind is None or m.get("kind") == kind)]
    ordered = sorted(items, key=lambda m: (sync_wave(m), (m.get("metadata") or {}).get("name", "")))
    return list(reversed(ordered)) if reverse else ordered


def oci_repository_secrets(applications, namespace="argocd"):
    """Argo CD repository Secrets for the Helm-OCI sources of ``applications``.

    A source with ``chart`` and a repoURL without scheme is a chart in an OCI registry; Argo CD pulls it only
    when a repository Secret of type helm says ``enableOCI: "true"`` for that URL. Public registries need no
    credentials, so the Secrets carry none. One Secret per distinct URL, named after it.
    """
    urls = []
    for app in applications or []:
        spec = app.get("spec") or {}
        for source in spec.get("sources") or ([spec["source"]] if spec.get("source") else []):
            url = str(source.get("repoURL") or "")
            if source.get("chart") and url and "://" not in url and url not in urls:
                urls.append(url)
    secrets = []
    for url in urls:
        slug = "".join(ch if ch.isalnum() else "-" for ch in url.lower()).strip("-")
        name = ("helm-oci-" + slug)[:63].rstrip("-")
        secrets.append({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {"argocd.argoproj.io/secret-type": "repository",
                           "app.kubernetes.io/part-of": "agent-platform",
                           "app.kubernetes.io/managed-by": "appmod.agent_platform"},
            },
            "stringData": {"name": name, "url": url, "type": "helm", "enableOCI": "true"},
        })
    return secrets
