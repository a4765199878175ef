#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager and kube-scheduler from the pinned
# wrapper module in this directory into OUT_DIR, in ONE `go build` so the three share
# their compile work. Usage: tools/k8s/build.sh OUT_DIR
# The version stamped into the binaries (what /version answers) is read from go.mod.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
version="$(cd "${here}" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go list -m -f '{{.Version}}' k8s.io/kubernetes)"
[[ "${version}" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || { echo "cannot read k8s.io/kubernetes version from go.mod" >&2; exit 1; }
major="${BASH_REMATCH[1]}"
minor="${BASH_REMATCH[2]}"
# Same -X keys as hack/lib/version.sh of the release (kube::version::ldflags).
# gitCommit stays empty: the module zip carries no git metadata.
build_date="$(date -u +'%Y-%m-%dT%H:%M:%SZ')"
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X ${pkg}.gitVersion=${version} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor}"
  ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${build_date}"
done
mkdir -p "${out}"
cd "${here}"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:+${GOFLAGS} }-mod=readonly -buildvcs=false" CGO_ENABLED=0
exec go build -v -trimpath -ldflags="${ldflags}" -o "${out}/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler
