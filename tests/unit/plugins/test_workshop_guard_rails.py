"""Unit tests of plugins/plugin_utils/workshop_guard_rails.py (quota, container defaults, isolation, access,
cost limits) and of the event file keys that set them (plugin_utils/workshop_event.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from ansible_collections.appmod.agent_platform.plugins.filter.workshop_guard_rails import (
    workshop_guard_rail_objects,
    workshop_nodegroup_problems,
    workshop_quota_problems,
)
from ansible_collections.appmod.agent_platform.plugins.plugin_utils import workshop_guard_rails as gr
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_event import (
    WorkshopEventError,
    event_hosts,
    roster_rows,
    validate_event,
)

BASE = {"name": "ev", "workshop_type": "agent-platform", "mode": "tenants", "region": "us-east-1",
        "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T17:00:00+00:00", "participants": 3}


def _refused(**extra):
    with pytest.raises(WorkshopEventError) as err:
        validate_event(dict(BASE, **extra), "events/ev.yml")
    return str(err.value)


@pytest.mark.parametrize("extra, words", [
    ({"quota": {"requests.cpu": "lots"}}, ["events/ev.yml", "quota.requests.cpu", "not a Kubernetes quantity"]),
    ({"quota": {"cpus": "1"}}, ["quota.cpus", "not a ResourceQuota resource name"]),
    ({"quota": "4 cpus"}, ["quota", "must be a mapping"]),
    ({"overrides": {"p02": {"quota": {"limits.memory": "-1Gi"}}}}, ["overrides.p02.quota.limits.memory", "negative"]),
    ({"limit_range": {"defaultRequest": {"cpu": "2"}}}, ["limit_range.defaultRequest.cpu", "above limit_range.default.cpu"]),
    ({"limit_range": {"max": {"cpu": "2"}}}, ["limit_range.max", "unknown key"]),
    ({"limit_range": {"default": {"gpu": "1"}}}, ["limit_range.default.gpu", "unknown resource"]),
    ({"cost_limits": {"max_nodes": 3}}, ["cost_limits", "only for mode clusters"]),
    ({"mode": "clusters", "quota": {"pods": "10"}}, ["quota", "only for mode tenants"]),
    ({"mode": "clusters", "overrides": {"p01": {"quota": {"pods": "10"}}}}, ["overrides.p01.quota", "only for mode tenants"]),
    ({"mode": "clusters", "cost_limits": {"instance_types": ["m5 large"]}}, ["cost_limits.instance_types[0]", "m5 large"]),
    ({"mode": "clusters", "cost_limits": {"instance_types": []}}, ["cost_limits.instance_types", "non-empty"]),
    ({"mode": "clusters", "cost_limits": {"max_nodes": 0}}, ["cost_limits.max_nodes", "1..100"]),
    ({"mode": "clusters", "cost_limits": {"max_nodes": True}}, ["cost_limits.max_nodes"]),
    ({"mode": "clusters", "cost_limits": {"budget": 3}}, ["cost_limits.budget", "unknown key"]),
])
def test_bad_guard_rails_are_refused_naming_the_file_and_key(extra, words):
    message = _refused(**extra)
    for word in words:
        assert word in message, message


def test_participant_quota_goes_over_the_event_quota():
    event = validate_event(dict(BASE, quota={"pods": "50"}, limit_range={"default": {"cpu": "2"}},
                                overrides={"p02": {"quota": {"requests.cpu": "8"}}}), "ev.yml")
    hosts = event_hosts(event)
    assert hosts["p01"]["workshop_event_quota"] == {"pods": "50"}
    assert hosts["p02"]["workshop_event_quota"] == {"pods": "50", "requests.cpu": "8"}
    assert hosts["p02"]["workshop_event_limit_range"] == {"default": {"cpu": "2"}}
    rows = {r["participant"]: r for r in roster_rows(hosts[p] for p in ("p01", "p02", "p03"))}
    assert "requests.cpu=8" in rows["p02"]["limits"] and "pods=50" in rows["p02"]["limits"]
    assert "requests.cpu=4" in rows["p01"]["limits"]


def test_clusters_roster_shows_the_cost_limits():
    event = validate_event(dict(BASE, mode="clusters", cost_limits={"instance_types": ["m5.large"], "max_nodes": 3}), "ev.yml")
    rows = roster_rows(h for n, h in event_hosts(event).items())
    assert rows[0]["limits"] == "instance types m5.large; at most 3 nodes"


def test_objects_bound_the_namespace_and_let_no_other_participant_in():
    objs = workshop_guard_rail_objects("p01", namespace="ev-p01", event="ev", quota={"pods": "10"},
                                       limit_range={}, end="2026-12-01T17:00:00+00:00")
    by_kind = {o["kind"]: o for o in objs}
    assert objs[0]["kind"] == "Namespace"
    assert by_kind["Namespace"]["metadata"]["labels"] == {gr.EVENT_LABEL: "ev", gr.PARTICIPANT_LABEL: "p01"}
    assert by_kind["Namespace"]["metadata"]["annotations"][gr.END_ANNOTATION] == "2026-12-01T17:00:00+00:00"
    assert by_kind["ResourceQuota"]["spec"]["hard"]["pods"] == "10"
    assert by_kind["ResourceQuota"]["spec"]["hard"]["requests.cpu"] == gr.DEFAULT_QUOTA["requests.cpu"]
    assert by_kind["LimitRange"]["spec"]["limits"][0]["defaultRequest"] == gr.DEFAULT_LIMIT_RANGE["defaultRequest"]
    sources = by_kind["NetworkPolicy"]["spec"]["ingress"][0]["from"]
    assert {"podSelector": {}} in sources  # own namespace
    assert sources[1]["namespaceSelector"]["matchExpressions"] == [{"key": gr.PARTICIPANT_LABEL, "operator": "DoesNotExist"}]
    assert by_kind["RoleBinding"]["roleRef"]["name"] == "edit"
    assert by_kind["RoleBinding"]["subjects"][0]["name"] == "workshop:ev:p01"
    assert all(o["metadata"].get("namespace") == "ev-p01" for o in objs[1:])


def _deployment(name, replicas=1, resources=None, ns=None, strategy=None, init=None):
    spec = {"containers": [{"name": "c", "resources": resources or {}}]}
    if init:
        spec["initContainers"] = [{"name": "init", "resources": init}]
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": replicas, "template": {"spec": spec}}}
    if ns:
        obj["metadata"]["namespace"] = ns
    if strategy:
        obj["spec"]["strategy"] = strategy
    return obj


def test_needs_fill_in_the_container_defaults_and_count_a_rolling_update():
    manifests = yaml.safe_dump_all([
        # no resources: the LimitRange's defaults; 2 replicas + 1 surge pod (25% rounded up)
        _deployment("bare", replicas=2),
        # limits only: requests = limits (API defaulting); Recreate: no surge
        _deployment("limited", resources={"limits": {"cpu": "500m", "memory": "1Gi"}}, strategy={"type": "Recreate"}),
        # an init container larger than the container counts instead of it
        _deployment("init", resources={"requests": {"cpu": "100m"}, "limits": {"cpu": "200m"}},
                    init={"requests": {"cpu": "1"}, "limits": {"cpu": "1"}}, strategy={"type": "Recreate"}),
        # another namespace's workloads are not this quota's
        _deployment("elsewhere", ns="other", resources={"requests": {"cpu": "50"}}),
    ])
    statefulset = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                   "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "db", "resources": {
                       "requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}}]}},
                       "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}
    needs = gr.platform_needs([manifests, statefulset], "ev-p01")["totals"]
    assert needs["pods"] == 3 + 1 + 1 + 3
    assert needs["requests.cpu"] == Decimal("0.1") * 3 + Decimal("0.5") + 1 + Decimal("0.25") * 3
    assert needs["limits.cpu"] == 1 * 3 + Decimal("0.5") + 1 + Decimal("0.5") * 3
    assert needs["requests.memory"] == 256 * 2 ** 20 * 3 + 2 ** 30 + 256 * 2 ** 20 + 256 * 2 ** 20 * 3
    assert needs["persistentvolumeclaims"] == 3


def test_a_quota_too_small_names_the_key_the_participant_and_the_largest_users():
    manifests = [yaml.safe_dump(_deployment("litellm", resources={"requests": {"cpu": "2"}, "limits": {"cpu": "2"}}))]
    problems = workshop_quota_problems(manifests, namespace="ev-p02", participant="p02", quota={"requests.cpu": "1"})
    assert len(problems) == 1
    assert problems[0].startswith("p02: quota.requests.cpu=1 is less than the 4 ")
    assert "Deployment litellm 4" in problems[0] and "overrides.p02.quota" in problems[0]
    assert workshop_quota_problems(manifests, namespace="ev-p02", quota={"requests.cpu": "8", "limits.cpu": "8"}) == []


def test_node_groups_outside_the_cost_limits_are_named():
    limits = {"instance_types": ["m5.large", "m5.xlarge"], "max_nodes": 3}
    assert workshop_nodegroup_problems(limits, ["m5.large"], {"min_size": 1, "desired_size": 2, "max_size": 3}) == []
    problems = workshop_nodegroup_problems(limits, ["p4d.24xlarge"], {"min_size": 2, "desired_size": 2, "max_size": 10},
                                           participant="p04")
    assert problems == [
        "p04: eks_bootstrap_nodegroup_instance_types: p4d.24xlarge is not allowed by the event's cost_limits.instance_types "
        "(m5.large, m5.xlarge)",
        "p04: eks_bootstrap_nodegroup_max_size: 10 nodes, more than the event's cost_limits.max_nodes (3)",
    ]


def test_expiry_counts_from_the_participants_own_end_plus_the_grace():
    from datetime import datetime, timezone

    from ansible_collections.appmod.agent_platform.plugins.filter.workshop_guard_rails import workshop_expired

    now = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)
    assert gr.expired("2026-12-01T17:00:00+00:00", now=now)                 # 90 min past, default grace 60
    assert not gr.expired("2026-12-01T17:00:00+00:00", grace_minutes=120, now=now)
    assert not gr.expired("2026-12-01T19:00:00+01:00", now=now)             # 18:00 UTC, + 60 min > 18:30
    assert gr.expired("2026-12-01T19:00:00+02:00", now=now)                 # 17:00 UTC
    assert gr.expired("2026-12-01T17:00:00Z", now=now) and gr.expired("2026-12-01T17:00:00", now=now)
    assert workshop_expired("2000-01-01T00:00:00+00:00") and not workshop_expired("2999-01-01T00:00:00+00:00")
    event = validate_event(dict(BASE, overrides={"p02": {"end": "2026-12-01T12:00:00+00:00"}}), "ev.yml")
    hosts = event_hosts(event)
    assert hosts["p02"]["workshop_event_participant_end"] == "2026-12-01T12:00:00+00:00"
    assert hosts["p01"]["workshop_event_participant_end"] == BASE["end"]


@pytest.mark.parametrize("end, words", [
    ("2026-11-30T09:00:00+00:00", ["overrides.p02.end", "must be after the event's start"]),
    ("tomorrow", ["overrides.p02.end", "not an ISO 8601"]),
    ("2026-12-01T12:00:00", ["overrides.p02.end", "time zone"]),
])
def test_a_participant_end_is_checked(end, words):
    message = _refused(overrides={"p02": {"end": end}})
    for word in words:
        assert word in message, message
