# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The Helm releases behind the sources of rendered Argo CD Applications, with their charts on disk.

An Application of the bridge chart has one source per upstream chart (a Helm repository, or an OCI
registry written the way Argo CD's Helm-OCI form wants it: no scheme) and one for the project's own
chart (a Git path under ``gitops/charts/``). Rendering, validating or installing without Argo CD needs
the same charts locally: upstream archives are pulled once with ``helm pull`` into a cache keyed by
repository, chart and version (written atomically, so a killed run leaves no half file); the project's
charts are read from the collection itself.

Importable by plain pytest as ``ansible_collections.appmod.agent_platform.plugins.plugin_utils.charts``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tarfile
import tempfile

import yaml

# libyaml when present: a chart's values.yaml can be thousands of lines (the same objects as yaml.safe_load).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

GLUE_DIR = os.path.join("gitops", "charts")


class ChartError(RuntimeError):
    """A chart could not be fetched or read."""


def helm_repo_ref(repo_url, chart):
    """(repository URL for ``helm pull --repo``, chart ref) or (None, ``oci://...``) for an OCI registry.

    Argo CD's Helm-OCI form has no scheme (``ghcr.io/org/helm`` + chart); Helm wants ``oci://``.
    """
    if repo_url.startswith("oci://"):
        return None, "%s/%s" % (repo_url.rstrip("/"), chart)
    if "://" not in repo_url:
        return None, "oci://%s/%s" % (repo_url.rstrip("/"), chart)
    return repo_url.rstrip("/"), chart


def cache_path(cache_dir, repo_url, chart, version):
    """Where the archive of ``chart`` ``version`` from ``repo_url`` is cached."""
    repo_key = hashlib.sha256(repo_url.rstrip("/").encode()).hexdigest()[:16]
    return os.path.join(cache_dir, repo_key, "%s-%s.tgz" % (chart, version))


def pull(helm, repo_url, chart, version, cache_dir, env=None):
    """The cached archive of a chart, pulled with ``helm pull`` the first time. Returns its path."""
    target = cache_path(cache_dir, repo_url, chart, version)
    if os.path.isfile(target):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    repo, ref = helm_repo_ref(repo_url, chart)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(target)) as tmp:
        argv = [helm, "pull", ref, "--version", str(version), "--destination", tmp]
        if repo:
            argv += ["--repo", repo]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            raise ChartError("helm pull %s %s from %s failed (exit %d): %s"
                             % (chart, version, repo_url, proc.returncode, (proc.stderr or proc.stdout).strip()))
        pulled = [f for f in os.listdir(tmp) if f.endswith(".tgz")]
        if len(pulled) != 1:
            raise ChartError("helm pull %s %s from %s left %s, expected one archive" % (chart, version, repo_url, pulled))
        os.replace(os.path.join(tmp, pulled[0]), target)
    return target


def _top_file(chart_ref, filename):
    """A file of the top chart (``values.yaml``, ``Chart.yaml``) parsed as YAML, from a folder or an archive (its
    one top folder); None when the chart has no such file."""
    try:
        if os.path.isdir(chart_ref):
            path = os.path.join(chart_ref, filename)
            if not os.path.isfile(path):
                return None
            with open(path, encoding="utf-8") as handle:
                return yaml.load(handle, Loader=YAML_LOADER) or {}
        with tarfile.open(chart_ref, "r:gz") as archive:
            member = next((m for m in archive.getmembers()
                           if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/" + filename)), None)
            if member is None:
                return None
            return yaml.load(archive.extractfile(member).read().decode("utf-8"), Loader=YAML_LOADER) or {}
    except (OSError, tarfile.TarError) as exc:
        raise ChartError("cannot read %s of %s: %s" % (filename, chart_ref, exc)) from exc


def chart_default_values(chart_ref):
    """The top chart's own ``values.yaml`` (level 1 of the values levels), from a folder or an archive."""
    found = _top_file(chart_ref, "values.yaml")
    return {} if found is None else found


def chart_metadata(chart_ref):
    """The top chart's ``Chart.yaml`` (name, version, ...), from a folder or an archive."""
    found = _top_file(chart_ref, "Chart.yaml")
    if found is None:
        raise ChartError("cannot read Chart.yaml of %s: the chart has none" % chart_ref)
    return found


def releases(applications, collection_root, cache_dir, helm, keys=None, mains=None, env=None):
    """One release per source of every Application, in the Applications' order.

    Each: ``application`` and ``component`` (the Application's ``app.kubernetes.io/component``),
    ``source_index``, ``kind`` (``upstream`` or ``project``), ``release_name``, ``release_namespace``,
    ``chart_ref`` (a local archive or folder), ``chart``, ``version``, ``repo_url``, ``release_values``,
    ``chart_defaults`` (the chart's values.yaml) and ``values_path`` (where in ``components.<key>`` the
    values levels set them: ``config``, ``companions.<chart>`` or ``glue``), and ``values_key`` (the
    component's key under ``components:``, from ``keys``, a component name -> key mapping). ``mains``
    (component name -> the chart its ``config`` configures) defaults to the first upstream source.
    """
    out = []
    for app in applications:
        meta = app.get("metadata") or {}
        spec = app.get("spec") or {}
        sources = spec.get("sources") or ([spec["source"]] if spec.get("source") else [])
        component = (meta.get("labels") or {}).get("app.kubernetes.io/component") or meta.get("name")
        has_upstream = any(s.get("chart") for s in sources)
        main = (mains or {}).get(component) or next(
            ((s.get("helm") or {}).get("releaseName") or s.get("chart") for s in sources if s.get("chart")), None)
        for index, source in enumerate(sources):
            helm_spec = source.get("helm") or {}
            if source.get("chart"):
                kind = "upstream"
                version = str(source.get("targetRevision"))
                chart_ref = pull(helm, source["repoURL"], source["chart"], version, cache_dir, env=env)
                chart = source["chart"]
                name = helm_spec.get("releaseName") or chart
                values_path = "config" if name == main else "companions.%s" % name
            else:
                kind = "project"
                chart = os.path.basename(str(source.get("path", "")).rstrip("/"))
                chart_ref = os.path.join(collection_root, GLUE_DIR, chart)
                if not os.path.isfile(os.path.join(chart_ref, "Chart.yaml")):
                    raise ChartError("%s: source %d points at %s, which is not a chart of this collection (%s)"
                                     % (meta.get("name"), index, source.get("path"), chart_ref))
                version = None
                values_path = "glue" if has_upstream else "config"
            out.append({
                "application": meta.get("name"),
                "component": component,
                "source_index": index,
                "kind": kind,
                "release_name": helm_spec.get("releaseName") or chart,
                "release_namespace": (spec.get("destination") or {}).get("namespace"),
                "chart_ref": chart_ref,
                "chart": chart,
                "version": version,
                "repo_url": source.get("repoURL"),
                "release_values": helm_spec.get("valuesObject") or {},
                "chart_defaults": chart_default_values(chart_ref),
                "values_path": values_path,
                "values_key": (keys or {}).get(component, component),
            })
    return out



def component_manifests(component, releases, rendered):
    """The manifests of one component: the rendered output of each of its releases, in source order.

    ``releases`` are :func:`releases`' entries, ``rendered`` the matching results of ``helm template``
    (same order, each with ``stdout`` or spooled: helm_template.spool_one).
    """
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template

    if len(releases) != len(rendered):
        raise ChartError("%d releases but %d rendered results" % (len(releases), len(rendered)))
    parts = [helm_template.output_of(result) for release, result in zip(releases, rendered)
             if release["component"] == component]
    return "".join(p if p.endswith("\n") or not p else p + "\n" for p in parts)


def rendered_crds(manifests):
    """(name, from its ``crds/`` folder) of every CustomResourceDefinition in ``helm template --include-crds`` output
    (``# Source: <chart>/crds/...`` marks the folder's)."""
    import yaml

    found, source = [], ""
    for part in (manifests or "").split("\n---"):
        for line in part.splitlines():
            if line.startswith("# Source: "):
                source = line[len("# Source: "):]
                break
        # Parsed only when it can be one (libyaml): a chart's CRDs are megabytes, parsed on every run.
        if "CustomResourceDefinition" not in part:
            continue
        doc = yaml.load(part, Loader=YAML_LOADER)
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
            found.append((doc["metadata"]["name"], "/crds/" in "/" + source))
    return found


def template_crds(manifests, crds_folder=False):
    """Names of the CustomResourceDefinitions a chart renders from its templates (``helm template`` output).

    The ones of its ``crds/`` folder (``# Source: <chart>/crds/...``, with ``--include-crds``) are left out unless
    ``crds_folder``: Helm installs those only when absent and never takes ownership of them, so they need no adoption.
    """
    return [name for name, in_folder in rendered_crds(manifests) if crds_folder or not in_folder]


_VALUES_REF = re.compile(r"\.Values((?:\.[A-Za-z_][\w]*)+)|index\s+\.Values((?:\s+\"[^\"]+\")+)")
# A mapping a template reaches with a computed key (index .Values.providers $name) or ranges over: every key
# below it is read.
_VALUES_DYNAMIC = re.compile(r"index\s+\.Values((?:\.[A-Za-z_][\w]*)+)\s+\$|range\s+[^}]*:=\s*\.Values((?:\.[A-Za-z_][\w]*)+)")


# Bump when chart_value_paths answers differently: the answers kept beside archives are then asked again.
_VALUE_PATHS_FORMAT = 1


def _chart_files(chart_ref):
    """{relative path: text} of a chart's values.yaml and templates, from a folder or an archive (subcharts
    included, as charts/<name>/...)."""
    files = {}
    if os.path.isdir(chart_ref):
        for base, _, names in os.walk(chart_ref):
            for name in names:
                rel = os.path.relpath(os.path.join(base, name), chart_ref)
                if name in ("values.yaml", "Chart.yaml") or "/templates/" in "/" + rel.replace(os.sep, "/"):
                    with open(os.path.join(base, name), encoding="utf-8", errors="replace") as handle:
                        files[rel.replace(os.sep, "/")] = handle.read()
        return files
    with tarfile.open(chart_ref, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if rel.endswith(("values.yaml", "Chart.yaml")) and rel.count("/") in (0, 2) or "/templates/" in "/" + rel:
                files[rel] = archive.extractfile(member).read().decode("utf-8", errors="replace")
    return files


def chart_value_paths(chart_ref):
    """(defaults, references, open_paths) of a chart: its values.yaml with each subchart's values.yaml under the
    subchart's name; the set of dotted values paths its templates (and its subcharts', prefixed) name with
    ``.Values.a.b`` or ``index .Values "a" "b"``; and the paths whose every key is read (a template reaches
    them with a computed key or ranges over them). What a user may set is what one of them knows.

    For an archive the answer is kept beside it (``<archive>.value-paths.json``, valid for its size and mtime):
    every converge and every participant's render asks again, and Langfuse's values alone take 0.4 s to parse.
    """
    if not os.path.isfile(chart_ref):
        return _chart_value_paths(chart_ref)
    stat = os.stat(chart_ref)
    stamp = [_VALUE_PATHS_FORMAT, stat.st_size, stat.st_mtime_ns]
    kept = chart_ref + ".value-paths.json"
    try:
        with open(kept, encoding="utf-8") as handle:
            data = json.load(handle)
        if data["stamp"] == stamp:
            return data["defaults"], {tuple(p) for p in data["refs"]}, {tuple(p) for p in data["open_paths"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    defaults, refs, open_paths = _chart_value_paths(chart_ref)
    try:
        text = json.dumps({"stamp": stamp, "defaults": defaults, "refs": sorted(refs), "open_paths": sorted(open_paths)})
        # Only what JSON gives back unchanged is kept (values.yaml may hold dates or non-string keys).
        if json.loads(text)["defaults"] == defaults:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(kept) or ".", prefix=".value-paths-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, kept)
    except (OSError, TypeError, ValueError):
        pass  # a read-only cache or values JSON cannot hold: answered without keeping it
    return defaults, refs, open_paths


def _chart_value_paths(chart_ref):
    defaults, refs, open_paths = {}, set(), set()
    for rel, text in _chart_files(chart_ref).items():
        parts = rel.split("/")
        prefix = ()
        # charts/<sub>/... (one level of subcharts: deeper ones are reached through their parent's values)
        if parts[0] == "charts" and len(parts) > 2:
            prefix = (parts[1],)
            parts = parts[2:]
        if parts == ["values.yaml"]:
            data = yaml.load(text, Loader=YAML_LOADER) or {}
            if not isinstance(data, dict):
                continue
            if prefix:
                sub = defaults.setdefault(prefix[0], {})
                if isinstance(sub, dict):
                    for key, value in data.items():
                        sub.setdefault(key, value)
            else:
                for key, value in data.items():
                    if isinstance(value, dict) and isinstance(defaults.get(key), dict):
                        value = dict(value, **defaults[key])
                    defaults[key] = value
        elif parts == ["Chart.yaml"]:
            # A dependency's condition ("kmcp.enabled, other.enabled") is read by Helm itself.
            for dep in (yaml.safe_load(text) or {}).get("dependencies") or []:
                for cond in str(dep.get("condition") or "").split(","):
                    if cond.strip():
                        refs.add(prefix + tuple(cond.strip().split(".")))
        elif parts[0] == "templates":
            for dotted, indexed in _VALUES_REF.findall(text):
                path = tuple(dotted.strip(".").split(".")) if dotted else tuple(re.findall(r'"([^"]+)"', indexed))
                refs.add(prefix + path)
            for indexed, ranged in _VALUES_DYNAMIC.findall(text):
                open_paths.add(prefix + tuple((indexed or ranged).strip(".").split(".")))
    return defaults, refs, open_paths
