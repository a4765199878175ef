"""A real Argo CD (scripts/argocd-local.sh) syncing an app-of-apps from the local git daemon.

The parent chart (fixtures/app-of-apps) renders three child Applications in sync waves -1, 0
and 1; each child (fixtures/child) deploys a ConfigMap and a Deployment into its own namespace
(CreateNamespace=true) and carries the resources finalizer. Evidence comes from Argo CD's own
status fields on the Application objects and from the API server, never from our inputs.
"""

from __future__ import annotations

import time
import uuid

import pytest

from . import argocd_helpers as h

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

CHILDREN = {"first": -1, "second": 0, "third": 1}
TIMEOUT = 420


def _diagnostics(prefix):
    return "%s\n--- controller log tail ---\n%s" % (h.app_table(prefix), h.controller_log_tail())


@pytest.fixture(scope="module")
def tree(argocd_local, test_repo):
    prefix = "aw-%s" % uuid.uuid4().hex[:4]
    parent = "%s-parent" % prefix
    created = time.time()
    h.apply(h.parent_application(parent, test_repo["url"], prefix))
    names = [parent] + ["%s-%s" % (prefix, c) for c in CHILDREN]

    def all_healthy():
        apps = h.applications(prefix)
        return apps if set(apps) == set(names) and all(h.synced_healthy(a) for a in apps.values()) else None

    apps = h.wait_for(all_healthy, TIMEOUT, what="parent and 3 children Synced+Healthy",
                      on_timeout=lambda: _diagnostics(prefix))
    elapsed = time.time() - created
    print("\nall %d Applications Synced+Healthy %.1f s after the parent was created" % (len(apps), elapsed))
    print(h.app_table(prefix))
    yield {"prefix": prefix, "parent": parent, "apps": apps, "repo": test_repo, "elapsed": elapsed}
    h.delete_tree(parent, prefix, CHILDREN)


def test_health_check_for_applications_is_configured(argocd_local):
    cm = h.get_json("configmap", "argocd-cm", "-n", h.NAMESPACE)
    lua = cm["data"].get("resource.customizations.health.argoproj.io_Application", "")
    assert "obj.status.health.status" in lua, "argocd-cm lacks the Application health check (argo-cd#3781)"


def test_every_application_synced_and_healthy(tree):
    prefix = tree["prefix"]
    apps = h.applications(prefix)
    print(h.app_table(prefix))
    assert set(apps) == {tree["parent"]} | {"%s-%s" % (prefix, c) for c in CHILDREN}
    for name, app in apps.items():
        assert h.synced_healthy(app), "%s: %s" % (name, app.get("status", {}).get("health"))
        # synced to the commit the test published
        assert app["status"]["sync"]["revision"] == tree["repo"]["commit"], name
    # the workloads the children deployed, read from the API server
    for child, wave in CHILDREN.items():
        ns = "%s-%s" % (prefix, child)
        cm = h.get_json("configmap", "%s-config" % ns, "-n", ns)
        assert cm is not None and cm["data"]["wave"] == str(wave), ns
        dep = h.get_json("deployment", ns, "-n", ns)
        assert dep is not None, ns
        assert dep["status"].get("availableReplicas") == 1, dep["status"]


def test_children_synced_in_wave_order(tree):
    """Wave n+1 was created only after wave n finished syncing and turned Healthy.

    The parent creates a child Application when it reaches that child's wave; the child then
    syncs itself (automated). With the health check in argocd-cm the parent must wait for the
    child of wave n to be Healthy (its Deployment Available, which takes minReadySeconds=5 s)
    before creating wave n+1. Timestamps: creationTimestamp (API server), the child's
    status.operationState.startedAt/finishedAt (its own sync) and status.health.lastTransitionTime.
    """
    prefix = tree["prefix"]
    apps = h.applications(prefix)
    ordered = sorted(CHILDREN, key=CHILDREN.get)
    rows = []
    for child in ordered:
        app = apps["%s-%s" % (prefix, child)]
        op = app["status"]["operationState"]
        assert op["phase"] == "Succeeded", op
        rows.append({
            "name": app["metadata"]["name"],
            "wave": int(app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]),
            "created": h.ts(app["metadata"]["creationTimestamp"]),
            "started": h.ts(op["startedAt"]),
            "finished": h.ts(op["finishedAt"]),
            "healthy_since": h.ts(app["status"]["health"]["lastTransitionTime"]),
        })
    print("\n%-16s %5s %-20s %-20s %-20s %-20s" % ("APPLICATION", "WAVE", "CREATED", "SYNC STARTED", "SYNC FINISHED", "HEALTHY SINCE"))
    for r in rows:
        print("%-16s %5d %-20s %-20s %-20s %-20s" % (r["name"], r["wave"], *(r[k].strftime("%H:%M:%S")
                                                      for k in ("created", "started", "finished", "healthy_since"))))
    assert [r["wave"] for r in rows] == [-1, 0, 1]
    for prev, cur in zip(rows, rows[1:]):
        assert cur["created"] >= prev["finished"], "%s created before %s finished syncing" % (cur["name"], prev["name"])
        assert cur["created"] >= prev["healthy_since"], "%s created before %s was Healthy" % (cur["name"], prev["name"])
        assert cur["started"] >= prev["finished"], "%s started syncing before %s finished" % (cur["name"], prev["name"])
    # The parent manages the three children, each Synced. (Not its last operation's syncResult: an
    # automated re-sync after the waves - a refresh racing a child's health change - may list only
    # what it applied then; seen once in CI with only the last wave's child.)
    parent = apps[tree["parent"]]
    managed = {r["name"]: r.get("status") for r in parent["status"].get("resources") or [] if r["kind"] == "Application"}
    assert sorted(managed) == sorted("%s-%s" % (prefix, c) for c in CHILDREN), managed
    assert set(managed.values()) == {"Synced"}, managed


def test_disabling_a_child_prunes_it(tree, argocd_local):
    """Flip children.third.enabled to false, republish: Argo CD prunes the child Application,
    whose resources finalizer makes Argo CD delete its ConfigMap and Deployment first."""
    prefix, parent = tree["prefix"], tree["parent"]
    gone = "%s-third" % prefix
    commit = h.publish_fixtures(tree["repo"]["name"], {"third": False})
    assert commit != tree["repo"]["commit"]
    h.refresh(parent)

    def pruned():
        apps = h.applications(prefix)
        if gone in apps:
            return None
        p = apps.get(parent)
        return apps if p and h.synced_healthy(p) and p["status"]["sync"]["revision"] == commit else None

    apps = h.wait_for(pruned, TIMEOUT, what="%s pruned and the parent Synced at %s" % (gone, commit[:8]),
                      on_timeout=lambda: _diagnostics(prefix))
    print("\nafter disabling 'third' and republishing (%s):\n%s" % (commit[:8], h.app_table(prefix)))
    assert set(apps) == {parent, "%s-first" % prefix, "%s-second" % prefix}
    assert all(h.synced_healthy(a) for a in apps.values())
    # its workloads are gone too (the finalizer), while its namespace may remain (CreateNamespace does not own it)
    ns = gone
    assert h.get_json("deployment", ns, "-n", ns) is None
    assert h.get_json("configmap", "%s-config" % ns, "-n", ns) is None

    def leftovers():
        out = h.kubectl("get", "deployments,replicasets,pods,configmaps", "-n", ns, "-o", "name", check=False).stdout.split()
        return [o for o in out if not o.endswith("/kube-root-ca.crt")]

    # ReplicaSets and Pods go with the Deployment through Kubernetes' garbage collector
    h.wait_for(lambda: not leftovers(), 120, what="namespace %s emptied" % ns, on_timeout=lambda: str(leftovers()))
    # the other children's workloads are untouched
    for child in ("first", "second"):
        n = "%s-%s" % (prefix, child)
        assert h.get_json("deployment", n, "-n", n) is not None


def test_without_the_health_check_waves_do_not_wait(argocd_local, test_repo):
    """Control experiment (argo-cd#3781, #16870): with the Application health check removed from
    argocd-cm, the parent creates the next wave's child before the previous child is Healthy,
    so the ordering proven above is the health check's doing, not an accident of timing."""
    prefix = "nc-%s" % uuid.uuid4().hex[:4]
    parent = "%s-parent" % prefix
    repo = test_repo["name"] + "-nc"  # its own repository: the pruning test left "third" disabled in the shared one
    commit = h.publish_fixtures(repo)
    repo_url = test_repo["url"].replace(test_repo["name"] + ".git", repo + ".git")
    h.set_application_health_check(False)
    try:
        time.sleep(3)  # the controller's argocd-cm informer
        h.apply(h.parent_application(parent, repo_url, prefix))
        names = {parent} | {"%s-%s" % (prefix, c) for c in CHILDREN}

        def all_healthy():
            apps = h.applications(prefix)
            return apps if set(apps) == names and all(h.synced_healthy(a) for a in apps.values()) else None

        h.wait_for(all_healthy, TIMEOUT, what="control tree Synced+Healthy", on_timeout=lambda: _diagnostics(prefix))
        rows = h.wave_rows(prefix)
        print("\nwithout the health check (commit %s):\n%s" % (commit[:8], h.format_wave_rows(rows)))
        assert [r["wave"] for r in rows] == [-1, 0, 1]
        # waves still order creation ...
        assert all(h.ts(b["created"]) >= h.ts(a["created"]) for a, b in zip(rows, rows[1:]))
        # ... but the next wave no longer waits for the previous child to turn Healthy (minReadySeconds=5)
        assert any(h.ts(b["created"]) < h.ts(a["healthy_since"]) for a, b in zip(rows, rows[1:])), rows
    finally:
        h.set_application_health_check(True)
        h.delete_tree(parent, prefix, CHILDREN)
