"""python -m tools.localstack <stack> <command>

  cluster up | down [--purge] | reset | status | build | env | kubeconfig
  argocd  up [--publish] | down | status | build | publish [--repo NAME] [DIR] | env
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


def _run(stack, commands: dict, usage: str, args) -> int:
    """Run ``commands[args.command](stack, args)``: it returns the exit code or None (0). Commands wrap
    methods such as ArgoCD.up, whose string result would otherwise become exit status 1."""
    command = commands.get(args.command)
    if command is None:
        raise SystemExit("usage: " + usage)
    return command(stack, args) or 0


def _status(stack, _args) -> int:
    ok, lines = stack.status()
    print("\n".join(lines))
    return 0 if ok else 1


def _cluster_build(c, _args) -> None:
    c.s.cache_root.mkdir(parents=True, exist_ok=True)
    c.build()


def _cluster_up(c, _args) -> None:
    if c.up() == "already up":
        print("local-cluster: already up")
    else:
        print("local-cluster: started")
        print("export KUBECONFIG=%s" % c.kubeconfig)


def _cluster_down(c, args) -> None:
    purge = args.command == "reset" or "--purge" in args.rest
    print("local-cluster: %s" % c.down(purge=purge))


CLUSTER_COMMANDS = {
    "kubeconfig": lambda c, _args: print(c.kubeconfig),
    "env": lambda c, _args: print("\n".join(c.env_lines())),
    "build": _cluster_build, "up": _cluster_up, "down": _cluster_down, "reset": _cluster_down, "status": _status,
}


def _cluster(args) -> int:
    from .cluster import LocalCluster

    return _run(LocalCluster(), CLUSTER_COMMANDS, "cluster up|down [--purge]|reset|status|build|env|kubeconfig", args)


def _argocd_build(a, _args) -> None:
    a.build()
    a.log("argocd %s (application controller + repo server): %s" % (a.version, a.binary))


def _argocd_publish(a, args) -> None:
    p = argparse.ArgumentParser(prog="argocd publish")
    p.add_argument("--repo", default=None)
    p.add_argument("dir", nargs="?", default="gitops")
    opts = p.parse_args(args.rest)
    commit, _ = a.publish(opts.dir, opts.repo)
    print(commit)


def _argocd_up(a, args) -> None:
    # --publish: then publish gitops/ too (one process for what every run of the role does)
    a.up()
    if "--publish" in args.rest:
        _argocd_publish(a, argparse.Namespace(rest=[r for r in args.rest if r != "--publish"]))


def _argocd_down(a, _args) -> None:
    a.down()


ARGOCD_COMMANDS = {
    "build": _argocd_build, "up": _argocd_up, "down": _argocd_down, "status": _status,
    "env": lambda a, _args: print("\n".join("%s=%s" % kv for kv in a.env().items())), "publish": _argocd_publish,
}


def _argocd(args) -> int:
    from .argocd import ArgoCD

    return _run(ArgoCD(), ARGOCD_COMMANDS, "argocd build|up [--publish]|down|status|publish [--repo NAME] [DIR]|env", args)


def _mirror_status(m, _args) -> int:
    ok, line = m.status()
    print(line)
    return 0 if ok else 1


MIRROR_COMMANDS = {
    "up": lambda m, _args: print("chart-mirror: %s (%s)" % (m.up(), m.url)),
    "down": lambda m, _args: print("chart-mirror: %s" % m.down()),
    "status": _mirror_status, "url": lambda m, _args: print(m.url),
}


def _mirror(args) -> int:
    from .mirror import ChartMirror

    return _run(ChartMirror(), MIRROR_COMMANDS, "mirror up|down|status|url", args)


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
