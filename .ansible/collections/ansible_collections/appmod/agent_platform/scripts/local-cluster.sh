#!/usr/bin/env bash
# Local Kubernetes control plane for tests and playbooks (kube-apiserver, controller-manager
# and scheduler built here from the pinned Go module, etcd, kwok fake nodes), on 127.0.0.1.
#   bash scripts/local-cluster.sh up | down [--purge] | reset | status | build | kubeconfig
# The work is done by the role's engine, roles/local_cluster/files/local-cluster.sh, which
# the role appmod.agent_platform.local_cluster runs too (playbooks/local-cluster.yml).
# Kubeconfig: .local-cluster/kubeconfig. Settings: LOCAL_CLUSTER_* environment variables
# (see the engine's header and docs/local-cluster.md).
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
export LOCAL_CLUSTER_KUBECTL="${LOCAL_CLUSTER_KUBECTL:-${TOOLS_BIN}/kubectl}"
if [[ ! -x "${LOCAL_CLUSTER_KUBECTL}" ]]; then
  bash "${PROJECT_ROOT}/scripts/setup.sh" >&2
fi
exec bash "${PROJECT_ROOT}/roles/local_cluster/files/local-cluster.sh" "$@"
