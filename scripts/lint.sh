#!/usr/bin/env bash
# Static checks: yamllint, ansible-lint (production profile), helm lint of every chart
# on Helm 3 and Helm 4, and a build of the collection artefact.
source "$(dirname "$0")/lib.sh"
cd "$PROJECT_ROOT"
log "yamllint"
yamllint -s .
log "ansible-lint --profile production"
# ansible-lint puts ~/.ansible/collections before the work tree: a copy of this collection installed there
# (molecule's prerun did, before it was turned off) is an older commit and would shadow the work tree.
rm -rf "${ANSIBLE_HOME:-$HOME/.ansible}/collections/ansible_collections/appmod/agent_platform"
ansible-lint --offline -q --profile production
for chart in gitops/charts/*/; do
  for h in helm3 helm4; do
    "$h" lint --strict --quiet "$chart" >/dev/null || die "$h lint failed for $chart"
  done
done
log "helm lint (v3 and v4) clean for $(ls -d gitops/charts/*/ 2>/dev/null | wc -l) charts"
log "antsibull-changelog lint"
antsibull-changelog lint
log "ansible-galaxy collection build"
out="$(mktemp -d)"
ansible-galaxy collection build --force --output-path "$out" . >/dev/null
ls "$out"/*.tar.gz >/dev/null && rm -rf "$out"
