"""helm_releases: what a release needs, read from Helm's record; the order of waves and steps; a failed step stops.

The real installs (Helm against a real API server, an interrupted run's dead revision, kept CRDs adopted) are
tests/faults and the molecule scenarios; here the decisions, with Helm replaced by a script that records its argv.
"""
from __future__ import annotations

import base64
import gzip
import json
import os
import stat

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_releases as hr


def record(version, status, chart="kagent", chart_version="0.7.4", config=None, compress=True):
    body = json.dumps({"chart": {"metadata": {"name": chart, "version": chart_version}}, "config": config or {}})
    raw = gzip.compress(body.encode()) if compress else body.encode()
    data = base64.b64encode(base64.b64encode(raw)).decode()
    return {"metadata": {"name": "sh.helm.release.v1.kagent.v%d" % version, "namespace": "agent-platform",
                         "labels": {"version": str(version), "status": status}},
            "data": {"release": data}}


@pytest.mark.parametrize("compress", [True, False])
def test_a_record_decodes_as_helm_stores_it(compress):
    assert hr.decode_record(record(1, "deployed", config={"a": 1}, compress=compress)["data"]["release"])["config"] == {"a": 1}


def test_deployed_with_the_same_chart_and_values_is_left_alone():
    records = [record(1, "superseded", config={"a": 0}), record(2, "deployed", config={"a": 1})]
    assert hr.decide(records, "kagent", "0.7.4", {"a": 1}) == ("unchanged", None)


@pytest.mark.parametrize("name, version, values", [
    ("kagent", "0.7.5", {"a": 1}),   # another chart version
    ("other", "0.7.4", {"a": 1}),    # another chart
    ("kagent", "0.7.4", {"a": 2}),   # other values
    ("kagent", "0.7.4", {}),         # values removed
])
def test_anything_else_is_an_upgrade(name, version, values):
    assert hr.decide([record(2, "deployed", config={"a": 1})], name, version, values) == ("upgrade", None)


def test_no_record_is_an_install():
    assert hr.decide([], "kagent", "0.7.4", {}) == ("install", None)


@pytest.mark.parametrize("status", ["pending-install", "pending-upgrade", "pending-rollback", "failed"])
def test_a_dead_newest_revision_is_dropped_and_helm_runs(status):
    only = record(1, status)
    assert hr.decide([only], "kagent", "0.7.4", {}) == ("install", only)
    deployed, dead = record(1, "deployed"), record(2, status)
    # equal values and chart: Helm still runs, the dead run may have changed objects half way
    assert hr.decide([deployed, dead], "kagent", "0.7.4", {}) == ("upgrade", dead)


def test_newest_is_by_revision_number_not_text():
    records = [record(9, "superseded"), record(10, "deployed")]
    assert hr.newest(records)["metadata"]["labels"]["version"] == "10"
    assert hr.recorded_values([record(9, "deployed", config={"x": 9}), record(10, "failed", config={"x": 10})]) == {"x": 9}
    assert hr.recorded_values([]) == {}


def test_steps_keep_waves_and_put_crd_carriers_first():
    crd = "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.b\n"
    plain = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mentions\ndata:\n  k: 'kind: CustomResourceDefinition'\n"
    releases = [
        {"release_name": "gateway-glue", "wave": 2, "manifests": plain},
        {"release_name": "gateway-crds", "wave": 2, "manifests": crd},
        {"release_name": "kagent-crds", "wave": -4, "manifests": crd},
        {"release_name": "kagent", "wave": 0, "manifests": plain},
        {"release_name": "jaeger", "manifests": plain},  # no wave: 0
    ]
    assert hr.steps(releases) == [[2], [3, 4], [1], [0]]


def test_waves_come_from_the_applications_and_manifests_by_position():
    apps = [{"metadata": {"name": "p-agent-platform-kagent-crds", "annotations": {hr.WAVE_ANNOTATION: "-4"}}},
            {"metadata": {"name": "p-agent-platform-jaeger"}}]
    releases = [{"release_name": "kagent-crds", "application": "p-agent-platform-kagent-crds"},
                {"release_name": "jaeger", "application": "p-agent-platform-jaeger"},
                {"release_name": "own", "wave": 5, "manifests": "mine"}]
    out = hr.with_waves(releases, apps, ["a", "b", "c"])
    assert [(r["wave"], r["manifests"]) for r in out] == [(-4, "a"), (0, "b"), (5, "mine")]
    with pytest.raises(hr.HelmReleaseError, match="3 releases but 1 manifests"):
        hr.with_waves(releases, apps, ["a"])


def test_the_command_is_kubernetes_core_helms():
    release = {"release_name": "kagent", "release_namespace": "agent-platform", "chart_ref": "/c/kagent.tgz"}
    assert hr.upgrade_command("helm", release, "/v.yaml", "300s", {"kubeconfig": "/k", "context": "c"}) == [
        "helm", "upgrade", "--install", "kagent", "/c/kagent.tgz", "--namespace", "agent-platform",
        "--reset-values", "--wait", "--timeout", "300s", "--kubeconfig", "/k", "--kube-context", "c", "-f", "/v.yaml"]


def test_helm_4_waits_on_watches_and_applies_client_side_as_helm_3():
    release = {"release_name": "jaeger", "release_namespace": "ns", "chart_ref": "/c/jaeger.tgz"}
    argv = hr.upgrade_command("helm", release, "/v.yaml", "60s", major=4)
    assert argv[argv.index("--reset-values") + 1:argv.index("--timeout")] == ["--wait=watcher", "--server-side=false"]


@pytest.mark.parametrize("said, major", [("v3.17.3", 3), ("v4.1.4", 4)])
def test_the_helm_major_is_read_from_helm_version(tmp_path, said, major):
    script = tmp_path / "helm"
    script.write_text("#!/bin/sh\nprintf %s\n" % said)
    script.chmod(0o755)
    assert hr.helm_major(str(script)) == major


def test_a_binary_that_is_not_helm_3_or_4_is_named(tmp_path):
    script = tmp_path / "helm"
    script.write_text("#!/bin/sh\necho v2.17.0\n")
    script.chmod(0o755)
    with pytest.raises(hr.HelmReleaseError, match="not Helm 3 or 4.*v2.17.0"):
        hr.helm_major(str(script))


class FakeCluster:
    """Helm's records per release and CRDs without adoption marks, as the real Cluster reads them."""

    def __init__(self, records=None, unowned=()):
        self._records = records or {}
        self._unowned = list(unowned)
        self.dropped, self.adopted = [], []

    def records(self, release):
        return self._records.get(release["release_name"], [])

    def drop(self, rec):
        self.dropped.append(rec["metadata"]["name"])

    def unowned_crds(self, names, release):
        return [n for n in names if n in self._unowned]

    def adopt(self, name, release):
        self.adopted.append(name)

    def stalled_crds(self, names, now=None):
        return []


@pytest.fixture
def chart(tmp_path):
    def make(name, version="1.0.0"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "Chart.yaml").write_text("apiVersion: v2\nname: %s\nversion: %s\n" % (name, version))
        return str(folder)
    return make


@pytest.fixture
def fake_helm(tmp_path):
    """A helm that logs its release name and fails for a release named 'broken'."""
    log = tmp_path / "helm.log"
    script = tmp_path / "helm"
    script.write_text('#!/bin/sh\necho "$3" >> %s\n[ "$3" = broken ] && { echo "Error: it broke" >&2; exit 1; }\nexit 0\n' % log)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), log


def release(chart, name, wave=0, values=None, manifests=""):
    return {"release_name": name, "release_namespace": "ns", "chart_ref": chart(name), "wave": wave,
            "release_values": values or {}, "manifests": manifests}


def test_converge_runs_helm_only_where_needed_and_adopts_and_drops(chart, fake_helm):
    helm, log = fake_helm
    crd = "---\n# Source: x/templates/crd.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: kept.example.com\n"
    releases = [release(chart, "same", values={"a": 1}), release(chart, "crds", wave=-1, manifests=crd),
                release(chart, "stuck")]
    cluster = FakeCluster(records={
        "same": [record(1, "deployed", chart="same", chart_version="1.0.0", config={"a": 1})],
        "stuck": [record(1, "pending-install", chart="stuck", chart_version="1.0.0")]}, unowned=["kept.example.com"])
    seen = []
    out = hr.converge(releases, lambda: cluster, helm, "60s", report=seen.append)
    assert [o["action"] for o in out] == ["unchanged", "install", "install"]
    assert log.read_text().split() == ["crds", "stuck"]  # wave -1 first; the unchanged one never ran Helm
    assert cluster.adopted == ["kept.example.com"] and out[1]["adopted_crds"] == ["kept.example.com"]
    assert cluster.dropped == ["sh.helm.release.v1.kagent.v1"] and out[2]["dropped_revision"] == "1 (pending-install)"
    assert len(seen) == 3 and not any(o.get("failed") for o in out)
    assert "diff" in out[1] and "diff" not in out[0]


def test_check_mode_changes_nothing(chart, fake_helm):
    helm, log = fake_helm
    cluster = FakeCluster(records={"stuck": [record(1, "failed", chart="stuck", chart_version="1.0.0")]})
    out = hr.converge([release(chart, "new"), release(chart, "stuck")], lambda: cluster, helm, "60s", check_mode=True)
    assert [(o["action"], o["changed"]) for o in out] == [("install", True), ("install", True)]
    assert not log.exists() and cluster.dropped == []


def test_a_failed_release_stops_after_its_step_and_is_named(chart, fake_helm):
    helm, log = fake_helm
    releases = [release(chart, "broken", wave=0), release(chart, "fine", wave=0), release(chart, "later", wave=1)]
    with pytest.raises(hr.HelmReleaseError, match=r"release broken \(namespace ns, wave 0\): Error: it broke") as exc:
        hr.converge(releases, FakeCluster, helm, "60s")
    assert sorted(log.read_text().split()) == ["broken", "fine"]  # its step finished, the next wave never started
    assert {o["release_name"] for o in exc.value.result_fields["results"]} == {"broken", "fine"}


def test_values_helm_cannot_take_are_named(chart, fake_helm):
    helm, _ = fake_helm
    with pytest.raises(hr.HelmReleaseError, match="release odd: release_values"):
        hr.converge([release(chart, "odd", values={"x": float("nan")})], FakeCluster, helm, "60s")
    assert os.environ.get("HELM_NAMESPACE") is None  # the child's environment only


def crd_status(accepted=None, established=None, since="2026-12-01T00:00:00Z"):
    conditions = []
    if accepted is not None:
        conditions.append({"type": "NamesAccepted", "status": accepted, "lastTransitionTime": since})
    if established is not None:
        conditions.append({"type": "Established", "status": established, "lastTransitionTime": since})
    return {"metadata": {"name": "x.example.com"}, "status": {"conditions": conditions}}


ACCEPTED_AT = 1796083200.0  # 2026-12-01T00:00:00Z


@pytest.mark.parametrize("crd, seconds_later, stalled", [
    (crd_status("True", "False"), 30, True),    # names accepted half a minute ago, never established
    (crd_status("True"), 30, True),             # no Established condition at all
    (crd_status("True", "False"), 3, False),    # just accepted: the API server is on it
    (crd_status("True", "True"), 30, False),
    (crd_status("False", "False"), 30, False),  # names refused: requeueing cannot help
    (crd_status(), 30, False),                  # not looked at by the API server yet
])
def test_a_crd_accepted_but_never_established_is_stalled(crd, seconds_later, stalled):
    assert hr.establishing_stalled(crd, ACCEPTED_AT + seconds_later) is stalled


class StallingCluster(FakeCluster):
    """CRDs stalled until requeued (as kube-apiserver leaves them after a restart), counting the looks."""

    def __init__(self, stalled):
        super().__init__()
        self.stalled, self.requeued = set(stalled), []

    def stalled_crds(self, names, now=None):
        return [n for n in names if n in self.stalled]

    def requeue_establishing(self, name):
        self.requeued.append(name)
        self.stalled.discard(name)


def test_stalled_crds_are_requeued_before_helm_runs(chart, fake_helm):
    helm, _ = fake_helm
    crds = ("---\n# Source: c/templates/a.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "metadata:\n  name: a.example.com\n---\n# Source: c/crds/b.yaml\napiVersion: apiextensions.k8s.io/v1\n"
            "kind: CustomResourceDefinition\nmetadata:\n  name: b.example.com\n")
    cluster = StallingCluster({"a.example.com", "b.example.com"})
    out = hr.converge([release(chart, "crds", manifests=crds)], lambda: cluster, helm, "60s")
    assert sorted(cluster.requeued) == ["a.example.com", "b.example.com"]  # the crds/ folder's too
    assert sorted(out[0]["requeued_crds"]) == ["a.example.com", "b.example.com"]


ONE_CRD = ("---\n# Source: c/templates/a.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata:\n  name: a.example.com\n")


@pytest.fixture
def waiting_helm(tmp_path, monkeypatch):
    """A helm that takes a second, with the CRDs looked at every 0.2 s meanwhile."""
    script = tmp_path / "slowhelm"
    script.write_text("#!/bin/sh\nsleep 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(hr, "STALL_CHECK_SECONDS", 0.2)
    return str(script)


def test_stalled_crds_are_requeued_while_helm_waits(chart, waiting_helm):
    """A CRD that stalls while Helm waits (the API server restarted under it) is requeued by the next look."""
    cluster = StallingCluster(())
    looks = []

    def stall_on_second_look(names, now=None):
        looks.append(1)
        return ["a.example.com"] if len(looks) == 2 else []

    cluster.stalled_crds = stall_on_second_look
    out = hr.converge([release(chart, "crds", manifests=ONE_CRD)], lambda: cluster, waiting_helm, "60s")
    assert cluster.requeued == ["a.example.com"] and len(looks) >= 3 and not out[0].get("failed")


def test_a_look_that_fails_while_helm_waits_is_tried_again(chart, waiting_helm):
    cluster = StallingCluster(())
    looks = []

    def api_away_while_waiting(names, now=None):
        looks.append(1)
        if len(looks) > 1:
            raise ConnectionRefusedError("the API server is restarting")
        return []

    cluster.stalled_crds = api_away_while_waiting
    out = hr.converge([release(chart, "crds", manifests=ONE_CRD)], lambda: cluster, waiting_helm, "60s")
    assert len(looks) >= 3 and not out[0].get("failed")
