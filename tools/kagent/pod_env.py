#!/usr/bin/env python3
"""Resolve a container's environment exactly as the kubelet would, from rendered chart manifests
or (as a library) from the objects an API server holds.

    pod_env.py RENDERED.yaml DEPLOYMENT [--container NAME] [--namespace NS] [--pod-name N] [--node-name N]
               [--set KEY=VALUE ...] [--format env|json|args]

Handles env[].value, env[].valueFrom (configMapKeyRef, secretKeyRef, fieldRef for metadata.name/namespace/
uid/labels/annotations, spec.nodeName, spec.serviceAccountName, status.podIP/hostIP), envFrom (configMapRef,
secretRef, with prefix, optional) and $(VAR) expansion in the order the kubelet applies them (envFrom first,
then env in order, later wins; a reference to an unknown variable stays as written, ``$$`` is a literal
``$``). A missing non-optional ConfigMap/Secret or key raises :class:`RefError` with the kubelet's own
wording (the pod would not start: CreateContainerConfigError). --set overrides are applied last and are
meant for what must differ out of cluster (listen addresses, service DNS names); the caller should list
them, so the difference from the pod stays visible. --format args prints the container's command/args
with $(VAR) expanded. Generic: works for any Deployment/StatefulSet/DaemonSet/Job/Pod.

Library use (tools/smoke reads the objects from the API server)::

    env, refs = resolve_env(container, fields, lookup)     # lookup(kind, name) -> dict | None
    argv = expand_args(container, env)
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import shlex
import sys
from typing import Callable

import yaml


class RefError(KeyError):
    """A reference the kubelet could not resolve (the container would not be created)."""

    def __str__(self):  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$")


def expand(s: str, env: dict) -> str:
    """Kubernetes $(VAR) expansion: known variables are replaced, unknown ones stay, $$ -> $."""
    return _REF.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), s)


def unresolved_refs(s: str, env: dict) -> list[str]:
    """Names of $(VAR) references in ``s`` that ``env`` does not define (the kubelet leaves them as text)."""
    return [m.group(1) for m in _REF.finditer(s) if m.group(1) and m.group(1) not in env]


def pod_spec_of(workload: dict) -> dict:
    kind = workload.get("kind")
    if kind == "Pod":
        return workload["spec"]
    if kind == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]


def container_of(workload: dict, name: str | None = None) -> dict:
    cs = pod_spec_of(workload)["containers"]
    if name is None:
        return cs[0]
    for c in cs:
        if c["name"] == name:
            return c
    raise RefError("container %s not found in %s/%s" % (name, workload.get("kind"), workload["metadata"]["name"]))


def default_fields(workload: dict, namespace: str, pod_name: str | None = None, node_name: str = "local",
                   pod: dict | None = None) -> dict:
    """Values of the downward-API fieldRefs: from a real pod when given, else from the workload."""
    spec = pod_spec_of(workload)
    meta = (pod or {}).get("metadata") or {}
    status = (pod or {}).get("status") or {}
    fields = {
        "metadata.name": meta.get("name") or pod_name or "%s-local" % workload["metadata"]["name"],
        "metadata.namespace": meta.get("namespace") or workload["metadata"].get("namespace") or namespace,
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": ((pod or {}).get("spec") or {}).get("nodeName") or node_name,
        "spec.serviceAccountName": spec.get("serviceAccountName") or "default",
        "status.podIP": status.get("podIP", "127.0.0.1"),
        "status.hostIP": status.get("hostIP", "127.0.0.1"),
    }
    template_meta = workload["metadata"] if workload.get("kind") == "Pod" else \
        ((workload.get("spec") or {}).get("template") or {}).get("metadata") or {}
    for key in ("labels", "annotations"):
        for k, v in (meta.get(key) or template_meta.get(key) or {}).items():
            fields["metadata.%s['%s']" % (key, k)] = v
    return fields


Lookup = Callable[[str, str], "dict | None"]


def resolve_env(container: dict, fields: dict, lookup: Lookup) -> tuple[dict, list[str]]:
    """(env, refs): the container's environment as the kubelet builds it, and a description of every
    ConfigMap/Secret reference used (``Secret x[key] -> VAR``). ``lookup(kind, name)`` returns the
    object's decoded data (str -> str) or None when it does not exist."""
    env: dict[str, str] = {}
    refs: list[str] = []

    def data(kind, name, optional):
        d = lookup(kind, name)
        if d is None and not optional:
            raise RefError('%s "%s" not found' % (kind.lower() if kind == "Secret" else "configmap", name))
        return d

    for ef in container.get("envFrom") or []:
        kind = "ConfigMap" if "configMapRef" in ef else "Secret"
        ref = ef.get("configMapRef") or ef.get("secretRef") or {}
        d = data(kind, ref["name"], ref.get("optional", False))
        if d is None:
            continue
        refs.append("%s %s (envFrom%s: %d keys)" % (kind, ref["name"], ", prefix %s" % ef["prefix"] if ef.get("prefix") else "", len(d)))
        for k, v in d.items():
            env[ef.get("prefix", "") + k] = v
    for e in container.get("env") or []:
        name = e["name"]
        if "valueFrom" not in e:
            env[name] = expand(str(e.get("value", "")), env)
            continue
        vf = e["valueFrom"]
        if "configMapKeyRef" in vf or "secretKeyRef" in vf:
            kind = "ConfigMap" if "configMapKeyRef" in vf else "Secret"
            r = vf.get("configMapKeyRef") or vf.get("secretKeyRef")
            optional = r.get("optional", False)
            d = data(kind, r["name"], optional)
            if d is None:
                continue
            if r["key"] not in d:
                if optional:
                    continue
                raise RefError("couldn't find key %s in %s %s" % (r["key"], kind, r["name"]))
            env[name] = d[r["key"]]
            refs.append("%s %s[%s] -> %s" % (kind, r["name"], r["key"], name))
        elif "fieldRef" in vf:
            path = vf["fieldRef"]["fieldPath"]
            if path not in fields:
                raise RefError("unsupported fieldRef %s for %s" % (path, name))
            env[name] = str(fields[path])
        elif "resourceFieldRef" in vf:
            env[name] = "0"  # limits are not meaningful for a host process
        else:
            raise RefError("unsupported valueFrom for %s: %s" % (name, vf))
    return env, refs


def expand_args(container: dict, env: dict) -> list[str]:
    """command + args with $(VAR) expanded (empty when the image's entrypoint runs without args)."""
    return [expand(str(x), env) for x in (container.get("command") or []) + (container.get("args") or [])]


# ---------------------------------------------------------------------------------- rendered files
def load(path):
    with open(path) as fh:
        return [d for d in yaml.safe_load_all(fh) if isinstance(d, dict)]


def find(docs, kind, name):
    for d in docs:
        if d.get("kind") == kind and str(d["metadata"]["name"]).strip('"') == name:
            return d
    raise SystemExit(f"{kind}/{name} not found in the rendered manifests")


def data_of(obj: dict) -> dict:
    out = dict(obj.get("stringData") or {}) if obj.get("kind") == "Secret" else {}
    for k, v in (obj.get("data") or {}).items():
        out.setdefault(k, base64.b64decode(v).decode() if obj.get("kind") == "Secret" else str(v))
    return out


def docs_lookup(docs) -> Lookup:
    def lookup(kind, name):
        for d in docs:
            if d.get("kind") == kind and str(d["metadata"]["name"]) == name:
                return data_of(d)
        return None

    return lookup


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rendered")
    ap.add_argument("workload")
    ap.add_argument("--kind", default="Deployment")
    ap.add_argument("--container")
    ap.add_argument("--namespace", default="default")
    ap.add_argument("--pod-name")
    ap.add_argument("--node-name", default="local")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--format", choices=["env", "json", "args"], default="env")
    a = ap.parse_args()

    docs = load(a.rendered)
    wl = find(docs, a.kind, a.workload)
    try:
        c = container_of(wl, a.container)
        env, _ = resolve_env(c, default_fields(wl, a.namespace, a.pod_name, a.node_name), docs_lookup(docs))
    except RefError as err:
        raise SystemExit(str(err)) from None
    for kv in a.set:
        k, _, v = kv.partition("=")
        env[k] = v
    if a.format == "json":
        json.dump(env, sys.stdout, indent=1, sort_keys=True)
        print()
    elif a.format == "args":
        print(" ".join(shlex.quote(x) for x in expand_args(c, env)))
    else:
        for k in env:
            print(f"{k}={shlex.quote(env[k])}")


if __name__ == "__main__":
    main()
