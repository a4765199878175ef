"""python -m tools.smoke [--kubeconfig K] [--namespace agent-platform] [--load-duration 5s] [--private] [--keep]

Runs every component's real program from the configuration the cluster holds, checks it, stops it,
prints the table (stdout; progress on stderr) and exits 1 when a check failed, 2 when it could not run.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tools.localstack.common import Log, LocalStackError

from .programs import ROOT, MissingProgram


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.smoke", description=__doc__.split("\n\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kubeconfig", default=os.environ.get("SMOKE_KUBECONFIG") or str(ROOT / ".local-cluster" / "kubeconfig"),
                    help="cluster to read the configuration from (default: the shared local cluster, "
                         ".local-cluster/kubeconfig)")
    ap.add_argument("--namespace", default="agent-platform")
    ap.add_argument("--load-duration", default=os.environ.get("SMOKE_LOAD_DURATION", "5s"),
                    help="wrk -d for the short load check (the full 30 s run is bench/litellm_load.py)")
    ap.add_argument("--private", action="store_true",
                    help="first bring up a throwaway private cluster with the local inventory rendered and applied "
                         "(for development, when the shared cluster has no platform); removed afterwards")
    ap.add_argument("--keep", action="store_true", help="keep the run directory (configs, logs) for inspection")
    ap.add_argument("--no-dns-sandbox", action="store_true",
                    help="do not give the programs a private /etc/resolv.conf pointing at the local DNS sink")
    a = ap.parse_args(argv)
    log = Log("smoke")
    from .suite import run_all

    try:
        if a.private:
            from .private import PrivatePlatform

            with PrivatePlatform(log=Log("smoke-private")) as kubeconfig:
                ok, _, text = run_all(kubeconfig, a.namespace, keep=a.keep, dns_sandbox=not a.no_dns_sandbox,
                                      load_duration=a.load_duration, log=log)
        else:
            if not Path(a.kubeconfig).is_file():
                log("no kubeconfig at %s: start the local cluster and deploy the platform (make local), "
                    "or use --private" % a.kubeconfig)
                return 2
            ok, _, text = run_all(a.kubeconfig, a.namespace, keep=a.keep, dns_sandbox=not a.no_dns_sandbox,
                                  load_duration=a.load_duration, log=log)
    except (MissingProgram, LocalStackError) as err:
        log("ERROR: %s" % err)
        return 2
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
