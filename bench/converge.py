#!/usr/bin/env python3
"""Benchmark: cold converge of playbooks/agent-platform.yml to every workload Available, and the no-op rerun
(changed=0), on a fresh PRIVATE control plane with direct delivery (no Argo CD), against the floor the issue
sets: a bare ``kubectl apply`` of the same rendered manifests on another fresh private control plane, plus the
time the workloads take to become Available there.

The floor, in the same process: ``playbooks/render.yml`` with the same variables writes what the run applies
(every release's manifests, components/*/manifests.yaml, and the catalogue's prerequisite manifests); a second
fresh cluster gets, timed, ``kubectl apply --server-side`` of the CRDs, a wait for them to be Established, the
namespaces (Pod Security restricted, as the role makes them), the rest, and the wait for every Deployment and
StatefulSet to be ready. Prints numbers and ratios only, asserts nothing about time. The private clusters use
their own state dirs and ports (never the shared one) and are purged at the end.

    .venv/bin/python bench/converge.py [--components all|lean]

Argo CD delivery is not measured here: a cold converge through Argo CD needs a fresh Argo CD, and the local one
(scripts/argocd-local.sh) is shared by everyone on this machine; bench/noop_rerun.py measures its no-op rerun.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project root: tools.localstack

from tools.localstack import common  # noqa: E402
from tools.localstack.private import PrivateCluster  # noqa: E402

sys.path.insert(0, str(ROOT / ".collections"))  # the collection: its catalogue reader
from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue  # noqa: E402

LEAN = {"components": {k: {"enabled": False} for k in ("tofuController", "litellm", "langfuse", "agentGateway")}}
RESTRICTED = {"pod-security.kubernetes.io/%s" % mode: "restricted" for mode in ("enforce", "audit", "warn")}


def all_available(pc):
    for kind in ("deployments", "statefulsets"):
        for obj in pc.get(kind, "-A"):
            status = obj.get("status", {})
            if status.get("readyReplicas", 0) != obj["spec"].get("replicas", 1):
                return False
    return True


def wait_available(pc, timeout=300):
    t0 = time.monotonic()
    while not all_available(pc) and time.monotonic() - t0 < timeout:
        time.sleep(1)
    return time.monotonic() - t0


def rendered_documents(render_dir: Path, lean: bool):
    """What the run applies, as rendered, in groups of (namespace for objects that name none, objects): the enabled
    components' prerequisite manifests (as the role fetched them into the chart cache), then each component's
    manifests with its Application's destination namespace (Helm and Argo CD put them there)."""
    disabled = {"agent-gateway", "tofu-controller", "litellm", "langfuse"} if lean else set()
    cache = common.cache_root() / "charts" / "manifests"
    groups = [(None, _documents(cache / ("%s-%s.yaml" % (p["name"], p["pin"]["version"]))))
              for p in catalogue.prerequisites(catalogue.load_own()) if p["component"] not in disabled]
    for app_file in sorted(render_dir.glob("*/applications/*-agent-platform-*.yaml")):
        app = yaml.safe_load(app_file.read_text())
        component = app_file.parent.parent / "components" / app_file.stem.split("-agent-platform-", 1)[1] / "manifests.yaml"
        if component.exists():
            groups.append((app["spec"]["destination"]["namespace"], _documents(component)))
    return groups


def _documents(path: Path):
    return [d for d in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader) if d]


def _kubectl(pc, *args, timeout=600):
    proc = pc.kubectl(*args, check=False, timeout=timeout)
    if proc.returncode != 0:
        sys.exit("kubectl %s failed:\n%s" % (" ".join(args[:3]), proc.stderr[-3000:]))


def _write_list(path: Path, objs) -> Path:
    # JSON (a v1 List), not YAML: PyYAML writes the string "y" bare, which kubectl's YAML 1.1 reads as true
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    return path


def bare_apply(pc, groups, workdir: Path):
    """Seconds for the floor: CRDs, Established, namespaces, the rest (a namespaced object that names no namespace
    in its group's), every workload Available."""
    crds = [d for _, docs in groups for d in docs if d.get("kind") == "CustomResourceDefinition"]
    crd_file = _write_list(workdir / "crds.json", crds)
    t0 = time.monotonic()
    _kubectl(pc, "apply", "--server-side", "--force-conflicts", "-f", str(crd_file))
    _kubectl(pc, "wait", "--for=condition=Established", "crd", "--all", "--timeout=300s")
    listing = pc.kubectl("api-resources", "--namespaced=false", "--no-headers").stdout.splitlines()
    cluster_kinds = {line.split()[-1] for line in listing if line.strip()}
    rest = []
    for ns, docs in groups:
        for doc in docs:
            if doc.get("kind") == "CustomResourceDefinition":
                continue
            if ns and doc.get("kind") not in cluster_kinds and not (doc.get("metadata") or {}).get("namespace"):
                doc = dict(doc, metadata=dict(doc["metadata"], namespace=ns))
            rest.append(doc)
    namespaces = sorted({(d.get("metadata") or {}).get("namespace") for d in rest} - {None})
    _kubectl(pc, "apply", "--server-side", "-f", str(_write_list(workdir / "namespaces.json", [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": RESTRICTED}} for n in namespaces])))
    _kubectl(pc, "apply", "--server-side", "--force-conflicts", "-f", str(_write_list(workdir / "rest.json", rest)))
    applied = time.monotonic() - t0
    return applied, applied + wait_available(pc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--components", choices=["all", "lean"], default="all")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="appmod-bench-spool-") as spool:
        run(args, spool)


def run(args, spool):
    # A fresh render spool, which is also the role's render cache: the cold converge renders every chart, as on a
    # machine that never rendered these releases; the no-op rerun reuses what the cold run rendered, as a rerun does.
    extra = {"agent_platform_resource_prefix": "bench", "agent_platform_render_spool": spool}
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
        t_avail = cold.seconds + wait_available(pc)
        noop = pc.playbook(extra=extra, timeout=3600)
        deployments = len(pc.get("deployments", "-A"))
        statefulsets = len(pc.get("statefulsets", "-A"))
        with tempfile.TemporaryDirectory(prefix="appmod-bench-render-") as out:
            # render.yml resolves the flag from the workshop type; the converge above had it on
            render = pc.playbook("render.yml", extra=dict(extra, render_dir=out, enable_agent_platform=True), timeout=1800)
            if render.rc != 0:
                print(render.out[-3000:])
                sys.exit("render failed")
            docs = rendered_documents(Path(out), args.components == "lean")
    finally:
        pc.down()
    print("cold converge %.1f s (changed=%d), to Available %.1f s; no-op rerun %.1f s (changed=%d)"
          % (cold.seconds, cold.changed, t_avail, noop.seconds, noop.changed), flush=True)
    floor = PrivateCluster()
    try:
        floor.up()
        with tempfile.TemporaryDirectory(prefix="appmod-bench-apply-") as work:
            applied, f_avail = bare_apply(floor, docs, Path(work))
    finally:
        floor.down()
    print("converge, components=%s, direct delivery, fresh private cluster (%d Deployments, %d StatefulSets, "
          "%d rendered objects)" % (args.components, deployments, statefulsets, sum(len(d) for _, d in docs)))
    print("%-52s %9s %7s" % ("what", "seconds", "ratio"))
    print("%-52s %9.1f %7s" % ("private cluster up (cached binaries)", t_up, ""))
    print("%-52s %9.1f %7.2f" % ("cold converge, playbook (changed=%d)" % cold.changed, cold.seconds, cold.seconds / f_avail))
    print("%-52s %9.1f %7.2f" % ("cold converge to all workloads Available", t_avail, t_avail / f_avail))
    print("%-52s %9.1f %7.2f" % ("no-op rerun (changed=%d)" % noop.changed, noop.seconds, noop.seconds / f_avail))
    print("%-52s %9.1f %7.2f" % ("bare kubectl apply of the same manifests", applied, applied / f_avail))
    print("%-52s %9.1f %7.2f" % ("... to all workloads Available (floor)", f_avail, 1.0))
    print("goal: the cold converge to Available within 2x the floor: %s" % ("met" if t_avail <= 2 * f_avail else "NOT met"))


if __name__ == "__main__":
    main()
