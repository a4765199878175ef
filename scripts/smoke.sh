#!/usr/bin/env bash
# make smoke: the smoke suite (project issue 13). Every component's REAL program (LiteLLM, Jaeger v2,
# kagent controller + Go agent runtime, PostgreSQL, the mockllm model stand-in, wrk) is started as a host
# process from the configuration the charts rendered as applied to the cluster, checked, stopped; a table
# is printed; the exit code is 1 when a check failed.
#   bash scripts/smoke.sh [--kubeconfig K] [--namespace agent-platform] [--load-duration 5s] [--private] [--keep]
# Default cluster: the shared local one (.local-cluster/kubeconfig, after `make local`). --private brings up
# a throwaway private cluster with the local inventory rendered and applied instead.
source "$(dirname "$0")/lib.sh"
cd "${PROJECT_ROOT}"
[[ -x "${VENV}/bin/python" ]] || bash scripts/setup.sh
bash scripts/setup-programs.sh
exec "${VENV}/bin/python" -m tools.smoke "$@"
