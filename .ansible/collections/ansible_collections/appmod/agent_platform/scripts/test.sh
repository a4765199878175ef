#!/usr/bin/env bash
# Sets everything up and runs every test: lint, unit and chart tests (real helm 3 and 4),
# playbook tests, AWS tests against moto in server mode, and the molecule scenarios on
# the embedded local control plane. The local cluster and other servers are started here
# or by the tests' own fixtures; nothing needs to exist beforehand.
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"
# CI gives .ci/run 90 minutes; past this deadline the remaining tests skip (tests/conftest.py).
export APPMOD_TEST_DEADLINE="${APPMOD_TEST_DEADLINE:-$(( $(date +%s) + ${APPMOD_TEST_BUDGET_MIN:-72} * 60 ))}"
bash scripts/setup.sh
bash scripts/lint.sh

if [[ -x scripts/local-cluster.sh ]]; then
  log "Starting the local control plane (first run builds Kubernetes from source)"
  bash scripts/local-cluster.sh up
fi
if [[ -x scripts/argocd-local.sh ]]; then
  log "Starting the local Argo CD (first run builds it from source)"
  bash scripts/argocd-local.sh up
fi

log "pytest"
set +e
# Cheap and core tests first, then the cluster scenarios, then the long suites.
pytest -p no:cacheprovider -ra --durations=15 -m "not pending" "$@" \
  tests/unit tests/helm tests/core tests/charts tests/playbooks tests/local_cluster \
  tests/molecule tests/argocd tests/components tests/aws \
  $(ls -d tests/badinput tests/security tests/faults tests/workshop 2>/dev/null)
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "0 passed, 0 failed"
  die "pytest collected no tests"
fi
exit $rc
