"""Unit tests of plugins/plugin_utils/workshop_event.py, the workshop_roster / workshop_event_validate
filters and the workshop_event inventory plugin (through ansible-inventory, no cluster)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from ansible_collections.appmod.agent_platform.plugins.filter.workshop_event_validate import workshop_event_validate
from ansible_collections.appmod.agent_platform.plugins.filter.workshop_roster import workshop_roster
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_event import (
    WorkshopEventError,
    event_hosts,
    roster_rows,
    shared_components_present,
    validate_event,
)

ROOT = Path(__file__).resolve().parents[3]
BASE = {
    "plugin": "appmod.agent_platform.workshop_event",
    "name": "lab",
    "workshop_type": "agent-platform",
    "mode": "tenants",
    "region": "us-east-1",
    "start": "2026-12-01T09:00:00+00:00",
    "end": "2026-12-01T17:00:00+00:00",
    "participants": 3,
}


def event(**changes):
    data = dict(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("changes, key, words", [
    ({"name": "Lab_1"}, "name", "not a DNS label"),
    ({"name": None}, "name", "is required"),
    ({"participants": 0}, "participants", "out of range 1..200"),
    ({"participants": 201}, "participants", "out of range 1..200"),
    ({"participants": True}, "participants", "count"),
    ({"participants": ["a", "b", "a"]}, "participants[2]", "not unique"),
    ({"participants": ["ok", "Not_OK"]}, "participants[1]", "not a DNS label"),
    ({"participants": ["a-very-long-participant-id-2"]}, "participants", "at most 30"),
    ({"workshop_type": "kubernetes-101"}, "workshop_type", "not a known workshop type"),
    ({"mode": "vms"}, "mode", "not a mode"),
    ({"region": "useast1"}, "region", "not an AWS region"),
    ({"start": "1 December"}, "start", "not an ISO 8601"),
    ({"end": "2026-12-01T08:00:00+00:00"}, "end", "must be after start"),
    ({"end": "2026-12-01T09:00:00+00:00"}, "end", "must be after start"),
    ({"end": "2026-12-01T17:00:00"}, "end", "time zone"),
    ({"colour": "blue"}, "colour", "unknown key"),
    ({"delivery": "kubectl"}, "delivery", "not a delivery"),
    ({"overrides": {"p09": {"values": {}}}}, "overrides.p09", "no participant 'p09'"),
    ({"overrides": {"p01": {"values": [1]}}}, "overrides.p01.values", "must be a mapping"),
    ({"overrides": {"p01": {"values": {"enabled": True}}}}, "overrides.p01.values.enabled", "enable_agent_platform"),
    ({"overrides": {"p01": {"enable_agent_platform": "yes"}}}, "overrides.p01.enable_agent_platform", "true or false"),
    ({"overrides": {"p01": {"replicas": 2}}}, "overrides.p01.replicas", "unknown key"),
])
def test_invalid_event_names_file_and_key(changes, key, words):
    with pytest.raises(WorkshopEventError) as err:
        validate_event(event(**changes), source="events/lab.yml")
    assert str(err.value).startswith("events/lab.yml: %s: " % key), str(err.value)
    assert words in str(err.value)


def test_valid_event_normalised():
    ev = validate_event(event(participants=12, start="2026-12-01T09:00:00Z",
                              overrides={"p03": {"enable_agent_platform": False}}))
    assert ev["participants"][:2] == ["p01", "p02"] and ev["participants"][-1] == "p12"
    assert ev["start"] == "2026-12-01T09:00:00+00:00" and ev["delivery"] == "direct"
    assert ev["overrides"] == {"p03": {"enable_agent_platform": False}}
    assert validate_event(event(participants=150))["participants"][0] == "p001"
    listed = validate_event(event(participants=["alice", {"id": "bob", "values": {"a": {"b": 1}}}]))
    assert listed["participants"] == ["alice", "bob"] and listed["overrides"]["bob"]["values"] == {"a": {"b": 1}}


def test_tenants_hosts_share_the_cluster_scoped_pieces():
    ev = validate_event(event(overrides={"p02": {"values": {"components": {"litellm": {"config": {"replicas": 2}}}},
                                                 "enable_agent_platform": False}}))
    hosts = event_hosts(ev)
    assert sorted(hosts) == ["lab-shared", "p01", "p02", "p03"]
    p2 = hosts["p02"]
    assert p2["agent_platform_resource_prefix"] == "lab-p02" == p2["agent_platform_namespace"]
    assert p2["agent_platform_tenant"] == "lab" and p2["enable_agent_platform"] is False
    comps = p2["agent_platform_cluster_values"]["components"]
    # The components with cluster-scoped objects (catalogue perCluster) once for everybody, by the shared host.
    catalogue = yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())
    per_cluster = {c["key"] for c in catalogue["components"] if c.get("perCluster")}
    assert per_cluster == {"kagentCrds", "tofuController", "kagent", "agentGateway"}
    assert all(comps[key] == {"enabled": False} for key in per_cluster)
    assert comps["litellm"] == {"config": {"replicas": 2}}
    assert "enable_agent_platform" not in hosts["p01"]
    shared = hosts["lab-shared"]["agent_platform_cluster_values"]["components"]
    assert not per_cluster & set(shared) and shared["litellm"] == {"enabled": False}
    assert set(shared) | per_cluster == {c["key"] for c in catalogue["components"]}


def test_clusters_hosts_get_their_own_cluster():
    hosts = event_hosts(validate_event(event(mode="clusters", participants=2)))
    assert sorted(hosts) == ["p01", "p02"]
    assert hosts["p01"]["agent_platform_cluster_name"] == "lab-p01-agent-platform"
    assert hosts["p01"]["agent_platform_namespace"] == "agent-platform"
    assert hosts["p01"]["agent_platform_cluster_values"] == {}


def test_roster_lists_where_credentials_are_never_what():
    ev = validate_event(event(overrides={"p02": {"values": {"components": {"litellm": {
        "config": {"ingress": {"enabled": True, "host": "p02.lab.example"}}}}}}}))
    hosts = event_hosts(ev)
    out = workshop_roster([hosts[h] for h in ("p02", "p01", "p03")], event=ev)
    rows = list(csv.DictReader(io.StringIO(out["csv"])))
    assert [r["participant"] for r in rows] == ["p01", "p02", "p03"]
    assert rows[0]["namespaces"] == "lab-p01"
    assert "http://litellm.lab-p01.svc.cluster.local:4000" in rows[0]["service_urls"]
    assert "kubectl -n lab-p01 port-forward svc/jaeger 16686:16686" in rows[0]["port_forward"]
    assert rows[1]["ingress"] == "litellm=https://p02.lab.example"
    assert "Secret lab-p01/litellm-api-keys" in rows[0]["credentials_stored_in"]
    assert "| p03 | lab-shared | lab-p03 |" in out["markdown"]
    off = dict(hosts["p01"], agent_platform_environment_values={"components": {"langfuse": {"enabled": False}}})
    row = roster_rows([off])[0]
    assert "langfuse" not in row["service_urls"] and "langfuse-credentials" not in row["credentials_stored_in"]
    clusters = event_hosts(validate_event(event(mode="clusters", participants=1)))
    row = roster_rows([clusters["p01"]])[0]
    assert row["cluster"] == "EKS lab-p01-agent-platform (us-east-1)" and "IAM role lab-p01-KagentRole" in row["credentials_stored_in"]


def test_roster_follows_each_participants_flag():
    """A participant whose override switches the platform off gets no service URL and no credential place."""
    ev = validate_event(event(overrides={"p02": {"enable_agent_platform": False}}))
    rows = {r["participant"]: r for r in roster_rows([h for k, h in event_hosts(ev).items() if k != "lab-shared"])}
    assert rows["p01"]["agent_platform"] == "on" and "litellm=" in rows["p01"]["service_urls"]
    assert rows["p02"]["agent_platform"] == "off"
    assert rows["p02"]["service_urls"] == rows["p02"]["port_forward"] == rows["p02"]["credentials_stored_in"] == ""
    core = validate_event(event(workshop_type="platform-engineering", overrides={"p03": {"enable_agent_platform": True}}))
    rows = {r["participant"]: r for r in roster_rows([h for k, h in event_hosts(core).items() if k != "lab-shared"])}
    assert rows["p01"]["agent_platform"] == "off" and rows["p03"]["agent_platform"] == "on"


def test_shared_components_someone_else_owns():
    def crd(name, group, **ann):
        return {"metadata": {"name": name, "annotations": ann}, "spec": {"group": group}}

    theirs = crd("agents.kagent.dev", "kagent.dev", **{"meta.helm.sh/release-namespace": "agent-platform",
                                                        "meta.helm.sh/release-name": "kagent-crds"})
    ours = crd("terraforms.infra.contrib.fluxcd.io", "infra.contrib.fluxcd.io",
               **{"argocd.argoproj.io/tracking-id": "lab-agent-platform-tofu-controller:apiextensions.k8s.io/x"})
    other = crd("widgets.example.com", "example.com")
    got = shared_components_present([theirs, ours, other], "lab")
    assert got["owners"] == {"kagentCrds": "helm release agent-platform/kagent-crds"}
    assert got["values_off"] == {"components": {"kagentCrds": {"enabled": False}}}
    assert shared_components_present([], "lab")["owners"] == {}


def test_validate_filter_reads_the_file(tmp_path):
    good = tmp_path / "lab.yml"
    good.write_text(yaml.safe_dump(event()))
    assert workshop_event_validate(str(good))["name"] == "lab"
    other = tmp_path / "hosts.yml"
    other.write_text("all: {hosts: {a: {}}}\n")
    assert workshop_event_validate(str(other)) is None
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(event(participants=0)))
    with pytest.raises(Exception, match=r"bad.yml: participants: count 0 is out of range"):
        workshop_event_validate(str(bad))


def _inventory(path, *args):
    env = dict(os.environ, ANSIBLE_INVENTORY_ENABLED="appmod.agent_platform.workshop_event",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    return subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-inventory"), "-i", str(path), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_inventory_plugin_groups_and_hostvars(tmp_path):
    path = tmp_path / "lab.yml"
    path.write_text(yaml.safe_dump(event(name="lab-1", vars={"agent_platform_environment": "local"})))
    proc = _inventory(path, "--list")
    assert proc.returncode == 0, proc.stderr
    inv = json.loads(proc.stdout)
    assert sorted(inv["participants"]["hosts"]) == ["p01", "p02", "p03"]
    assert inv["event_shared"]["hosts"] == ["lab-1-shared"]
    assert sorted(inv["event_lab_1"]["hosts"]) == ["lab-1-shared", "p01", "p02", "p03"]
    p1 = {k: (v.get("__ansible_unsafe", v) if isinstance(v, dict) else v)
          for k, v in inv["_meta"]["hostvars"]["p01"].items()}
    assert p1["agent_platform_resource_prefix"] == "lab-1-p01" and p1["agent_platform_environment"] == "local"
    assert p1["ansible_connection"] == "local"
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(event(region="moon-1")))
    proc = _inventory(bad, "--list")
    assert "bad.yml: region: 'moon-1' is not an AWS region" in proc.stdout + proc.stderr
