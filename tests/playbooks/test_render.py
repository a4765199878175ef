"""playbooks/render.yml works on a fresh machine with no cluster and no AWS account."""
import pytest
import yaml

from harness import ROOT

pytestmark = pytest.mark.helm

COMPONENTS = [c["name"] for c in yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())["components"]]


def test_render_dev_writes_everything_and_is_idempotent(playbook, tmp_path):
    first = playbook("render.yml", extra_vars={"render_dir": tmp_path})
    assert first.rc == 0, first.out[-3000:]
    out = tmp_path / "peeks-dev"
    apps = sorted(p.name for p in (out / "applications").iterdir())
    assert apps == sorted(["cluster-secret.yaml", "peeks-agent-platform.yaml"]
                          + ["peeks-agent-platform-%s.yaml" % c for c in COMPONENTS])
    flag = yaml.safe_load((out / "flag.yaml").read_text())
    assert flag["enabled"] is True and flag["workshop_type"] == "agent-platform"
    secret = yaml.safe_load((out / "applications/cluster-secret.yaml").read_text())
    assert secret["metadata"]["labels"]["enable_agent_platform"] == "true"
    assert secret["metadata"]["annotations"]["resource_prefix"] == "peeks"
    for c in COMPONENTS:
        manifests = [d for d in yaml.safe_load_all((out / "components" / c / "manifests.yaml").read_text()) if d]
        assert manifests, c
        values = yaml.safe_load((out / "components" / c / "values.yaml").read_text())
        glue = [r for r in values.values() if r["values_from"].endswith((".glue", "litellm.config", "agentCore.config"))]
        assert all(r["values"]["global"]["resourcePrefix"] == "peeks" for r in glue), c
    kagent = yaml.safe_load((out / "components/kagent/values.yaml").read_text())["kagent"]
    # "why is replicas 1 in dev?" -> level 4, the environment overrides
    assert kagent["chart"] == "kagent 0.9.9" and kagent["values_from"] == "components.kagent.config"
    assert kagent["values"]["controller"]["replicas"] == 1
    assert kagent["provenance"]["controller.replicas"] == 4
    assert kagent["provenance"]["controller.resources.limits.memory"] == 3
    assert kagent["provenance"]["providers.default"] == 2
    assert kagent["provenance"]["controller.image.repository"] == 1
    second = playbook("render.yml", extra_vars={"render_dir": tmp_path})
    assert second.rc == 0 and second.changed == 0, second.out[-3000:]


def test_render_prod_and_flag_off_prunes_output(playbook, tmp_path):
    run = playbook("render.yml", inventory="inventories/prod", extra_vars={"render_dir": tmp_path})
    assert run.rc == 0, run.out[-3000:]
    out = tmp_path / "peeks-prod"
    assert not (out / "applications/peeks-agent-platform-agent-core.yaml").exists()
    kagent = yaml.safe_load((out / "applications/peeks-agent-platform-kagent.yaml").read_text())
    vo = kagent["spec"]["sources"][0]["helm"]["valuesObject"]
    assert vo["controller"]["replicas"] == 3 and vo["database"]["postgres"]["urlFile"] == "/etc/kagent/database/url"
    assert kagent["spec"]["sources"][1]["helm"]["valuesObject"]["database"]["externalSecret"]["enabled"] is True
    off = playbook("render.yml", inventory="inventories/prod", extra_vars={"render_dir": tmp_path},
                   env={"ENABLE_AGENT_PLATFORM": "false"})
    assert off.rc == 0, off.out[-3000:]
    assert sorted(p.name for p in (out / "applications").iterdir()) == ["cluster-secret.yaml", "peeks-agent-platform.yaml"]
    assert list((out / "components").iterdir()) == []
    assert yaml.safe_load((out / "applications/cluster-secret.yaml").read_text())["metadata"]["labels"][
        "enable_agent_platform"] == "false"


def test_render_check_mode_writes_nothing(playbook, tmp_path):
    run = playbook("render.yml", extra_vars={"render_dir": tmp_path / "x"}, check=True)
    assert run.rc == 0, run.out[-3000:]
    assert not (tmp_path / "x" / "peeks-dev" / "applications" / "peeks-agent-platform-kagent.yaml").exists()
