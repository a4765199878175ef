"""Each role README's variable table is the one generated from meta/argument_specs.yml."""
from __future__ import annotations

import pytest

from tools.docs import role_readme


@pytest.mark.parametrize("role", role_readme.roles())
def test_readme_table_is_generated(role):
    readme = role_readme.ROLES / role / "README.md"
    assert readme.exists(), f"{readme} missing: run python -m tools.docs.role_readme"
    assert readme.read_text() == role_readme.rendered(role), f"{readme} out of date: run python -m tools.docs.role_readme"
