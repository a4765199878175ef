"""Every plugin's DOCUMENTATION, EXAMPLES and RETURN are YAML (ansible-doc and ansible-lint only warn otherwise)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
# A filter file that bundles several filters documents each in its own .yml (tested in test_helm_values_filters).
FILES = sorted(p for kind in ("modules", "filter", "lookup", "inventory", "callback") for p in (PLUGINS / kind).glob("*.py")
               if p.name != "__init__.py" and not (kind == "filter" and "DOCUMENTATION" not in p.read_text()))


def _doc_strings(path: Path) -> dict:
    tree = ast.parse(path.read_text())
    return {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
            if isinstance(t, ast.Name) and t.id in ("DOCUMENTATION", "EXAMPLES", "RETURN")
            and isinstance(n.value, ast.Constant)}


@pytest.mark.parametrize("path", FILES, ids=lambda p: "%s/%s" % (p.parent.name, p.name))
def test_plugin_docs_are_yaml(path):
    docs = _doc_strings(path)
    assert "DOCUMENTATION" in docs, path
    for name, text in docs.items():
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as err:
            pytest.fail("%s %s is not YAML: %s" % (path, name, err))
