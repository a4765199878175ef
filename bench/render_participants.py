#!/usr/bin/env python3
"""Benchmark: playbooks/render.yml for N participants (a generated inventory of N hosts, every
component rendered for each) against the baseline, run in the same process: a bare loop of
`helm template` (the pinned Helm 3.17), one call per source of every rendered Application (upstream
charts from the chart cache render.yml filled, the project's charts from gitops/charts), each with that
source's `helm.valuesObject` as render.yml wrote it. Prints numbers and the ratio render / baseline;
asserts nothing about time.

The upstream charts come from the offline chart mirror (started when it is not serving:
`python -m tools.localstack mirror up`). The server-side dry run of render.yml is off
(`agent_platform_server_validation=false`): this measures rendering; `--validate` includes the dry run
on the private control plane. render.yml starts with an empty render spool (its render cache): it renders once
each release whose inputs several participants share (the upstream charts), and reuses nothing from earlier runs.
Usage: .venv/bin/python bench/render_participants.py [--participants 100] [--forks 5] [--validate]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELM = ROOT / ".tools" / "bin" / "helm3"
sys.path.insert(0, str(ROOT))  # the project root: tools.localstack
sys.path.insert(0, str(ROOT / ".collections"))

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import charts, helm_template  # noqa: E402
from tools.localstack.mirror import ChartMirror  # noqa: E402


def chart_cache():
    """The role's default agent_platform_chart_cache (roles/agent_platform/defaults/main.yml)."""
    base = os.environ.get("APPMOD_CACHE_DIR") or os.path.join(os.environ["HOME"], ".cache", "appmod-agent-platform")
    return os.path.join(base, "charts")


def inventory(path, n):
    hosts = {"p%03d" % i: {"agent_platform_resource_prefix": "p%03d" % i, "agent_platform_cluster_name": "p%03d" % i}
             for i in range(1, n + 1)}
    path.write_text(yaml.safe_dump({"all": {"vars": {"ansible_connection": "local",
                                                      "ansible_python_interpreter": sys.executable,
                                                      "workshop_type": "agent-platform",
                                                      "enable_agent_platform": True},
                                             "children": {"participants": {"hosts": hosts}}}}))


def render_playbook(inv, forks, extra, env_extra=None):
    """Seconds of one playbooks/render.yml run on ``inv`` (exits with its output when it fails)."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PATH="%s:%s:%s" % (ROOT / ".tools/bin", ROOT / ".venv/bin", os.environ["PATH"]), **(env_extra or {}))
    for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM"):
        env.pop(k, None)
    cmd = [str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/render.yml", "-i", str(inv),
           "-f", str(forks), "-e", json.dumps(extra)]
    print("$ " + shlex.join(cmd), file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        print((proc.stdout + proc.stderr)[-3000:])
        sys.exit("render.yml failed")
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--participants", type=int, default=100)
    ap.add_argument("--forks", type=int, default=5)
    ap.add_argument("--validate", action="store_true",
                    help="include render.yml's server-side dry run on a private control plane (off by default)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        run(args, Path(tmp))


def run(args, tmp):
    mirror = ChartMirror()
    print("chart mirror: %s (%s)" % (mirror.up(), mirror.url), file=sys.stderr, flush=True)
    inv, out = tmp / "hosts.yml", tmp / "out"
    inventory(inv, args.participants)
    cache = chart_cache()
    # A fresh render spool: it is also render.yml's render cache (helm_template_batch spool_dir), and renders kept
    # by earlier runs would spare this one its Helm runs. Within the run, releases with the same inputs for
    # several participants (the upstream charts) are rendered once: that is measured.
    spool = tmp / "spool"
    extra = {"render_dir": str(out), "agent_platform_chart_mirror_url": mirror.url,
             "agent_platform_chart_cache": cache, "agent_platform_server_validation": args.validate,
             "agent_platform_render_spool": str(spool)}
    t_render = render_playbook(inv, args.forks, extra)

    # The baseline's input: every source of every component Application render.yml wrote, resolved to its
    # chart on disk by the role's own code (plugins/plugin_utils/charts.py; no pull: render.yml filled the
    # cache), with that source's valuesObject in a values file written before the clock starts.
    hosts = sorted(d for d in out.iterdir() if d.is_dir())
    apps, releases, jobs = [], [], []
    values_dir = tmp / "values"
    values_dir.mkdir()
    for host in hosts:
        host_apps = [yaml.safe_load(p.read_text()) for p in sorted((host / "applications").glob("*-agent-platform-*.yaml"))]
        apps += host_apps
        for rel in charts.releases(host_apps, str(ROOT), cache, str(HELM)):
            vf = None
            if rel["release_values"]:
                vf = values_dir / ("%d.yaml" % len(jobs))
                vf.write_text(helm_template.values_yaml(helm_template.plain(rel["release_values"])))
            # --include-crds as render.yml (and Argo CD) render; HELM_NAMESPACE as kubernetes.core.helm_template sets it.
            argv = helm_template.command(str(HELM), rel["chart_ref"], rel["release_name"], rel["release_namespace"],
                                         vf and str(vf), include_crds=True)
            job_env = dict(os.environ, **({"HELM_NAMESPACE": rel["release_namespace"]} if rel["release_namespace"] else {}))
            releases.append((host, rel))
            jobs.append((argv, job_env))
    t0 = time.perf_counter()
    outputs = [subprocess.run(argv, env=job_env, stdin=subprocess.DEVNULL, capture_output=True, check=True).stdout
               for argv, job_env in jobs]
    t_helm = time.perf_counter() - t0

    # Same work: the loop's output is, component by component, what render.yml wrote.
    differ = []
    for host in hosts:
        mine = [(rel, {"stdout": o.decode()}) for (h, rel), o in zip(releases, outputs) if h == host]
        for component in sorted({rel["component"] for rel, _ in mine}):
            written = (host / "components" / component / "manifests.yaml").read_text()
            if charts.component_manifests(component, [r for r, _ in mine], [o for _, o in mine]) != written:
                differ.append("%s/%s" % (host.name, component))
    releases = [rel for _, rel in releases]
    helm_runs = len(list(spool.glob("*.render.json")))  # one per distinct render; reused ones have none of their own

    n = args.participants
    upstream = sum(1 for r in releases if r["kind"] == "upstream")
    print("render of every component for %d participants: %d Applications, %d sources (%d upstream charts, "
          "%d project charts); forks %d, server validation %s; %d CPUs, load average %s"
          % (n, len(apps), len(releases), upstream, len(releases) - upstream, args.forks,
             "on" if args.validate else "off", os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg())))
    print("%-60s %9s %10s %7s" % ("what", "seconds", "s/particip", "ratio"))
    print("%-60s %9.1f %10.2f %7.2f" % ("playbooks/render.yml (flag, merge, bridge, charts, files%s)"
                                        % (", dry run" if args.validate else ""), t_render, t_render / n,
                                        t_render / t_helm))
    print("%-60s %9.1f %10.2f %7.2f" % ("baseline: bare loop of helm template, %d sources" % len(releases),
                                        t_helm, t_helm / n, 1.0))
    print("helm template runs of render.yml: %d for %d sources (the others had the inputs of one already rendered)"
          % (helm_runs, len(releases)))
    print("baseline output = render.yml's components/*/manifests.yaml: %s"
          % ("yes, every component" if not differ else "NO, differs for " + ", ".join(differ)))


if __name__ == "__main__":
    main()
