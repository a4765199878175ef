# Shared shell helpers and paths for the project's scripts. Source it, don't run it.
# shellcheck shell=bash
set -euo pipefail
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
export PROJECT_ROOT
VENV="${PROJECT_ROOT}/.venv"
TOOLS_BIN="${PROJECT_ROOT}/.tools/bin"
# Built or downloaded artefacts that are expensive to make live outside the work
# tree so that a fresh clone on the same machine reuses them (keyed by version).
CACHE_ROOT="${APPMOD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/appmod-agent-platform}"
export CACHE_ROOT TOOLS_BIN VENV
export PATH="${TOOLS_BIN}:${VENV}/bin:${PATH}"
export ANSIBLE_CONFIG="${PROJECT_ROOT}/ansible.cfg"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
