import pytest

from harness import run_playbook


@pytest.fixture
def playbook(chart_mirror_url):
    """playbook(name, inventory, extra_vars, env, check, args) -> harness.Run; upstream charts come from the
    offline chart mirror (the inventories' upstream repositories are unreachable here)."""
    def run(name, inventory="inventories/dev", extra_vars=None, env=None, check=False, args=()):
        # Offline tests: no private API server here (tests/cluster/test_server_validation.py has it judge renders).
        extra = {"agent_platform_chart_mirror_url": chart_mirror_url, "agent_platform_server_validation": False}
        extra.update(extra_vars or {})
        return run_playbook(name, inventory, extra, env, check, args)
    return run
