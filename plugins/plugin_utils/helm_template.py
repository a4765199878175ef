# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""``helm template`` for several releases, each run exactly as ``kubernetes.core.helm_template`` runs it.

Importable by plain pytest as ``ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_template``;
the action plugin ``plugins/action/helm_template_batch.py`` is a thin wrapper.

For one release, ``kubernetes.core.helm_template`` (6.x, ``template()`` in its module) builds
``<helm> template <release_name> <chart_ref> -n <release_namespace> -f=<values file>``, where the values
file is ``yaml.dump(release_values, default_flow_style=False)`` of the module's JSON-decoded
``release_values`` (no ``-f`` when they are empty), and runs it with ``HELM_NAMESPACE=<release_namespace>``
added to the environment. :func:`command`, :func:`values_yaml` and :func:`template` do the same, so the
manifests are byte for byte what the module returned in ``stdout``. What is left out: the module's other
options (repositories, ``--version``, ``--set``, ...), which the roles do not use; ``include_crds`` adds
``--include-crds`` where the module's option of that name does (last), as Argo CD renders.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time

import yaml

RELEASE_KEYS = ("chart_ref", "release_name", "release_namespace", "release_values", "include_crds")


class HelmTemplateError(RuntimeError):
    """``helm template`` could not run or failed; ``results`` holds the releases rendered before it."""

    def __init__(self, message, results=None, result=None):
        super().__init__(message)
        self.results = results or []
        self.result = result


def plain(value, where="release_values"):
    """``value`` as plain JSON types (dict, list, str, int, float, bool, None), as a module receives it.

    Module arguments travel as JSON, so ``kubernetes.core.helm_template`` saw the values after a JSON
    round trip (mapping keys become strings, tuples lists). Doing the same here keeps the values file
    identical. A value JSON cannot carry fails with a message naming ``where``.
    """
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise HelmTemplateError("%s: cannot be passed to Helm as values: %s" % (where, exc)) from exc


def values_yaml(values):
    """The values file text, as ``kubernetes.core.helm_template`` writes it."""
    return yaml.dump(values, default_flow_style=False)


def resolve_binary(binary=None):
    """The helm executable: ``binary`` (a path, or a name looked up on PATH), else ``helm`` on PATH."""
    name = binary or "helm"
    if os.sep in name:
        if not (os.path.isfile(name) and os.access(name, os.X_OK)):
            raise HelmTemplateError("helm binary %s: not an executable file (binary_path)" % name)
        return name
    found = shutil.which(name)
    if not found:
        raise HelmTemplateError(
            "helm binary %r: not found on PATH (%s); set binary_path to the helm executable"
            % (name, os.environ.get("PATH", ""))
        )
    return found


def command(binary, chart_ref, release_name=None, release_namespace=None, values_file=None, include_crds=False):
    """The argv of ``helm template``, in the order ``kubernetes.core.helm_template`` builds it."""
    argv = [binary, "template"]
    if release_name:
        argv.append(release_name)
    argv.append(chart_ref)
    if release_namespace:
        argv += ["-n", release_namespace]
    if values_file:
        argv.append("-f=" + values_file)
    if include_crds:
        argv.append("--include-crds")
    return argv


def check_release(release, index=0):
    """A release mapping with its keys checked; ``chart_ref`` is required, the others optional."""
    where = "releases[%d]" % index
    if not isinstance(release, dict):
        raise HelmTemplateError("%s: must be a mapping with %s, got %s" % (where, ", ".join(RELEASE_KEYS),
                                                                             type(release).__name__))
    unknown = sorted(set(release) - set(RELEASE_KEYS))
    if unknown:
        raise HelmTemplateError("%s: unknown key(s) %s; known: %s" % (where, ", ".join(unknown), ", ".join(RELEASE_KEYS)))
    if not release.get("chart_ref") or not isinstance(release["chart_ref"], str):
        raise HelmTemplateError("%s: chart_ref (the chart folder) is required" % where)
    for key in ("release_name", "release_namespace"):
        if release.get(key) is not None and not isinstance(release[key], str):
            raise HelmTemplateError("%s: %s must be a string" % (where, key))
    if release.get("include_crds") is not None and not isinstance(release["include_crds"], bool):
        raise HelmTemplateError("%s: include_crds must be a boolean" % where)
    values = release.get("release_values")
    if values is not None and not isinstance(values, dict):
        raise HelmTemplateError("%s (%s): release_values must be a mapping, got %s"
                                % (where, release.get("release_name") or release["chart_ref"], type(values).__name__))
    return release


def template(binary, release, env=None):
    """Run ``helm template`` for one release; a result like the module's (``stdout``, ``command``, ...).

    Raises :class:`HelmTemplateError` (with the result attached) when Helm exits non-zero.
    """
    chart_ref = release["chart_ref"]
    name = release.get("release_name")
    namespace = release.get("release_namespace")
    label = name or chart_ref
    values = plain(release.get("release_values") or {}, "release_values of %s" % label)
    run_env = dict(os.environ if env is None else env)
    if namespace:
        run_env["HELM_NAMESPACE"] = namespace
    values_path = None
    try:
        if values:
            fd, values_path = tempfile.mkstemp(suffix=".yml")
            with os.fdopen(fd, "w") as handle:
                handle.write(values_yaml(values))
        argv = command(binary, chart_ref, name, namespace, values_path, bool(release.get("include_crds")))
        try:
            proc = subprocess.run(argv, env=run_env, stdin=subprocess.DEVNULL, capture_output=True, check=False)
        except OSError as exc:
            raise HelmTemplateError("helm template %s: cannot run %s: %s" % (label, binary, exc)) from exc
    finally:
        if values_path:
            os.unlink(values_path)
    result = {
        "chart_ref": chart_ref,
        "release_name": name,
        "release_namespace": namespace,
        "command": shlex.join(argv),
        "rc": proc.returncode,
        "stdout": proc.stdout.decode("utf-8", errors="surrogateescape"),
        "stderr": proc.stderr.decode("utf-8", errors="surrogateescape"),
    }
    if proc.returncode != 0:
        raise HelmTemplateError(
            "helm template %s (chart %s) failed, exit %d:\n%s" % (label, chart_ref, proc.returncode,
                                                                  result["stderr"].strip() or result["stdout"][-2000:]),
            result=result,
        )
    return result


def template_all(binary, releases, env=None, workers=None, spool_dir=None):
    """:func:`template` for every release, results in the releases' order; the first failure (in that order) raises.

    Every release is checked before Helm runs. Helm processes run side by side (``workers``, default the CPU
    count): each is a separate render, so the output is the same as one after the other. The
    :class:`HelmTemplateError` of a failure carries the results of the releases before it.
    With ``spool_dir`` the results are spooled there and renders are reused (:func:`template_reused`).
    """
    from concurrent.futures import ThreadPoolExecutor

    if not isinstance(releases, list):
        raise HelmTemplateError("releases: must be a list of mappings, got %s" % type(releases).__name__)
    releases = [check_release(r, i) for i, r in enumerate(releases)]
    if spool_dir:
        os.makedirs(spool_dir, exist_ok=True)

    def one(release):
        try:
            if spool_dir:
                return template_reused(binary, release, spool_dir, env=env)
            return template(binary, release, env=env)
        except HelmTemplateError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
        outcomes = list(pool.map(one, releases))
    if spool_dir:
        _prune(spool_dir, SPOOL_KEEP_SECONDS)
    results = []
    for outcome in outcomes:
        if isinstance(outcome, HelmTemplateError):
            outcome.results = results
            raise outcome
        results.append(outcome)
    return results


# ------------------------------------------------------------------ rendered output kept in files
# A spooled file not used for this long is removed by the next spool into the same folder.
SPOOL_KEEP_SECONDS = 24 * 3600


def spool_one(result, directory):
    """The result with its ``stdout`` moved into ``directory`` (one file per distinct output, named by its sha256,
    written atomically): ``stdout`` becomes ``stdout_file`` and ``stdout_sha256``. A playbook keeps every host's
    registered results in the controller's memory, and every per-host task worker is forked from it: megabytes of
    manifests per host there make each fork dearer as hosts are added. :func:`template_all` with ``spool_dir``
    spools each render and then removes the files of earlier runs unused for ``SPOOL_KEEP_SECONDS``."""
    data = result["stdout"].encode("utf-8", errors="surrogateescape")
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(directory, digest + ".yaml")
    if os.path.exists(path):
        os.utime(path)  # in use: not pruned
    else:
        _write_atomically(directory, path, data)
    return dict({k: v for k, v in result.items() if k != "stdout"}, stdout_file=path, stdout_sha256=digest)


def _write_atomically(directory, path, data):
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".spool-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


# ------------------------------------------------------------------ renders reused
# A workshop event renders the same upstream chart with the same values for every participant, and a rerun
# renders what the last run rendered: Helm's output depends only on what render_key covers (``helm template``
# renders offline, without the cluster: no lookup, default capabilities), so a render with the same key is
# read back from the spool instead of running Helm again.
_CHART_DIGESTS = {}


def chart_digest(chart_ref):
    """sha256 (hex) of a chart's content: an archive's bytes, or every file of a folder (relative path and bytes).

    An archive's digest is remembered by path, size and modification time (the chart cache holds ~8 archives)."""
    if os.path.isfile(chart_ref):
        st = os.stat(chart_ref)
        memo = (chart_ref, st.st_size, st.st_mtime_ns)
        if memo not in _CHART_DIGESTS:
            with open(chart_ref, "rb") as handle:
                _CHART_DIGESTS[memo] = hashlib.file_digest(handle, "sha256").hexdigest()
        return _CHART_DIGESTS[memo]
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(chart_ref, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, chart_ref).encode("utf-8", errors="surrogateescape") + b"\0")
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def render_key(binary, release, env=None):
    """sha256 (hex) of everything a ``helm template`` of ``release`` depends on: the Helm binary (path, size,
    modification time), the chart's content, release name and namespace, ``--include-crds``, the values file's
    text and Helm's own ``HELM_*`` settings in the environment."""
    st = os.stat(binary)
    source = env if env is not None else os.environ
    values = plain(release.get("release_values") or {}, "release_values of %s" % (release.get("release_name")
                                                                                   or release["chart_ref"]))
    parts = {
        "helm": [os.path.realpath(binary), st.st_size, st.st_mtime_ns],
        "chart": chart_digest(release["chart_ref"]),
        "name": release.get("release_name"),
        "namespace": release.get("release_namespace"),
        "crds": bool(release.get("include_crds")),
        "values": values_yaml(values) if values else None,
        "env": sorted((k, v) for k, v in source.items() if k.startswith("HELM_") and k != "HELM_NAMESPACE"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def template_reused(binary, release, directory, env=None):
    """:func:`template` of one release, spooled into ``directory``; when a render with the same
    :func:`render_key` is there (from this run or an earlier one), its output is reused and Helm does not run.

    Each key is rendered under a lock on its own file, so hosts rendering the same release side by side
    (Ansible forks) wait for the first render instead of repeating it. ``reused`` tells which happened.
    A failed render is not remembered."""
    key = render_key(binary, release, env=env)
    record_path = os.path.join(directory, key + ".render.json")
    lock_fd = os.open(os.path.join(directory, key + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        os.utime(lock_fd)  # in use: not pruned
        record = _read_record(record_path, directory)
        if record:
            return dict(record, chart_ref=release["chart_ref"], release_name=release.get("release_name"),
                        release_namespace=release.get("release_namespace"), rc=0, reused=True)
        result = spool_one(template(binary, release, env=env), directory)
        record = {k: result[k] for k in ("command", "stderr", "stdout_sha256")}
        _write_atomically(directory, record_path, json.dumps(record).encode())
        return dict(result, reused=False)
    finally:
        os.close(lock_fd)


def _read_record(record_path, directory):
    """The remembered render, or None when there is none or its output file is gone (pruned)."""
    try:
        with open(record_path, encoding="utf-8") as handle:
            record = json.load(handle)
        record["stdout_file"] = os.path.join(directory, record["stdout_sha256"] + ".yaml")
        os.utime(record["stdout_file"])  # gone (pruned): rendered again
        os.utime(record_path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record


def _prune(directory, keep_seconds):
    cutoff = time.time() - keep_seconds
    for entry in os.scandir(directory):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except FileNotFoundError:  # another run pruned it first
            pass


def output_of(result):
    """A result's rendered manifests, whether ``stdout`` is in it or was spooled (:func:`spool`)."""
    if "stdout" in result or "stdout_file" not in result:
        return result.get("stdout")
    with open(result["stdout_file"], encoding="utf-8", errors="surrogateescape") as handle:
        return handle.read()


def output_sha256(result):
    """sha256 (hex) of a result's rendered manifests, spooled or not."""
    if result.get("stdout_sha256"):
        return result["stdout_sha256"]
    return hashlib.sha256((result.get("stdout") or "").encode("utf-8", errors="surrogateescape")).hexdigest()
