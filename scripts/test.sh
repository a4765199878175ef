#!/usr/bin/env bash
# Sets everything up and runs every test (this is what .ci/run calls): setup, then tools/ci in phases:
# the cold builds in the background while lint and the tests that need no cluster run, then the local
# control plane, Argo CD and the chart mirror, the cluster suites, the platform deployed on the local
# default and the smoke suite of real programs. Prints the phase table, the slowest tests and one summary
# line. No test is skipped for lack of time: near the budget the run stops and fails (tools/ci).
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"
start=$(date +%s)
bash scripts/setup.sh
export APPMOD_CI_SETUP_SECONDS=$(( $(date +%s) - start ))
exec "${VENV}/bin/python" -m tools.ci "$@"
