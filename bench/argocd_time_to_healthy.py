#!/usr/bin/env python3
"""Seconds from the creation of a parent Application to all its Applications Synced+Healthy.

Uses the real local Argo CD (scripts/argocd-local.sh up, a no-op when it runs) on the local
control plane (scripts/local-cluster.sh up first) and the test app-of-apps of
tests/argocd/fixtures: a parent that renders three child Applications in sync waves -1, 0, 1,
each a ConfigMap and a Deployment with minReadySeconds=5 (so >= 15 s is the floor set by the
waves waiting for Healthy children).

    .venv/bin/python bench/argocd_time_to_healthy.py [--runs N] [--poll SECONDS] [--without-health-check]

--without-health-check removes the argoproj.io_Application health check from argocd-cm for the
run (and restores it afterwards): the control experiment for argo-cd#3781 / #16870, where the
parent no longer waits for a child to be Healthy before creating the next wave.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root: tools.localstack

from tools.localstack import apps as h  # noqa: E402
from tools.localstack.argocd import ArgoCD  # noqa: E402
from tools.localstack.cluster import LocalCluster  # noqa: E402

CHILDREN = ("first", "second", "third")


def one_run(repo_url, poll, timeout):
    prefix = "bench-%s" % uuid.uuid4().hex[:4]
    parent = "%s-parent" % prefix
    names = {parent} | {"%s-%s" % (prefix, c) for c in CHILDREN}
    start = time.monotonic()
    h.apply(h.parent_application(parent, repo_url, prefix))
    try:
        def done():
            apps = h.applications(prefix)
            return set(apps) == names and all(h.synced_healthy(a) for a in apps.values())
        h.wait_for(done, timeout, interval=poll, what="all Applications of %s Healthy" % prefix,
                   on_timeout=lambda: h.app_table(prefix))
        seconds = time.monotonic() - start
        print(h.app_table(prefix), file=sys.stderr)
        print(h.format_wave_rows(h.wave_rows(prefix)), file=sys.stderr)
        return seconds
    finally:
        h.delete_tree(parent, prefix, CHILDREN)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--poll", type=float, default=0.5, help="polling interval in seconds (resolution)")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--without-health-check", action="store_true",
                    help="control run without the Application health check in argocd-cm")
    args = ap.parse_args()

    if not LocalCluster().status()[0]:
        sys.exit("local control plane not up: bash scripts/local-cluster.sh up")
    argo = ArgoCD()
    argo.up()
    env = argo.env()
    repo = "argocd-bench"
    h.publish_fixtures(repo)
    repo_url = "%s/%s.git" % (env["ARGOCD_LOCAL_GIT_BASE"], repo)

    mode = "without" if args.without_health_check else "with"
    results = []
    if args.without_health_check:
        h.set_application_health_check(False)
        time.sleep(3)  # let the controller's argocd-cm informer see it
    try:
        for i in range(args.runs):
            seconds = one_run(repo_url, args.poll, args.timeout)
            results.append(seconds)
            print("run %d: %.1f s from parent Application creation to all 4 Applications Synced+Healthy "
                  "(argocd %s, 3 waves, %s the Application health check)" % (i + 1, seconds, env["ARGOCD_VERSION"], mode))
    finally:
        if args.without_health_check:
            h.set_application_health_check(True)
    if len(results) > 1:
        print("median %.1f s, min %.1f s, max %.1f s over %d runs"
              % (statistics.median(results), min(results), max(results), len(results)))


if __name__ == "__main__":
    main()
