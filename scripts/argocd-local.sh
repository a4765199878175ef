#!/usr/bin/env bash
# Real Argo CD (application controller + repo server, built here from the pinned Go module
# in tools/argocd) running out of cluster against the local control plane of
# scripts/local-cluster.sh, with redis, a git daemon and the chart mirror; see docs/argocd-local.md.
#
#   bash scripts/argocd-local.sh build     build (or reuse) $CACHE_ROOT/argocd-local/<version>/bin
#   bash scripts/argocd-local.sh up [--publish]
#                                          CRDs + config objects + redis, git daemon, chart mirror,
#                                          repo-server, application-controller (no-op when up);
#                                          --publish: then `publish` gitops/
#   bash scripts/argocd-local.sh publish [--repo NAME] [DIR]
#                                          copy DIR (default gitops/, committed or not) into a new
#                                          commit on main of .local-cluster/git/NAME.git; prints it
#   bash scripts/argocd-local.sh status    one line per process; exit 1 unless all are up
#   bash scripts/argocd-local.sh down      stop the processes started by `up`
#   bash scripts/argocd-local.sh env       ports and URLs as KEY=value lines
#
# A thin wrapper around the Python tool tools/localstack (`python -m tools.localstack argocd ...`).
# Environment: ARGOCD_LOCAL_* (ports, dirs, kubeconfig, log level, resync), ARGOCD_GOTOOLCHAIN,
# APPMOD_CHART_MIRROR_DIR / _PORT.
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"
if [[ ! -x "${VENV}/bin/python" ]]; then
  bash "${PROJECT_ROOT}/scripts/setup.sh" >&2
fi
export CACHE_ROOT
export PYTHONPATH="${PROJECT_ROOT}${PYTHONPATH:+:${PYTHONPATH}}"
exec "${VENV}/bin/python" -m tools.localstack argocd "$@"
