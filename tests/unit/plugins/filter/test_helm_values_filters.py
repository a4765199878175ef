"""The filter plugin file is a thin wrapper: names, AnsibleFilterError, documentation (ansible-doc)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.filter.helm_values import FilterModule

FILTERS = ("merge_values", "values_provenance", "merge_user_values")


@pytest.fixture(scope="module")
def filters():
    return FilterModule().filters()


def test_filter_names(filters):
    assert sorted(filters) == sorted(FILTERS + ("values_blame",))


def test_values_blame_filter(filters, project_root):
    levels = [{"controller": {"replicas": 1}}, {"controller": {"replicas": 3}}]
    assert filters["values_blame"]("controller.replicas cannot be 3", levels) == [("controller.replicas", 2, 3)]
    doc = yaml.safe_load((project_root / "plugins" / "filter" / "values_blame.yml").read_text())
    assert doc["DOCUMENTATION"]["name"] == "values_blame" and "appmod.agent_platform.values_blame" in doc["EXAMPLES"]


def test_filters_compute(filters):
    levels = [{"a": {"b": 1, "c": None}}, {"a": {"b": None}}, {"a": {"c": None, "d": 2}}]
    assert filters["merge_values"](levels) == {"a": {"c": None, "d": 2}}
    assert filters["merge_values"](levels, helm_major=3) == {"a": {"d": 2}}
    assert filters["values_provenance"](levels) == {"a.c": 3, "a.d": 3}
    assert filters["merge_user_values"](levels[1:]) == {"a": {"b": None, "c": None, "d": 2}}


@pytest.mark.parametrize("name", FILTERS)
def test_filter_errors_are_ansible_filter_errors_naming_the_level(filters, name):
    with pytest.raises(AnsibleFilterError, match=r"level 3 \(bootstrap defaults\) must be a mapping.*got a list"):
        if name == "merge_user_values":
            filters[name]([{}, ["x"]])
        else:
            filters[name]([{}, {}, ["x"]])
    with pytest.raises(AnsibleFilterError, match=r"level 2 \(my level\).*got a string"):
        filters[name](["x"] if name == "merge_user_values" else [{}, "x"], names=["my level"] * 2
                      if name != "merge_user_values" else ["my level"])


@pytest.mark.parametrize("name", FILTERS)
def test_doc_file_per_filter(project_root, name):
    doc = yaml.safe_load((project_root / "plugins" / "filter" / ("%s.yml" % name)).read_text())
    assert doc["DOCUMENTATION"]["name"] == name
    assert doc["DOCUMENTATION"]["options"]["_input"]["required"] is True
    assert "appmod.agent_platform.%s" % name in doc["EXAMPLES"]
    assert doc["RETURN"]["_value"]["type"] == "dict"


def _ansible_doc(project_root, plugin_type, names):
    env = dict(os.environ, ANSIBLE_CONFIG=str(project_root / "ansible.cfg"))
    cmd = [str(Path(sys.executable).parent / "ansible-doc"), "-t", plugin_type, "--json"]
    cmd += ["appmod.agent_platform.%s" % name for name in names]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=project_root, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_ansible_doc_renders_filters_and_lookup(project_root):
    docs = _ansible_doc(project_root, "filter", FILTERS)
    for name in FILTERS:
        entry = docs["appmod.agent_platform.%s" % name]
        assert entry["doc"]["name"] == name and entry["examples"] and entry["return"]
    assert docs["appmod.agent_platform.merge_values"]["doc"]["options"]["helm_major"]["default"] == 4
    lookup = _ansible_doc(project_root, "lookup", ["values_file"])["appmod.agent_platform.values_file"]
    assert lookup["doc"]["options"]["missing_ok"]["default"] is False and lookup["examples"] and lookup["return"]
