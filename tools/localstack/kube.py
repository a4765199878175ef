"""Talking to the API server with the pinned ``kubernetes`` Python client (no kubectl, no text parsing).

* :func:`client` - an ApiClient from a kubeconfig file;
* :func:`apply` - server-side apply of manifests given as dicts (any kind; the REST path comes from
  API discovery, cached per group/version), ``force`` like ``kubectl apply --server-side --force-conflicts``;
* :func:`load_yaml` - the documents of YAML files;
* :func:`request` - a raw call returning parsed JSON (raises ``ApiException`` on an error status).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterable

import yaml

from .common import LocalStackError


def client(kubeconfig):
    from kubernetes import config

    return config.new_client_from_config(config_file=str(kubeconfig))


def request(api, method: str, path: str, body=None, query=(), content_type: str = "application/json",
            timeout: float = 30, raw: bool = False):
    """One API call; parsed JSON (``raw``: the body as text, e.g. /readyz)."""
    from kubernetes.client.exceptions import ApiException

    headers = {"Accept": "*/*" if raw else "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    params = api.param_serialize(method=method, resource_path=path, query_params=list(query), header_params=headers,
                                 body=body, auth_settings=["BearerToken"])
    resp = api.call_api(*params, _request_timeout=timeout)
    data = resp.read()
    if not 200 <= resp.status < 300:
        raise ApiException(status=resp.status, reason=resp.reason, http_resp=resp)
    if raw:
        return data.decode(errors="replace")
    return json.loads(data) if data else None


class _Discovery:
    def __init__(self):
        self.cache: dict[tuple[int, str], dict] = {}

    def resource(self, api, api_version: str, kind: str, retry_for: float = 30):
        """(plural, namespaced) of kind in api_version; retried while a new CRD is being established."""
        from kubernetes.client.exceptions import ApiException

        deadline = time.monotonic() + retry_for
        while True:
            key = (id(api), api_version)
            if key not in self.cache:
                path = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
                try:
                    self.cache[key] = {r["kind"]: (r["name"], r["namespaced"])
                                       for r in request(api, "GET", path)["resources"] if "/" not in r["name"]}
                except ApiException as err:
                    if err.status != 404:
                        raise
                    self.cache[key] = {}
            found = self.cache[key].get(kind)
            if found:
                return found
            del self.cache[key]
            if time.monotonic() > deadline:
                raise LocalStackError("the API server does not serve %s %s" % (api_version, kind))
            time.sleep(0.5)


_DISCOVERY = _Discovery()


def collection_path(api, api_version: str, kind: str, namespace: str | None = None) -> str:
    plural, namespaced = _DISCOVERY.resource(api, api_version, kind)
    base = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
    if namespaced:
        return "%s/namespaces/%s/%s" % (base, namespace or "default", plural)
    return "%s/%s" % (base, plural)


def object_path(api, obj: dict) -> str:
    meta = obj.get("metadata") or {}
    return "%s/%s" % (collection_path(api, obj["apiVersion"], obj["kind"], meta.get("namespace")), meta["name"])


def create(api, obj: dict, exist_ok: bool = True, timeout: float = 30):
    """POST ``obj`` (status included, e.g. a Node's capacity); an existing object is left alone."""
    from kubernetes.client.exceptions import ApiException

    meta = obj.get("metadata") or {}
    try:
        return request(api, "POST", collection_path(api, obj["apiVersion"], obj["kind"], meta.get("namespace")),
                       body=obj, timeout=timeout)
    except ApiException as err:
        if exist_ok and err.status == 409:
            return None
        raise


def patch(api, ref: dict, body, content_type: str = "application/merge-patch+json", timeout: float = 30):
    """PATCH the object ``ref`` names (apiVersion, kind, metadata.name/namespace): merge patch by default,
    a list body with ``application/json-patch+json``."""
    return request(api, "PATCH", object_path(api, ref), body=body, content_type=content_type, timeout=timeout)


def delete(api, ref: dict, missing_ok: bool = True, timeout: float = 30):
    from kubernetes.client.exceptions import ApiException

    try:
        return request(api, "DELETE", object_path(api, ref), timeout=timeout)
    except ApiException as err:
        if missing_ok and err.status == 404:
            return None
        raise


def apply(api, objs: Iterable[dict], field_manager: str, force: bool = True, timeout: float = 60) -> int:
    """Server-side apply every object; returns how many were applied."""
    n = 0
    for obj in objs:
        if not obj:
            continue
        query = [("fieldManager", field_manager)] + ([("force", "true")] if force else [])
        request(api, "PATCH", object_path(api, obj), body=obj, query=query,
                content_type="application/apply-patch+yaml", timeout=timeout)
        n += 1
    return n


def load_yaml(*paths) -> list[dict]:
    docs = []
    for path in paths:
        docs.extend(d for d in yaml.safe_load_all(Path(path).read_text()) if d)
    return docs


def crds_established(api, names: Iterable[str]) -> bool:
    from kubernetes import client as k

    ext = k.ApiextensionsV1Api(api)
    for name in names:
        crd = ext.read_custom_resource_definition(name, _request_timeout=20)
        if not any(c.type == "Established" and c.status == "True" for c in (crd.status.conditions or [])):
            return False
    return True
