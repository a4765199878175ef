# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The real API server as the validator: server-side dry run of rendered objects.

Every object is sent as a server-side apply with ``dryRun=All``: the API server runs its validation, the
CRD schemas (OpenAPI and CEL) and every admission plugin, and stores nothing. A Deployment's pod template is
only *warned* about by Pod Security admission; the Pods its ReplicaSet would create are what it enforces, so
each pod template is also sent as a dry-run Pod in its namespace. Importable by plain pytest as
``ansible_collections.appmod.agent_platform.plugins.plugin_utils.dryrun``.
"""
from __future__ import annotations

import json

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}


def describe(obj):
    meta = obj.get("metadata") or {}
    where = "%s/%s" % (meta["namespace"], meta.get("name")) if meta.get("namespace") else meta.get("name")
    return "%s %s" % (obj.get("kind"), where)


def pod_template(obj):
    """(labels, podSpec) of a workload's pod template, or None."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    template = spec.get("template") or {}
    if obj.get("kind") not in WORKLOAD_KINDS or not template.get("spec"):
        return None
    return (template.get("metadata") or {}).get("labels") or {}, template["spec"]


def pod_of(obj, namespace):
    """The Pod a workload's controller would create from its template (for Pod Security enforcement)."""
    labels, spec = pod_template(obj)
    name = ("%s-%s" % (obj["metadata"]["name"], "dryrun"))[:63]
    if obj.get("kind") == "StatefulSet":
        # The StatefulSet controller adds a volume per claim template (claim <template>-<set>-<ordinal>).
        spec = dict(spec, volumes=list(spec.get("volumes") or []) + [
            {"name": t["metadata"]["name"],
             "persistentVolumeClaim": {"claimName": "%s-%s-0" % (t["metadata"]["name"], obj["metadata"]["name"])}}
            for t in (obj["spec"].get("volumeClaimTemplates") or [])])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": spec}


def api_error(exc):
    """The API server's message and field causes out of an ApiException."""
    try:
        body = json.loads(exc.body or "{}")
    except (TypeError, ValueError):
        return str(exc), []
    causes = [c.get("field") or c.get("message") for c in (body.get("details") or {}).get("causes") or []]
    return body.get("message") or str(exc), [c for c in causes if c]


class Validator:
    """Dry-runs objects against one API server (a ``kubernetes.client.ApiClient``)."""

    def __init__(self, api_client, field_manager="appmod.agent_platform-validate"):
        from kubernetes.dynamic import DynamicClient

        self.dyn = DynamicClient(api_client)
        self.field_manager = field_manager

    def resource(self, obj):
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        try:
            return self.dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        except ResourceNotFoundError:
            return None

    def apply(self, obj, namespace, dry_run=True):
        """Problems of one object (empty when the API server accepts it); a kind it does not serve is one."""
        from kubernetes.client.exceptions import ApiException

        resource = self.resource(obj)
        if resource is None:
            return [{"object": describe(obj), "message": "the API server does not serve %s %s (no such CRD here)"
                     % (obj["apiVersion"], obj["kind"]), "fields": [], "unserved": True}]
        body = json.loads(json.dumps(obj))
        ns = None
        if resource.namespaced:
            ns = (body.get("metadata") or {}).get("namespace") or namespace
            body["metadata"]["namespace"] = ns
        try:
            resource.server_side_apply(body=body, name=body["metadata"]["name"], namespace=ns,
                                       field_manager=self.field_manager, force_conflicts=True,
                                       dry_run="All" if dry_run else None)
        except ApiException as exc:
            message, fields = api_error(exc)
            return [{"object": describe(body), "message": message, "fields": fields}]
        problems = []
        if pod_template(obj):
            pod = pod_of(obj, ns or namespace)
            try:
                self.dyn.resources.get(api_version="v1", kind="Pod").create(
                    body=pod, namespace=pod["metadata"]["namespace"], dry_run="All")
            except ApiException as exc:
                message, fields = api_error(exc)
                problems.append({"object": "%s (its pods)" % describe(body), "message": message, "fields": fields})
        return problems

    def validate(self, objects, namespace, real_kinds=()):
        """Problems of every object, CRDs first (as Argo CD and Helm apply them).

        ``real_kinds`` are applied for real, first (a throwaway API server only): the Pods of a workload are
        admitted only when their ServiceAccount exists, so a private validator creates the rendered ones.
        """
        ordered = sorted(objects, key=lambda o: (o.get("kind") not in real_kinds, o.get("kind") != "CustomResourceDefinition"))
        problems = []
        for obj in ordered:
            problems += self.apply(obj, namespace, dry_run=obj.get("kind") not in real_kinds)
        return problems


def stale_objects(api_client, objects):
    """The objects the API server lacks, or holds with other annotations (a manifest bundle records its version
    there, e.g. gateway.networking.k8s.io/bundle-version): what an apply would really change."""
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import ResourceNotFoundError

    dyn = DynamicClient(api_client)
    stale = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        try:
            resource = dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
            live = resource.get(name=meta["name"], namespace=meta.get("namespace") if resource.namespaced else None)
        except (ResourceNotFoundError, ApiException) as exc:
            if isinstance(exc, ApiException) and exc.status != 404:
                raise
            stale.append(describe(obj))
            continue
        if dict(live.metadata.annotations or {}) != (meta.get("annotations") or {}):
            stale.append(describe(obj))
    return stale
