#!/usr/bin/env python3
"""Benchmark: playbooks/render.yml for N participants (a generated inventory of N hosts, every
component rendered for each) against the baseline, run in the same process: a bare loop of
`helm template` calls for the same charts and the same values (each Application's valuesObject as
render.yml wrote it). Prints numbers; asserts nothing about time.
Usage: .venv/bin/python bench/render_participants.py [--participants 100] [--forks 5]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELM = ROOT / ".tools" / "bin" / "helm3"


def inventory(path, n):
    hosts = {"p%03d" % i: {"agent_platform_resource_prefix": "p%03d" % i, "agent_platform_cluster_name": "p%03d" % i}
             for i in range(1, n + 1)}
    path.write_text(yaml.safe_dump({"all": {"vars": {"ansible_connection": "local",
                                                      "ansible_python_interpreter": sys.executable,
                                                      "workshop_type": "agent-platform",
                                                      "enable_agent_platform": True},
                                             "children": {"participants": {"hosts": hosts}}}}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=100)
    ap.add_argument("--forks", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-render-"))
    inv, out = tmp / "hosts.yml", tmp / "out"
    inventory(inv, args.participants)
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PATH="%s:%s:%s" % (ROOT / ".tools/bin", ROOT / ".venv/bin", os.environ["PATH"]))
    for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM"):
        env.pop(k, None)
    t0 = time.perf_counter()
    proc = subprocess.run([str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/render.yml", "-i", str(inv),
                           "-f", str(args.forks), "-e", json.dumps({"render_dir": str(out)})],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    t_render = time.perf_counter() - t0
    if proc.returncode != 0:
        print((proc.stdout + proc.stderr)[-3000:])
        sys.exit("render.yml failed")
    apps = [yaml.safe_load(p.read_text()) for p in sorted(out.glob("*/applications/*-agent-platform-*.yaml"))]
    values_dir = tmp / "values"
    values_dir.mkdir()
    jobs = []
    for i, app in enumerate(apps):
        vf = values_dir / ("%d.yaml" % i)
        vf.write_text(yaml.safe_dump(app["spec"]["source"]["helm"]["valuesObject"]))
        jobs.append([str(HELM), "template", app["spec"]["source"]["helm"]["releaseName"],
                     str(ROOT / "gitops" / "charts" / Path(app["spec"]["source"]["path"]).name),
                     "-n", app["spec"]["destination"]["namespace"], "-f", str(vf)])
    t0 = time.perf_counter()
    for cmd in jobs:
        subprocess.run(cmd, capture_output=True, check=True)
    t_helm = time.perf_counter() - t0
    n = args.participants
    print("render of every component for %d participants (%d Applications, forks %d)" % (n, len(apps), args.forks))
    print("%-52s %9s %10s %7s" % ("what", "seconds", "s/particip", "ratio"))
    print("%-52s %9.1f %10.2f %7.2f" % ("playbooks/render.yml (flag, merge, bridge, charts, files)", t_render,
                                         t_render / n, t_render / t_helm))
    print("%-52s %9.1f %10.2f %7.2f" % ("baseline: bare loop of helm template, same values", t_helm, t_helm / n, 1.0))


if __name__ == "__main__":
    main()
