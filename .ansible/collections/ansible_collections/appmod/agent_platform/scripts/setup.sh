#!/usr/bin/env bash
# Sets up everything the collection needs on a fresh machine, idempotently:
#   - a Python venv (.venv) with every dependency pinned in requirements.txt
#   - pinned helm (v3 and v4) and kubectl binaries in .tools/bin (scripts/fetch-tools.sh)
#   - the collection linked as ansible_collections/appmod/agent_platform so that
#     ansible-playbook finds the work tree, never a stale installed copy.
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
stamp="${VENV}/.requirements.sha256"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ ! -x "${VENV}/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  log "Creating Python venv in .venv (pinned requirements.txt, about a minute)"
  "$PYTHON" -m venv "$VENV"
  "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1"
  "${VENV}/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q -r requirements.txt
  "${VENV}/bin/python" -m pip check
  echo "$want" > "$stamp"
else
  log "Python venv up to date"
fi

bash "${PROJECT_ROOT}/scripts/fetch-tools.sh"

# Collection lookup path: .collections/ansible_collections/appmod/agent_platform -> work tree
mkdir -p .collections/ansible_collections/appmod
ln -sfn ../../.. .collections/ansible_collections/appmod/agent_platform
log "Setup complete: helm $(helm version --short 2>/dev/null), kubectl $(kubectl version --client 2>/dev/null | head -1 | awk '{print $3}')"
