"""meta/argument_specs.yml of eks_bootstrap, aws_identity and infra_parameters mirror defaults/main.yml."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = Path(__file__).resolve().parents[3] / "roles"


@pytest.mark.parametrize("role", ["eks_bootstrap", "aws_identity", "infra_parameters"])
def test_argument_specs_mirror_defaults(role):
    defaults = yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text())
    options = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert set(defaults) == set(options)
    for name, spec in options.items():
        assert name.startswith(role + "_")
        assert spec.get("description"), name
        if spec.get("choices"):
            assert defaults[name] in spec["choices"], name
        if isinstance(defaults[name], str) and "{{" in defaults[name]:
            continue
        assert spec.get("default") == defaults[name], name
