#!/usr/bin/env python3
"""Workshop event scaling: seconds per participant for events of 1, 10 and 50 participants.

* render-only: playbooks/workshop-event.yml -e workshop_event_render_dir=... (what playbooks/render.yml
  does, per participant: flag, values levels, every Application and component manifest; no cluster).
* applied: the same event provisioned on the local control plane through the local Argo CD (tenants
  mode, delivery argocd), timed until every participant's Applications are Synced and Healthy, then
  torn down (teardown timed apart).

Prints one table row per run: wall seconds, seconds per participant and the ratio of that to the
1-participant run (1.0 = no growth per participant; below 1 = parallelism pays).

    .venv/bin/python bench/workshop_scaling.py                       # render and applied, 1,10,50 each
    .venv/bin/python bench/workshop_scaling.py --render 1,10,50 --applied ""
    .venv/bin/python bench/workshop_scaling.py --applied 1,10,50 --forks 20
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project root: tools.localstack
from tools.localstack.mirror import ChartMirror  # noqa: E402

KUBECONFIG = os.environ.get("APPMOD_KUBECONFIG") or str(ROOT / ".local-cluster" / "kubeconfig")


def event(path: Path, name: str, count: int, mirror_url: str) -> Path:
    path.write_text(yaml.safe_dump({
        "plugin": "appmod.agent_platform.workshop_event",
        "name": name, "workshop_type": "agent-platform", "mode": "tenants", "region": "us-east-1",
        "start": "2026-12-01T09:00:00+00:00", "end": "2026-12-01T17:00:00+00:00",
        "delivery": "argocd", "participants": count,
        "vars": {
            "agent_platform_local_cluster": True,
            "agent_platform_kubeconfig": KUBECONFIG,
            "agent_platform_repo_url": "git://127.0.0.1:19418/agent-platform.git",
            "agent_platform_repo_revision": "main",
            # Every upstream chart from the offline mirror (started by main() when it is not serving).
            "agent_platform_chart_mirror_url": mirror_url,
            "agent_platform_environment": "local",
            "agent_platform_environment_values": {"components": {"kagent": {"config": {"replicas": 1}},
                                                                 "litellm": {"config": {"replicas": 1}}}},
        },
    }, sort_keys=False))
    return path


def run(event_path: Path, forks: int, *args: str) -> float:
    env = dict(os.environ, ANSIBLE_INVENTORY_ENABLED="appmod.agent_platform.workshop_event",
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    cmd = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), str(ROOT / "playbooks" / "workshop-event.yml"),
           "-i", str(event_path), "-f", str(forks), *args]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(f"run failed ({' '.join(args)}): rc={proc.returncode}")
    failed = re.findall(r"^(\S+)\s+:.*failed=([1-9])", proc.stdout, re.M)
    if failed:
        raise SystemExit(f"failed hosts: {failed}")
    return seconds


def counts(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render", default="1,10,50", help="participant counts, render-only")
    parser.add_argument("--applied", default="1,10,50", help="participant counts, applied on the local cluster ('' = none)")
    parser.add_argument("--forks", type=int, default=10, help="ansible forks (parallel participants)")
    opts = parser.parse_args()
    rows = []
    mirror = ChartMirror()
    print("chart mirror: %s (%s)" % (mirror.up(), mirror.url), file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="workshop-bench-") as tmp:
        tmp = Path(tmp)
        for mode, wanted in (("render-only", counts(opts.render)), ("applied", counts(opts.applied))):
            base = None
            for n in wanted:
                path = event(tmp / f"evb{n}.yml", f"evb{n}", n, mirror.url)
                # Each run its own empty render spool (the role's render cache): what it renders it renders
                # itself; participants of one event share the renders of releases with the same inputs.
                out = ("-e", f"workshop_event_out_dir={tmp / 'out'}",
                       "-e", f"agent_platform_render_spool={tmp / ('spool-%s-%d' % (mode, n))}")
                if mode == "render-only":
                    wall = run(path, opts.forks, *out, "-e", f"workshop_event_render_dir={tmp / 'render'}")
                    teardown = None
                else:
                    try:
                        wall = run(path, opts.forks, *out)
                    finally:
                        teardown = run(path, opts.forks, *out, "-e", "state=absent")
                per = wall / n
                base = base or per
                rows.append((mode, n, wall, per, per / base, teardown))
                print(f"{mode:12} n={n:3} wall={wall:7.1f}s per participant={per:6.2f}s ratio={per / base:5.2f}"
                      + (f" teardown={teardown:.1f}s" if teardown else ""), file=sys.stderr, flush=True)
    print(f"\nforks={opts.forks}, {os.cpu_count()} CPUs, load average {' '.join('%.1f' % x for x in os.getloadavg())}\n")
    print("| mode | participants | wall (s) | s / participant | ratio to 1 participant | teardown (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for mode, n, wall, per, ratio, teardown in rows:
        print(f"| {mode} | {n} | {wall:.1f} | {per:.2f} | {ratio:.2f} | {'' if teardown is None else f'{teardown:.1f}'} |")


if __name__ == "__main__":
    main()
