#!/usr/bin/env bash
# Build kagent's Go programs (controller, Go agent runtime, mock LLM server) from the upstream
# v0.9.9 source archive (the Go module proxy refuses github.com/kagent-dev/kagent/go itself; its
# dependencies are served). The source is unpacked outside the work tree, never copied into it.
#
#   tools/kagent/build.sh OUT_DIR        -> OUT_DIR/{kagent-controller,kagent-adk,mockllm}
#
# Environment: KAGENT_SRC_TARBALL (default below), CACHE_ROOT (source unpack dir root).
# The data block below is all a generic Go-build routine needs.
set -euo pipefail

# ---- build spec (data) -------------------------------------------------------------------
KAGENT_VERSION="v0.9.9"
KAGENT_COMMIT="e9e4e34d6bd2d5950e81fefbcfd0bab70ea1eaaa"
# shared/ sits beside the work tree (../shared), as on developer machines and in CI
KAGENT_SRC_TARBALL="${KAGENT_SRC_TARBALL:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/upstream-src/kagent-go-${KAGENT_VERSION}.tar.gz}"
KAGENT_SRC_SHA256="787d043135168ae93fce50fec43494a553ae4cebad14f3b2de0e0181c9654f8f"
KAGENT_SRC_SUBDIR="kagent-${KAGENT_VERSION}/go"          # module root inside the archive
# output name = package (relative to the module root)
KAGENT_BINARIES=(
  "kagent-controller=./core/cmd/controller"   # image cr.kagent.dev/kagent-dev/kagent/controller
  "kagent-adk=./adk/cmd"                      # Go agent runtime (image .../golang-adk)
  "mockllm=./core/hack/mockllm"               # scripted OpenAI/Anthropic-compatible server
)
# as upstream's go/Makefile LDFLAGS (BuildDate left at its default for reproducibility)
KAGENT_VERSION_PKG="github.com/kagent-dev/kagent/go/core/internal/version"
# The controller refuses to compile a declarative Agent ("app image digest is not set at link time")
# unless the agent runtime image digests are linked in. Upstream resolves them at release time with
# `docker buildx imagetools inspect` of the pushed 0.9.9 images (scripts that set the -X flags below);
# no registry is reachable here, so the default is an all-zero placeholder. Agent pods on the local
# cluster are fake (kwok), nothing pulls the image; override with the real digests when known.
ZERO_DIGEST="sha256:0000000000000000000000000000000000000000000000000000000000000000"
KAGENT_APP_IMAGE_DIGEST="${KAGENT_APP_IMAGE_DIGEST:-${ZERO_DIGEST}}"               # cr.kagent.dev/kagent-dev/kagent/app:0.9.9
KAGENT_GOLANG_ADK_IMAGE_DIGEST="${KAGENT_GOLANG_ADK_IMAGE_DIGEST:-${ZERO_DIGEST}}" # .../golang-adk:0.9.9
KAGENT_GOLANG_ADK_FULL_IMAGE_DIGEST="${KAGENT_GOLANG_ADK_FULL_IMAGE_DIGEST:-${ZERO_DIGEST}}" # .../golang-adk-full:0.9.9
KAGENT_TRANSLATOR_PKG="github.com/kagent-dev/kagent/go/core/internal/controller/translator/agent"
KAGENT_LDFLAGS="-s -w -X ${KAGENT_VERSION_PKG}.Version=${KAGENT_VERSION} -X ${KAGENT_VERSION_PKG}.GitCommit=${KAGENT_COMMIT:0:7}"
KAGENT_LDFLAGS+=" -X ${KAGENT_TRANSLATOR_PKG}.PythonADKImageDigest=${KAGENT_APP_IMAGE_DIGEST}"
KAGENT_LDFLAGS+=" -X ${KAGENT_TRANSLATOR_PKG}.GoADKImageDigest=${KAGENT_GOLANG_ADK_IMAGE_DIGEST}"
KAGENT_LDFLAGS+=" -X ${KAGENT_TRANSLATOR_PKG}.GoADKFullImageDigest=${KAGENT_GOLANG_ADK_FULL_IMAGE_DIGEST}"
# -------------------------------------------------------------------------------------------

out="${1:?usage: build.sh OUT_DIR}"
CACHE_ROOT="${CACHE_ROOT:-${APPMOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/appmod-agent-platform}}"
src_root="${CACHE_ROOT}/src/kagent-${KAGENT_VERSION}"
command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0

if [[ "$(cat "${src_root}/.sha256" 2>/dev/null)" != "${KAGENT_SRC_SHA256}" ]]; then
  [[ -f "${KAGENT_SRC_TARBALL}" ]] || { echo "kagent source archive not found: ${KAGENT_SRC_TARBALL}" >&2; exit 1; }
  echo "$(sha256sum "${KAGENT_SRC_TARBALL}" | cut -d' ' -f1)" | grep -qx "${KAGENT_SRC_SHA256}" \
    || { echo "sha256 mismatch for ${KAGENT_SRC_TARBALL}" >&2; exit 1; }
  tmp="$(mktemp -d "${CACHE_ROOT}/src/.kagent.XXXXXX" 2>/dev/null || { mkdir -p "${CACHE_ROOT}/src"; mktemp -d "${CACHE_ROOT}/src/.kagent.XXXXXX"; })"
  tar -xzf "${KAGENT_SRC_TARBALL}" -C "${tmp}" --strip-components=1
  echo "${KAGENT_SRC_SHA256}" > "${tmp}/.sha256"
  rm -rf "${src_root}"; mv "${tmp}" "${src_root}"
fi
cd "${src_root}/${KAGENT_SRC_SUBDIR#kagent-${KAGENT_VERSION}/}"
mkdir -p "${out}"
go mod download
for b in "${KAGENT_BINARIES[@]}"; do
  name="${b%%=*}" pkg="${b#*=}"
  echo "go build ${pkg} -> ${out}/${name}" >&2
  go build -trimpath -ldflags="${KAGENT_LDFLAGS}" -o "${out}/${name}" "${pkg}"
done
