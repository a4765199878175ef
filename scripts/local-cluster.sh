#!/usr/bin/env bash
# Local Kubernetes control plane for tests and playbooks (kube-apiserver, controller-manager
# and scheduler built here from the pinned Go module, etcd, kwok fake nodes), on 127.0.0.1.
#   bash scripts/local-cluster.sh up | down [--purge] | reset | status | build | env | kubeconfig
# A thin wrapper: the work is done by the Python tool tools/localstack
# (`python -m tools.localstack cluster ...`), which the role appmod.agent_platform.local_cluster
# runs too (playbooks/local-cluster.yml). Kubeconfig: .local-cluster/kubeconfig.
# Settings: LOCAL_CLUSTER_* environment variables (docs/local-cluster.md).
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
export LOCAL_CLUSTER_KUBECTL="${LOCAL_CLUSTER_KUBECTL:-${TOOLS_BIN}/kubectl}"
if [[ ! -x "${VENV}/bin/python" || ! -x "${LOCAL_CLUSTER_KUBECTL}" ]]; then
  bash "${PROJECT_ROOT}/scripts/setup.sh" >&2
fi
export CACHE_ROOT
export PYTHONPATH="${PROJECT_ROOT}${PYTHONPATH:+:${PYTHONPATH}}"
exec "${VENV}/bin/python" -m tools.localstack cluster "$@"
