# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The six-level Helm values merge, exactly as Helm computes ``.Values``.

Pure Python (PyYAML only, for :func:`load_values_yaml`), importable by plain pytest as
``ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_values``. The filter plugins in
``plugins/filter/helm_values.py`` and the lookup ``plugins/lookup/values_file.py`` are thin wrappers.

How Helm builds ``.Values`` for ``helm template CHART -f f2 -f f3 ...`` (chart without subcharts),
mirrored here step by step:

1. ``pkg/cli/values/options.go`` ``MergeValues``: every ``-f`` file is parsed (sigs.k8s.io/yaml, so keys are
   strings) and folded with ``mergeMaps(base, file)``: later file wins; a map over a map merges deeply;
   anything else (a map over a scalar, a scalar or list over a map, ``null``) replaces; ``null`` is KEPT.
   -> :func:`merge_user_values`.
2. ``CoalesceValues(chart, userValues)`` (Helm 3: ``pkg/chartutil/coalesce.go``; Helm 4:
   ``pkg/chart/common/util/coalesce.go``) merges the chart's ``values.yaml`` under the user values:

   * top level (``coalesceValues``), for every key of the chart defaults: user ``null`` deletes the key
     (even when the default is ``null`` too); user map + chart map -> ``coalesceTablesFullKey``; user map over
     a chart non-map -> the user map is kept AS IS (its nested ``null`` s are not removed: nothing is
     coalesced below it); any other user value wins; a key the user lacks is copied from the chart
     (chart ``null`` defaults included). User keys the chart lacks are kept as they are, nested ``null``
     included.
   * nested (``coalesceTablesFullKey``), for every key of the chart map: user ``null`` deletes the key;
     **Helm 4 only**: not when the chart default is ``null`` too -- then the ``null`` stays (helm 4 tracks
     ``srcOriginalNonNil``; helm 3.17 deletes). Chart map + user map -> recurse; chart map + user scalar ->
     user wins (Helm warns "cannot overwrite table with non table"); chart scalar + user map -> user map
     wins, kept as is (Helm warns "destination ... is a table"); missing keys are copied from the chart.

   That is the one difference found between Helm 3.17.3 and Helm 4.1.4 (``helm_major`` option, default 4);
   it is covered by tests that run both real binaries.
3. Lists are never merged (helm#1656, #3486) and never looked into: ``null`` inside a list is kept.

Keys: Helm values keys are always strings (sigs.k8s.io/yaml converts YAML to JSON). A bool key becomes
``"true"``/``"false"``, an int key its decimal form, a float key Go's ``FormatFloat(f, 'g', -1, 32)``; any
other key type, or two keys of one mapping that become the same string, fails clearly. Numbers are not
converted: Helm turns every number into a float64 (an int above 2**53 loses precision there, not here).

Provenance paths (:func:`values_provenance`): keys joined with ``.``; inside a key, ``\\`` is written
``\\\\`` and ``.`` is written ``\\.`` (``{"a": {"b.c": 1}}`` -> ``a.b\\.c``). :func:`split_path` reverses it.
"""
from __future__ import annotations

import math
import re
import struct
from collections.abc import Mapping

DEFAULT_LEVEL_NAMES = (
    "component chart defaults",
    "bridge chart defaults",
    "bootstrap defaults",
    "environment overrides",
    "tenant overrides",
    "cluster overrides",
)
HELM_MAJORS = (3, 4)
DEFAULT_HELM_MAJOR = 4


class HelmValuesError(ValueError):
    """Invalid input to the values merge; the message names the level (number and name) or the file."""


# --------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------
# (types, name), first match wins: bool before int (a bool is an int)
_TYPE_NAMES = (
    (bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"), (bytes, "bytes"),
    (Mapping, "mapping"), ((list, tuple), "list"),
)


def type_name(value):
    """A YAML-ish name of the type of ``value`` for error messages."""
    if value is None:
        return "null"
    for types, name in _TYPE_NAMES:
        if isinstance(value, types):
            return name
    return type(value).__name__


def _go_float32_string(value):
    """``strconv.FormatFloat(value, 'g', -1, 32)`` as sigs.k8s.io/yaml uses it for float map keys."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    f32 = struct.unpack("f", struct.pack("f", value))[0]
    if f32 == 0:
        return "-0" if math.copysign(1.0, f32) < 0 else "0"
    for digits in range(1, 10):  # shortest decimal that round-trips through float32
        text = "%.*e" % (digits - 1, f32)
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            break
    mantissa, exponent = text.split("e")
    exponent = int(exponent)
    if exponent < -4 or exponent >= 6:  # Go: shortest 'g' switches to %e at precision 6
        return "%se%s%02d" % (mantissa, "-" if exponent < 0 else "+", abs(exponent))
    return "%.*f" % (max(digits - 1 - exponent, 0), f32)


def helm_key(key):
    """The string Helm uses for a mapping key (sigs.k8s.io/yaml JSON conversion); raises TypeError."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _go_float32_string(key)
    raise TypeError("a %s key (%r) is not supported by Helm: values keys are strings" % (type_name(key), key))


def escape_key(key):
    """Escape one key for a dotted provenance path: ``\\`` -> ``\\\\``, ``.`` -> ``\\.``."""
    return key.replace("\\", "\\\\").replace(".", "\\.")


def join_path(keys):
    """Dotted path of a sequence of keys, each escaped with :func:`escape_key`."""
    return ".".join(escape_key(k) for k in keys)


def split_path(path):
    """Inverse of :func:`join_path`: the list of keys of a dotted provenance path."""
    keys, current, chars = [], [], iter(path)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ".":
            keys.append("".join(current))
            current = []
        else:
            current.append(char)
    keys.append("".join(current))
    return keys


def _where(path):
    return "at the top level" if not path else "under key %s" % join_path(path)


# --------------------------------------------------------------------------------------------------------
# Annotated trees: every mapping is a _Node that remembers the highest level that contributed to it
# (``level``) and, per key, the level the stored value came from (``origin``). One implementation of the
# merge then yields both the values and their provenance.
# --------------------------------------------------------------------------------------------------------
class _Node(dict):
    __slots__ = ("level", "origin")

    def __init__(self, level):
        super().__init__()
        self.level = level
        self.origin = {}


class _Level:
    __slots__ = ("number", "name", "value")

    def __init__(self, number, name, value):
        self.number, self.name, self.value = number, name, value

    def label(self):
        return "level %d (%s)" % (self.number, self.name)


_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


def _copy_leaf(value, level, path):
    """Copy a non-mapping value (lists are copied; mappings inside lists get string keys)."""
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return value
    if kind is dict or (kind is not list and isinstance(value, Mapping)):
        out = {}
        for key, item in value.items():
            out[_checked_key(key, out, level, path)] = _copy_leaf(item, level, path + (str(key),))
        return out
    if kind is list or isinstance(value, (list, tuple)):
        return [
            item if type(item) in _SCALAR_TYPES else _copy_leaf(item, level, path + ("[%d]" % index,))
            for index, item in enumerate(value)
        ]
    return value


def _checked_key(key, node, level, path):
    if type(key) is str:
        new = key
    else:
        try:
            new = helm_key(key)
        except TypeError as exc:
            raise HelmValuesError("%s: %s %s" % (level.label(), exc, _where(path))) from None
    if new in node:
        raise HelmValuesError(
            "%s: two keys become the same Helm key %r %s (Helm keys are strings: %r)"
            % (level.label(), new, _where(path), key)
        )
    return new


def _annotate(mapping, level, path=()):
    """Copy one level's mapping into _Node trees (string keys, copied lists), all values from ``level``."""
    node = _Node(level.number)
    converted = False
    for key, value in mapping.items():
        if type(key) is not str:
            key = _checked_key(key, node, level, path)
            converted = True
        elif converted and key in node:  # a string key equal to an earlier converted key
            _checked_key(key, node, level, path)
        kind = type(value)
        if kind in _SCALAR_TYPES:
            node[key] = value
        elif kind is dict or (kind is not list and isinstance(value, Mapping)):
            node[key] = _annotate(value, level, path + (key,))
        else:
            node[key] = _copy_leaf(value, level, path + (key,))
    node.origin = dict.fromkeys(node, level.number)
    return node


def _merge_maps(base, new):
    """Helm ``pkg/cli/values/options.go`` ``mergeMaps``: how ``-f`` files combine (nulls kept)."""
    out = _Node(max(base.level, new.level))
    out.update(base)
    origin = out.origin
    origin.update(base.origin)
    for key, value in new.items():
        if type(value) is _Node:
            old = out.get(key)
            if type(old) is _Node:
                out[key] = _merge_maps(old, value)
                continue
        out[key] = value
        origin[key] = new.origin[key]
    return out


def _coalesce(dst, src, helm_major, top=False):
    """Helm ``coalesceValues`` (``top``: the chart's own values, no subcharts) and, below it,
    ``coalesceTablesFullKey`` with merge=false; ``dst`` = user values, authoritative."""
    for key, default in src.items():
        if key in dst:
            value = dst[key]
            if value is None:
                # A user null deletes the key. Helm 4 below the top level only deletes a non-null chart
                # default (srcOriginalNonNil): null over a null default stays null. Helm 3.17 and the top
                # level ("When the YAML value is null, we remove the value's key") always delete.
                if top or helm_major == 3 or default is not None:
                    del dst[key]
                    del dst.origin[key]
            elif type(value) is _Node and type(default) is _Node:
                _coalesce(value, default, helm_major)
            # else: the user's value wins; a user map over a chart non-map is kept as is, and a user
            # non-map over a chart map wins (Helm warns about either but keeps the user value).
        else:
            dst[key] = default
            dst.origin[key] = src.origin[key]


def _plain(node):
    """Plain (sorted) dicts out of an annotated tree; leaves were already copied."""
    return {key: (_plain(node[key]) if type(node[key]) is _Node else node[key]) for key in sorted(node)}


def _provenance(node, prefix, out):
    for key in sorted(node):
        value = node[key]
        path = prefix + escape_key(key)
        if type(value) is _Node:
            if value:
                _provenance(value, path + ".", out)
            else:
                out[path] = value.level  # empty map: the highest level that contributed a mapping here
        else:
            out[path] = node.origin[key]
    return out


# --------------------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------------------
def _check_helm_major(helm_major, func):
    major = None
    if isinstance(helm_major, int) and not isinstance(helm_major, bool):
        major = helm_major
    elif isinstance(helm_major, str) and helm_major.strip().isdigit():
        major = int(helm_major)
    if major not in HELM_MAJORS:
        raise HelmValuesError(
            "%s: helm_major must be one of %s, got %r" % (func, ", ".join(map(str, HELM_MAJORS)), helm_major)
        )
    return major


def _levels(levels, names, func, first_level=1):
    """Validate the input list and return it as _Level objects (number is 1-based, from first_level)."""
    if isinstance(levels, (str, bytes, Mapping)) or not isinstance(levels, (list, tuple)):
        raise HelmValuesError(
            "%s: expected a list of levels (each a mapping or null), got a %s" % (func, type_name(levels))
        )
    if names is None:
        names = DEFAULT_LEVEL_NAMES[first_level - 1:]
        if len(levels) > len(names):
            raise HelmValuesError(
                "%s: got %d levels, at most %d are known (%s); pass names=[...] to name more levels"
                % (func, len(levels), len(names), ", ".join(names))
            )
    else:
        if isinstance(names, (str, bytes)) or not isinstance(names, (list, tuple)) or not all(
            isinstance(n, str) for n in names
        ):
            raise HelmValuesError("%s: names must be a list of strings, got %r" % (func, names))
        if len(names) < len(levels):
            raise HelmValuesError(
                "%s: got %d levels but only %d names (%s); give one name per level"
                % (func, len(levels), len(names), ", ".join(names))
            )
    out = []
    for index, value in enumerate(levels):
        level = _Level(first_level + index, names[index], value)
        if value is not None and not isinstance(value, Mapping):
            raise HelmValuesError(
                "%s: %s must be a mapping of values (or null for an empty level), got a %s: %s"
                % (func, level.label(), type_name(value), _short(value))
            )
        out.append(level)
    return out


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _user_tree(levels):
    """Fold annotated user levels with mergeMaps; an empty _Node when there are none."""
    merged = None
    for level in levels:
        if level.value is None:
            continue
        node = _annotate(level.value, level)
        merged = node if merged is None else _merge_maps(merged, node)
    return merged if merged is not None else _Node(0)


def _merged_tree(levels, names, helm_major, func):
    major = _check_helm_major(helm_major, func)
    checked = _levels(levels, names, func)
    if not checked:
        return _Node(0)
    user = _user_tree(checked[1:])
    chart = checked[0]
    if chart.value is not None:
        _coalesce(user, _annotate(chart.value, chart), major, top=True)
    return user


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------
def merge_values(levels, names=None, helm_major=DEFAULT_HELM_MAJOR):
    """The ``.Values`` Helm renders for chart defaults ``levels[0]`` and ``-f`` files ``levels[1:]``.

    :param levels: list of up to six mappings (or ``None`` for an empty level), lowest precedence first:
        component chart defaults, bridge chart defaults, bootstrap defaults, environment, tenant, cluster.
    :param names: optional list of level names used in error messages (one per level).
    :param helm_major: 3 or 4 (default): the Helm major whose coalescing to reproduce.
    :returns: a new plain dict (keys sorted); the inputs are not modified.
    :raises HelmValuesError: a level is not a mapping (message: ``level N (name) ... got a <type>``).
    """
    return _plain(_merged_tree(levels, names, helm_major, "merge_values"))


def values_provenance(levels, names=None, helm_major=DEFAULT_HELM_MAJOR):
    """``{dotted.leaf.path: level_number}`` for every leaf of :func:`merge_values` (same arguments).

    A leaf is a scalar, a list, a null or an empty mapping. The number is the 1-based level the final value
    came from; for an empty mapping it is the highest level that contributed a mapping at that path. Keys are
    escaped in paths with :func:`escape_key` (``\\`` -> ``\\\\``, ``.`` -> ``\\.``).
    """
    return _provenance(_merged_tree(levels, names, helm_major, "values_provenance"), "", {})


def merge_user_values(levels, names=None, first_level=2):
    """Merge user levels the way Helm merges ``-f`` files (``mergeMaps``): later wins, nulls kept.

    Hand the result to Argo CD as ``spec.source.helm.valuesObject``: Helm then coalesces it with the chart's
    ``values.yaml`` exactly as :func:`merge_values` does with the chart defaults as level 1, because
    ``CoalesceValues(chart, mergeMaps(f2, ..., fN))`` is what ``helm -f f2 ... -f fN`` computes.

    ``levels`` are numbered from ``first_level`` (default 2: the bridge chart defaults) in error messages.
    """
    first = first_level if isinstance(first_level, int) and not isinstance(first_level, bool) else 0
    if first < 1:
        raise HelmValuesError("merge_user_values: first_level must be an integer >= 1, got %r" % (first_level,))
    if names is None and first > len(DEFAULT_LEVEL_NAMES):
        names = ["level %d" % (first + i) for i in range(len(levels) if isinstance(levels, (list, tuple)) else 0)]
    return _plain(_user_tree(_levels(levels, names, "merge_user_values", first)))


# --------------------------------------------------------------------------------------------------------
# YAML loading as Helm sees a values file (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1)
# --------------------------------------------------------------------------------------------------------
try:  # PyYAML is a dependency of ansible-core; keep the merge itself importable without it.
    import yaml as _yaml
except ImportError:  # pragma: no cover
    _yaml = None

_BOOL_TRUE = ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")
_BOOL_FALSE = ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")
_NUMBER_RE = re.compile(
    r"^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|"
    r"(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?)$"
)
_GO_FLOAT_RE = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")  # go-yaml yamlStyleFloat
_INF_NAN_RE = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


def _go_number(text):
    """go-yaml v2 ``resolve``: ParseInt(base 0) / ParseUint / yamlStyleFloat / 0b, after removing '_'."""
    plain = text.replace("_", "")
    sign, body = 1, plain
    if body[:1] in ("-", "+"):
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    value = None
    try:
        low = body.lower()
        if low.startswith("0x"):
            value = int(body[2:], 16)
        elif low.startswith("0o"):
            value = int(body[2:], 8)
        elif low.startswith("0b"):
            value = int(body[2:], 2)
        elif len(body) > 1 and body.startswith("0"):
            value = int(body[1:], 8)
        else:
            value = int(body, 10)
    except ValueError:
        value = None
    if value is not None:
        value *= sign
        if -(2**63) <= value < 2**64:
            return value
    if _GO_FLOAT_RE.match(plain):
        return float(plain)
    return text


if _yaml is not None:
    _Base = getattr(_yaml, "CSafeLoader", _yaml.SafeLoader)

    class HelmYamlLoader(_Base):
        """SafeLoader resolving scalars like go-yaml v2: YAML 1.1 booleans (y/n/on/off...), Go numbers,
        timestamps kept as strings, keys converted to strings with :func:`helm_key`."""

    HelmYamlLoader.yaml_implicit_resolvers = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float", "timestamp")
        ]
        for first, resolvers in _yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    HelmYamlLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile("^(?:%s)$" % "|".join(_BOOL_TRUE + _BOOL_FALSE)),
        list("yYnNtTfFoO"),
    )
    HelmYamlLoader.add_implicit_resolver("tag:helm,number", _NUMBER_RE, list("-+0123456789."))
    HelmYamlLoader.add_implicit_resolver("tag:yaml.org,2002:float", _INF_NAN_RE, list("-+."))

    def _construct_bool(loader, node):
        return loader.construct_scalar(node) in _BOOL_TRUE

    def _construct_number(loader, node):
        return _go_number(loader.construct_scalar(node))

    def _construct_timestamp(loader, node):  # explicit !!timestamp: keep the text, as Helm's JSON does
        return loader.construct_scalar(node)

    def _construct_mapping(loader, node):
        loader.flatten_mapping(node)
        out, raw = {}, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                text = helm_key(key)
            except TypeError as exc:
                raise _yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, str(exc), key_node.start_mark
                ) from None
            if text in raw and raw[text] != (type(key), key):
                raise _yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "keys %r and %r both become the Helm key %r" % (raw[text][1], key, text), key_node.start_mark,
                )
            raw[text] = (type(key), key)
            out[text] = loader.construct_object(value_node, deep=True)
        return out

    HelmYamlLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
    HelmYamlLoader.add_constructor("tag:helm,number", _construct_number)
    HelmYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    HelmYamlLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_values_yaml(text, source="<string>", level=None):
    """Parse a values file as Helm does and return its mapping (``{}`` for an empty or ``null`` document).

    :param source: file path (or other label) put in error messages.
    :param level: optional level (name or number) put in error messages.
    :raises HelmValuesError: not YAML (message has the line and column) or the top level is not a mapping.
    """
    where = source if level is None else "%s (level: %s)" % (source, level)
    if _yaml is None:  # pragma: no cover
        raise HelmValuesError("%s: PyYAML is required to read values files" % where)
    try:
        data = _yaml.load(text, Loader=HelmYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except _yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        position = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise HelmValuesError("%s: not a valid YAML values file%s: %s" % (where, position, problem)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise HelmValuesError(
            "%s: the top level of a values file must be a mapping (key: value), got a %s"
            % (where, type_name(data))
        )
    return data


_KEY_PATH = re.compile(r"(?:/[A-Za-z0-9_][\w.-]*)+|[A-Za-z_][\w-]*(?:\.[A-Za-z0-9_][\w-]*)+")
# Helm 3's schema errors list one key per line: "- controller: Additional property ..."
_SCHEMA_LINE_KEY = re.compile(r"(?m)^-\s+([A-Za-z_][\w.-]*):\s")


def blame(message, levels, names=None, helm_major=DEFAULT_HELM_MAJOR):
    """The values keys a Helm error message names, each with the level that set it.

    A chart that refuses its values names the key: a values.schema.json error (``at '/controller/replicas'``,
    ``controller.replicas: Invalid type``) or a template's ``fail`` (``controller.replicas cannot be ...``).
    Every key path in ``message`` that the merged ``levels`` hold is returned as ``(path, level, value)``
    with the highest level that set it (a subtree: the highest level under it), in message order.
    """
    provenance = values_provenance(levels, names, helm_major)
    merged = merge_values(levels, names, helm_major)
    out, seen = [], set()
    tokens = sorted([(m.start(1), m.group(1)) for m in _SCHEMA_LINE_KEY.finditer(message or "")]
                    + [(m.start(), m.group(0)) for m in _KEY_PATH.finditer(message or "")])
    for _, token in tokens:
        path = ".".join(p for p in token.split("/") if p) if token.startswith("/") else token
        path = path.rstrip(".")
        if path in seen:
            continue
        under = [lvl for key, lvl in provenance.items() if key == path or key.startswith(path + ".")]
        while not under and "." in path:
            # models.0 (a list item) -> models: lists are leaves of the provenance
            path = path.rsplit(".", 1)[0]
            under = [lvl for key, lvl in provenance.items() if key == path]
        if not under or path in seen:
            continue
        seen.add(path)
        node = merged
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        out.append((path, max(under), node))
    return out
