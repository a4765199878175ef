"""python -m tools.localstack <stack> <command>

  cluster up | down [--purge] | reset | status | build | env | kubeconfig
  argocd  up | down | status | build | publish [--repo NAME] [DIR] | env
  mirror  up | down | status | url
  build   [NAME ...] [--list]           Go builds by name (etcd, k8s, kwok, argocd-local)
  validator serve DIR WATCH_PID         the background private validator of render.yml (tools/localstack/validator.py)

Settings come from the environment (LOCAL_CLUSTER_*, ARGOCD_LOCAL_*, APPMOD_CHART_MIRROR_*, CACHE_ROOT /
APPMOD_CACHE_DIR); see docs/local-cluster.md and docs/argocd-local.md. Results go to stdout, progress to
stderr; exit 1 with "[<stack>] ERROR: ..." on a failure.
"""
from __future__ import annotations

import argparse
import sys

from .common import Log, LocalStackError


def _cluster(args) -> int:
    from .cluster import LocalCluster

    c = LocalCluster()
    cmd = args.command
    if cmd == "kubeconfig":
        print(c.kubeconfig)
    elif cmd == "env":
        print("\n".join(c.env_lines()))
    elif cmd == "build":
        c.s.cache_root.mkdir(parents=True, exist_ok=True)
        c.build()
    elif cmd == "up":
        if c.up() == "already up":
            print("local-cluster: already up")
        else:
            print("local-cluster: started")
            print("export KUBECONFIG=%s" % c.kubeconfig)
    elif cmd in ("down", "reset"):
        purge = cmd == "reset" or "--purge" in args.rest
        print("local-cluster: %s" % c.down(purge=purge))
    elif cmd == "status":
        ok, lines = c.status()
        print("\n".join(lines))
        return 0 if ok else 1
    else:
        raise SystemExit("usage: cluster up|down [--purge]|reset|status|build|env|kubeconfig")
    return 0


def _argocd(args) -> int:
    from .argocd import ArgoCD

    a = ArgoCD()
    cmd = args.command
    if cmd == "build":
        a.build()
        a.log("argocd %s (application controller + repo server): %s" % (a.version, a.binary))
    elif cmd == "up":
        a.up()
    elif cmd == "down":
        a.down()
    elif cmd == "status":
        ok, lines = a.status()
        print("\n".join(lines))
        return 0 if ok else 1
    elif cmd == "env":
        print("\n".join("%s=%s" % kv for kv in a.env().items()))
    elif cmd == "publish":
        p = argparse.ArgumentParser(prog="argocd publish")
        p.add_argument("--repo", default=None)
        p.add_argument("dir", nargs="?", default="gitops")
        opts = p.parse_args(args.rest)
        commit, _ = a.publish(opts.dir, opts.repo)
        print(commit)
    else:
        raise SystemExit("usage: argocd build|up|down|status|publish [--repo NAME] [DIR]|env")
    return 0


def _mirror(args) -> int:
    from .mirror import ChartMirror

    m = ChartMirror()
    cmd = args.command
    if cmd == "up":
        print("chart-mirror: %s (%s)" % (m.up(), m.url))
    elif cmd == "down":
        print("chart-mirror: %s" % m.down())
    elif cmd == "status":
        ok, line = m.status()
        print(line)
        return 0 if ok else 1
    elif cmd == "url":
        print(m.url)
    else:
        raise SystemExit("usage: mirror up|down|status|url")
    return 0


def _build(args) -> int:
    from . import gobuild
    from .builds import BUILDS

    names = [args.command] + list(args.rest) if args.command else []
    if "--list" in names or not names:
        for name, spec in BUILDS.items():
            state = "cached" if gobuild.cached(spec) else "not built"
            print("%-14s %-10s %-8s %s  (%s)" % (name, spec.resolved_version(), state, spec.bin_dir(), spec.description))
        return 0
    unknown = [n for n in names if n not in BUILDS]
    if unknown:
        raise LocalStackError("unknown build %s (known: %s)" % (", ".join(unknown), ", ".join(BUILDS)))
    for name in names:
        print(gobuild.ensure(BUILDS[name], Log("build")))
    return 0


def _validator(args) -> int:
    from . import validator

    return validator.main([args.command] + list(args.rest))


STACKS = {"cluster": (_cluster, "local-cluster"), "argocd": (_argocd, "argocd-local"),
          "mirror": (_mirror, "chart-mirror"), "build": (_build, "build"), "validator": (_validator, "validator")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.localstack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", choices=sorted(STACKS))
    parser.add_argument("command", nargs="?", default="")
    parser.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    fn, label = STACKS[args.stack]
    if not args.command and args.stack != "build":
        parser.error("%s needs a command" % args.stack)
    try:
        return fn(args)
    except LocalStackError as err:
        sys.stderr.write("[%s] ERROR: %s\n" % (label, err))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("[%s] interrupted\n" % label)
        return 130
    except BrokenPipeError:  # stdout closed early (| head): not an error of the tool
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
