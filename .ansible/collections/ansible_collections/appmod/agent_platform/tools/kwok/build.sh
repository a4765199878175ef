#!/usr/bin/env bash
# Build kwok from the pinned wrapper module in this directory into OUT_DIR, and write
# OUT_DIR/kwok-stages.yaml: kwok's own default Stage set (what `kwokctl` feeds it: node
# initialise, node heartbeat with lease, pod ready/complete/delete), taken from the same
# pinned module's kustomize/stage tree. The plain `kwok` binary has no built-in stages
# and exits with "no stages found" without them. Usage: tools/kwok/build.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "${out}"
cd "${here}"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:+${GOFLAGS} }-mod=readonly -buildvcs=false" CGO_ENABLED=0
dir="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
if [[ -z "${dir}" || ! -d "${dir}" ]]; then
  go mod download sigs.k8s.io/kwok
  dir="$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
fi
stages=(
  kustomize/stage/node/fast/node-initialize.yaml
  kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  kustomize/stage/pod/fast/pod-ready.yaml
  kustomize/stage/pod/fast/pod-complete.yaml
  kustomize/stage/pod/fast/pod-delete.yaml
)
{
  for f in "${stages[@]}"; do
    echo "---"
    grep -v '^---$' "${dir}/${f}"
  done
} > "${out}/kwok-stages.yaml"
exec go build -v -trimpath -ldflags="-s -w" -o "${out}/" sigs.k8s.io/kwok/cmd/kwok
