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

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.charts import YAML_LOADER
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.k8s_read import metadata_get
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values import (
    merge_values,
    split_path,
    values_provenance,
)

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
# A line that starts a YAML document (Helm writes "---" before each one); inside a block scalar it could not
# stand at column 0, so splitting there gives the parser's own documents.
_DOCUMENT_START = re.compile(r"^---[ \t]*$", re.MULTILINE)


def manifest_documents(text, known=None, seen=None):
    """The objects of a multi-document YAML stream (what ``yaml.safe_load_all`` gives, empty documents dropped).

    ``known`` (sha256 of a document's text -> its object) skips parsing documents seen before: the platform's
    CRDs are megabytes of YAML that a run renders unchanged time after time. Every CustomResourceDefinition
    document is recorded in ``seen`` the same way, for the next run's ``known``.
    """
    import yaml

    if not known and seen is None:  # nothing to look up or record: one parse of the whole stream
        return [d for d in yaml.load_all(str(text or ""), Loader=YAML_LOADER) if d]
    known = known or {}
    objects = []
    for piece in _DOCUMENT_START.split(str(text or "")):
        key = hashlib.sha256(piece.encode()).hexdigest()
        if key in known:
            docs = [json.loads(json.dumps(known[key]))]  # a copy: callers may change what they get
        else:
            docs = [d for d in yaml.load_all(piece, Loader=YAML_LOADER) if d]
        objects += docs
        if seen is not None and len(docs) == 1 and isinstance(docs[0], dict) and docs[0].get("kind") == "CustomResourceDefinition":
            seen[key] = docs[0]
    return objects


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

    def __init__(self, api_client, field_manager="appmod.agent_platform-validate", cache_file=None):
        from kubernetes.dynamic import DynamicClient

        # The client's default discovery cache is one file per API server address, kept across runs: after a
        # removal it still lists kinds whose CRDs are gone. Validation reads the server as it is now.
        self.dyn = DynamicClient(api_client, cache_file=cache_file)
        self.field_manager = field_manager

    def resource(self, obj):
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        try:
            return self.dyn.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        except ResourceNotFoundError:
            return None

    def apply(self, obj, namespace, dry_run=True, pods=True):
        """Problems of one object (empty when the API server accepts it); a kind it does not serve is one.
        ``pods``: also dry-run the Pods a workload's controller would create (Pod Security)."""
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
        if pods and pod_template(obj):
            pod = pod_of(obj, ns or namespace)
            try:
                self.dyn.resources.get(api_version="v1", kind="Pod").create(
                    body=pod, namespace=pod["metadata"]["namespace"], dry_run="All")
            except ApiException as exc:
                message, fields = api_error(exc)
                problems.append({"object": "%s (its pods)" % describe(body), "message": message, "fields": fields})
        return problems

    def apply_real(self, objects):
        """Create or update objects for real (a throwaway API server only); raises on a refusal."""
        for obj in objects:
            problems = self.apply(obj, None, dry_run=False)
            if problems:
                raise ValueError("%s: %s" % (describe(obj), problems[0]["message"]))

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


# --------------------------------------------------------------------------------------------------------
# A whole render, validated before anything changes (appmod.agent_platform.server_validate)
# --------------------------------------------------------------------------------------------------------
# Kinds of operators the platform does not install (External Secrets, Prometheus Operator, Velero): on a
# private validator their CRDs are absent, so such objects are listed as not checked; a target cluster
# must serve them (Argo CD's sync would fail there otherwise).
THIRD_PARTY_KINDS = frozenset({"ExternalSecret", "ServiceMonitor", "PodMonitor", "PrometheusRule", "Schedule"})
_INDEX = re.compile(r"^([^\[\]]*)((?:\[\d+\])*)$")


def locate(obj, field):
    """The value at an API field path (``spec.template.spec.containers[0].resources``) of an object, or None."""
    if not field:
        return None
    node = obj
    for part in str(field).split("."):
        match = _INDEX.match(part)
        if not match or node is None:
            return None
        name, indexes = match.groups()
        if name:
            node = node.get(name) if isinstance(node, dict) else None
        for index in re.findall(r"\d+", indexes):
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
    return node


def _leaves(value, key=None):
    """(last key, scalar) pairs of a value (dicts and lists walked)."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _leaves(v, k)]
    if isinstance(value, list):
        return [pair for v in value for pair in _leaves(v, key)]
    return [(key, value)]


def _lookup(tree, path):
    node = tree
    for key in split_path(path):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def blame(problem, obj, levels, names):
    """``[(values path, level number, value)]``: the values a problem's fields hold that a level above the
    chart's defaults set (same last key and same value), so the error can say which level to fix.

    ``levels`` are the release's values levels, chart defaults first (as for ``values_provenance``).
    """
    leaves, unlike = set(), {}
    for field in problem.get("fields") or []:
        last = re.sub(r"\[\d+\]$", "", str(field).rsplit(".", 1)[-1])
        leaves.update((k if k is not None else last, str(v)) for k, v in _leaves(locate(obj, field), last))
    if leaves:
        # The API server quotes the refused value ('Invalid value: "2"'): when it does, only that value is blamed.
        quoted = {m.strip('"') for m in re.findall(r'Invalid value: ("[^"]*"|[^:,\s]+)', problem.get("message") or "")}
        if quoted & {value for _, value in leaves}:
            leaves = {(key, value) for key, value in leaves if value in quoted}
    else:
        # No field named: Pod Security lists 'runAsUser=0' (the value refused) and 'allowPrivilegeEscalation !=
        # false' (any other value refused); its parentheses only explain.
        text = re.sub(r"\([^)]*\)", "", problem.get("message") or "")
        leaves = set(re.findall(r"\b([A-Za-z][A-Za-z0-9]*)=([^\s,]+)", text))
        unlike = dict(re.findall(r"\b([A-Za-z][A-Za-z0-9]*) != ([^\s,]+)", text))
    if not leaves and not unlike:
        return []
    merged = merge_values(levels, names=names, helm_major=3)
    out = []
    for path, level in sorted(values_provenance(levels, names=names, helm_major=3).items()):
        value = _lookup(merged, path)
        key = split_path(path)[-1]
        refused = (key, str(value)) in leaves or (key in unlike and str(value).lower() != unlike[key].lower())
        if level > 1 and refused:
            out.append((path, level, value))
    return out


def _crd_kinds(objects):
    return {("%s/%s" % (o["spec"]["group"], v["name"]), o["spec"]["names"]["kind"])
            for o in objects if o.get("kind") == "CustomResourceDefinition"
            for v in (o.get("spec") or {}).get("versions") or []}


def validate_render(api_client, renders, private, preloaded=(), keep_crds=(), timeout=120):
    """Dry-run every object of one or more renders; returns ``{problems, checked, deferred, unchecked}``.

    Each render (one host's): ``host``, ``namespaces`` (name -> labels the role gives it), ``objects`` (the
    Applications and the cluster Secret, in their own namespaces), ``releases`` (each with ``component``,
    ``release_namespace``, ``manifests`` and ``levels``, chart defaults first), ``level_names`` and
    ``prerequisites`` (the catalogue's manifests the run applies before any chart, such as the Gateway API CRDs:
    a private validator loads and judges them; on a target cluster their CRDs count as brought by the run).

    ``private``: a throwaway API server; the namespaces, the rendered CRDs and ServiceAccounts are created for
    real (and waited for: CRDs Established, within ``timeout`` seconds), and a kind it does not serve is *unchecked* when it
    belongs to an operator the platform does not install. Its CRDs are made exactly the rendered ones first:
    ``preloaded`` (CRDs it was given ahead, as applied) equal to a rendered one are not applied again, and any
    CRD it holds that no render brings is deleted, except those named in ``keep_crds``. Otherwise a target
    cluster, which is never changed: objects in a namespace it does not have yet, or of a CRD this render
    brings, are *deferred* (Argo CD or the role creates those first), and a kind it does not serve and nothing
    brings is a problem.
    """
    workdir = tempfile.mkdtemp(prefix="appmod-validate-")
    try:
        cache_file = os.path.join(workdir, "discovery.json")
        if private:
            _only_rendered_crds(api_client, renders, keep_crds, timeout)
        return _validate_render(api_client, renders, private, timeout, cache_file,
                                {o["metadata"]["name"]: o for o in preloaded})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _everything(render):
    """Every object a run would apply: its prerequisites, its objects and every release's manifests."""
    return (list(render.get("prerequisites") or []) + list(render.get("objects") or [])
            + [o for r in render["releases"] for o in r["manifests"]])


def rendered_crds(render):
    """The CustomResourceDefinitions of one render (prerequisites, objects and every release's manifests)."""
    return [o for o in _everything(render) if o.get("kind") == "CustomResourceDefinition"]


def _poll(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("the private validator: timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(0.2)


def _crd_conditions(api_client):
    """CRD name -> True when Established, of every CRD the API server holds (read as JSON: the client's models
    of megabytes of schemas cost a second)."""
    from kubernetes import client as k

    response = k.ApiextensionsV1Api(api_client).list_custom_resource_definition(_preload_content=False)
    return {c["metadata"]["name"]: any(x.get("type") == "Established" and x.get("status") == "True"
                                       for x in (c.get("status") or {}).get("conditions") or [])
            for c in json.loads(response.data).get("items") or []}


def _only_rendered_crds(api_client, renders, keep, timeout):
    """Delete the CRDs a throwaway API server holds that no render brings (a warm start's leftovers), and wait
    until they are gone: their kinds must not be served to this render."""
    from kubernetes import client as k
    from kubernetes.client.exceptions import ApiException

    ext = k.ApiextensionsV1Api(api_client)
    wanted = {o["metadata"]["name"] for r in renders for o in rendered_crds(r)} | set(keep)
    extra = sorted(set(_crd_conditions(api_client)) - wanted)
    for name in extra:
        try:
            ext.delete_custom_resource_definition(name)
        except ApiException as exc:
            if exc.status != 404:
                raise
    if extra:
        _poll("CRDs deleted: " + ", ".join(extra), lambda: not set(extra) & set(_crd_conditions(api_client)), timeout)


def _validate_render(api_client, renders, private, timeout, cache_file, applied_crds):
    from kubernetes.client.exceptions import ApiException

    validator = Validator(api_client, cache_file=cache_file)
    core = validator.dyn.resources.get(api_version="v1", kind="Namespace")
    result = {"problems": [], "checked": 0, "deferred": [], "unchecked": []}
    existing = {}

    def namespace_exists(name):
        if name not in existing:
            try:
                live = core.get(name=name).to_dict()
                # A namespace being deleted (a removal just before this run) takes no new objects; the run
                # recreates it, as a missing one.
                existing[name] = not ((live.get("metadata") or {}).get("deletionTimestamp")
                                      or (live.get("status") or {}).get("phase") == "Terminating")
            except ApiException as exc:
                if exc.status != 404:
                    raise
                existing[name] = False
        return existing[name]

    for render in renders:
        everything = _everything(render)
        brought = _crd_kinds(everything)
        if private:
            validator.apply_real([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels or {}}}
                                  for ns, labels in sorted((render.get("namespaces") or {}).items())])
            # A CRD the API server holds as rendered (given ahead, or by an earlier render) is not applied again.
            crds = [o for o in everything if o.get("kind") == "CustomResourceDefinition"
                    and applied_crds.get(o["metadata"]["name"]) != o]
            applied_crds.update((o["metadata"]["name"], o) for o in crds)
            # Side by side: the API server spends its time building each CRD's schema, not waiting on us.
            with ThreadPoolExecutor(max_workers=4) as pool:
                outcomes = list(pool.map(lambda crd: validator.apply(crd, None, dry_run=False), crds))
            for crd, problems in zip(crds, outcomes):
                result["problems"] += [dict(p, host=render["host"], component=_component_of(render, crd)) for p in problems]
            if crds:
                names = [c["metadata"]["name"] for c, problems in zip(crds, outcomes) if not problems]
                _poll("CRDs Established", lambda: all(_crd_conditions(api_client).get(n) for n in names), timeout)
                # A fresh discovery: the cached one predates these kinds, and every miss would rediscover all groups.
                if os.path.exists(cache_file):
                    os.remove(cache_file)
                validator = Validator(api_client, cache_file=cache_file)
            existing.clear()
        # A target cluster judges what the charts and the role make; the prerequisites are pinned upstream
        # manifests the run applies as they are (judged on a private validator, which starts without them).
        groups = ([(None, render.get("prerequisites") or [], None)] if private else []) + [
            (None, render.get("objects") or [], None)] + [(r, r["manifests"], r["release_namespace"]) for r in render["releases"]]
        jobs = []  # (release, rendered object, object as sent, namespace, dry run, its pods too, name in messages)
        for release, objects, namespace in groups:
            for obj in objects:
                if private and obj.get("kind") == "CustomResourceDefinition":
                    continue
                kind_key = (obj.get("apiVersion"), obj.get("kind"))
                ns = (obj.get("metadata") or {}).get("namespace") or namespace
                where = describe(dict(obj, metadata=dict(obj.get("metadata") or {}, namespace=ns)))
                resource = validator.resource(obj)
                if resource is None and (private and obj.get("kind") in THIRD_PARTY_KINDS):
                    result["unchecked"].append("%s (its operator's CRD is not installed here)" % where)
                elif not private and resource is None and kind_key in brought:
                    result["deferred"].append(where)
                elif not private and resource is not None and resource.namespaced and ns and not namespace_exists(ns):
                    # Its namespace comes with this run: judged in `default` (every cluster has it); its Pods' Pod
                    # Security level is the new namespace's, judged once it exists (by the sync itself).
                    if pod_template(obj):
                        result["deferred"].append("%s (the Pod Security check of its pods)" % where)
                    jobs.append((release, obj, dict(obj, metadata=dict(obj.get("metadata") or {}, namespace="default")),
                                 "default", True, False, where))
                else:
                    real = private and obj.get("kind") == "ServiceAccount"
                    jobs.append((release, obj, obj, ns, not real, True, where))

        def judge(job):
            release, obj, sent, ns, dry_run, pods, where = job
            problems = [dict(p, object=p["object"].replace(describe(sent), where)) for p in validator.apply(sent, ns, dry_run=dry_run, pods=pods)]
            if not private and (obj.get("apiVersion"), obj.get("kind")) in brought and any(_not_served(p) for p in problems):
                # Its CRD went away since discovery (a removal racing this run): it comes with this render.
                result["deferred"].append(where)
                return []
            return [p for p in problems if private or not _waits_for_account(p)]

        # ServiceAccounts created for real first (a private validator admits Pods only for existing accounts),
        # then everything else side by side: each dry run waits on the API server, not on this process.
        first = [job for job in jobs if not job[4]]
        rest = [job for job in jobs if job[4]]
        verdicts = [judge(job) for job in first]
        with ThreadPoolExecutor(max_workers=4) as pool:
            verdicts += list(pool.map(judge, rest))
        for (release, obj, _sent, _ns, _dry, _pods, _where), problems in zip(first + rest, verdicts):
            result["checked"] += 1
            for problem in problems:
                found = dict(problem, host=render["host"], component=release["component"] if release else "bridge")
                if release:
                    found["blame"] = blame(problem, obj, release["levels"], render.get("level_names"))
                result["problems"].append(found)
    return result


def _not_served(problem):
    """The API server answered 404 for the kind itself (no such resource), not for one object."""
    return "404 page not found" in problem["message"] or "could not find the requested resource" in problem["message"]


def _waits_for_account(problem):
    """A workload's pods refused only because its ServiceAccount is not there yet (created by the same sync)."""
    return "(its pods)" in problem["object"] and "serviceaccount" in problem["message"].lower() and "not found" in problem["message"]


def _component_of(render, obj):
    for release in render["releases"]:
        if any(o is obj for o in release["manifests"]):
            return release["component"]
    return "bridge"


def message(problem, level_names=None):
    """One line per problem: host, component, object, the API server's words, and the level of each value."""
    text = "%s: component %s: %s: %s" % (problem["host"], problem["component"], problem["object"], problem["message"])
    for path, level, value in problem.get("blame") or []:
        name = level_names[level - 1] if level_names and 0 < level <= len(level_names) else "level %d" % level
        if not name.startswith("level"):
            name = "level %d (%s)" % (level, name)
        text += " [%s=%s was set by %s]" % (path, json.dumps(value), name)
    return text


# What, besides the objects themselves, decides whether a target's API server accepts them: CRDs (schemas, CEL),
# admission webhooks and policies, namespaces (Pod Security labels), ResourceQuotas and LimitRanges.
JUDGES = (
    ("apiextensions.k8s.io/v1", "customresourcedefinitions"),
    ("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations"),
    ("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations"),
    ("admissionregistration.k8s.io/v1", "validatingadmissionpolicies"),
    ("admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings"),
    ("v1", "namespaces"),
    ("v1", "resourcequotas"),
    ("v1", "limitranges"),
)
ACCEPTED_KEPT = 20  # accepted dry runs remembered, newest first


def cluster_judges(api_client):
    """``(kind, namespace, name, uid, resourceVersion)`` of every object in JUDGES, read as metadata only (the
    CRDs' schemas are megabytes): any change to one of them (and a new cluster: new uids) changes this list."""
    found = []
    for group_version, plural in JUDGES:
        path = ("/api/v1/" if group_version == "v1" else "/apis/%s/" % group_version) + plural
        listing = metadata_get(api_client, path, listing=True)  # None: an API the cluster does not serve
        for item in (listing or {}).get("items") or []:
            meta = item.get("metadata") or {}
            found.append((plural, meta.get("namespace", ""), meta.get("name"), meta.get("uid"),
                          meta.get("resourceVersion"), bool(meta.get("deletionTimestamp"))))
    return sorted(found)


def render_digest(renders):
    """sha256 of what a run would apply: the renders as given (Helm's output, by its sha256, not how it was called:
    its values file is a new temporary file each run; the objects, the values levels) and the prerequisites' files
    by name and size."""
    digest = hashlib.sha256()
    for render in renders:
        files = [(p, os.path.getsize(p) if os.path.exists(p) else None) for p in render.get("manifest_files") or []]
        output = [helm_template.output_sha256(r or {}) for r in render.get("rendered") or []]
        digest.update(json.dumps(dict(render, manifest_files=files, rendered=output), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def accepted_key(server, digest, judges):
    """One key for "this render (its ``render_digest``), judged by this cluster as it is now"."""
    return hashlib.sha256(json.dumps([server, digest, judges], sort_keys=True).encode()).hexdigest()


def _accepted(cache_file):
    """{key: epoch seconds} of the remembered dry runs; a missing or damaged file is an empty one."""
    try:
        with open(cache_file, encoding="utf-8") as f:
            return dict(json.load(f))
    except (OSError, ValueError, TypeError):
        return {}


def accepted_before(cache_file, key):
    """When (epoch seconds) a dry run with this key was accepted, or None."""
    return _accepted(cache_file).get(key)


def remember_accepted(cache_file, key, when=None):
    """Record an accepted dry run (the newest ACCEPTED_KEPT are kept); written atomically."""
    known = _accepted(cache_file)
    known[key] = time.time() if when is None else when
    newest = dict(sorted(known.items(), key=lambda kv: kv[1], reverse=True)[:ACCEPTED_KEPT])
    os.makedirs(os.path.dirname(cache_file) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache_file) or ".", prefix=".accepted-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(newest, f)
    os.replace(tmp, cache_file)
