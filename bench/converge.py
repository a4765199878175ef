#!/usr/bin/env python3
"""Benchmark: cold converge of playbooks/agent-platform.yml to every workload Available, and the
no-op rerun (changed=0), on a fresh PRIVATE control plane with direct delivery (no Argo CD).

The baseline, run in the same process, is the no-op rerun: ratio = cold / no-op. Prints numbers only,
asserts nothing about time. The private cluster uses its own state dir and ports (never the shared
one) and is purged at the end.
Usage: .venv/bin/python bench/converge.py [--components all|lean]

Argo CD delivery is not measured here: a cold converge through Argo CD needs a fresh Argo CD, and the
local one (scripts/argocd-local.sh) is shared by everyone on this machine; it must not be restarted
or reset (see docs/benchmarks.md).
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project root: tools.localstack

from tools.localstack.private import PrivateCluster  # noqa: E402

LEAN = {"components": {k: {"enabled": False} for k in ("tofuController", "litellm", "langfuse", "agentGateway")}}


def all_available(pc):
    for kind in ("deployments", "statefulsets"):
        for obj in pc.get(kind, "-A"):
            status = obj.get("status", {})
            if status.get("readyReplicas", 0) != obj["spec"].get("replicas", 1):
                return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--components", choices=["all", "lean"], default="all")
    args = ap.parse_args()
    extra = {"agent_platform_resource_prefix": "bench"}
    if args.components == "lean":
        extra["agent_platform_cluster_values"] = LEAN
    pc = PrivateCluster()
    t0 = time.monotonic()
    try:
        pc.up()
        t_up = time.monotonic() - t0
        cold = pc.playbook(extra=extra, timeout=3600)
        if cold.rc != 0:
            print(cold.out[-3000:])
            sys.exit("cold converge failed")
        t1 = time.monotonic()
        while not all_available(pc) and time.monotonic() - t1 < 300:
            time.sleep(1)
        t_avail = cold.seconds + (time.monotonic() - t1)
        noop = pc.playbook(extra=extra, timeout=3600)
        deployments = len(pc.get("deployments", "-A"))
        statefulsets = len(pc.get("statefulsets", "-A"))
    finally:
        pc.down()
    print("converge, components=%s, direct delivery, fresh private cluster (%d Deployments, %d StatefulSets)"
          % (args.components, deployments, statefulsets))
    print("%-44s %9s %7s" % ("what", "seconds", "ratio"))
    print("%-44s %9.1f %7s" % ("private cluster up (cached binaries)", t_up, ""))
    print("%-44s %9.1f %7.2f" % ("cold converge, playbook (changed=%d)" % cold.changed, cold.seconds,
                                 cold.seconds / noop.seconds))
    print("%-44s %9.1f %7.2f" % ("cold converge to all workloads Available", t_avail, t_avail / noop.seconds))
    print("%-44s %9.1f %7.2f" % ("no-op rerun (changed=%d), baseline" % noop.changed, noop.seconds, 1.0))


if __name__ == "__main__":
    main()
