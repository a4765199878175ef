# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""What appmod.agent_platform.k8s_read needs besides kubernetes.core's own lookup: the connection options a
kubernetes.core.k8s_info task of the same play would get from ``module_defaults``."""
from __future__ import annotations

import json
import os

# The API server answers with metadata only (PartialObjectMetadata): a CRD's schema can be a megabyte, and turning
# it into the dynamic client's objects costs a second per CRD.
_METADATA_ONLY = "application/json;as=PartialObjectMetadata%s;v=v1;g=meta.k8s.io,application/json"

# The connection options of kubernetes.core's k8s_info that its lookup takes too (same names).
CONNECTION_OPTIONS = ("kubeconfig", "context", "host", "api_key", "username", "password", "validate_certs",
                      "ca_cert", "client_cert", "client_key", "proxy", "no_proxy", "proxy_headers",
                      "persist_config", "impersonate_user", "impersonate_groups")
# Where a play sets them for k8s_info: the module itself, or the group kubernetes.core puts it in.
DEFAULTS_KEYS = ("group/kubernetes.core.k8s", "kubernetes.core.k8s_info")


def default_kubeconfig(kubeconfig=None):
    """The kubeconfig path kubernetes.core's modules use: the one given, else ``K8S_AUTH_KUBECONFIG``, else None
    (the client's default, ``~/.kube/config``)."""
    return kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG") or None


def api_client(kubeconfig=None, context=None):
    """A ``kubernetes.client.ApiClient`` for a kubeconfig path (:func:`default_kubeconfig`) and context."""
    from kubernetes import config

    return config.new_client_from_config(config_file=default_kubeconfig(kubeconfig), context=context)


def connection_defaults(module_defaults, template, omit, keys=DEFAULTS_KEYS):
    """The connection options ``module_defaults`` (a task's list of dicts, outermost first) gives
    kubernetes.core.k8s_info, templated with ``template`` as one mapping (ansible-core drops a key whose value
    templates to ``omit`` from a mapping, and refuses a lone omitted value); ``omit`` left in is dropped too."""
    merged = {}
    for defaults in module_defaults or []:
        for key in keys:
            merged.update((defaults or {}).get(key) or {})
    wanted = {name: merged[name] for name in CONNECTION_OPTIONS if name in merged}
    return {name: value for name, value in (template(wanted) if wanted else {}).items()
            if value is not None and value != omit}


def lookup_terms(args):
    """kubernetes.core.k8s lookup keywords for k8s_read's arguments (its own spelling of them)."""
    kw = {"api_version": args["api_version"], "kind": args["kind"]}
    if args.get("name"):
        kw["resource_name"] = args["name"]
    if args.get("namespace"):
        kw["namespace"] = args["namespace"]
    if args.get("label_selectors"):
        kw["label_selector"] = ",".join(args["label_selectors"])
    if args.get("field_selectors"):
        kw["field_selector"] = ",".join(args["field_selectors"])
    return kw


def merge_drift(live, desired, path=""):
    """Where ``desired`` differs from ``live`` as a merge patch sees it (the dotted paths, empty when merging
    ``desired`` into ``live`` would change nothing): mappings are compared key by key, keys only ``live`` has
    are kept by a merge; anything else (lists, scalars) must be equal. ``live`` None: the object is missing."""
    if live is None and not path:
        return ["(missing)"]
    if isinstance(desired, dict) and isinstance(live, dict):
        found = []
        for key, value in desired.items():
            where = "%s.%s" % (path, key) if path else str(key)
            if key not in live:
                found.append(where)
            else:
                found += merge_drift(live[key], value, where)
        return found
    return [] if live == desired else [path or "(object)"]


def metadata_get(api_client, path, listing=False):
    """GET ``path`` (an API path) with metadata only, through a ``kubernetes.client.ApiClient``: the object (or,
    ``listing``, the list) as a dict with apiVersion, kind and metadata; None when the API server answers 404."""
    return get_json(api_client, path, accept=_METADATA_ONLY % ("List" if listing else ""))


def get_json(api_client, path, accept="application/json"):
    """GET ``path`` (an API path) as plain JSON, without the client's model classes (a CRD is megabytes of them);
    None when the API server answers 404."""
    from kubernetes.client.exceptions import ApiException

    method, url, headers, _body, _post = api_client.param_serialize(
        "GET", path, header_params={"Accept": accept}, auth_settings=["BearerToken"])
    try:
        response = api_client.call_api(method, url, header_params=headers)
        response.read()
        if response.status >= 400:
            raise ApiException(http_resp=response)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise
    return json.loads(response.data)


def drifted(desired, live):
    """The objects of ``desired`` that a merge would change: missing from ``live`` (matched by namespace and
    name), or with a ``merge_drift``."""
    held = {((o.get("metadata") or {}).get("namespace"), (o.get("metadata") or {}).get("name")): o for o in live or []}
    return [o for o in desired or []
            if merge_drift(held.get(((o.get("metadata") or {}).get("namespace"), o["metadata"]["name"])), o)]
