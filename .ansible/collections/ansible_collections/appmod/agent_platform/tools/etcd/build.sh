#!/usr/bin/env bash
# Build the etcd server from the pinned wrapper module in this directory into OUT_DIR/etcd.
# Usage: tools/etcd/build.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "${out}"
cd "${here}"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:+${GOFLAGS} }-mod=readonly -buildvcs=false" CGO_ENABLED=0
exec go build -v -trimpath -ldflags="-s -w" -o "${out}/etcd" go.etcd.io/etcd/server/v3
