#!/usr/bin/env python3
"""Benchmark: the six-level merge filter on six levels of 10,000 keys each.

Prints the time per merge of ``merge_values`` (Helm semantics, provenance-free), ``values_provenance``
and, as the baseline run in the same process on the same input, Ansible's own recursive
``combine`` filter (which does not implement Helm's null/coalesce rules). Ratios are against it.
Usage: .venv/bin/python bench/merge_values.py [--keys 10000] [--repeat 5]
"""
import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".collections"))

from ansible.plugins.filter.core import combine  # noqa: E402

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values import (  # noqa: E402
    merge_values, values_provenance)


def level(rng, keys, depth=3):
    """~`keys` leaves spread over nested maps (fan-out 10), with lists, nulls and type changes."""
    out = {}
    for i in range(keys):
        node = out
        path = ["k%d" % rng.randrange(10) for _ in range(rng.randrange(1, depth + 1))]
        for p in path:
            nxt = node.get(p)
            if not isinstance(nxt, dict):
                nxt = node[p] = {}
            node = nxt
        roll = rng.random()
        node["leaf%d" % i] = None if roll < 0.02 else ([i, i + 1] if roll < 0.1 else ("v%d" % i if roll < 0.5 else i))
    return out


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(42)
    levels = [level(rng, args.keys) for _ in range(6)]
    baseline = best(lambda: combine(*levels, recursive=True), args.repeat)
    merged = best(lambda: merge_values(levels), args.repeat)
    prov = best(lambda: values_provenance(levels), args.repeat)
    print("six levels x %d keys, best of %d" % (args.keys, args.repeat))
    print("%-38s %10s %8s" % ("operation", "seconds", "ratio"))
    print("%-38s %10.4f %8.2f" % ("baseline: ansible combine(recursive)", baseline, 1.0))
    print("%-38s %10.4f %8.2f" % ("merge_values (Helm semantics)", merged, merged / baseline))
    print("%-38s %10.4f %8.2f" % ("values_provenance", prov, prov / baseline))


if __name__ == "__main__":
    main()
