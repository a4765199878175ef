# The two commands a user needs (see README.md):
#   make local  - set everything up, start the embedded local cluster, deploy the agent platform
#   make test   - set everything up and run every test (what CI runs)
.PHONY: setup local test lint render cluster-up cluster-down clean
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
cluster-down:
	bash scripts/local-cluster.sh down
smoke:
	bash scripts/smoke.sh
