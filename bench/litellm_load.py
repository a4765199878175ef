#!/usr/bin/env python3
"""Benchmark: LiteLLM under load with Debian's wrk (the seed's `wrk -t4 -c100 -d30s ...`), beside the
bare stand-in server measured in the same run as the floor.

LiteLLM runs as the smoke suite runs it: the real program from the cluster's ConfigMap litellm-config,
Deployment litellm and Secret litellm-api-keys (only addresses and ports rewritten, listed), with the
model stand-in mockllm and Jaeger (the chart's otel callback exports every request's spans). Four wrk
runs, -t4 -c100 -d30s --latency --timeout 10s:

  1. LiteLLM GET /health/liveliness (the Deployment's livenessProbe)
  2. floor: mockllm GET /health (a Go net/http handler)
  3. LiteLLM POST /v1/chat/completions (Lua script; the key kagent uses; model -> mockllm)
  4. floor: mockllm POST /v1/chat/completions (same script)

Why not the seed's `/health`: on LiteLLM it needs the key (401 without) and, with it, runs a real
completion against every configured model per request, i.e. it measures the model provider.
Prints requests/s, p50, p99 and the ratios LiteLLM / floor, and the exact commands. Asserts nothing
about time. Usage:

    .venv/bin/python bench/litellm_load.py [--kubeconfig K] [--namespace agent-platform] [--duration 30s]
    .venv/bin/python bench/litellm_load.py --private        # on a throwaway private cluster
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project root: tools.smoke, tools.localstack

from tools.localstack.common import Log  # noqa: E402
from tools.smoke import components as C  # noqa: E402
from tools.smoke import load as L  # noqa: E402
from tools.smoke.stack import Smoke  # noqa: E402


def measure(kubeconfig, namespace: str, duration: str, threads: int, connections: int) -> int:
    log = Log("bench")
    with Smoke(kubeconfig, namespace, log=log) as s:
        C.run_mockllm(s)
        C.run_jaeger(s)
        lit = C.run_litellm(s, C.litellm_spec(s))
        if lit.failed:
            bad = lit.first_failure()
            print("LiteLLM did not pass its smoke checks: %s: %s" % (bad.name, bad.detail))
            return 1
        log("wrk -t%d -c%d -d%s, 4 runs" % (threads, connections, duration))
        t0 = time.monotonic()
        comp, results = L.run_load(s, duration, threads, connections)
        load_avg = os.getloadavg()
        s_lua = s.facts.get("load_lua", "")
    print("%s (1 process, as the chart runs it), configured from the cluster of %s" % (lit.program.split(" (")[0], kubeconfig))
    print("wrk -t%d -c%d -d%s --latency --timeout 10s, all on 127.0.0.1; machine: %d cores, load average %.1f/%.1f/%.1f "
          "at the end; %.0f s" % (threads, connections, duration, os.cpu_count() or 0, *load_avg, time.monotonic() - t0))
    print()
    print(L.summary(results))
    print("chat.lua:")
    print("  " + s_lua.replace("\n", "\n  ").rstrip())
    print()
    for chk in comp.checks:
        if chk.name.startswith("ratio"):
            print("%s: %s" % (chk.name, chk.detail))
    for chk in comp.checks:
        if chk.failed:
            print("FAILED %s: %s" % (chk.name, chk.detail))
    return 1 if comp.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kubeconfig", default=str(ROOT / ".local-cluster" / "kubeconfig"))
    ap.add_argument("--namespace", default="agent-platform")
    ap.add_argument("--duration", default="30s", help="wrk -d (default 30s, the seed's; shorten for CI)")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--private", action="store_true", help="run on a throwaway private cluster with the local "
                                                             "inventory rendered and applied")
    a = ap.parse_args()
    if a.private:
        from tools.smoke.private import PrivatePlatform

        with PrivatePlatform() as kubeconfig:
            return measure(kubeconfig, a.namespace, a.duration, a.threads, a.connections)
    return measure(a.kubeconfig, a.namespace, a.duration, a.threads, a.connections)


if __name__ == "__main__":
    sys.exit(main())
