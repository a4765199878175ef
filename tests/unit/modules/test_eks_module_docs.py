"""DOCUMENTATION / EXAMPLES / RETURN of the EKS and IAM OIDC modules parse and match their argument specs."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

MODULES = Path(__file__).resolve().parents[3] / "plugins" / "modules"
NAMES = ["iam_oidc_provider", "eks_cluster_info", "eks_cluster_endpoint_access", "eks_addon", "eks_pod_identity_association",
         "workshop_aws_leftovers"]


def _constants(path: Path) -> dict:
    tree = ast.parse(path.read_text())
    return {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
            for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}


def _argument_spec_keys(path: Path) -> set:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "argument_spec" for t in node.targets):
            return {kw.arg for kw in node.value.keywords}
    raise AssertionError(f"no argument_spec in {path}")


@pytest.mark.parametrize("name", NAMES)
def test_docs_parse_and_match_argument_spec(name):
    path = MODULES / f"{name}.py"
    consts = _constants(path)
    doc = yaml.safe_load(consts["DOCUMENTATION"])
    assert doc["module"] == name
    assert yaml.safe_load(consts["EXAMPLES"])
    assert yaml.safe_load(consts["RETURN"])
    assert set(doc["options"]) == _argument_spec_keys(path)
    assert "supports_check_mode=True" in path.read_text()
    for example in yaml.safe_load(consts["EXAMPLES"]):
        module_keys = [k for k in example if k.startswith("appmod.agent_platform.")]
        if module_keys:
            assert module_keys == [f"appmod.agent_platform.{name}"]
            assert set(example[module_keys[0]]) <= set(doc["options"]) | {"region", "endpoint_url"}
