"""The agent-platform flag: every cell of the seed's decision matrix and every precedence level."""
import itertools

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.feature_flags import (
    FeatureFlagError, cluster_secret_label, resolve)

BOOT_OFF = {"agent-platform": {"enabled": False}}


@pytest.mark.parametrize("workshop_type,flag,deployed,unusual", [
    ("platform-engineering", False, False, False),
    ("platform-engineering", True, True, False),
    ("agent-platform", False, False, True),
    ("agent-platform", True, True, False),
])
def test_decision_matrix(workshop_type, flag, deployed, unusual):
    r = resolve(BOOT_OFF, None, {"workshop_type": workshop_type, "enable_agent_platform": flag}, {})
    assert r["workshop_type"] == workshop_type
    assert r["enabled"] is flag
    assert r["components_deployed"] is deployed
    assert bool(r["warnings"]) is unusual
    if unusual:
        assert "unusual" in r["warnings"][0] and "core platform only" in r["warnings"][0]
    assert cluster_secret_label(r["enabled"]) == ("true" if deployed else "false")


def test_default_is_off_decided_by_bootstrap():
    r = resolve(BOOT_OFF)
    assert r["enabled"] is False and r["workshop_type"] == "platform-engineering"
    assert r["decided_by"]["level"] == 1


# Each level set alone, and each higher level overriding every lower one.
LEVELS = {
    1: lambda v: dict(bootstrap_addons={"agent-platform": {"enabled": v}}),
    2: lambda v: dict(environment_addons={"agent-platform": {"enabled": v}}),
    3: lambda v: dict(infrastructure={"enable_agent_platform": v}),
    4: lambda v: dict(runtime={"ENABLE_AGENT_PLATFORM": "true" if v else "false"}),
}


def _merge(*parts):
    out = {"bootstrap_addons": BOOT_OFF}
    for p in parts:
        out.update(p)
    return out


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("value", [True, False])
def test_each_level_alone_decides(level, value):
    r = resolve(**_merge(LEVELS[level](value)))
    assert r["enabled"] is value
    assert r["decided_by"]["level"] == level


@pytest.mark.parametrize("low,high", [p for p in itertools.combinations([1, 2, 3, 4], 2)])
@pytest.mark.parametrize("value", [True, False])
def test_higher_level_wins(low, high, value):
    r = resolve(**_merge(LEVELS[low](not value), LEVELS[high](value)))
    assert r["enabled"] is value
    assert r["decided_by"]["level"] == high


def test_empty_runtime_variable_is_not_set():
    r = resolve(BOOT_OFF, None, {"enable_agent_platform": True}, {"ENABLE_AGENT_PLATFORM": "", "WORKSHOP_TYPE": ""})
    assert r["enabled"] is True and r["decided_by"]["level"] == 3


def test_workshop_type_precedence():
    r = resolve(BOOT_OFF, None, {"workshop_type": "platform-engineering"}, {"WORKSHOP_TYPE": "agent-platform"})
    assert r["workshop_type"] == "agent-platform"
    assert r["workshop_type_decided_by"]["variable"] == "WORKSHOP_TYPE"


@pytest.mark.parametrize("spelling,value", [("TRUE", True), ("yes", True), ("on", True), ("1", True),
                                            ("False", False), ("no", False), ("off", False), ("0", False)])
def test_boolean_spellings(spelling, value):
    assert resolve(BOOT_OFF, runtime={"ENABLE_AGENT_PLATFORM": spelling})["enabled"] is value


@pytest.mark.parametrize("kwargs,needles", [
    (dict(runtime={"ENABLE_AGENT_PLATFORM": "maybe"}), ["ENABLE_AGENT_PLATFORM", "'maybe'", "level 4", "boolean"]),
    (dict(runtime={"WORKSHOP_TYPE": "data-science"}), ["WORKSHOP_TYPE", "data-science", "level 4", "platform-engineering, agent-platform"]),
    (dict(infrastructure={"workshop_type": "agent_platform"}), ["workshop_type", "level 3"]),
    (dict(infrastructure={"enable_agent_platform": "sometimes"}), ["enable_agent_platform", "level 3"]),
    (dict(environment_addons={"agent-platform": {"enabled": "perhaps"}}), ["agent-platform.enabled", "level 2"]),
    (dict(environment_addons={"agent-platform": True}), ["level 2", "mapping"]),
    (dict(bootstrap_addons=["agent-platform"]), ["level 1", "mapping"]),
])
def test_bad_values_name_variable_and_level(kwargs, needles):
    args = {"bootstrap_addons": BOOT_OFF}
    args.update(kwargs)
    with pytest.raises(FeatureFlagError) as err:
        resolve(**args)
    for needle in needles:
        assert needle in str(err.value)


def test_bad_value_fails_even_when_overridden():
    # A typo at a lower level must not hide behind a higher level that happens to be set.
    with pytest.raises(FeatureFlagError, match="level 3"):
        resolve(BOOT_OFF, infrastructure={"enable_agent_platform": "maybe"}, runtime={"ENABLE_AGENT_PLATFORM": "true"})


def test_sources_named_in_errors():
    with pytest.raises(FeatureFlagError, match="file /x/addons.yaml"):
        resolve({"agent-platform": {"enabled": "nope"}}, sources={1: "file /x/addons.yaml"})


@pytest.mark.parametrize("wtype,expected", [("agent-platform", True), ("platform-engineering", False)])
def test_site_flag_follows_workshop_type(wtype, expected):
    r = resolve(BOOT_OFF, infrastructure={"workshop_type": wtype}, default_enabled="workshop_type")
    assert r["enabled"] is expected


def test_playbook_default_is_below_the_environment():
    r = resolve(BOOT_OFF, {"agent-platform": {"enabled": False}}, default_enabled=True)
    assert r["enabled"] is False and r["decided_by"]["level"] == 2
    r = resolve(BOOT_OFF, default_enabled=True)
    assert r["enabled"] is True and r["decided_by"]["name"] == "playbook default"
