# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Workshop guard rails: what bounds a participant while the event runs.

tenants mode: each participant namespace gets a ResourceQuota and a LimitRange (the event file's ``quota``
and ``limit_range`` over the defaults below, a participant's ``overrides.<id>.quota`` over both), a
NetworkPolicy that lets no other participant's pods in, and a RoleBinding of the built-in ``edit``
ClusterRole to the participant's group, so a participant's credentials reach their namespace only.
clusters mode: ``cost_limits`` (instance types allowed, most nodes) bound each participant's node group
before any cluster is created.

A quota too small for the platform's own pods would let Argo CD sync and then leave the participant's
Deployments without pods: :func:`quota_problems` refuses it at render time, from the rendered manifests.
Plain Python, unit-tested in ``tests/unit/plugins/test_workshop_guard_rails.py``.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import yaml

try:
    from kubernetes.utils import parse_quantity  # the Kubernetes client's own parser of quantities
except ImportError:  # pragma: no cover - every supported controller has the client (kubernetes.core needs it)
    parse_quantity = None

# What a participant namespace allows unless the event file says otherwise: room for the participant's
# components (about 2.5 CPUs and 3.5 GiB requested, with a rolling update's extra pods) and their own work.
DEFAULT_QUOTA = {
    "requests.cpu": "4",
    "requests.memory": "8Gi",
    "limits.cpu": "12",
    "limits.memory": "16Gi",
    "pods": "40",
    "services": "20",
    "persistentvolumeclaims": "20",
}
# Containers that set no resources (several upstream charts leave them empty) get these.
DEFAULT_LIMIT_RANGE = {
    "default": {"cpu": "1", "memory": "1Gi"},
    "defaultRequest": {"cpu": "100m", "memory": "256Mi"},
}
LIMIT_RANGE_KEYS = ("default", "defaultRequest")
LIMIT_RANGE_RESOURCES = ("cpu", "memory", "ephemeral-storage")
# ResourceQuota names (Kubernetes docs, Resource Quotas): compute, storage, object counts.
QUOTA_KEY = re.compile(r"^((requests|limits)\.(cpu|memory|ephemeral-storage|storage)|cpu|memory|ephemeral-storage"
                       r"|pods|services|services\.(loadbalancers|nodeports)|configmaps|secrets|persistentvolumeclaims"
                       r"|replicationcontrollers|resourcequotas|count/[a-z0-9.-]+|[a-z0-9.-]+\.storageclass\.storage\.k8s\.io"
                       r"/(requests\.storage|persistentvolumeclaims))$")
# An EC2 instance type: family (letters, generation digit, attributes), a dot, a size (m5.large, c7gn.16xlarge).
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")
MAX_NODES = 100
# Labels of a participant namespace: what the isolation NetworkPolicy tells participants apart by.
EVENT_LABEL = "workshop.appmod.io/event"
PARTICIPANT_LABEL = "workshop.appmod.io/participant"
END_ANNOTATION = "workshop.appmod.io/end"
# The expiry sweep (state=expired) removes a participant this long after their end.
DEFAULT_EXPIRY_GRACE_MINUTES = 60
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


class GuardRailError(ValueError):
    """An invalid guard-rail setting; the message names the file and the key."""


def _err(source, key, msg):
    return GuardRailError("%s: %s: %s" % (source, key, msg))


def quantity(value):
    """A Kubernetes quantity as a Decimal (``parse_quantity``: '500m', '2Gi', 4)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not a quantity: %r" % (value,))
    return Decimal(parse_quantity(value))


def _quantity(source, key, value):
    try:
        number = quantity(value)
    except (ValueError, TypeError, ArithmeticError):
        raise _err(source, key, "%r is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)" % (value,))
    if number < 0:
        raise _err(source, key, "%r is negative" % (value,))
    return str(value)


def validate_quota(source, key, value):
    """``quota`` (a ResourceQuota's spec.hard): {name: quantity}; returns it with string values."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _err(source, key, "must be a mapping of ResourceQuota names to quantities (e.g. requests.cpu: '4'), got %r"
                   % (value,))
    out = {}
    for name, amount in value.items():
        if not isinstance(name, str) or not QUOTA_KEY.match(name):
            raise _err(source, "%s.%s" % (key, name), "not a ResourceQuota resource name (e.g. %s)"
                       % ", ".join(DEFAULT_QUOTA))
        out[name] = _quantity(source, "%s.%s" % (key, name), amount)
    return out


def effective_quota(quota):
    """The ResourceQuota's spec.hard: the defaults with the event's and the participant's keys over them."""
    return dict(DEFAULT_QUOTA, **(quota or {}))


def validate_limit_range(source, key, value):
    """``limit_range``: {default: {cpu, memory}, defaultRequest: {cpu, memory}}, a default never below its request."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _err(source, key, "must be a mapping with keys %s, got %r" % (", ".join(LIMIT_RANGE_KEYS), value))
    out = {}
    for part, amounts in value.items():
        where = "%s.%s" % (key, part)
        if part not in LIMIT_RANGE_KEYS:
            raise _err(source, where, "unknown key; known keys: %s" % ", ".join(LIMIT_RANGE_KEYS))
        if not isinstance(amounts, dict):
            raise _err(source, where, "must be a mapping of %s to quantities" % ", ".join(LIMIT_RANGE_RESOURCES))
        for resource, amount in amounts.items():
            if resource not in LIMIT_RANGE_RESOURCES:
                raise _err(source, "%s.%s" % (where, resource), "unknown resource; known: %s" % ", ".join(LIMIT_RANGE_RESOURCES))
            out.setdefault(part, {})[resource] = _quantity(source, "%s.%s" % (where, resource), amount)
    try:
        effective_limit_range(out)
    except GuardRailError as exc:
        raise GuardRailError("%s: %s" % (source, exc))
    return out


def effective_limit_range(limit_range):
    """The defaults with the event file's limit_range over them; a default limit below its request is refused,
    as the API server refuses such a LimitRange."""
    merged = {part: dict(DEFAULT_LIMIT_RANGE[part], **(limit_range or {}).get(part, {})) for part in LIMIT_RANGE_KEYS}
    for resource, request in merged["defaultRequest"].items():
        limit = merged["default"].get(resource)
        if limit is not None and quantity(request) > quantity(limit):
            raise GuardRailError("limit_range.defaultRequest.%s: %s is above limit_range.default.%s %s (the API server "
                                 "refuses such a LimitRange)" % (resource, request, resource, limit))
    return merged


def validate_cost_limits(source, key, value):
    """``cost_limits`` (clusters mode): {instance_types: [allowed EC2 types], max_nodes: most nodes per participant}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _err(source, key, "must be a mapping with keys instance_types, max_nodes, got %r" % (value,))
    unknown = sorted(set(value) - {"instance_types", "max_nodes"})
    if unknown:
        raise _err(source, "%s.%s" % (key, unknown[0]), "unknown key; known keys: instance_types, max_nodes")
    out = {}
    if "instance_types" in value:
        types = value["instance_types"]
        if not isinstance(types, list) or not types:
            raise _err(source, key + ".instance_types", "must be a non-empty list of EC2 instance types, got %r" % (types,))
        for index, item in enumerate(types):
            if not isinstance(item, str) or not INSTANCE_TYPE.match(item):
                raise _err(source, "%s.instance_types[%d]" % (key, index), "%r is not an EC2 instance type (e.g. m5.large)"
                           % (item,))
        out["instance_types"] = list(types)
    if "max_nodes" in value:
        most = value["max_nodes"]
        if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= MAX_NODES:
            raise _err(source, key + ".max_nodes", "must be a whole number 1..%d, got %r" % (MAX_NODES, most))
        out["max_nodes"] = most
    return out


def nodegroup_problems(cost_limits, instance_types, min_size, desired_size, max_size, participant=""):
    """What a participant's node group settings break of the event's cost_limits (empty: allowed)."""
    who = "%s: " % participant if participant else ""
    problems = []
    allowed = (cost_limits or {}).get("instance_types")
    if allowed:
        for item in instance_types or []:
            if item not in allowed:
                problems.append("%seks_bootstrap_nodegroup_instance_types: %s is not allowed by the event's "
                                "cost_limits.instance_types (%s)" % (who, item, ", ".join(allowed)))
    most = (cost_limits or {}).get("max_nodes")
    if most:
        for name, size in (("max_size", max_size), ("desired_size", desired_size), ("min_size", min_size)):
            if size is not None and int(size) > most:
                problems.append("%seks_bootstrap_nodegroup_%s: %s nodes, more than the event's cost_limits.max_nodes (%d)"
                                % (who, name, size, most))
    return problems


def objects(namespace, event, participant, quota, limit_range, end=None):
    """The guard-rail objects of one participant namespace, the namespace first."""
    labels = {EVENT_LABEL: event, PARTICIPANT_LABEL: participant}
    limits = effective_limit_range(limit_range)
    namespace_obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": labels}}
    if end:
        namespace_obj["metadata"]["annotations"] = {END_ANNOTATION: end}
    meta = {"namespace": namespace, "labels": labels}
    return [
        namespace_obj,
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": dict(meta, name="workshop-participant"),
         "spec": {"hard": effective_quota(quota)}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": dict(meta, name="workshop-participant"),
         "spec": {"limits": [dict({"type": "Container"}, **limits)]}},
        # Ingress from the participant's own namespace and from namespaces of no participant (the event's shared
        # components, Argo CD, ingress controllers); never from another participant. Egress stays open.
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": dict(meta, name="workshop-participant-isolation"),
         "spec": {"podSelector": {}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {}},
                                        {"namespaceSelector": {"matchExpressions": [
                                            {"key": PARTICIPANT_LABEL, "operator": "DoesNotExist"}]}}]}]}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": dict(meta, name="workshop-participant"),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": participant_group(event, participant)}]},
    ]


def participant_group(event, participant):
    """The Kubernetes group a participant's identity carries (an EKS access entry maps their IAM role to it)."""
    return "workshop:%s:%s" % (event, participant)


def _containers_need(pod_spec, limits):
    """(requests, limits) of one pod: its containers' sum or its largest init container, the LimitRange's
    defaults filled in where a container sets none (as the LimitRanger admission plugin does)."""
    def one(container):
        res = container.get("resources") or {}
        lim = {**limits["default"], **(res.get("limits") or {})}
        # A container with a limit but no request gets the limit as its request (API defaulting).
        req = {**limits["defaultRequest"], **(res.get("limits") or {}), **(res.get("requests") or {})}
        return ({k: quantity(v) for k, v in req.items()}, {k: quantity(v) for k, v in lim.items()})

    def add(total, part):
        for k, v in part.items():
            total[k] = total.get(k, Decimal(0)) + v

    req, lim = {}, {}
    for container in pod_spec.get("containers") or []:
        r, l_ = one(container)
        add(req, r)
        add(lim, l_)
    for container in pod_spec.get("initContainers") or []:
        r, l_ = one(container)
        for total, part in ((req, r), (lim, l_)):
            for k, v in part.items():
                total[k] = max(total.get(k, Decimal(0)), v)
    return req, lim


def _surge(obj, replicas):
    """Extra pods a rolling update of a Deployment starts (maxSurge, 25% rounded up by default)."""
    if obj.get("kind") != "Deployment":
        return 0
    strategy = (obj.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    surge = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * int(surge[:-1]) / 100)
    return int(surge)


def platform_needs(manifests, namespace, limit_range=None):
    """What the rendered workloads in ``namespace`` take from its quota, a rolling update included:
    ``{"totals": {quota name: Decimal}, "parts": {quota name: [(workload, Decimal)]}}``.

    ``manifests``: the components' rendered YAML (strings) or objects; objects without a namespace are in
    ``namespace`` (their release's namespace).
    """
    limits = effective_limit_range(limit_range)
    totals, parts = {}, {}
    docs = []
    for item in manifests or []:
        docs += [d for d in (yaml.safe_load_all(item) if isinstance(item, str) else [item]) if isinstance(d, dict)]
    for obj in docs:
        kind = obj.get("kind")
        meta = obj.get("metadata") or {}
        if kind not in WORKLOAD_KINDS or (meta.get("namespace") or namespace) != namespace:
            continue
        spec = obj.get("spec") or {}
        if kind == "Pod":
            template, replicas = spec, 1
        elif kind == "CronJob":
            template, replicas = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}, 1
        else:
            template = (spec.get("template") or {}).get("spec") or {}
            replicas = spec.get("parallelism", 1) if kind == "Job" else (1 if kind == "DaemonSet" else spec.get("replicas", 1))
        pods = replicas + _surge(obj, replicas)
        req, lim = _containers_need(template, limits)
        need = {"pods": Decimal(pods)}
        for resource, amount in req.items():
            need["requests.%s" % resource] = amount * pods
            if resource in ("cpu", "memory"):
                need[resource] = amount * pods
        for resource, amount in lim.items():
            need["limits.%s" % resource] = amount * pods
        name = "%s %s" % (kind, meta.get("name"))
        for key, amount in need.items():
            totals[key] = totals.get(key, Decimal(0)) + amount
            parts.setdefault(key, []).append((name, amount))
        pvcs = len(spec.get("volumeClaimTemplates") or []) * replicas
        if pvcs:
            totals["persistentvolumeclaims"] = totals.get("persistentvolumeclaims", Decimal(0)) + pvcs
            parts.setdefault("persistentvolumeclaims", []).append((name, Decimal(pvcs)))
    return {"totals": totals, "parts": parts}


def _show(key, amount):
    if key.endswith("memory") or key.endswith("storage"):
        return "%.2fGi" % (amount / Decimal(2 ** 30))
    return ("%.2f" % amount).rstrip("0").rstrip(".")


def quota_problems(quota, needs, participant="", namespace=""):
    """Where the participant's effective quota (DEFAULT_QUOTA with ``quota`` over it) is smaller than what
    the platform's own workloads in the namespace need; each message names the key and the largest users."""
    hard = effective_quota(quota)
    problems = []
    for key, limit in sorted(hard.items()):
        need = needs["totals"].get(key)
        if need is None or need <= quantity(limit):
            continue
        users = sorted(needs["parts"].get(key, []), key=lambda p: -p[1])[:3]
        problems.append(
            "%squota.%s=%s is less than the %s the agent platform's own pods in namespace %s need (a rolling update "
            "included; largest: %s): raise quota.%s (event file, or overrides.%s.quota)" % (
                "%s: " % participant if participant else "", key, limit, _show(key, need), namespace,
                ", ".join("%s %s" % (name, _show(key, amount)) for name, amount in users), key, participant or "<id>"))
    return problems


def expired(end, grace_minutes=None, now=None):
    """Whether a participant whose time ends at ``end`` (ISO 8601; no time zone = UTC) is past it plus the
    grace (minutes, DEFAULT_EXPIRY_GRACE_MINUTES when None) at ``now`` (UTC, default: the clock)."""
    text = end.strip() if isinstance(end, str) else end.isoformat()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    grace = DEFAULT_EXPIRY_GRACE_MINUTES if grace_minutes is None else int(grace_minutes)
    now = now or datetime.now(timezone.utc)
    return now > moment + timedelta(minutes=grace)
