"""A 5-participant tenants event on the local control plane and the local Argo CD.

One test, in the order an event goes (each step needs the previous one; 5 participants keep it lean on
2 cores): a participant with a bad override stops the event before anything changes, named in the error;
fixed, the event is provisioned and listed in the roster; one participant is rerun alone (the others
untouched); a rerun changes nothing; the expiry sweep removes the one participant whose time is over,
and only it, and a second sweep changes nothing; the teardown leaves nothing.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from .workshop_helpers import NOTHING, event_file, kubectl, kubectl_json, leftovers, run_event

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

EVENT = "ev5t"
PARTICIPANTS = ["p01", "p02", "p03", "p04", "p05"]
NOW = datetime.now(timezone.utc).replace(microsecond=0)
# The event runs from yesterday to tomorrow; p05's own time ended three hours ago (past the sweep's grace).
WINDOW = {"start": (NOW - timedelta(days=1)).isoformat(), "end": (NOW + timedelta(days=1)).isoformat()}
P05_ENDED = {"p05": {"end": (NOW - timedelta(hours=3)).isoformat()}}
BAD = dict(P05_ENDED, p03={"values": {"components": {"litellm": {"config": {"replicas": "many"}}}}})
SMALL_QUOTA = dict(P05_ENDED, p02={"quota": {"requests.cpu": "1"}})
# A pod far over any participant's quota, but allowed by Pod Security restricted (so the quota is what refuses it).
GREEDY_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "greedy"},
              "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                       "containers": [{"name": "c", "image": "busybox", "resources": {"requests": {"cpu": "64"}, "limits": {"cpu": "64"}},
                                       "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}}


def _sync_state(participants):
    """What a retry of another participant must not touch, per Application: its spec and the start of its
    last sync operation (resourceVersion is no measure: Argo CD writes every Application's status on
    each refresh)."""
    apps = kubectl_json("get", "applications.argoproj.io", "-n", "argocd")["items"]
    return {a["metadata"]["name"]: (json.dumps(a["spec"], sort_keys=True),
                                  ((a.get("status") or {}).get("operationState") or {}).get("startedAt")) for a in apps
            if any(a["metadata"]["name"].startswith(f"{EVENT}-{p}-") for p in participants)}


def test_tenants_event_lifecycle(local_cluster, tmp_path):
    out = tmp_path / "out"
    args = ("-e", f"workshop_event_out_dir={out}")
    bad = event_file(tmp_path / "bad.yml", name=EVENT, participants=5, overrides=BAD, **WINDOW)
    good = event_file(tmp_path / "good.yml", name=EVENT, participants=5, overrides=P05_ENDED, **WINDOW)
    try:
        # 1. p03's override is refused by the litellm chart's schema before anything changes: the event stops,
        #    naming p03, the Application, the values path and the level; nothing of the event exists.
        first = run_event(bad, *args)
        print(f"first run (p03 bad): {first.seconds:.0f}s")
        assert first.rc != 0
        assert first.recap["p03"]["failed"] == 1, first.recap
        assert all(first.recap[h]["changed"] == 0 for h in first.recap), first.recap
        assert "ev5t-p03-agent-platform-litellm (component litellm)" in first.output, first.why()
        assert 'replicas="many" was set by level 6 (cluster overrides' in first.output, first.why()
        assert leftovers(EVENT) == NOTHING
        assert not (out / EVENT).exists()
        # A quota the participant's own components do not fit in is refused the same way, from their render.
        small = run_event(event_file(tmp_path / "small.yml", name=EVENT, participants=5, overrides=SMALL_QUOTA, **WINDOW), *args)
        assert small.rc != 0
        assert "p02: quota.requests.cpu=1 is less than the " in small.output, small.why()
        assert leftovers(EVENT) == NOTHING

        # 2. Fixed: the whole event is provisioned and listed; then p03 alone: only p03 runs, the others'
        #    Applications are not touched.
        whole = run_event(good, *args)
        print(f"whole event: {whole.seconds:.0f}s")
        assert whole.rc == 0, whole.why()
        assert "5 done, 0 failed" in whole.stdout, whole.stdout[-2000:]
        rows = list(csv.DictReader((out / EVENT / "roster.csv").open()))
        assert [r["participant"] for r in rows] == PARTICIPANTS
        assert rows[0]["namespaces"] == f"{EVENT}-p01" and "Secret ev5t-p01/litellm-api-keys" in rows[0]["credentials_stored_in"]
        roster_md = (out / EVENT / "roster.md").read_text()
        assert "| p05 |" in roster_md
        # status.json: one record per participant and component, read from their Argo CD Applications.
        status = json.loads((out / EVENT / "status.json").read_text())
        assert status["participants"] == {p: "ready" for p in PARTICIPANTS}, status["participants"]
        assert sorted(r["component"] for r in status["records"] if r["participant"] == "p01") == ["jaeger", "langfuse", "litellm"]
        assert {r["state"] for r in status["records"]} == {"healthy"} and all(r["since"] for r in status["records"])
        assert {r["readiness"] for r in rows} == {"ready"}
        # Guard rails: the quota holds (the platform's own pods run within it), a pod over it is refused, and a
        # participant's group may work in its own namespace only.
        hard = kubectl_json("get", "resourcequota", "workshop-participant", "-n", f"{EVENT}-p01")["spec"]["hard"]
        assert hard["requests.cpu"] == "4" and hard["pods"] == "40", hard
        greedy = kubectl("create", "--dry-run=server", "-n", f"{EVENT}-p01", "-f", "-", stdin=json.dumps(GREEDY_POD))
        assert greedy.returncode != 0 and "exceeded quota: workshop-participant" in greedy.stderr, greedy.stderr
        as_p01 = ("--as", "p01", "--as-group", f"workshop:{EVENT}:p01")
        assert kubectl("auth", "can-i", "create", "deployments", "-n", f"{EVENT}-p01", *as_p01).stdout.strip() == "yes"
        assert kubectl("auth", "can-i", "get", "pods", "-n", f"{EVENT}-p02", *as_p01).stdout.strip() == "no"
        assert kubectl("auth", "can-i", "get", "secrets", "-n", "argocd", *as_p01).stdout.strip() == "no"
        assert "quota " in rows[0]["limits"] and "requests.cpu=4" in rows[0]["limits"]
        for p in ("p01", "p05"):
            apps = list(_sync_state([p]))
            # the parent + jaeger, litellm, langfuse (the perCluster components: the shared host's)
            assert len(apps) == 4, apps
        others = _sync_state([p for p in PARTICIPANTS if p != "p03"])
        retry = run_event(good, *args, "-e", "participant=p03")
        print(f"retry p03 alone: {retry.seconds:.0f}s")
        assert retry.rc == 0, retry.why()
        assert set(retry.recap) == {"localhost", f"{EVENT}-shared", "p03"}, retry.recap
        assert retry.recap[f"{EVENT}-shared"]["changed"] == 0
        assert "1 done, 0 failed, 4 not in this run" in retry.stdout
        assert _sync_state([p for p in PARTICIPANTS if p != "p03"]) == others
        assert len(_sync_state(["p03"])) == 4
        assert json.loads((out / EVENT / "status.json").read_text()) == status  # same states: the same file

        # 3. A rerun of the whole event changes nothing, roster included.
        again = run_event(good, *args)
        print(f"rerun: {again.seconds:.0f}s")
        assert again.rc == 0, again.why()
        assert {h: c["changed"] for h, c in again.recap.items()} == {h: 0 for h in again.recap}, again.recap

        # 4. The expiry sweep removes p05 (its time is over), and only p05; a second sweep changes nothing.
        ns_end = kubectl_json("get", "namespace", f"{EVENT}-p05")["metadata"]["annotations"]["workshop.appmod.io/end"]
        assert ns_end == P05_ENDED["p05"]["end"]
        gone = run_event(good, *args, "-e", "state=expired")
        print(f"expiry sweep: {gone.seconds:.0f}s")
        assert gone.rc == 0, gone.why()
        assert "1 done, 0 failed, 4 not in this run" in gone.stdout, gone.stdout[-2000:]  # (their time is not over)
        swept_again = run_event(good, *args, "-e", "state=expired")
        assert swept_again.rc == 0, swept_again.why()
        assert {h: c["changed"] for h, c in swept_again.recap.items()} == {h: 0 for h in swept_again.recap}, swept_again.recap
        assert (out / EVENT / "roster.csv").exists()
        swept = json.loads((out / EVENT / "status.json").read_text())
        assert sorted(swept["participants"]) == ["p01", "p02", "p03", "p04"], swept["participants"]
        left = leftovers(EVENT)
        assert not [n for values in left.values() for n in values if n.startswith(f"{EVENT}-p05")], left
        assert f"{EVENT}-p04" in left["namespaces"]
        labels = kubectl_json("get", "secret", "-n", "argocd", f"{EVENT}-cluster")["metadata"]["labels"]
        assert "enable_agent_platform_p05" not in labels and labels["enable_agent_platform_p04"] == "true"
    finally:
        # 5. Teardown: nothing of the event stays (Applications, namespaces, cluster secret, roster).
        down = run_event(good, *args, "-e", "state=absent")
        print(f"teardown: {down.seconds:.0f}s")
    assert down.rc == 0, down.why()
    assert leftovers(EVENT) == NOTHING
    assert not (out / EVENT).exists()
