"""Bad input fails with an error naming the file, key or level, and changes nothing."""
import pytest

pytestmark = pytest.mark.helm

# id -> (ansible-playbook inputs, needles the error must contain); @BAD_YAML@/@LIST_YAML@ name files the test writes
CASES = {
    "unknown workshop type": (dict(env={"WORKSHOP_TYPE": "data-science"}), ["WORKSHOP_TYPE", "data-science", "level 4"]),
    "flag not a boolean": (dict(env={"ENABLE_AGENT_PLATFORM": "maybe"}), ["ENABLE_AGENT_PLATFORM", "maybe", "level 4", "not a boolean"]),
    "infra flag not a boolean": (dict(extra_vars={"enable_agent_platform": "sometimes"}), ["enable_agent_platform", "level 3"]),
    "values level is a list": (dict(extra_vars={"agent_platform_environment_values": "[1,2]"}), ["level 4", "environment overrides"]),
    "values level is a string": (dict(extra_vars={"agent_platform_cluster_values": "replicas=3"}), ["level 6", "cluster overrides"]),
    "unknown component": (dict(extra_vars={"agent_platform_cluster_values": '{"components":{"kagnet":{"enabled":true}}}'}), ["kagnet"]),
    "prefix not a DNS label": (dict(extra_vars={"agent_platform_resource_prefix": "Peeks_1"}), ["agent_platform_resource_prefix"]),
    "prefix too long": (dict(extra_vars={"agent_platform_resource_prefix": "a" * 40}), ["agent_platform_resource_prefix", "at most 30"]),
    "values level sets the flag": (dict(extra_vars={"agent_platform_tenant_values": '{"enabled":true}'}), ["agent_platform_tenant_values", "enabled"]),
    "bootstrap addons file not YAML": (dict(extra_vars={"feature_flags_bootstrap_addons_file": "@BAD_YAML@"}), ["bad.yaml"]),
    "bootstrap addons file not a mapping": (dict(extra_vars={"feature_flags_bootstrap_addons_file": "@LIST_YAML@"}), ["list.yaml"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(playbook, tmp_path, case):
    kwargs, needles = CASES[case]
    (tmp_path / "bad.yaml").write_text("agent-platform: [enabled: : false\n  - x")
    (tmp_path / "list.yaml").write_text("- agent-platform\n- enabled\n")
    extra = {k: str(v).replace("@BAD_YAML@", str(tmp_path / "bad.yaml")).replace("@LIST_YAML@", str(tmp_path / "list.yaml"))
             for k, v in kwargs.get("extra_vars", {}).items()}
    out_dir = tmp_path / "out"
    extra["render_dir"] = out_dir
    run = playbook("render.yml", extra_vars=extra, env=kwargs.get("env"))
    assert run.rc != 0, run.out[-2000:]
    for needle in needles:
        assert needle in run.out, "%r not in output:\n%s" % (needle, run.out[-2500:])
    assert not out_dir.exists(), "a failed run must change nothing"
