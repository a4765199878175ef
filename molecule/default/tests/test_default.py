"""Platform-engineering workshop: nothing of the agent platform, flag label false."""
import cluster_state


def test_nothing_of_the_agent_platform():
    api = cluster_state.api()
    cluster_state.assert_off(api)
    assert "peeks-agent-platform" not in cluster_state.applications(api)
