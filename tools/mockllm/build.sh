#!/usr/bin/env bash
# Build the loopback mock LLM server (main.go here, module github.com/kagent-dev/mockllm) into
# OUT_DIR/mockllm. Usage: tools/mockllm/build.sh OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "${out}"
cd "${here}"
command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
exec go build -trimpath -ldflags="-s -w" -o "${out}/mockllm" .
