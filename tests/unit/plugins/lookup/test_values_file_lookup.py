"""values_file lookup and the filters inside a real ansible-playbook run (one subprocess, a few seconds)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLAYBOOK = r"""
- name: Exercise values_file and the values filters
  hosts: localhost
  gather_facts: false
  vars:
    vf: appmod.agent_platform.values_file
  tasks:
    - name: Read files and merge them
      ansible.builtin.set_fact:
        results:
          chart: "{{ lookup(vf, vdir ~ '/chart.yaml') }}"
          empty: "{{ lookup(vf, vdir ~ '/empty.yaml') }}"
          relative: "{{ lookup(vf, 'relative.yaml') }}"
          missing: "{{ lookup(vf, vdir ~ '/nope.yaml', missing_ok=true) }}"
          both: "{{ query(vf, vdir ~ '/chart.yaml', vdir ~ '/empty.yaml') }}"
          merged: "{{ [lookup(vf, vdir ~ '/chart.yaml'), none, lookup(vf, vdir ~ '/env.yaml')] | appmod.agent_platform.merge_values }}"
          merged3: "{{ [lookup(vf, vdir ~ '/chart.yaml'), none, lookup(vf, vdir ~ '/env.yaml')] | appmod.agent_platform.merge_values(helm_major=3) }}"
          provenance: "{{ [lookup(vf, vdir ~ '/chart.yaml'), {}, lookup(vf, vdir ~ '/env.yaml')] | appmod.agent_platform.values_provenance }}"
          user: "{{ [{}, lookup(vf, vdir ~ '/env.yaml')] | appmod.agent_platform.merge_user_values }}"

    - name: Write the results
      ansible.builtin.copy:
        content: "{{ results | to_json }}"
        dest: "{{ out }}/results.json"
        mode: "0644"

    - name: A file that is not YAML
      ansible.builtin.debug:
        msg: "{{ lookup(vf, vdir ~ '/bad.yaml', level='environment overrides') }}"
      register: bad_yaml
      ignore_errors: true

    - name: A file whose top level is a list
      ansible.builtin.debug:
        msg: "{{ lookup(vf, vdir ~ '/list.yaml', level=5) }}"
      register: list_top
      ignore_errors: true

    - name: A missing file
      ansible.builtin.debug:
        msg: "{{ lookup(vf, vdir ~ '/nope.yaml') }}"
      register: missing
      ignore_errors: true

    - name: A level that is not a mapping
      ansible.builtin.debug:
        msg: "{{ [{}, {}, {}, 'oops'] | appmod.agent_platform.merge_values }}"
      register: bad_level
      ignore_errors: true

    - name: Write the errors
      ansible.builtin.copy:
        content: "{{ {'bad_yaml': bad_yaml.msg, 'list_top': list_top.msg, 'missing': missing.msg, 'bad_level': bad_level.msg} | to_json }}"
        dest: "{{ out }}/errors.json"
        mode: "0644"
"""


@pytest.fixture(scope="module")
def playbook_run(project_root, tmp_path_factory):
    work = tmp_path_factory.mktemp("values_file")
    vdir = work / "values"
    (work / "files").mkdir()
    vdir.mkdir()
    (vdir / "chart.yaml").write_text("image:\n  tag: '1.0'\n  pull: IfNotPresent\nflag: on\nx:\n  k: null\n1: one\n")
    (vdir / "env.yaml").write_text("image:\n  pull: null\nx:\n  k: null\ndate: 2024-01-02\n")
    (vdir / "empty.yaml").write_text("")
    (vdir / "bad.yaml").write_text("a: 1\nb: [2\n")
    (vdir / "list.yaml").write_text("- a\n")
    (work / "files" / "relative.yaml").write_text("rel: true\n")
    (work / "playbook.yml").write_text(PLAYBOOK)
    env = dict(os.environ, ANSIBLE_CONFIG=str(project_root / "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=str(project_root / ".collections"), ANSIBLE_NOCOLOR="1")
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
           str(work / "playbook.yml"), "-e", "vdir=%s out=%s ansible_python_interpreter=%s" % (vdir, work, sys.executable)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=project_root, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return (json.loads((work / "results.json").read_text()), json.loads((work / "errors.json").read_text()), vdir)


def test_values_file_reads_mappings(playbook_run):
    results, _, _ = playbook_run
    assert results["chart"] == {"image": {"tag": "1.0", "pull": "IfNotPresent"}, "flag": True, "x": {"k": None},
                                "1": "one"}
    assert results["empty"] == {} and results["missing"] == {}
    assert results["relative"] == {"rel": True}
    assert results["both"] == [results["chart"], {}]


def test_filters_in_ansible(playbook_run):
    results, _, _ = playbook_run
    assert results["merged"] == {"1": "one", "date": "2024-01-02", "flag": True, "image": {"tag": "1.0"},
                                 "x": {"k": None}}
    assert results["merged3"]["x"] == {}
    assert results["provenance"] == {"1": 1, "date": 3, "flag": 1, "image.tag": 1, "x.k": 3}
    assert results["user"] == {"date": "2024-01-02", "image": {"pull": None}, "x": {"k": None}}


def test_values_file_errors(playbook_run):
    _, errors, vdir = playbook_run
    assert "%s/bad.yaml (level: environment overrides): not a valid YAML values file at line 3" % vdir in errors[
        "bad_yaml"]
    assert "%s/list.yaml (level: 5): the top level of a values file must be a mapping" % vdir in errors["list_top"]
    assert "got a list" in errors["list_top"]
    assert "%s/nope.yaml: no such values file" % vdir in errors["missing"]
    assert "level 4 (environment overrides) must be a mapping" in errors["bad_level"]
    assert "got a string" in errors["bad_level"]
