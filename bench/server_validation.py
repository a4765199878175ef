#!/usr/bin/env python3
"""Benchmark: what the server-side dry run costs a render. playbooks/render.yml for N participants with
`agent_platform_server_validation` off (the floor) and on (the private validator: a throwaway control plane
started in the background while the run renders, every object dry-run, the plane stopped), run alternately
in the same process on the same inventory. Prints each run, the medians and the ratio on / off; asserts
nothing about time.

The first validated run starts with an empty warm-start cache (its own APPMOD_VALIDATOR_CACHE): a fresh
control plane that applies every CRD itself; it keeps the CRDs it saw. The second makes the warm start from
them (a stopped control plane holding them, once per set of CRDs: when the catalogue changes). The rounds
after are the steady state of a user's laptop or CI. After every run it checks that the validator left
no process and no file in the run's own TMPDIR.

Usage: .venv/bin/python bench/server_validation.py [--participants 1] [--rounds 3] [--forks 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from render_participants import chart_cache, inventory, render_playbook  # noqa: E402
from tools.localstack.mirror import ChartMirror  # noqa: E402


def leftovers(folder):
    lines = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout.splitlines()
    return [line.strip() for line in lines if str(folder) in line] + [p.name for p in folder.iterdir()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--participants", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="runs of each kind after the first validated one")
    ap.add_argument("--forks", type=int, default=5)
    args = ap.parse_args()
    mirror = ChartMirror()
    print("chart mirror: %s (%s)" % (mirror.up(), mirror.url), file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-sv-", dir="/tmp") as tmp:
        tmp = Path(tmp)
        inv, own_tmp = tmp / "hosts.yml", tmp / "t"
        own_tmp.mkdir()
        inventory(inv, args.participants)
        env_extra = {"TMPDIR": str(own_tmp), "APPMOD_VALIDATOR_CACHE": str(tmp / "validator-cache")}

        def render(validate):
            extra = {"render_dir": str(tmp / ("out-%s" % validate)), "agent_platform_chart_mirror_url": mirror.url,
                     "agent_platform_chart_cache": chart_cache(), "agent_platform_server_validation": validate}
            seconds = render_playbook(inv, args.forks, extra, env_extra)
            left = leftovers(own_tmp)
            if left:
                sys.exit("the validator left behind: %s" % left)
            print("  validation %-3s %6.1f s" % ("on" if validate else "off", seconds), flush=True)
            return seconds

        render(False)  # warms the chart cache and Python's bytecode for both kinds
        cold = render(True)
        making = render(True)
        off, on = [], []
        for _ in range(args.rounds):
            off.append(render(False))
            on.append(render(True))
    floor = statistics.median(off)
    print("render.yml for %d participant(s), forks %d; %d CPUs, load average %s"
          % (args.participants, args.forks, os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg())))
    print("%-66s %8s %7s" % ("what", "seconds", "ratio"))
    print("%-66s %8.1f %7.2f" % ("render, validation off (floor, median of %d)" % len(off), floor, 1.0))
    print("%-66s %8.1f %7.2f" % ("render + private validator, warm start (median of %d)" % len(on),
                                 statistics.median(on), statistics.median(on) / floor))
    print("%-66s %8.1f %7.2f" % ("render + private validator, first run (no CRDs kept yet)", cold, cold / floor))
    print("%-66s %8.1f %7.2f" % ("render + private validator, second run (makes the warm start)", making, making / floor))
    print("every validated run left no process and no file in its TMPDIR")


if __name__ == "__main__":
    main()
