"""appmod.agent_platform.helm_template_batch against kubernetes.core.helm_template, with the REAL Helm 3.17,
in one ansible-playbook run (in check mode, as a --check render runs it): every chart of gitops/charts and the
probe chart (which renders ``toJson .Values``) with values that YAML and JSON treat differently give
byte-identical manifests."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.helm

ROOT = Path(__file__).resolve().parents[2]
PROBE_CHART = Path(__file__).resolve().parent / "probe-chart"
TRICKY_VALUES = {
    "replicas": 2, "ratio": 0.5, "big": 2 ** 60, "on": "yes", "off": False, "mode": "0755", "empty": "",
    "none": None, "date": "2024-01-02", "float_string": "1e3",
    "nested": {"list": [1, "two", None, {"three": True}], "unicode": "ünïcödé ✓", "multi": "a\nb\n", "null": None},
    "quoted": "'single' \"double\" { braces } %s: x", "keys": {"1": "one", "true": "t"},
}

PLAYBOOK = r"""
- name: Both ways of running helm template
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Each release through kubernetes.core.helm_template
      kubernetes.core.helm_template:
        binary_path: "{{ helm }}"
        chart_ref: "{{ item.chart_ref }}"
        release_name: "{{ item.release_name }}"
        release_namespace: "{{ item.release_namespace }}"
        release_values: "{{ item.release_values }}"
      loop: "{{ releases }}"
      register: module
      check_mode: false

    - name: All releases through helm_template_batch
      appmod.agent_platform.helm_template_batch:
        binary_path: "{{ helm }}"
        releases: "{{ releases }}"
      register: batch

    - name: A chart Helm fails on, after a good one
      appmod.agent_platform.helm_template_batch:
        binary_path: "{{ helm }}"
        releases:
          - "{{ releases[0] }}"
          - chart_ref: "{{ out }}/no-such-chart"
            release_name: nope
      register: failing
      ignore_errors: true

    - name: Write what both returned
      ansible.builtin.copy:
        content: "{{ {'module': module.results | map(attribute='stdout') | list, 'batch': batch, 'failing': failing} | to_json }}"
        dest: "{{ out }}/results.json"
        mode: "0644"
      check_mode: false
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory, helm_bin):
    work = tmp_path_factory.mktemp("helm_template_batch")
    charts = sorted(p for p in (ROOT / "gitops" / "charts").iterdir() if (p / "Chart.yaml").is_file())
    releases = [{"chart_ref": str(c), "release_name": c.name, "release_namespace": c.name, "release_values": {}}
                for c in charts]
    releases.append({"chart_ref": str(PROBE_CHART), "release_name": "probe", "release_namespace": "probe-ns",
                     "release_values": TRICKY_VALUES})
    (work / "playbook.yml").write_text(PLAYBOOK)
    (work / "vars.json").write_text(json.dumps({"releases": releases, "helm": helm_bin(3), "out": str(work),
                                                "ansible_python_interpreter": sys.executable}))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"), ANSIBLE_NOCOLOR="1")
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", "--check",
           str(work / "playbook.yml"), "-e", "@%s" % (work / "vars.json")]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((work / "results.json").read_text()), releases, proc.stdout


def test_manifests_are_byte_identical_to_kubernetes_core_helm_template(run):
    results, releases, _ = run
    batch = results["batch"]["results"]
    assert [r["release_name"] for r in batch] == [r["release_name"] for r in releases]
    assert len(results["module"]) == len(releases) > 5
    for release, module_stdout, mine in zip(releases, results["module"], batch):
        assert mine["stdout"], release["release_name"]
        assert mine["stdout"] == module_stdout, release["release_name"]
        assert mine["rc"] == 0
    probe = batch[-1]
    assert " -n probe-ns -f=" in probe["command"] and probe["command"].split()[1:4] == ["template", "probe", str(PROBE_CHART)]


def test_runs_in_check_mode_and_reports_no_change(run):
    results, _, out = run
    assert results["batch"]["changed"] is False and not results["batch"].get("failed")
    assert re.search(r"All releases through helm_template_batch\] \*+\nok: \[localhost\]", out), out[-2000:]


def test_failure_names_the_release_and_keeps_what_rendered_before(run):
    results, releases, _ = run
    failing = results["failing"]
    assert failing["failed"] is True
    assert failing["msg"].startswith("helm_template_batch: helm template nope (chart %s/no-such-chart) failed, exit 1:"
                                     % Path(failing["command"].split()[3]).parent)
    assert failing["rc"] == 1 and "no-such-chart" in failing["stderr"]
    # the index of the release that failed (the manifests before it are not returned: long, and they hold values)
    assert failing["failed_index"] == 1 and "results" not in failing
