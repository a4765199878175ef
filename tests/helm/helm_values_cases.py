"""Cases for comparing appmod.agent_platform.merge_values with real Helm.

Each case is a list of levels (lowest precedence first): level 1 is the probe chart's values.yaml,
levels 2..N are ``-f`` files in that order; ``None`` means the level is empty (absent in the batch files).
"""
from __future__ import annotations

import random

# fmt: off
EDGE_CASES = {
    "scalar_override": [{"a": 1}, {"a": 2}],
    "later_file_wins_over_six_levels": [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}, {"a": 5}, {"a": 6}],
    "deep_map_merge": [{"a": {"b": 1, "c": {"d": 1}}}, {"a": {"c": {"e": 2}}}, {"a": {"f": 3}}],
    "top_null_deletes_default": [{"a": 1, "b": 2}, {"a": None}],
    "nested_null_deletes_default": [{"a": {"b": 1, "c": 2}}, {"a": {"b": None}}],
    "top_null_for_key_chart_lacks_stays": [{"a": 1}, {"z": None}],
    "nested_null_for_key_chart_lacks_stays": [{"a": {"b": 1}}, {"a": {"z": None}}],
    "null_in_lower_file_then_value": [{"a": 1}, {"a": None}, {"a": 3}],
    "value_then_null_in_higher_file": [{"a": 1}, {"a": 2}, {"a": None}],
    "null_deletes_whole_map_default": [{"a": {"b": {"c": 1}}, "k": 1}, {"a": None}],
    "nested_null_deletes_map_default": [{"a": {"b": {"c": 1}, "d": 1}}, {"a": {"b": None}}],
    "empty_map_deletes_nothing": [{"a": {"b": 1}}, {"a": {}}],
    "chart_empty_map_kept": [{"a": {}}, {}],
    "user_empty_map_new_key": [{}, {"a": {}}],
    "false_zero_empty_string_are_values": [
        {"a": True, "b": 1, "c": "x", "d": {"e": True, "f": 3, "g": "y"}},
        {"a": False, "b": 0, "c": "", "d": {"e": False, "f": 0, "g": ""}},
    ],
    "list_replaces_list": [{"a": [1, 2, 3]}, {"a": [4]}],
    "empty_list_replaces_list": [{"a": [1]}, {"a": []}],
    "nulls_inside_lists_kept": [{"a": [None, 1], "x": {"l": [{"k": None}]}}, {"b": [None, {"c": None}]}],
    "list_replaces_map": [{"a": {"b": 1}}, {"a": [1]}],
    "map_replaces_list": [{"a": [1]}, {"a": {"b": None, "c": 1}}],
    "scalar_over_chart_map_top": [{"a": {"b": 1}}, {"a": "s"}],
    "scalar_over_chart_map_nested": [{"x": {"a": {"b": 1}, "k": 1}}, {"x": {"a": 5}}],
    "user_map_over_chart_scalar_top_keeps_nested_nulls": [{"a": 5}, {"a": {"b": None, "c": 1}}],
    "user_map_over_chart_scalar_nested_keeps_nulls": [{"x": {"a": 5}}, {"x": {"a": {"b": None, "c": {"d": None}}}}],
    "user_map_over_chart_null": [{"a": None, "x": {"b": None}}, {"a": {"c": None}, "x": {"b": {"d": None}}}],
    "user_map_over_chart_list": [{"a": [1, 2]}, {"a": {"b": None}}],
    "chart_null_default_kept_top": [{"a": None}, {}],
    "chart_null_default_kept_nested": [{"a": {"b": None}}, {"a": {"c": 1}}],
    "chart_null_default_overridden": [{"a": None, "x": {"b": None}}, {"a": 1, "x": {"b": 2}}],
    "null_over_null_default_top": [{"a": None, "k": 1}, {"a": None}],
    "null_over_null_default_nested": [{"x": {"a": None, "k": 1}}, {"x": {"a": None}}],
    "null_over_null_default_deep": [{"x": {"y": {"a": None, "b": 1}}}, {"x": {"y": {"a": None, "b": None}}}],
    "files_map_over_scalar_then_chart_fills": [{"a": {"b": 1}}, {"a": 5}, {"a": {"c": 1}}],
    "files_scalar_over_map": [{}, {"a": {"b": 1}}, {"a": 7}],
    "files_null_then_map_chart_fills": [{"a": {"b": 1, "c": 2}}, {"a": None}, {"a": {"c": 3}}],
    "files_map_then_null_deletes": [{"a": {"b": 1}}, {"a": {"c": 1}}, {"a": None}],
    "files_nested_null_then_map": [{"a": {"b": {"c": 1}}}, {"a": {"b": None}}, {"a": {"b": {"d": 2}}}],
    "type_change_int_to_string": [{"a": 1}, {"a": "1"}],
    "type_change_bool_to_list": [{"a": True}, {"a": [True]}],
    "type_change_string_to_bool": [{"a": "true"}, {"a": True}],
    "all_levels_none": [None, None, None],
    "only_chart_defaults": [{"a": {"b": None}, "c": [1], "d": {}}],
    "chart_none_user_values": [None, {"a": {"b": None}}, {"c": None}],
    "six_levels_cascade": [
        {"img": {"repo": "r", "tag": "1", "pull": "IfNotPresent"}, "replicas": 1, "res": {"cpu": "1", "mem": "1Gi"}},
        {"img": {"tag": "2"}, "extra": {"a": 1}},
        None,
        {"replicas": 3, "res": {"mem": None}, "extra": {"b": 2}},
        {},
        {"img": {"pull": None}, "extra": None, "replicas": 0},
    ],
    "three_levels_only": [{"a": {"b": 1}}, {"a": {"c": 2}}, {"a": {"b": None}}],
    "keys_with_dots_and_special_chars": [{"a.b": 1, "": {"x": 1}}, {"a.b": {"c": None}, "true": "t", "ü": "ü"}],
    "strings_that_look_like_other_types": [{"a": "null", "b": "yes", "c": "0x1F"}, {"d": "~", "e": "1e3", "f": "on"}],
    "unicode_and_html_chars": [{"a": "<b>&amp;</b>", "nl": "l1\nl2\t"}, {"b": "ünïcödé 😀"}],
    "float_values": [{"a": 2.5}, {"b": -0.125, "a": 0.5}],
    "deep_nesting": [
        {"a": {"b": {"c": {"d": {"e": {"f": 1, "g": 2}}}}}},
        {"a": {"b": {"c": {"d": {"e": {"f": None, "h": 3}}}}}},
    ],
    "top_key_deleted_then_readded": [{"a": 1}, {"a": None}, {}, {"a": 2}],
    "user_empty_map_over_chart_scalar": [{"a": 1}, {"a": {}}],
    "user_empty_map_over_chart_null": [{"a": None}, {"a": {}}],
    "user_scalar_over_chart_empty_map": [{"a": {}}, {"a": 1}],
    "null_deletes_list_default": [{"a": [1]}, {"a": None}],
    "nested_null_over_map_and_unknown_sibling": [{"x": {"a": {"b": 1}, "c": 1}}, {"x": {"a": None, "d": None}}],
    "user_map_replaces_null_then_chart_map_merges": [{"a": {"b": 1}}, {"a": None}, {"a": {"b": None}}],
    "all_user_levels_empty_maps": [{"a": 1}, {}, {}, {}, {}, {}],
}
# fmt: on

# Cases whose Helm 3.17 and Helm 4 results differ (nested null over a null chart default).
HELM_3_4_DIFFERENT = ("null_over_null_default_nested", "null_over_null_default_deep")

_KEYS = ("a", "b", "c", "d")
_RARE_KEYS = ("x.y", "true", "", "n")
_SCALARS = (0, 1, -7, 2.5, True, False, "", "s", "null", "yes", "ü<&>", " spaced ")


def _random_key(rng):
    return rng.choice(_RARE_KEYS) if rng.random() < 0.05 else rng.choice(_KEYS)


def _random_list(rng, depth):
    out = []
    for _ in range(rng.randint(0, 3)):
        roll = rng.random()
        if roll < 0.25:
            out.append(None)
        elif roll < 0.4 and depth < 4:
            out.append({_random_key(rng): rng.choice((None, 1, "x"))})
        else:
            out.append(rng.choice(_SCALARS))
    return out


def random_value(rng, depth):
    roll = rng.random()
    if depth < 4 and roll < 0.42:
        return random_map(rng, depth + 1)
    if roll < 0.50:
        return _random_list(rng, depth)
    if roll < 0.72:
        return None
    return rng.choice(_SCALARS)


def random_map(rng, depth=1):
    if rng.random() < 0.08:
        return {}
    return {_random_key(rng): random_value(rng, depth) for _ in range(rng.randint(1, 4))}


def random_case(seed):
    """Levels of one random case: 1..6 levels; a level is None, {} or a random nested mapping."""
    rng = random.Random(seed)
    levels = []
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        levels.append(None if roll < 0.08 else {} if roll < 0.14 else random_map(rng))
    return levels
