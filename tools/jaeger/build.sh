#!/usr/bin/env bash
# Build Jaeger v2 (cmd/jaeger) from the pinned wrapper module in this directory into OUT_DIR/jaeger.
# Usage: tools/jaeger/build.sh OUT_DIR
# ldflags: -s -w plus the build info upstream's scripts/makefiles/BuildInfo.mk sets (BUILD_INFO_V2):
# latestVersion = the Jaeger v2 tag of module v1.76.0, date = the module's commit time (the proxy's
# .info has no commit hash, so commitSHA stays empty). The UI stays a placeholder: upstream embeds a
# separate npm build of jaeger-ui, which the module zip does not contain (query APIs are unaffected).
set -euo pipefail
JAEGER_V2_VERSION="v2.13.0"
JAEGER_BUILD_DATE="2025-12-03T16:07:08Z"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "${out}"
cd "${here}"
command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
pkg=github.com/jaegertracing/jaeger/internal/version
exec go build -trimpath \
  -ldflags="-s -w -X ${pkg}.latestVersion=${JAEGER_V2_VERSION} -X ${pkg}.date=${JAEGER_BUILD_DATE}" \
  -o "${out}/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
