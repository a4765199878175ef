#!/usr/bin/env bash
# Install / build the real upstream programs the smoke tests run as host processes, idempotently:
#
#   apt       Debian packages wrk and postgresql (15), only when missing (apt-get update once)
#   litellm   a venv from requirements-litellm.txt (hash-checked), keyed by the file's sha256:
#             $CACHE_ROOT/litellm/<sha256[:16]>/venv (outside the work tree: a venv inside it would be linted
#             by yamllint and packed into the collection artefact); LITELLM_VENV overrides the path
#   jaeger, mockllm, kagent   the Go programs, built by the local stack's one Go build routine from their build
#             specs in tools/localstack/builds.py (python -m tools.localstack build jaeger mockllm kagent):
#             $CACHE_ROOT/<name>/<version>/bin
#
# Usage: scripts/setup-programs.sh [apt] [litellm] [jaeger] [mockllm] [kagent]   (default: all)
#        SETUP_PROGRAMS_FORCE=1 reinstalls LiteLLM's venv (the Go builds rebuild when their inputs change).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
command -v go >/dev/null || export PATH="${PATH}:/usr/local/go/bin"

FORCE="${SETUP_PROGRAMS_FORCE:-0}"
LITELLM_REQ="${PROJECT_ROOT}/requirements-litellm.txt"
LITELLM_VENV="${LITELLM_VENV:-${CACHE_ROOT}/litellm/$(sha256sum < "${LITELLM_REQ}" | cut -c1-16)/venv}"

elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Run a long command with its output in LOGFILE, printing a heartbeat every 30 s.
with_heartbeat() {
  local what="$1" logfile="$2"; shift 2
  local start; start=$(date +%s)
  "$@" >"${logfile}" 2>&1 &
  local pid=$!
  while kill -0 "${pid}" 2>/dev/null; do
    for _ in $(seq 1 30); do kill -0 "${pid}" 2>/dev/null || break; sleep 1; done
    kill -0 "${pid}" 2>/dev/null && log "  ... ${what}: still running ($(elapsed "${start}"))"
  done
  if ! wait "${pid}"; then
    tail -n 30 "${logfile}" >&2
    die "${what} failed after $(elapsed "${start}") (log: ${logfile})"
  fi
  log "  ${what}: done in $(elapsed "${start}")"
}


setup_apt() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  if ((${#missing[@]} == 0)); then
    log "apt: wrk and postgresql present ($(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(ls /usr/lib/postgresql | tr '\n' ' '))"
    return 0
  fi
  local sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  log "apt: installing ${missing[*]}"
  ${sudo} apt-get update -qq
  DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_litellm() {
  [[ -f "${LITELLM_REQ}" ]] || die "${LITELLM_REQ} not found"
  local want; want="$(sha256sum < "${LITELLM_REQ}" | cut -c1-64)"
  if [[ -d "${PROJECT_ROOT}/.venv-litellm" ]]; then  # the first layout, inside the work tree: remove it
    log "litellm: removing ${PROJECT_ROOT}/.venv-litellm (the venv now lives in ${LITELLM_VENV})"
    rm -rf "${PROJECT_ROOT}/.venv-litellm"
  fi
  if [[ "${FORCE}" != 1 && "$(cat "${LITELLM_VENV}/.requirements.sha256" 2>/dev/null)" == "${want}" ]]; then
    log "litellm: ${LITELLM_VENV} up to date ($("${LITELLM_VENV}/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))'))"
    return 0
  fi
  local py="${LITELLM_PYTHON:-python3.11}"
  command -v "${py}" >/dev/null || py=python3
  "${py}" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || die "requirements-litellm.txt is resolved for CPython 3.11; set LITELLM_PYTHON to a python3.11"
  log "litellm: creating ${LITELLM_VENV} from requirements-litellm.txt (about 2 min)"
  rm -rf "${LITELLM_VENV}"
  mkdir -p "$(dirname "${LITELLM_VENV}")"
  "${py}" -m venv "${LITELLM_VENV}"
  with_heartbeat "pip install litellm" "${LITELLM_VENV}/install.log" \
    "${LITELLM_VENV}/bin/pip" install --disable-pip-version-check --no-input \
    --require-hashes --no-deps -r "${LITELLM_REQ}"
  "${LITELLM_VENV}/bin/pip" check >/dev/null || die "pip check failed in ${LITELLM_VENV}"
  # the venv must hold exactly the pinned closure
  local norm='tr "A-Z_" "a-z-" | sort'
  if ! diff <("${LITELLM_VENV}/bin/pip" freeze --disable-pip-version-check | eval "${norm}") \
            <(grep -E '^[A-Za-z0-9]' "${LITELLM_REQ}" | sed 's/ .*//' | eval "${norm}") >/dev/null; then
    die "pip freeze of ${LITELLM_VENV} differs from requirements-litellm.txt"
  fi
  echo "${want}" > "${LITELLM_VENV}/.requirements.sha256"
  log "litellm: ${LITELLM_VENV}/bin/litellm ($("${LITELLM_VENV}/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))'))"
}

setup_go() {  # the Go programs, through the local stack's build routine (cached by version and inputs)
  "${VENV}/bin/python" -m tools.localstack build "$@"
}

steps=("$@")
((${#steps[@]})) || steps=(apt litellm jaeger mockllm kagent)
start=$(date +%s)
go_programs=()
for s in "${steps[@]}"; do
  case "${s}" in
    apt | litellm) "setup_${s}" ;;
    jaeger | mockllm | kagent) go_programs+=("${s}") ;;
    *) die "unknown step '${s}' (apt, litellm, jaeger, mockllm, kagent)" ;;
  esac
done
((${#go_programs[@]} == 0)) || (cd "${PROJECT_ROOT}" && setup_go "${go_programs[@]}")
log "setup-programs: ${steps[*]} ready in $(elapsed "${start}")"
