"""merge_values / merge_user_values against REAL Helm 3.17 and Helm 4 (`helm template` of a probe chart).

The probe chart (tests/helm/probe-chart, no subcharts) renders ``toJson .Values`` (base64) into a ConfigMap.
Level 1 of a case is written as the chart's values.yaml, levels 2..N as ``-f`` files in order.

Batching: Helm merges ``-f`` files (mergeMaps) and coalesces them with the chart defaults (coalesceValues)
key by key at the top level, so cases are independent when each case's top-level keys get a unique fixed-width
prefix (``c0007:key``). One helm run then checks hundreds of cases with the case's own top-level keys still
at the top level (nesting a case under a key would move them to the nested rules, which differ for null).
A level that is ``None`` or ``{}`` contributes no key to the batch files. test_batching_is_sound re-runs a
sample unbatched and checks the results are identical.
"""
from __future__ import annotations

import base64
import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values import (
    load_values_yaml,
    merge_user_values,
    merge_values,
)
from helm_values_cases import EDGE_CASES, HELM_3_4_DIFFERENT, random_case

pytestmark = pytest.mark.helm

MAJORS = (3, 4)
PROBE_CHART = Path(__file__).resolve().parent / "probe-chart"
RANDOM_CASES = 320
RANDOM_SEEDS = [20261126 + i for i in range(RANDOM_CASES)]
PREFIX_WIDTH = len("c0000:")


def _numbers_as_helm(value):
    """Helm holds every number as a float64 and prints integral ones without a fraction."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _numbers_as_helm(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers_as_helm(item) for item in value]
    return value


def canonical(value):
    """Type-strict comparison form (True != 1), numbers as Helm prints them."""
    return json.dumps(_numbers_as_helm(value), sort_keys=True, ensure_ascii=False)


def _prefix(index):
    return "c%04d:" % index


class HelmRunner:
    def __init__(self, helm, workdir: Path):
        self.helm = helm
        self.workdir = workdir
        self.runs = 0
        self.seconds = 0.0
        self.env = dict(os.environ)
        for var in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
            self.env[var] = str(workdir / var.lower())

    def render(self, chart_values, files, file_texts=None):
        """Run helm template; chart_values/files are Python values written as JSON (None -> empty file), or
        file_texts = [chart_text, file2_text, ...] written verbatim (YAML)."""
        self.runs += 1
        run_dir = self.workdir / ("run%03d" % self.runs)
        chart = run_dir / "probe"
        shutil.copytree(PROBE_CHART, chart)
        texts = file_texts if file_texts is not None else [
            "" if value is None else json.dumps(value, ensure_ascii=False) for value in [chart_values, *files]
        ]
        (chart / "values.yaml").write_text(texts[0], encoding="utf-8")
        cmd = [self.helm, "template", "probe", str(chart)]
        for index, text in enumerate(texts[1:], start=2):
            path = run_dir / ("level%d.yaml" % index)
            path.write_text(text, encoding="utf-8")
            cmd += ["-f", str(path)]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=120, check=False)
        self.seconds += time.monotonic() - started
        assert proc.returncode == 0, "helm template failed (%s): %s" % (" ".join(cmd), proc.stderr[-2000:])
        docs = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
        assert len(docs) == 1 and docs[0]["kind"] == "ConfigMap", proc.stdout[:500]
        return json.loads(base64.b64decode(docs[0]["data"]["values.json.b64"]).decode("utf-8"))

    def render_batch(self, cases):
        """cases: list of level lists. Returns one result dict per case (in order)."""
        files = [{} for _ in range(max(len(levels) for levels in cases))]
        for index, levels in enumerate(cases):
            for position, level in enumerate(levels):
                for key, value in (level or {}).items():
                    files[position][_prefix(index) + key] = value
        return self._split(self.render(files[0], files[1:]), len(cases))

    def render_batch_user_values(self, cases):
        """Like render_batch, but levels 2..N of each case go through merge_user_values into ONE -f file."""
        chart, user = {}, {}
        for index, levels in enumerate(cases):
            for key, value in (levels[0] or {}).items():
                chart[_prefix(index) + key] = value
            for key, value in merge_user_values(levels[1:], names=["l%d" % n for n in range(2, 7)]).items():
                user[_prefix(index) + key] = value
        return self._split(self.render(chart, [user]), len(cases))

    @staticmethod
    def _split(result, count):
        out = [{} for _ in range(count)]
        for key, value in result.items():
            prefix = key[:PREFIX_WIDTH]
            # Nothing but our prefixed keys may appear at the top of .Values (no Helm keys leak in).
            assert prefix.startswith("c") and prefix.endswith(":") and prefix[1:-1].isdigit(), key
            index = int(prefix[1:-1])
            assert index < count, key
            out[index][key[PREFIX_WIDTH:]] = value
        return out


@pytest.fixture(scope="module")
def helm_results(helm_bin, tmp_path_factory):
    """Per Helm major: batched results of the edge cases, the random cases and the merge_user_values runs."""
    results = {}
    for major in MAJORS:
        runner = HelmRunner(helm_bin(major), tmp_path_factory.mktemp("helm%d" % major))
        edge = list(EDGE_CASES.values())
        rand = [random_case(seed) for seed in RANDOM_SEEDS]
        results[major] = {
            "runner": runner,
            "edge": dict(zip(EDGE_CASES, runner.render_batch(edge))),
            "random": runner.render_batch(rand),
            "user_values": runner.render_batch_user_values(edge + rand),
        }
    return results


def _expected(levels, major):
    return merge_values(levels, names=["l%d" % n for n in range(1, 7)], helm_major=major)


@pytest.mark.parametrize("major", MAJORS, ids=["helm3", "helm4"])
@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_case_matches_helm(helm_results, major, name):
    helm = helm_results[major]["edge"][name]
    ours = _expected(EDGE_CASES[name], major)
    assert canonical(ours) == canonical(helm), "%s (helm %d)\nlevels: %s" % (name, major, EDGE_CASES[name])


def test_edge_case_count():
    assert len(EDGE_CASES) >= 40


@pytest.mark.parametrize("major", MAJORS, ids=["helm3", "helm4"])
def test_random_cases_match_helm(helm_results, major):
    results = helm_results[major]["random"]
    assert len(results) == len(RANDOM_SEEDS) >= 300
    mismatches = []
    for seed, helm in zip(RANDOM_SEEDS, results):
        levels = random_case(seed)
        ours = _expected(levels, major)
        if canonical(ours) != canonical(helm):
            mismatches.append("seed %d\n  levels: %s\n  ours:   %s\n  helm:   %s" % (
                seed, canonical(levels), canonical(ours), canonical(helm)))
    assert not mismatches, "%d/%d random cases differ from helm %d:\n%s" % (
        len(mismatches), len(results), major, "\n".join(mismatches[:5]))


@pytest.mark.parametrize("major", MAJORS, ids=["helm3", "helm4"])
def test_merge_user_values_as_one_file_matches_helm(helm_results, major):
    """merge_values([chart] + L) == helm(chart, -f merge_user_values(L)) == helm(chart, -f L2 ... -f LN)."""
    cases = list(EDGE_CASES.items()) + [("seed %d" % s, random_case(s)) for s in RANDOM_SEEDS]
    multi_file = list(helm_results[major]["edge"].values()) + helm_results[major]["random"]
    one_file = helm_results[major]["user_values"]
    mismatches = [
        name for (name, levels), helm_one, helm_multi in zip(cases, one_file, multi_file)
        if not canonical(_expected(levels, major)) == canonical(helm_one) == canonical(helm_multi)
    ]
    assert not mismatches, "helm %d differs with merge_user_values as one -f file: %s" % (major, mismatches[:10])


@pytest.mark.parametrize("major", MAJORS, ids=["helm3", "helm4"])
def test_batching_is_sound(helm_results, major):
    """A sample of cases rendered alone (None levels as empty files) gives the batched result."""
    runner = helm_results[major]["runner"]
    names = [
        "top_null_deletes_default", "null_over_null_default_top", "null_over_null_default_nested",
        "top_key_deleted_then_readded", "chart_null_default_kept_top", "all_levels_none",
        "user_map_over_chart_scalar_top_keeps_nested_nulls", "six_levels_cascade",
    ]
    sample = [(name, EDGE_CASES[name], helm_results[major]["edge"][name]) for name in names]
    for index in random.Random(major).sample(range(len(RANDOM_SEEDS)), 4):
        seed = RANDOM_SEEDS[index]
        sample.append(("seed %d" % seed, random_case(seed), helm_results[major]["random"][index]))
    for name, levels, batched in sample:
        alone = runner.render(levels[0], levels[1:])
        assert canonical(alone) == canonical(batched), "batching changed the result of %s (helm %d)" % (name, major)
        assert canonical(alone) == canonical(_expected(levels, major)), name


def test_helm3_and_helm4_differ_only_where_documented(helm_results):
    for name in EDGE_CASES:
        differs = canonical(helm_results[3]["edge"][name]) != canonical(helm_results[4]["edge"][name])
        assert differs == (name in HELM_3_4_DIFFERENT), name
    assert helm_results[3]["edge"]["null_over_null_default_nested"] == {"x": {"k": 1}}
    assert helm_results[4]["edge"]["null_over_null_default_nested"] == {"x": {"a": None, "k": 1}}
    # In the random cases every Helm 3/4 difference is one merge_values(helm_major=...) reproduces.
    for seed, helm3, helm4 in zip(RANDOM_SEEDS, helm_results[3]["random"], helm_results[4]["random"]):
        levels = random_case(seed)
        assert (canonical(helm3) != canonical(helm4)) == (
            canonical(_expected(levels, 3)) != canonical(_expected(levels, 4))
        ), seed


YAML_LEVELS = [
    # level 1: chart values.yaml with YAML 1.1 scalars Helm (go-yaml v2) resolves its own way
    "image:\n  tag: 1.10\n  pullPolicy: IfNotPresent\nflags: {y: 1, on: 2, 7: seven}\n"
    "mode: 0755\ncreated: 2024-01-02\nratio: 1e3\nempty:\nlist: [yes, No, ~, 0x1F, 1_000]\n"
    "yval: y\nnval: N\nword: yesterday\noct2: 0o755\nbin: 0b101\nsexa: 190:20:30\nts: 2001-12-14t21:59:43.10-05:00\n"
    "dot: .\n8: x\n2.5: f\nkeys: {on: 1, n: 2}\nneg: -0x10\nlead: 08\nplus: +5\n",
    # level 2: empty file
    "",
    # level 3: only a comment and a null document
    "# nothing here\n~\n",
    # level 4
    "image:\n  tag: '1.11'\nflags: null\nextra: &anchor {a: null, b: off}\nagain: *anchor\n",
    # level 5
    "image: {pullPolicy: ~}\nmode: 0o644\n",
    # level 6
    "list: []\ncreated: !!str 2025-05-05\n",
]


@pytest.mark.parametrize("major", MAJORS, ids=["helm3", "helm4"])
def test_yaml_files_read_with_values_file_loader_match_helm(helm_bin, tmp_path, major):
    runner = HelmRunner(helm_bin(major), tmp_path)
    helm = runner.render(None, None, file_texts=YAML_LEVELS)
    levels = [load_values_yaml(text, source="level%d.yaml" % n) for n, text in enumerate(YAML_LEVELS, start=1)]
    assert canonical(merge_values(levels, helm_major=major)) == canonical(helm)
    assert "flags" not in helm  # deleted by level 4's null
    assert helm["mode"] == 420 and helm["created"] == "2025-05-05" and helm["ratio"] == 1000
    assert helm["yval"] is True and helm["nval"] is False and helm["keys"] == {"true": 1, "false": 2}
