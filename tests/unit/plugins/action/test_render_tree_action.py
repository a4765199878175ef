"""The render_tree action inside a real ansible-playbook run (one subprocess, a few seconds): changed status,
check mode, --diff output, errors; and ansible-doc of the two controller-side actions."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLAYBOOK = r"""
- name: Exercise render_tree
  hosts: localhost
  gather_facts: false
  vars:
    tree:
      flag.yaml: "enabled: true\n"
      components/a/manifests.yaml: "kind: ConfigMap\n"
  tasks:
    - name: First write
      appmod.agent_platform.render_tree:
        root: "{{ out }}/tree"
        files: "{{ tree }}"
        prune: [components]
      register: first

    - name: Second write, nothing to do
      appmod.agent_platform.render_tree:
        root: "{{ out }}/tree"
        files: "{{ tree }}"
        prune: [components]
      register: second

    - name: A change in check mode with diff
      appmod.agent_platform.render_tree:
        root: "{{ out }}/tree"
        files: "{{ tree | combine({'flag.yaml': 'enabled: false\n'}) }}"
        prune: [components]
      check_mode: true
      diff: true
      register: checked

    - name: A path that leaves the root
      appmod.agent_platform.render_tree:
        root: "{{ out }}/tree"
        files: {"../escape.yaml": "x\n"}
      register: escape
      ignore_errors: true

    - name: Write the results
      ansible.builtin.copy:
        content: "{{ {'first': first, 'second': second, 'checked': checked, 'escape': escape} | to_json }}"
        dest: "{{ out }}/results.json"
        mode: "0644"
"""


def _env(project_root):
    return dict(os.environ, ANSIBLE_CONFIG=str(project_root / "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=str(project_root / ".collections"), ANSIBLE_NOCOLOR="1")


@pytest.fixture(scope="module")
def run(project_root, tmp_path_factory):
    work = tmp_path_factory.mktemp("render_tree")
    (work / "playbook.yml").write_text(PLAYBOOK)
    (work / "tree" / "components" / "stale").mkdir(parents=True)
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
           str(work / "playbook.yml"), "-e", "out=%s ansible_python_interpreter=%s" % (work, sys.executable)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=project_root, env=_env(project_root), timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((work / "results.json").read_text()), work, proc.stdout


def test_first_run_writes_and_prunes_then_nothing_changes(run):
    results, work, _ = run
    root = str(work / "tree")
    first = results["first"]
    assert first["changed"] is True and first["root"] == root
    assert first["written"] == [root + "/components/a/manifests.yaml", root + "/flag.yaml"]
    assert first["deleted"] == [root + "/components/stale"]
    assert first["directories"] == [root + "/components/a"]
    assert "diff" not in first
    second = results["second"]
    assert second["changed"] is False and second["written"] == second["deleted"] == second["directories"] == []


def test_check_mode_reports_the_change_with_a_diff_and_writes_nothing(run):
    results, work, out = run
    checked = results["checked"]
    flag = str(work / "tree" / "flag.yaml")
    assert checked["changed"] is True and checked["written"] == [flag]
    assert checked["diff"] == [{"before_header": flag, "after_header": flag,
                                "before": "enabled: true\n", "after": "enabled: false\n"}]
    assert (work / "tree" / "flag.yaml").read_text() == "enabled: true\n"
    assert "--- before: %s\n+++ after: %s\n" % (flag, flag) in out and "-enabled: true\n+enabled: false\n" in out


def test_a_bad_path_fails_with_a_message_naming_it(run):
    results, work, _ = run
    assert results["escape"]["failed"] is True
    assert "render_tree: file '../escape.yaml'" in results["escape"]["msg"]
    assert not (work / "escape.yaml").exists()


def test_ansible_doc_renders_both_actions(project_root):
    cmd = [str(Path(sys.executable).parent / "ansible-doc"), "-t", "module", "--json",
           "appmod.agent_platform.render_tree", "appmod.agent_platform.helm_template_batch"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=project_root, env=_env(project_root), timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    tree = docs["appmod.agent_platform.render_tree"]
    assert set(tree["doc"]["options"]) == {"root", "files", "prune"} and tree["examples"] and tree["return"]
    batch = docs["appmod.agent_platform.helm_template_batch"]
    assert set(batch["doc"]["options"]["releases"]["suboptions"]) == {
        "chart_ref", "release_name", "release_namespace", "release_values", "include_crds"}
    assert batch["examples"] and batch["return"]["results"]
