"""Unit tests of plugins/plugin_utils/helm_values.py (pure Python; Helm itself is in tests/helm)."""
from __future__ import annotations

import copy
import datetime
import json
import random
import time

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_values as hv
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values import (
    DEFAULT_LEVEL_NAMES,
    HelmValuesError,
    helm_key,
    join_path,
    load_values_yaml,
    merge_user_values,
    merge_values,
    split_path,
    values_provenance,
)

# (name, levels, expected Helm 4 result, expected Helm 3 result or None when the same)
EXPECTED = [
    ("scalar_override", [{"a": 1}, {"a": 2}], {"a": 2}, None),
    ("deep_merge", [{"a": {"b": 1, "c": {"d": 1}}}, {"a": {"c": {"e": 2}}}],
     {"a": {"b": 1, "c": {"d": 1, "e": 2}}}, None),
    ("top_null_deletes", [{"a": 1, "b": 2}, {"a": None}], {"b": 2}, None),
    ("nested_null_deletes", [{"a": {"b": 1, "c": 2}}, {"a": {"b": None}}], {"a": {"c": 2}}, None),
    ("null_for_unknown_key_stays_top", [{"a": 1}, {"z": None}], {"a": 1, "z": None}, None),
    ("null_for_unknown_key_stays_nested", [{"a": {"b": 1}}, {"a": {"z": None}}], {"a": {"b": 1, "z": None}}, None),
    ("empty_map_deletes_nothing", [{"a": {"b": 1}}, {"a": {}}], {"a": {"b": 1}}, None),
    ("falsy_values_are_values", [{"a": True, "b": 1, "c": "x"}, {"a": False, "b": 0, "c": ""}],
     {"a": False, "b": 0, "c": ""}, None),
    ("list_replaces", [{"a": [1, 2]}, {"a": [3]}], {"a": [3]}, None),
    ("nulls_in_lists_kept", [{"a": [None]}, {"b": [None, {"c": None}]}], {"a": [None], "b": [None, {"c": None}]}, None),
    ("scalar_over_chart_map", [{"a": {"b": 1}}, {"a": 5}], {"a": 5}, None),
    ("map_over_chart_scalar_keeps_nulls", [{"a": 5}, {"a": {"b": None}}], {"a": {"b": None}}, None),
    ("map_over_chart_scalar_nested_keeps_nulls", [{"x": {"a": 5}}, {"x": {"a": {"b": None}}}],
     {"x": {"a": {"b": None}}}, None),
    ("chart_null_default_kept", [{"a": None, "x": {"b": None}}, {}], {"a": None, "x": {"b": None}}, None),
    ("null_over_null_top_deleted", [{"a": None}, {"a": None}], {}, None),
    ("null_over_null_nested", [{"x": {"a": None}}, {"x": {"a": None}}], {"x": {"a": None}}, {"x": {}}),
    ("files_map_over_scalar_then_chart_fills", [{"a": {"b": 1}}, {"a": 5}, {"a": {"c": 1}}],
     {"a": {"b": 1, "c": 1}}, None),
    ("files_null_then_map", [{"a": {"b": 1, "c": 2}}, {"a": None}, {"a": {"c": 3}}], {"a": {"b": 1, "c": 3}}, None),
    ("files_map_then_null", [{"a": {"b": 1}}, {"a": {"c": 1}}, {"a": None}], {}, None),
    ("none_levels", [None, None, {"a": 1}], {"a": 1}, None),
    ("no_levels", [], {}, None),
    ("only_chart", [{"a": {"b": None}}], {"a": {"b": None}}, None),
    ("type_change", [{"a": "1", "b": [1], "c": {"d": 1}}, {"a": 1, "b": {"x": 1}, "c": [1]}],
     {"a": 1, "b": {"x": 1}, "c": [1]}, None),
]


@pytest.mark.parametrize("levels,expected4,expected3", [c[1:] for c in EXPECTED], ids=[c[0] for c in EXPECTED])
def test_merge_values_edge_cases(levels, expected4, expected3):
    assert merge_values(levels) == expected4
    assert merge_values(levels, helm_major=4) == expected4
    assert merge_values(levels, helm_major=3) == (expected4 if expected3 is None else expected3)


def test_types_are_kept_strictly():
    result = merge_values([{"a": 1, "b": True}, {"a": False, "b": 0}])
    assert result["a"] is False and type(result["b"]) is int


def test_inputs_not_modified_and_result_not_aliased():
    levels = [{"a": {"b": [1, {"c": 2}], "d": None}}, {"a": {"d": None, "e": [3]}}, {"a": {"b": None}}]
    before = copy.deepcopy(levels)
    result = merge_values(levels)
    assert levels == before
    result["a"]["e"].append(4)
    assert levels[1]["a"]["e"] == [3]
    result = merge_values([{"l": [{"m": 1}]}])
    result["l"][0]["m"] = 2
    assert merge_values([{"l": [{"m": 1}]}]) == {"l": [{"m": 1}]}


def test_result_keys_sorted():
    assert list(merge_values([{"b": 1, "a": {"z": 1, "y": 2}}, {"c": 1}])) == ["a", "b", "c"]
    assert list(merge_values([{"b": 1, "a": {"z": 1, "y": 2}}])["a"]) == ["y", "z"]


def test_yaml_anchors_shared_objects_are_independent():
    shared = {"x": None}
    result = merge_values([{"a": shared, "b": shared}, {"a": {"x": None}}])
    assert result == {"a": {"x": None}, "b": {"x": None}}
    assert merge_values([{"a": shared, "b": shared}, {"a": {"x": None}}], helm_major=3) == {"a": {}, "b": {"x": None}}


# ---------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "bad,type_name",
    [([1, 2], "list"), ("text", "string"), (3, "integer"), (True, "boolean"), (1.5, "float"), ((1,), "list")],
)
@pytest.mark.parametrize("position", [1, 2, 4, 6])
def test_level_not_a_mapping_fails_with_level_number_name_and_types(bad, type_name, position):
    levels = [{}] * 6
    levels[position - 1] = bad
    with pytest.raises(HelmValuesError) as err:
        merge_values(levels)
    message = str(err.value)
    assert "level %d" % position in message
    assert DEFAULT_LEVEL_NAMES[position - 1] in message
    assert "got a %s" % type_name in message and "must be a mapping" in message


def test_error_uses_custom_names():
    with pytest.raises(HelmValuesError, match=r"level 2 \(site values\).*got a list"):
        values_provenance([{}, ["x"]], names=["chart", "site values"])


def test_error_in_first_level_and_in_provenance():
    with pytest.raises(HelmValuesError, match=r"values_provenance: level 1 \(component chart defaults\).*string"):
        values_provenance(["a: 1"])


@pytest.mark.parametrize(
    "kwargs,pattern",
    [
        ({"levels": {"a": 1}}, r"expected a list of levels.*got a mapping"),
        ({"levels": "a"}, r"expected a list of levels.*got a string"),
        ({"levels": [{}] * 7}, r"got 7 levels, at most 6"),
        ({"levels": [{}, {}], "names": ["only one"]}, r"2 levels but only 1 names"),
        ({"levels": [{}], "names": "chart"}, r"names must be a list of strings"),
        ({"levels": [{}], "helm_major": 2}, r"helm_major must be one of 3, 4"),
        ({"levels": [{}], "helm_major": True}, r"helm_major must be one of 3, 4"),
        ({"levels": [{}], "helm_major": 4.5}, r"helm_major must be one of 3, 4"),
    ],
)
def test_invalid_arguments(kwargs, pattern):
    with pytest.raises(HelmValuesError, match=pattern):
        merge_values(**kwargs)


def test_more_levels_with_names_and_helm_major_as_string():
    names = ["l%d" % n for n in range(1, 9)]
    assert merge_values([{"a": n} for n in range(8)], names=names, helm_major="3") == {"a": 7}


# ---------------------------------------------------------------------------------------------- keys
def test_non_string_keys_become_helm_strings():
    assert merge_values([{1: "a", 2.5: "c"}, {True: "b"}, {"1": "z", "x": {False: 1}}]) == {
        "1": "z", "2.5": "c", "true": "b", "x": {"false": 1}}
    assert merge_values([{"l": [{1: None}]}]) == {"l": [{"1": None}]}


@pytest.mark.parametrize("key,text", [
    (True, "true"), (False, "false"), (0, "0"), (-12, "-12"), (2.5, "2.5"), (0.1, "0.1"), (1e6, "1e+06"),
    (123456.0, "123456"), (1234567.0, "1.234567e+06"), (1e-5, "1e-05"), (float("inf"), ".inf"), ("k", "k"),
])
def test_helm_key(key, text):
    assert helm_key(key) == text


def test_unsupported_key_fails_clearly():
    with pytest.raises(HelmValuesError, match=r"level 3 \(bootstrap defaults\).*null key.*under key a"):
        merge_values([{}, {}, {"a": {None: 1}}])
    with pytest.raises(HelmValuesError, match=r"level 1 .*list key \(\(1, 2\)\) is not supported"):
        merge_values([{(1, 2): 1}])


def test_colliding_keys_fail_clearly():
    with pytest.raises(HelmValuesError, match=r"level 2 \(bridge chart defaults\): two keys become the same Helm key '1'"):
        merge_values([{}, {"1": "a", 1: "b"}])


# ---------------------------------------------------------------------------------------------- provenance
def test_provenance_basic():
    levels = [
        {"image": {"tag": "1", "pull": "IfNotPresent"}, "extra": {}, "gone": 1, "l": [1]},
        {"image": {"tag": "2"}},
        None,
        {"image": {"pull": "Always"}, "new": None, "gone": None},
    ]
    assert values_provenance(levels) == {"extra": 1, "image.pull": 4, "image.tag": 2, "l": 1, "new": 4}
    assert set(values_provenance(levels)) == {"extra", "image.pull", "image.tag", "l", "new"}


def test_provenance_follows_helm_semantics_not_last_writer():
    # level 2 set a.b, level 3 replaced the map with a scalar, level 4 a map again: a.b comes from the chart.
    levels = [{"a": {"b": 1}}, {"a": {"b": 2}}, {"a": 7}, {"a": {"c": 1}}]
    assert merge_values(levels) == {"a": {"b": 1, "c": 1}}
    assert values_provenance(levels) == {"a.b": 1, "a.c": 4}


def test_provenance_empty_maps_and_emptied_maps():
    levels = [{"a": {"x": 1}, "e": {}}, {"e": {}}, {"a": {"x": None}}]
    assert merge_values(levels) == {"a": {}, "e": {}}
    assert values_provenance(levels) == {"a": 3, "e": 2}


def test_provenance_escaping_and_split_path():
    levels = [{"a.b": {"c\\d": 1, "": 2}, "x": {"y.z": {}}}]
    prov = values_provenance(levels)
    assert prov == {"a\\.b.": 1, "a\\.b.c\\\\d": 1, "x.y\\.z": 1}
    assert split_path("a\\.b.c\\\\d") == ["a.b", "c\\d"]
    for keys in (["a.b", "c\\d"], ["", "."], ["\\."], ["plain"]):
        assert split_path(join_path(keys)) == keys


def test_provenance_paths_are_exactly_the_leaves():
    rng = random.Random(7)
    for _ in range(200):
        levels = [_rand_map(rng, 1) for _ in range(rng.randint(1, 6))]
        merged, prov = merge_values(levels), values_provenance(levels)
        assert sorted(prov) == sorted(_leaves(merged))
        for path, level in prov.items():
            assert 1 <= level <= len(levels)
            leaf = _get(merged, split_path(path))
            source = levels[level - 1]
            if not (isinstance(leaf, dict) and not leaf):  # a non-empty leaf must be present at that level
                assert _get(source, split_path(path)) == leaf, (levels, path)


def _leaves(node, prefix=()):
    out = []
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out += _leaves(value, prefix + (key,))
        else:
            out.append(join_path(prefix + (key,)))
    return out


def _get(node, keys):
    for key in keys:
        node = node[key]
    return node


# ---------------------------------------------------------------------------------------------- merge_user_values
def test_merge_user_values_keeps_nulls_and_merges_like_helm_files():
    assert merge_user_values([{"a": {"b": 1, "c": 2}}, {"a": {"b": None}, "d": None}, None, {"a": 5}]) == {
        "a": 5, "d": None}
    assert merge_user_values([{"a": {"b": 1}}, {"a": {"b": None, "c": {}}}]) == {"a": {"b": None, "c": {}}}
    assert merge_user_values([]) == {}


def test_merge_user_values_errors_number_from_level_2():
    with pytest.raises(HelmValuesError, match=r"merge_user_values: level 4 \(environment overrides\).*got a list"):
        merge_user_values([{}, {}, []])
    with pytest.raises(HelmValuesError, match=r"level 1 \(component chart defaults\)"):
        merge_user_values([[]], first_level=1)
    with pytest.raises(HelmValuesError, match=r"first_level"):
        merge_user_values([{}], first_level=0)
    with pytest.raises(HelmValuesError, match=r"at most 5"):
        merge_user_values([{}] * 6)


def _rand_value(rng, depth):
    roll = rng.random()
    if depth < 4 and roll < 0.4:
        return _rand_map(rng, depth + 1)
    if roll < 0.5:
        return [rng.choice([None, 1, "x"])]
    if roll < 0.72:
        return None
    return rng.choice([0, 1, "", "s", True, False, 2.5])


def _rand_map(rng, depth):
    return {rng.choice("abcd"): _rand_value(rng, depth) for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("major", [3, 4])
def test_property_merge_values_equals_coalesce_of_merge_user_values(major):
    rng = random.Random(major)
    for _ in range(2000):
        levels = [rng.choice([None, _rand_map(rng, 1)]) for _ in range(rng.randint(1, 6))]
        user = merge_user_values(levels[1:], names=["l"] * 5)
        assert merge_values([levels[0], user], names=["c", "u"], helm_major=major) == merge_values(
            levels, helm_major=major)


# ---------------------------------------------------------------------------------------------- performance
def test_six_levels_of_ten_thousand_keys_merge():
    # Performance is measured by bench/merge_values.py, never asserted here: the machines are shared.
    rng = random.Random(1)
    levels = []
    for level in range(6):
        values = {}
        for i in range(10000):
            group = "g%d" % (i % 100)
            values.setdefault(group, {})["k%d" % rng.randint(0, 400)] = rng.choice(
                [level, None, "s", [1, None], {"x": level}])
        levels.append(values)
    for func, args in ((merge_values, levels), (values_provenance, levels), (merge_user_values, levels[1:])):
        assert func(args)


# ---------------------------------------------------------------------------------------------- YAML loading
def test_load_values_yaml_resolves_scalars_like_helm():
    text = (
        "y: Y\nflags: [yes, No, on, OFF, n, true]\noct: 0755\noct2: 0o755\nhex: 0x1F\nbin: 0b101\nunder: 1_000\n"
        "exp: 1e3\nflt: 1.5\nint: -42\ndate: 2024-01-02\nts: 2001-12-14t21:59:43.10-05:00\nsexa: 190:20:30\n"
        "tilde: ~\nempty:\nstr: '0755'\n1: one\n2.5: two\nnested: {8: x, false: y}\nbig: 18446744073709551616\n"
        "word: yesterday\ndot: .\n"
    )
    data = load_values_yaml(text)
    assert data == {
        "true": True, "flags": [True, False, True, False, False, True], "oct": 493, "oct2": 493, "hex": 31,
        "bin": 5, "under": 1000, "exp": 1000.0, "flt": 1.5, "int": -42, "date": "2024-01-02",
        "ts": "2001-12-14t21:59:43.10-05:00", "sexa": "190:20:30", "tilde": None, "empty": None, "str": "0755",
        "1": "one", "2.5": "two", "nested": {"8": "x", "false": True}, "big": float(2**64), "word": "yesterday",
        "dot": ".",
    }
    assert not any(isinstance(v, (datetime.date, datetime.datetime)) for v in data.values())
    json.dumps(data)  # plain JSON-able values


def test_load_values_yaml_empty_and_null_documents():
    assert load_values_yaml("") == {}
    assert load_values_yaml("# only a comment\n") == {}
    assert load_values_yaml("~\n") == {}
    assert load_values_yaml("{}") == {}


def test_load_values_yaml_merge_keys_and_anchors():
    assert load_values_yaml("base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  b: 3\n") == {
        "base": {"a": 1, "b": 2}, "other": {"a": 1, "b": 3}}


@pytest.mark.parametrize("text,pattern", [
    ("a: [1\n", r"f\.yaml \(level: tenant overrides\): not a valid YAML values file at line 2"),
    ("a: 1\n b: 2\n", r"f\.yaml \(level: tenant overrides\): not a valid YAML values file at line 2, column 3"),
    ("- 1\n- 2\n", r"f\.yaml \(level: tenant overrides\): the top level of a values file must be a mapping.*got a list"),
    ("just text\n", r"must be a mapping.*got a string"),
    ("a: 1\n---\nb: 2\n", r"not a valid YAML values file.*"),
    ("1: a\n'1': b\n", r"not a valid YAML values file at line 2.*both become the Helm key '1'"),
])
def test_load_values_yaml_errors_name_file_level_and_line(text, pattern):
    with pytest.raises(HelmValuesError, match=pattern):
        load_values_yaml(text, source="f.yaml", level="tenant overrides")


def test_module_is_pure_python_without_ansible_imports():
    source = open(hv.__file__, encoding="utf-8").read()
    assert "import ansible" not in source and "from ansible" not in source
