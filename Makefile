# The two commands a user needs (see README.md):
#   make local  - set everything up, start the embedded local cluster, deploy the agent platform
#   make test   - set everything up and run every test (what CI runs)
.PHONY: setup local test lint render cluster-up cluster-down smoke clean
setup:
	bash scripts/setup.sh
local:
	bash scripts/run-local.sh
test:
	bash scripts/test.sh
lint: setup
	bash scripts/lint.sh
render: setup
	.venv/bin/python -m tools.localstack mirror up
	.venv/bin/ansible-playbook playbooks/render.yml -i inventories/local -e enable_agent_platform=true
cluster-up:
	bash scripts/local-cluster.sh up
# Everything `make local` and `make test` leave running: Argo CD, the control plane, the chart mirror.
cluster-down:
	bash scripts/argocd-local.sh down
	bash scripts/local-cluster.sh down
	if [ -x .venv/bin/python ]; then .venv/bin/python -m tools.localstack mirror down; fi
# Also what runs wrote: out/ (renders, event status, CI logs) and the render spool (the render cache). The
# built binaries and the chart cache stay (rebuilding them takes minutes).
clean: cluster-down
	rm -rf out "$${APPMOD_CACHE_DIR:-$$HOME/.cache/appmod-agent-platform}/rendered"
smoke:
	bash scripts/smoke.sh
