#!/usr/bin/env bash
# The main job on the embedded local default (no AWS account): set everything up, start the local
# control plane (built from source on first use, cached after) and deploy the agent platform into it.
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"
bash scripts/setup.sh
bash scripts/local-cluster.sh up
bash scripts/argocd-local.sh up
ansible-playbook playbooks/agent-platform.yml -i inventories/local "$@"
