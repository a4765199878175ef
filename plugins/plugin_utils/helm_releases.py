# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Install or upgrade several Helm releases in sync-wave order, a wave's releases side by side.

Importable by plain pytest; the action plugin ``plugins/action/helm_releases.py`` is a thin wrapper.

Per release, what ``kubernetes.core.helm`` (6.x, release_state present, release_values, wait) decides, read from
Helm's own release record instead of four ``helm`` runs: unchanged when the newest revision is ``deployed`` with the
same chart name and version and the same user-supplied values; otherwise ``helm upgrade --install --reset-values
--wait`` with the values file that module writes. Two steps the module lacks, which a re-runnable installer needs:
a newest revision left ``pending-*`` or ``failed`` by an interrupted run is dropped first (Helm's storage record
only), and CRDs a chart renders from its templates that outlived an earlier release (kept on uninstall) are adopted
(Helm's adoption labels) so the install does not refuse "invalid ownership metadata". And a CRD that the API server
accepted but never established (a kube-apiserver restarted in between: :func:`establishing_stalled`) is queued
again, before Helm runs and while it waits, instead of Helm's wait sitting out the API server's five-minute resync.

Order: the waves one after the other, each waited for (Helm's ``--wait``), as Argo CD waits for a wave's health;
inside a wave, the releases that carry CustomResourceDefinitions first, then the rest, as Argo CD applies a sync's
CRDs before the objects that may use them. The releases of one step run in parallel: most of a release's time is
waiting for the API server and for its workloads.
"""
from __future__ import annotations

import base64
import concurrent.futures
import datetime
import gzip
import json
import os
import re
import subprocess
import tempfile
import time

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import charts, helm_template, k8s_read

WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
_CRD = re.compile(r"^kind:\s*CustomResourceDefinition\s*$", re.MULTILINE)
# Helm's adoption: an object carrying these is the release's (Helm 3.2+).
ADOPTION_LABELS = {"app.kubernetes.io/managed-by": "Helm"}
RELEASE_ANNOTATION = "meta.helm.sh/release-name"
NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace"
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
# Set and removed again on a CRD whose establishing stalled: the metadata update is what queues it again.
REQUEUE_ANNOTATION = "agent-platform.appmod.io/requeue-establishing"
# Accepted names without Established for this long is a stall (the API server establishes within a second or so).
ESTABLISH_STALL_SECONDS = 10
# How often the CRDs of a release are looked at while Helm waits for them.
STALL_CHECK_SECONDS = 5


class HelmReleaseError(RuntimeError):
    """A release could not be installed; ``results`` holds every release's outcome so far."""

    def __init__(self, message, results=None):
        super().__init__(message)
        self.result_fields = {"results": results or []}


# ------------------------------------------------------------------ Helm's release record
def decode_record(data):
    """The release a Helm storage Secret holds: its ``data.release`` is base64 (Kubernetes) of base64 (Helm) of
    gzipped JSON (Helm 3 and 4 alike; an old record may be JSON not gzipped)."""
    raw = base64.b64decode(base64.b64decode(data))
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def newest(records):
    """The record (a Secret as a dict) of the highest revision, or None."""
    return max(records, key=lambda s: int(s["metadata"]["labels"].get("version", 0)), default=None)


def dead(record):
    """True for a revision an interrupted run left behind: ``pending-install/-upgrade/-rollback`` forever (every
    later helm call refuses "another operation is in progress"), or ``failed`` (kubernetes.core.helm then compares
    the values with it, finds them equal and leaves the release failed)."""
    status = record["metadata"]["labels"].get("status", "")
    return status.startswith("pending-") or status == "failed"


def decide(records, chart_name, chart_version, values):
    """(action, dead record or None) for a release: ``install``, ``upgrade`` or ``unchanged``.

    ``records``: its storage Secrets (dicts with metadata.labels and data.release). After a dead newest revision
    is dropped, Helm always runs (the dead run may have changed objects half way)."""
    top = newest(records)
    if top is None:
        return "install", None
    if dead(top):
        alive = [r for r in records if r is not top]
        return ("upgrade" if alive else "install"), top
    if top["metadata"]["labels"].get("status") != "deployed":
        return "upgrade", None
    release = decode_record(top["data"]["release"])
    meta = (release.get("chart") or {}).get("metadata") or {}
    same = (meta.get("name") == chart_name and str(meta.get("version")) == str(chart_version)
            and (release.get("config") or {}) == (values or {}))
    return ("unchanged" if same else "upgrade"), None


def recorded_values(records):
    """The user-supplied values of the newest deployed revision ({} when none): the diff's "before"."""
    deployed = [r for r in records if r["metadata"]["labels"].get("status") == "deployed"]
    top = newest(deployed)
    return (decode_record(top["data"]["release"]).get("config") or {}) if top else {}


# ------------------------------------------------------------------ order
def establishing_stalled(crd, now, min_age=ESTABLISH_STALL_SECONDS):
    """True for a CRD whose names were accepted ``min_age`` seconds or more before ``now`` (epoch seconds) and that
    is still not Established. kube-apiserver queues a CRD for its Established condition only on an update event
    (apiextensions-apiserver's crdHandler.updateCustomResourceDefinition); one restarted after accepting the names
    but before establishing lists the CRD as an add and leaves it so until its CRD informer resyncs (five minutes),
    and every wait for the CRD (Helm's, Argo CD's health) sits that out."""
    conditions = {c.get("type"): c for c in ((crd.get("status") or {}).get("conditions") or [])}
    accepted, established = conditions.get("NamesAccepted") or {}, conditions.get("Established") or {}
    if accepted.get("status") != "True" or established.get("status") == "True":
        return False
    since = accepted.get("lastTransitionTime")
    if not since:
        return True
    accepted_at = datetime.datetime.strptime(since, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return now - accepted_at.timestamp() >= min_age


def has_crds(manifests):
    """True when a release's manifests (``helm template --include-crds``) hold a CustomResourceDefinition."""
    return bool(_CRD.search(manifests or ""))


def steps(releases):
    """The releases (each with ``wave``, ``manifests``) as steps run one after the other: by wave (lowest
    first), and in a wave the CRD carriers before the rest; each step a list of indexes into ``releases``."""
    by_wave = {}
    for index, release in enumerate(releases):
        by_wave.setdefault(int(release.get("wave") or 0), []).append(index)
    out = []
    for wave in sorted(by_wave):
        first = [i for i in by_wave[wave] if has_crds(releases[i].get("manifests"))]
        rest = [i for i in by_wave[wave] if i not in first]
        out += [step for step in (first, rest) if step]
    return out


def application_waves(applications):
    """{Application name: its sync wave} (0 when it names none, as Argo CD reads it)."""
    return {app["metadata"]["name"]: int(((app["metadata"].get("annotations") or {}).get(WAVE_ANNOTATION)) or 0)
            for app in applications or []}


def with_waves(releases, applications=(), manifests=None):
    """``releases`` with ``wave`` (given, else the sync wave of the Application named by ``application``) and
    ``manifests`` (given, else the matching entry of ``manifests``, a list in the releases' order)."""
    waves = application_waves(applications)
    if manifests is not None and len(manifests) != len(releases):
        raise HelmReleaseError("%d releases but %d manifests" % (len(releases), len(manifests)))
    out = []
    for index, release in enumerate(releases):
        release = dict(release)
        if release.get("wave") is None:
            release["wave"] = waves.get(release.get("application"), 0)
        if release.get("manifests") is None and manifests is not None:
            release["manifests"] = manifests[index]
        out.append(release)
    return out


# ------------------------------------------------------------------ Helm
# How each Helm major waits for a release's objects to be ready. Helm 3 polls every 2 s, so a step costs up to 2 s
# more than its slowest object takes; Helm 4's watcher (kstatus on watches) returns as soon as the last is ready.
# Helm 4 would apply server-side on a new install: client-side, as Helm 3 (and Argo CD) do, so either Helm
# major can upgrade what the other installed with the same field manager and three-way merge.
WAIT_FLAGS = {3: ["--wait"], 4: ["--wait=watcher", "--server-side=false"]}


def helm_major(binary):
    """The major version of the ``binary`` Helm (3 or 4), from ``helm version``."""
    proc = subprocess.run([binary, "version", "--template", "{{.Version}}"], capture_output=True, text=True,
                          check=False)
    found = re.match(r"v?(\d+)\.", proc.stdout.strip())
    if proc.returncode != 0 or not found or int(found.group(1)) not in WAIT_FLAGS:
        raise HelmReleaseError("helm binary %s: not Helm 3 or 4 (helm version said %r%s)" % (
            binary, proc.stdout.strip(), (", " + proc.stderr.strip()[-300:]) if proc.stderr.strip() else ""))
    return int(found.group(1))


def upgrade_command(binary, release, values_file, timeout, target=None, major=3):
    """The argv kubernetes.core.helm runs for release_state present with release_values and wait (Helm
    ``major``'s way of waiting, :data:`WAIT_FLAGS`); ``target``: the cluster's ``kubeconfig`` and ``context``
    (Helm's defaults when absent)."""
    argv = [binary, "upgrade", "--install", release["release_name"], release["chart_ref"],
            "--namespace", release["release_namespace"], "--reset-values", *WAIT_FLAGS[major], "--timeout", timeout]
    if (target or {}).get("kubeconfig"):
        argv += ["--kubeconfig", target["kubeconfig"]]
    if (target or {}).get("context"):
        argv += ["--kube-context", target["context"]]
    return argv + ["-f", values_file]


def run_helm(binary, release, values, timeout, target=None, env=None, major=3, while_waiting=None):
    """Run ``helm upgrade --install`` for one release; (rc, stdout, stderr, seconds). ``while_waiting()`` is called
    every :data:`STALL_CHECK_SECONDS` while Helm runs (in this thread)."""
    fd, values_file = tempfile.mkstemp(prefix="appmod-helm-values-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(helm_template.values_yaml(values))
        run_env = dict(env if env is not None else os.environ, HELM_NAMESPACE=release["release_namespace"])
        start = time.monotonic()
        with subprocess.Popen(upgrade_command(binary, release, values_file, timeout, target, major),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=run_env) as proc:
            while True:
                try:
                    out, err = proc.communicate(timeout=STALL_CHECK_SECONDS if while_waiting else None)
                    break
                except subprocess.TimeoutExpired:
                    while_waiting()
        return proc.returncode, out, err, time.monotonic() - start
    finally:
        os.unlink(values_file)


# ------------------------------------------------------------------ one release against the cluster
class Cluster:
    """The API reads and writes a release needs, through a ``kubernetes.client.ApiClient``."""

    def __init__(self, api_client):
        from kubernetes import client

        self.api = api_client
        self.core = client.CoreV1Api(api_client)
        self.crds = client.ApiextensionsV1Api(api_client)

    def records(self, release):
        found = self.core.list_namespaced_secret(
            release["release_namespace"], label_selector="owner=helm,name=%s" % release["release_name"])
        return [self.api.sanitize_for_serialization(item) for item in found.items]

    def drop(self, record):
        self.core.delete_namespaced_secret(record["metadata"]["name"], record["metadata"]["namespace"])

    def unowned_crds(self, names, release):
        """Of the CRDs ``names``, those that exist without Helm's adoption marks for ``release``."""
        out = []
        for name in names:
            live = k8s_read.metadata_get(self.api, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name)
            if live is None:
                continue
            meta = live.get("metadata") or {}
            annotations, labels = meta.get("annotations") or {}, meta.get("labels") or {}
            if (annotations.get(RELEASE_ANNOTATION) != release["release_name"]
                    or annotations.get(NAMESPACE_ANNOTATION) != release["release_namespace"]
                    or any(labels.get(k) != v for k, v in ADOPTION_LABELS.items())):
                out.append(name)
        return out

    def stalled_crds(self, names, now=None):
        """Of the CRDs ``names``, those whose establishing stalled (:func:`establishing_stalled`)."""
        now = time.time() if now is None else now
        return [name for name in names
                if establishing_stalled(k8s_read.get_json(self.api, CRD_PATH + name) or {}, now)]

    def requeue_establishing(self, name):
        """Queue a CRD for establishing again: an update event, from an annotation set and removed again."""
        for value in (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), None):
            self.crds.patch_custom_resource_definition(name, {"metadata": {"annotations": {REQUEUE_ANNOTATION: value}}})

    def adopt(self, name, release):
        self.crds.patch_custom_resource_definition(name, {"metadata": {
            "labels": dict(ADOPTION_LABELS),
            "annotations": {RELEASE_ANNOTATION: release["release_name"],
                            NAMESPACE_ANNOTATION: release["release_namespace"]}}})


def chart_identity(release):
    """(name, version) of the release's chart as Helm records it: the chart's own Chart.yaml."""
    meta = charts.chart_metadata(release["chart_ref"])
    return meta.get("name"), str(meta.get("version"))


def converge_one(cluster, release, helm, timeout, target=None, check_mode=False, env=None, major=3):
    """Bring one release to its chart and values; its outcome as a dict (``failed`` with Helm's stderr)."""
    values = helm_template.plain(release.get("release_values") or {},
                                 "release %s: release_values" % release["release_name"])
    name, version = chart_identity(release)
    records = cluster.records(release)
    action, dead_record = decide(records, name, version, values)
    outcome = {"release_name": release["release_name"], "release_namespace": release["release_namespace"],
               "application": release.get("application"), "wave": int(release.get("wave") or 0),
               "chart": name, "version": version, "action": action, "changed": action != "unchanged",
               "dropped_revision": None, "adopted_crds": [], "requeued_crds": [], "seconds": 0.0}
    if action != "unchanged":
        deployed = any(r["metadata"]["labels"].get("status") == "deployed" for r in records)
        outcome["diff"] = {"before_header": "%s values (%s)" % (release["release_name"],
                                                                "deployed" if deployed else "not installed"),
                           "after_header": "%s values (%s %s)" % (release["release_name"], name, version),
                           "before": helm_template.values_yaml(recorded_values(records)),
                           "after": helm_template.values_yaml(values)}
    if action == "unchanged" or check_mode:
        return outcome
    if dead_record is not None:
        cluster.drop(dead_record)
        outcome["dropped_revision"] = "%s (%s)" % (dead_record["metadata"]["labels"].get("version"),
                                                   dead_record["metadata"]["labels"].get("status"))
    found = charts.rendered_crds(release.get("manifests"))  # parsed once: megabytes for a CRD chart
    crds = [name for name, _ in found]
    for crd in cluster.unowned_crds([name for name, in_folder in found if not in_folder], release):
        cluster.adopt(crd, release)
        outcome["adopted_crds"].append(crd)

    def requeue_stalled():
        for crd in cluster.stalled_crds(crds):
            cluster.requeue_establishing(crd)
            outcome["requeued_crds"].append(crd)

    def requeue_stalled_while_waiting():
        try:
            requeue_stalled()
        except Exception:  # noqa: BLE001 - the API server may be away for a moment: Helm's own wait says so
            pass

    if crds:
        requeue_stalled()
    rc, _out, err, seconds = run_helm(helm, release, values, timeout, target, env, major,
                                      while_waiting=requeue_stalled_while_waiting if crds else None)
    outcome["seconds"] = round(seconds, 1)
    if rc != 0:
        outcome.update(failed=True, rc=rc, stderr=err[-4000:])
    return outcome


def converge(releases, new_cluster, helm, timeout, target=None, check_mode=False, parallel=4,
             report=None, env=None, major=3):
    """Every release, step by step (:func:`steps`), a step's releases side by side (at most ``parallel``).

    ``new_cluster()`` gives a :class:`Cluster` (one per worker: the client is not shared across threads);
    ``report(outcome)`` is called as each release finishes. Stops after the first step with a failure, and raises
    :class:`HelmReleaseError` naming every failed release; returns the outcomes in ``releases``' order."""
    outcomes = [None] * len(releases)
    for step in steps(releases):
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(parallel, len(step)))) as pool:
            futures = {pool.submit(converge_one, new_cluster(), releases[i], helm, timeout, target,
                                   check_mode, env, major): i for i in step}
            for future in concurrent.futures.as_completed(futures):
                index = futures[future]
                try:
                    outcomes[index] = future.result()
                except Exception as exc:  # an API error: named with its release, the step's others finish
                    outcomes[index] = {"release_name": releases[index]["release_name"], "failed": True,
                                       "changed": False, "msg": str(exc)}
                if report:
                    report(outcomes[index])
        failed = [i for i in step if outcomes[i].get("failed")]
        if failed:
            raise HelmReleaseError("; ".join(
                "release %s (namespace %s, wave %s): %s" % (
                    releases[i]["release_name"], releases[i]["release_namespace"], releases[i].get("wave", 0),
                    (outcomes[i].get("stderr") or outcomes[i].get("msg") or "").strip()[-1500:])
                for i in failed), [o for o in outcomes if o is not None])
    return outcomes
