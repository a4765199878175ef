"""Agent-platform workshop: the parent Application and every component, field by field."""
import cluster_state


def test_every_component_application_and_workload():
    cluster_state.assert_on(cluster_state.api())
