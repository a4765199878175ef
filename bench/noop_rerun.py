#!/usr/bin/env python3
"""Benchmark: the no-op rerun of the local default (`ansible-playbook playbooks/agent-platform.yml -i
inventories/local`, Argo CD delivery, the shared local cluster and Argo CD), against the floor of an
ansible-playbook run that does nothing with the same inventory and configuration (Python, Ansible and the
inventory loading: what any run pays).

The first run converges (untimed unless it changes nothing); then --rounds reruns must each report changed=0.
Prints numbers and ratios only, asserts nothing about time.

    .venv/bin/python bench/noop_rerun.py [--rounds N]

Brings the shared local cluster and Argo CD up (a no-op when they run) and leaves them up, as `make local` does.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project root: tools.localstack

from tools.localstack.private import Run  # noqa: E402

PLAYBOOK = [str(ROOT / ".venv/bin/ansible-playbook"), "-i", "inventories/local"]
NOTHING = "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.meta: noop\n"


def timed(cmd):
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    return Run(proc.returncode, proc.stdout + proc.stderr, time.monotonic() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for script in ("scripts/local-cluster.sh", "scripts/argocd-local.sh"):
        subprocess.run(["bash", script, "up"], cwd=ROOT, check=True, capture_output=True)
    first = timed(PLAYBOOK + ["playbooks/agent-platform.yml"])
    if first.rc != 0:
        sys.exit("the converge failed:\n" + first.out[-3000:])
    with tempfile.NamedTemporaryFile("w", suffix=".yml", dir=ROOT / "playbooks", prefix=".bench-") as nothing:
        nothing.write(NOTHING)
        nothing.flush()
        reruns, floors = [], []
        for _ in range(args.rounds):
            rerun = timed(PLAYBOOK + ["playbooks/agent-platform.yml"])
            if rerun.rc != 0 or rerun.changed:
                sys.exit("the rerun failed or changed something (changed=%d):\n%s" % (rerun.changed, rerun.out[-3000:]))
            reruns.append(rerun.seconds)
            floors.append(timed(PLAYBOOK + [nothing.name]).seconds)
    floor = statistics.median(floors)
    rerun = statistics.median(reruns)
    print("no-op rerun of the local default (Argo CD delivery), %d rounds, medians" % args.rounds)
    print("%-52s %9s %7s" % ("what", "seconds", "ratio"))
    print("%-52s %9.1f %7s" % ("first run (changed=%d)" % first.changed, first.seconds, ""))
    print("%-52s %9.1f %7.2f" % ("no-op rerun (changed=0), min %.1f max %.1f" % (min(reruns), max(reruns)), rerun,
                                 rerun / floor))
    print("%-52s %9.1f %7.2f" % ("ansible-playbook doing nothing, same inventory (floor)", floor, 1.0))
    print("goal: the no-op rerun in 20 s or less: %s" % ("met" if rerun <= 20 else "NOT met"))


if __name__ == "__main__":
    main()
