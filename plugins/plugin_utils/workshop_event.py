# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Workshop events: validation of the event file, participants -> inventory hosts, the roster.

Plain Python (no Ansible import needed), shared by the ``workshop_event`` inventory plugin and the
``workshop_roster`` filters, unit-tested in ``tests/unit/plugins/test_workshop_event.py``.

Event file (``events/example.yml``)::

    plugin: appmod.agent_platform.workshop_event   # so that `-i events/<event>.yml` works
    name: kubecon-lab                              # DNS label
    workshop_type: agent-platform                  # platform-engineering | agent-platform
    mode: tenants                                  # tenants (one shared cluster) | clusters (one EKS each)
    region: us-east-1
    start: "2026-12-01T09:00:00+00:00"             # ISO 8601, start < end
    end: "2026-12-01T17:00:00+00:00"
    participants: 20                               # a count (1..200) -> p01..p20, or a list of unique ids
    overrides:                                     # per participant: values level 6, the flag (level 3), quota
      p03: {values: {...}, enable_agent_platform: false, quota: {requests.cpu: "8"}}
    quota: {requests.cpu: "4", pods: "40"}         # tenants: each participant namespace's ResourceQuota
    limit_range: {default: {cpu: "1", memory: 1Gi}}  # tenants: container defaults of each participant namespace
    cost_limits: {instance_types: [m5.large], max_nodes: 4}  # clusters: allowed node groups

The guard rails (quota, limit_range, cost_limits) are plugin_utils/workshop_guard_rails.py's.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, validation
from ansible_collections.appmod.agent_platform.plugins.plugin_utils import workshop_guard_rails as guard_rails
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import application_component
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.feature_flags import WORKSHOP_TYPES
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.feature_flags import resolve as resolve_flag
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values import merge_user_values
MODES = ("tenants", "clusters")
DELIVERIES = ("argocd", "direct")
MAX_PARTICIPANTS = 200
# The agent_platform role's rules (plugin_utils/validation.py): one spelling of each.
MAX_PREFIX = validation.MAX_PREFIX
DNS_LABEL = validation.DNS_LABEL
REGION = validation.AWS_REGION
KNOWN_KEYS = {
    "plugin": "the inventory plugin (appmod.agent_platform.workshop_event)",
    "name": "event name, a DNS label",
    "workshop_type": "|".join(WORKSHOP_TYPES),
    "mode": "|".join(MODES),
    "region": "AWS region, e.g. us-east-1",
    "start": "ISO 8601 date/time",
    "end": "ISO 8601 date/time, after start",
    "participants": "a count 1..%d or a list of unique ids" % MAX_PARTICIPANTS,
    "overrides": "mapping participant id -> {values, enable_agent_platform}",
    "delivery": "|".join(DELIVERIES) + " (tenants mode; default direct)",
    "vars": "extra variables for every host (e.g. agent_platform_kubeconfig, aws_endpoint_url)",
    "quota": "tenants: each participant namespace's ResourceQuota, {name: quantity} over the defaults",
    "limit_range": "tenants: each participant namespace's container defaults, {default, defaultRequest}",
    "cost_limits": "clusters: {instance_types: [...], max_nodes: N}, checked before any cluster is created",
}
OVERRIDE_KEYS = ("values", "enable_agent_platform", "quota", "end")
_CATALOGUE = catalogue.load_own()
_ENTRIES = catalogue.components(_CATALOGUE)
# Components with cluster-scoped objects (catalogue perCluster): installed once per event in tenants mode.
SHARED_COMPONENTS = tuple(c["key"] for c in _ENTRIES if c.get("perCluster"))
PARTICIPANT_COMPONENTS = tuple(c["key"] for c in _ENTRIES if not c.get("perCluster"))
# Per-participant services of the roster (catalogue endpoint): component key -> (service, port).
SERVICES = tuple((c["key"], c["endpoint"]["service"], int(c["endpoint"]["port"])) for c in _ENTRIES
                 if c.get("endpoint") and not c.get("perCluster"))
CREDENTIAL_SECRETS = tuple((c["key"], c["credentials"]) for c in _ENTRIES if c.get("credentials"))
# CRD group -> the shared component that installs it.
SHARED_CRD_GROUPS = {g: c["key"] for c in _ENTRIES if c.get("perCluster") for g in c.get("crdGroups") or []}


class WorkshopEventError(ValueError):
    """An invalid event file; the message names the file and the key."""


def _err(source, key, msg):
    return WorkshopEventError("%s: %s: %s" % (source, key, msg))


def _parse_date(source, key, value):
    if isinstance(value, datetime):
        return value
    if hasattr(value, "isoformat") and not isinstance(value, str):  # a YAML date (no time)
        return datetime.fromisoformat(value.isoformat())
    if not isinstance(value, str) or not value.strip():
        raise _err(source, key, "must be an ISO 8601 date or date-time (e.g. 2026-12-01T09:00:00+00:00), got %r" % (value,))
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _err(source, key, "%r is not an ISO 8601 date or date-time (e.g. 2026-12-01T09:00:00+00:00)" % value)


def _naive_utc(value):
    if value.tzinfo is None:
        return value
    return (value - value.utcoffset()).replace(tzinfo=None)


def _participant_ids(source, value):
    if isinstance(value, bool) or value is None:
        raise _err(source, "participants", "must be a count (1..%d) or a list of ids, got %r" % (MAX_PARTICIPANTS, value))
    if isinstance(value, int):
        if not 1 <= value <= MAX_PARTICIPANTS:
            raise _err(source, "participants", "count %d is out of range 1..%d" % (value, MAX_PARTICIPANTS))
        width = max(2, len(str(value)))
        return ["p%0*d" % (width, i) for i in range(1, value + 1)]
    if not isinstance(value, list) or not value:
        raise _err(source, "participants", "must be a count (1..%d) or a non-empty list of ids, got %r" % (MAX_PARTICIPANTS, value))
    if len(value) > MAX_PARTICIPANTS:
        raise _err(source, "participants", "%d participants, at most %d" % (len(value), MAX_PARTICIPANTS))
    ids = []
    for index, item in enumerate(value):
        pid = item.get("id") if isinstance(item, dict) else item
        if not isinstance(pid, str) or not DNS_LABEL.match(pid):
            raise _err(source, "participants[%d]" % index,
                       "participant id %r is not a DNS label (lowercase letters, digits, '-')" % (pid,))
        if pid in ids:
            raise _err(source, "participants[%d]" % index, "participant id %r is not unique" % pid)
        ids.append(pid)
    return ids


def validate_event(data, source="event file"):
    """Check an event mapping and return it normalised (``participants`` = list of ids, dates parsed).

    Raises WorkshopEventError naming ``source`` and the key.
    """
    if not isinstance(data, dict):
        raise WorkshopEventError("%s: must be a mapping with keys %s" % (source, ", ".join(KNOWN_KEYS)))
    unknown = sorted(set(data) - set(KNOWN_KEYS))
    if unknown:
        raise _err(source, unknown[0], "unknown key; known keys: %s" % ", ".join(KNOWN_KEYS))
    for key in ("name", "workshop_type", "mode", "region", "start", "end", "participants"):
        if key not in data or data[key] is None:
            raise _err(source, key, "is required (%s)" % KNOWN_KEYS[key])
    name = data["name"]
    if not isinstance(name, str) or not DNS_LABEL.match(name) or len(name) > 63:
        raise _err(source, "name", "%r is not a DNS label (lowercase letters, digits, '-', at most 63)" % (name,))
    if data["workshop_type"] not in WORKSHOP_TYPES:
        raise _err(source, "workshop_type", "%r is not a known workshop type (%s)" % (data["workshop_type"], ", ".join(WORKSHOP_TYPES)))
    if data["mode"] not in MODES:
        raise _err(source, "mode", "%r is not a mode (%s)" % (data["mode"], ", ".join(MODES)))
    if not isinstance(data["region"], str) or not REGION.match(data["region"]):
        raise _err(source, "region", "%r is not an AWS region (e.g. us-east-1, eu-west-3)" % (data["region"],))
    delivery = data.get("delivery", "direct")
    if delivery not in DELIVERIES:
        raise _err(source, "delivery", "%r is not a delivery (%s)" % (delivery, ", ".join(DELIVERIES)))
    start = _parse_date(source, "start", data["start"])
    end = _parse_date(source, "end", data["end"])
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise _err(source, "end", "start and end must both carry a time zone or both not")
    if not _naive_utc(start) < _naive_utc(end):
        raise _err(source, "end", "end (%s) must be after start (%s)" % (data["end"], data["start"]))
    ids = _participant_ids(source, data["participants"])
    for pid in ids:
        prefix = "%s-%s" % (name, pid)
        if len(prefix) > MAX_PREFIX:
            raise _err(source, "participants",
                       "resource prefix %r (<event>-<id>) is %d characters, at most %d: shorten the event name or the ids"
                       % (prefix, len(prefix), MAX_PREFIX))
    extra = data.get("vars") or {}
    if not isinstance(extra, dict):
        raise _err(source, "vars", "must be a mapping of variables, got %r" % (extra,))
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise _err(source, "overrides", "must be a mapping participant id -> {values, enable_agent_platform}")
    # list entries may carry their overrides inline: {id: p01, values: ..., enable_agent_platform: ...}
    inline = {}
    if isinstance(data["participants"], list):
        for item in data["participants"]:
            if isinstance(item, dict):
                inline[item["id"]] = {k: v for k, v in item.items() if k != "id"}
    merged = {}
    for pid, over in list(inline.items()) + list(overrides.items()):
        key = "overrides.%s" % pid
        if pid not in ids:
            raise _err(source, key, "no participant %r (participants: %s)" % (pid, ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")))
        if not isinstance(over, dict):
            raise _err(source, key, "must be a mapping with keys %s" % ", ".join(OVERRIDE_KEYS))
        bad = sorted(set(over) - set(OVERRIDE_KEYS))
        if bad:
            raise _err(source, "%s.%s" % (key, bad[0]), "unknown key; known keys: %s" % ", ".join(OVERRIDE_KEYS))
        values = over.get("values", {})
        if values is None:
            values = {}
        if not isinstance(values, dict):
            raise _err(source, key + ".values", "must be a mapping (values level 6), got %r" % (values,))
        if "enabled" in values:
            raise _err(source, key + ".values.enabled",
                       "the flag is not a value: use overrides.%s.enable_agent_platform" % pid)
        flag = over.get("enable_agent_platform")
        if flag is not None and not isinstance(flag, bool):
            raise _err(source, key + ".enable_agent_platform", "must be true or false, got %r" % (flag,))
        quota = _guard(guard_rails.validate_quota, source, key + ".quota", over.get("quota"))
        own_end = over.get("end")
        if own_end is not None:
            # A participant may leave earlier (or stay later) than the event; the expiry sweep reads this end.
            parsed = _parse_date(source, key + ".end", own_end)
            if (parsed.tzinfo is None) != (start.tzinfo is None):
                raise _err(source, key + ".end", "must carry a time zone exactly when start does")
            if not _naive_utc(start) < _naive_utc(parsed):
                raise _err(source, key + ".end", "end (%s) must be after the event's start (%s)" % (own_end, data["start"]))
            own_end = parsed.isoformat()
        entry = merged.setdefault(pid, {})
        entry.update({k: v for k, v in (("values", values), ("enable_agent_platform", flag), ("quota", quota),
                                         ("end", own_end)) if k in over})
    quota = _guard(guard_rails.validate_quota, source, "quota", data.get("quota"))
    limit_range = _guard(guard_rails.validate_limit_range, source, "limit_range", data.get("limit_range"))
    cost_limits = _guard(guard_rails.validate_cost_limits, source, "cost_limits", data.get("cost_limits"))
    # A guard rail of the other mode would be ignored without a word.
    wrong = [k for k in (("cost_limits",) if data["mode"] == "tenants" else ("quota", "limit_range")) if data.get(k)]
    wrong += ["overrides.%s.quota" % pid for pid, over in merged.items() if over.get("quota") and data["mode"] == "clusters"]
    if wrong:
        raise _err(source, wrong[0], "only for mode %s (this event's mode is %s)"
                   % ("clusters" if wrong[0] == "cost_limits" else "tenants", data["mode"]))
    return {
        "name": name,
        "workshop_type": data["workshop_type"],
        "mode": data["mode"],
        "region": data["region"],
        "delivery": delivery,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "participants": ids,
        "overrides": merged,
        "vars": extra,
        "quota": quota,
        "limit_range": limit_range,
        "cost_limits": cost_limits,
    }


def _guard(check, source, key, value):
    try:
        return check(source, key, value)
    except guard_rails.GuardRailError as exc:
        raise WorkshopEventError(str(exc))


def _shared_off():
    return {"components": {key: {"enabled": False} for key in SHARED_COMPONENTS}}


def group_name(event_name):
    return "event_" + event_name.replace("-", "_")


def shared_host(event):
    return "%s-shared" % event["name"]


def event_hosts(event):
    """{host: vars} for the event: one host per participant, plus the shared host in tenants mode.

    tenants: everybody deploys into one cluster, each participant into its own namespace ``<prefix>``;
    the components with cluster-scoped objects (catalogue perCluster) are disabled per participant (level 6)
    and installed once by the ``<event>-shared`` host. clusters: one EKS cluster per participant.
    """
    name = event["name"]
    tenants = event["mode"] == "tenants"
    common = {
        "workshop_event_name": name,
        "workshop_event_mode": event["mode"],
        "workshop_event_start": event["start"],
        "workshop_event_end": event["end"],
        "workshop_event_participants": event["participants"],
        "workshop_type": event["workshop_type"],
        "agent_platform_tenant": name,
        "agent_platform_aws_region": event["region"],
        "agent_platform_delivery": event["delivery"] if tenants else "argocd",
        "workshop_event_limit_range": event.get("limit_range") or {},
        "workshop_event_cost_limits": event.get("cost_limits") or {},
    }
    hosts = {}
    for pid in event["participants"]:
        prefix = "%s-%s" % (name, pid)
        over = event["overrides"].get(pid, {})
        values = over.get("values", {})
        if tenants:
            values = _merge(_shared_off(), values)
        host = dict(common)
        host.update({
            "workshop_event_participant": pid,
            "workshop_event_role": "participant",
            "agent_platform_resource_prefix": prefix,
            # tenants: own namespace in the shared cluster; clusters: own cluster, the usual namespace
            # (the IRSA trust policies of aws_identity name it).
            "agent_platform_namespace": prefix if tenants else "agent-platform",
            "agent_platform_cluster_name": ("%s-shared" % name) if tenants else "%s-agent-platform" % prefix,
            "agent_platform_cluster_values": values,
            # The event's quota with the participant's over it (the defaults are applied where it is used).
            "workshop_event_quota": dict(event.get("quota") or {}, **(over.get("quota") or {})),
            # When this participant's time is over (the event's end unless overrides.<id>.end): the expiry sweep's.
            "workshop_event_participant_end": over.get("end") or event["end"],
        })
        if over.get("enable_agent_platform") is not None:
            host["enable_agent_platform"] = over["enable_agent_platform"]
        hosts[pid] = host
    if tenants:
        host = dict(common)
        host.update({
            "workshop_event_participant": "",
            "workshop_event_role": "shared",
            "agent_platform_resource_prefix": name,
            "agent_platform_namespace": name,
            "agent_platform_cluster_name": "%s-shared" % name,
            "agent_platform_cluster_values": {"components": {key: {"enabled": False} for key in PARTICIPANT_COMPONENTS}},
        })
        hosts[shared_host(event)] = host
    return hosts


def _merge(*levels):
    """Levels merged the way Helm merges -f files (nulls kept: they delete a chart default later)."""
    return merge_user_values([dict(level or {}) for level in levels],
                             names=["level %d" % (i + 1) for i in range(len(levels))], first_level=1)


def _dig(values, *keys):
    for key in keys:
        if not isinstance(values, dict):
            return None
        values = values.get(key)
    return values


def event_flag(workshop_type, enable_agent_platform=None):
    """Whether the agent platform is on for a participant, from the event file alone (level 3 of the
    flag; runtime WORKSHOP_TYPE / ENABLE_AGENT_PLATFORM can still change it at run time)."""
    return bool(resolve_flag(infrastructure={"workshop_type": workshop_type, "enable_agent_platform": enable_agent_platform},
                             default_workshop_type=workshop_type or "platform-engineering",
                             default_enabled="workshop_type")["enabled"])


def participant_view(hostvars):
    """The roster's view of one participant host (its inventory variables)."""
    get = hostvars.get
    mode = get("workshop_event_mode", "tenants")
    prefix = get("agent_platform_resource_prefix")
    view = {
        "participant": get("workshop_event_participant"),
        # The flag as the event file sets it (workshop type, the participant's enable_agent_platform):
        # the roster is computed from the inventory, never from one run's facts.
        "agent_platform": event_flag(get("workshop_type"), get("enable_agent_platform")),
        "prefix": prefix,
        "namespace": get("agent_platform_namespace"),
        "cluster": get("agent_platform_cluster_name"),
        # levels 4-6 as set in the inventory (what decides which components the participant has)
        "values": _merge(get("agent_platform_environment_values"), get("agent_platform_tenant_values"),
                         get("agent_platform_cluster_values")),
        "argocd_namespace": get("workshop_event_argocd_namespace") or "argocd",
        "limits": _limits(mode, get("workshop_event_quota"), get("workshop_event_cost_limits")),
    }
    if mode == "clusters":
        view["cluster"] = "EKS %s (%s)" % (view["cluster"], get("agent_platform_aws_region"))
        view["kubeconfig"] = get("agent_platform_kubeconfig") or "~/.kube/%s.kubeconfig" % get("agent_platform_cluster_name")
        view["iam_roles"] = ["%s-%s" % (prefix, role) for role in ("KagentRole", "TofuControllerRole", "AgentCoreRole")]
    return view


def _limits(mode, quota, cost_limits):
    """The roster's limits of a participant: the namespace quota (tenants) or the node groups allowed (clusters)."""
    if mode == "clusters":
        cost_limits = cost_limits or {}
        parts = []
        if cost_limits.get("instance_types"):
            parts.append("instance types " + ", ".join(cost_limits["instance_types"]))
        if cost_limits.get("max_nodes"):
            parts.append("at most %d nodes" % cost_limits["max_nodes"])
        return "; ".join(parts) or "none set"
    return "quota " + " ".join("%s=%s" % item for item in sorted(guard_rails.effective_quota(quota).items()))


def roster_rows(participants, readiness=None):
    """One roster row per participant (never any credential value, only where it is stored).

    ``participants``: the participants' host variables (see participant_view), or views already.
    ``readiness``: participant -> readiness (plugin_utils.workshop_status.readiness); absent ones are
    ``not provisioned``.
    """
    readiness = readiness or {}
    rows = []
    for item in participants:
        p = participant_view(item) if "workshop_event_participant" in item else item
        ns = p["namespace"]
        comps = _dig(p.get("values") or {}, "components") or {}
        enabled = p.get("agent_platform", True)
        urls, forwards, ingress = [], [], []
        for key, svc, port in SERVICES:
            if not enabled or _dig(comps, key, "enabled") is False:
                continue
            urls.append("%s=http://%s.%s.svc.cluster.local:%d" % (key, svc, ns, port))
            forwards.append("kubectl -n %s port-forward svc/%s %d:%d" % (ns, svc, port, port))
            host = _dig(comps, key, "config", "ingress", "host")
            if _dig(comps, key, "config", "ingress", "enabled") and host:
                ingress.append("%s=https://%s" % (key, host))
        argns = p.get("argocd_namespace", "argocd")
        argocd = "Application %s/%s-agent-platform; kubectl -n %s port-forward svc/argocd-server 8080:443" % (
            argns, p["prefix"], argns)
        creds = ["Secret %s/%s" % (ns, secret) for key, secret in CREDENTIAL_SECRETS
                 if enabled and _dig(comps, key, "enabled") is not False]
        if p.get("kubeconfig"):
            creds.append("kubeconfig %s" % p["kubeconfig"])
        for role in p.get("iam_roles") or []:
            creds.append("IAM role %s" % role)
        rows.append({
            "participant": p["participant"],
            "cluster": p["cluster"],
            "namespaces": ns,
            "agent_platform": "on" if enabled else "off",
            "argocd": argocd,
            "service_urls": " ".join(urls),
            "port_forward": "; ".join(forwards),
            "ingress": " ".join(ingress),
            "credentials_stored_in": "; ".join(creds),
            "limits": p.get("limits", ""),
            "readiness": readiness.get(p["participant"], "not provisioned"),
        })
    return sorted(rows, key=lambda r: r["participant"])


ROSTER_COLUMNS = ("participant", "cluster", "namespaces", "agent_platform", "argocd", "service_urls", "port_forward", "ingress",
                  "credentials_stored_in", "limits", "readiness")


def roster_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROSTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in ROSTER_COLUMNS})
    return out.getvalue()


def roster_markdown(rows, event):
    def cell(text):
        return str(text or "").replace("|", "\\|").replace("; ", "<br>")

    lines = [
        "# Roster: %s" % event["name"],
        "",
        "Workshop `%s`, mode `%s`, region `%s`, %s to %s, %d participants." % (
            event["workshop_type"], event["mode"], event["region"], event["start"], event["end"], len(rows)),
        "Credentials are never written here: the last column says where they are stored.",
        "",
        "| " + " | ".join(ROSTER_COLUMNS) + " |",
        "|" + "---|" * len(ROSTER_COLUMNS),
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(k)) for k in ROSTER_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def shared_components_present(crds, our_namespace):
    """Which shared components the cluster already has from someone else (tenants mode).

    ``crds``: CustomResourceDefinition objects found. A CRD of a shared component that another
    Helm release or Argo CD Application owns means that piece is provided by the cluster: installing
    it again would fail (Helm ownership) or fight the owner. Returns {owners: {component_key: owner},
    values_off: the level-6 values that switch those components off, summary: one line}.
    """
    owners = {}
    groups = SHARED_CRD_GROUPS
    for crd in crds or []:
        meta = crd.get("metadata", {})
        group = (crd.get("spec") or {}).get("group", meta.get("name", "").split(".", 1)[-1])
        key = groups.get(group)
        if not key:
            continue
        ann = meta.get("annotations") or {}
        owner_ns = ann.get("meta.helm.sh/release-namespace", "")
        tracking = ann.get("argocd.argoproj.io/tracking-id", "")
        if owner_ns == our_namespace or application_component(tracking.split(":", 1)[0], our_namespace):
            continue
        owners[key] = ("helm release %s/%s" % (owner_ns, ann.get("meta.helm.sh/release-name", "?")) if owner_ns
                       else ("Argo CD %s" % tracking.split(":", 1)[0] if tracking else "unmanaged"))
    return {
        "owners": owners,
        "values_off": {"components": {key: {"enabled": False} for key in sorted(owners)}},
        "summary": ", ".join("%s (%s)" % (key, owners[key]) for key in sorted(owners)),
    }
