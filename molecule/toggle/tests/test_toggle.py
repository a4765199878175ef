"""on -> off -> on: after off nothing of the agent platform remains; on again restores it all."""
import os

import cluster_state


def test_state_matches_the_step():
    expect = os.environ.get("EXPECT_AGENT_PLATFORM", "on")
    api = cluster_state.api()
    if expect == "off":
        cluster_state.assert_off(api)
        # The CRDs stay on purpose (deleting them deletes every Agent): README, "Removing the CRDs".
        ext = cluster_state.client.ApiextensionsV1Api(api)
        names = [c.metadata.name for c in ext.list_custom_resource_definition().items]
        assert "agents.kagent.dev" in names
    else:
        cluster_state.assert_on(api)
