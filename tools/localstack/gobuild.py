"""ONE Go build routine for every program the local stack (or anything else) builds from source.

A build is data, a :class:`GoBuild`: where the sources are (a wrapper module directory with go.mod, or
an unpacked source tree), which packages, which output names, which Go toolchain, which ``-X`` link
flags, which files to copy from a module next to the binaries. :func:`ensure` builds it once into

    <CACHE_ROOT>/<name>/<version>/bin          (CACHE_ROOT / APPMOD_CACHE_DIR as in scripts/lib.sh)

with ``go build -trimpath -ldflags='-s -w ...'`` (``-mod=readonly``: the committed go.sum is the pin),
into a temporary directory renamed into place when complete (an interrupted build leaves no half
cache), a heartbeat line while it runs, ``build.log`` and ``build.json`` (seconds, toolchain,
packages compiled) next to ``bin``. A later call with the same inputs returns at once.

The version is read once from the wrapper module's go.mod (the requirement of ``version_of``), or
given (``version=``) for a source tree. ``bin/.build.json`` records a hash of the inputs (go.mod,
go.sum, the module's own .go files, toolchain, packages, flags): changing a pin rebuilds; a cache
built before this file existed (no record) is adopted when the binary's embedded module list
(``go version -m``) matches go.mod.

Adding a program is a few lines, e.g. Jaeger v2 and the kagent controller::

    JAEGER = GoBuild(name="jaeger", module_dir=TOOLS / "jaeger", version_of="github.com/jaegertracing/jaeger",
                     packages=("github.com/jaegertracing/jaeger/cmd/jaeger",), outputs=("jaeger",))
    KAGENT = GoBuild(name="kagent-controller", module_dir=Path("upstream-src/kagent/go"), version="v0.9.9",
                     packages=("./core/cmd/controller",), outputs=("kagent-controller",), hash_globs=())
    bin_dir = ensure(JAEGER)
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from . import common
from .common import Log, LocalStackError


@dataclass(frozen=True)
class Asset:
    """A file copied from a module's source next to the binaries (several sources are concatenated as
    one YAML stream when ``yaml_stream``)."""

    dest: str
    module: str
    sources: Sequence[str]
    mode: int = 0o644
    yaml_stream: bool = False


@dataclass(frozen=True)
class GoBuild:
    name: str                                   # cache directory name
    module_dir: Path                            # wrapper module (go.mod) or unpacked source tree
    packages: Sequence[str]                     # import paths or ./relative packages
    outputs: Sequence[str]                      # binary names (one per package, in order)
    version_of: str | None = None               # module whose go.mod requirement is the version
    version: str | None = None                  # explicit version (source trees)
    toolchain: str = "local"                    # GOTOOLCHAIN
    toolchain_env: str | None = None            # environment variable that overrides the toolchain
    ldflags_x: Mapping[str, str] = field(default_factory=dict)  # -X name=template ({version} {semver} {major} {minor} {build_date})
    links: Mapping[str, str] = field(default_factory=dict)      # extra names in bin/ -> output they point to
    assets: Sequence[Asset] = ()
    env: Mapping[str, str] = field(default_factory=dict)        # extra build environment (CGO_ENABLED=0 is the default)
    tags: Sequence[str] = ()
    hash_globs: Sequence[str] = ("*.go", "**/*.go")             # own sources hashed into the cache record
    nice: int = 10
    description: str = ""
    prepare: object = None                       # callable(cache_root) run first (e.g. unpack a source archive)

    # ---------------------------------------------------------------- derived
    def resolved_version(self) -> str:
        if self.version:
            return self.version
        if not self.version_of:
            raise LocalStackError("build %s: neither version nor version_of given" % self.name)
        return go_mod_requirement(self.module_dir / "go.mod", self.version_of)

    def resolved_toolchain(self, env=None) -> str:
        if self.toolchain_env:
            return common.env_str(self.toolchain_env, self.toolchain, env)
        return self.toolchain

    def version_dir(self, cache_root: Path | None = None) -> Path:
        return (cache_root or common.cache_root()) / self.name / self.resolved_version()

    def bin_dir(self, cache_root: Path | None = None) -> Path:
        return self.version_dir(cache_root) / "bin"

    def binary(self, output: str | None = None, cache_root: Path | None = None) -> Path:
        return self.bin_dir(cache_root) / (output or self.outputs[0])


# -------------------------------------------------------------------- go.mod
_REQ_LINE = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)")


@lru_cache(maxsize=None)
def _parse_go_mod(path: str, mtime: float) -> tuple[dict, dict]:
    """(requirements, replacements) of a go.mod: {module: version}, {(module, version|None): (new, version)}."""
    del mtime  # part of the cache key only
    reqs, repl = {}, {}
    block = None
    for raw in Path(path).read_text().splitlines():
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if line.endswith("(") and line.split()[0] in ("require", "replace", "exclude", "retract", "tool", "godebug"):
            block = line.split()[0]
            continue
        if line == ")":
            block = None
            continue
        kind = block
        if block is None:
            kind, _, line = line.partition(" ")
            line = line.strip()
        if kind == "require":
            parts = line.split()
            if len(parts) >= 2:
                reqs[parts[0]] = parts[1]
        elif kind == "replace" and "=>" in line:
            left, right = (s.split() for s in line.split("=>", 1))
            repl[(left[0], left[1] if len(left) > 1 else None)] = (right[0], right[1] if len(right) > 1 else None)
    return reqs, repl


def go_mod(path: Path) -> tuple[dict, dict]:
    path = Path(path)
    try:
        return _parse_go_mod(str(path), path.stat().st_mtime)
    except OSError as err:
        raise LocalStackError("pinned module %s not found: %s" % (path, err)) from None


def go_mod_requirement(path: Path, module: str) -> str:
    reqs, _ = go_mod(path)
    if module not in reqs:
        raise LocalStackError("%s does not require %s" % (path, module))
    return reqs[module]


def effective_versions(path: Path) -> dict[str, str]:
    """module -> the version the build uses (requirement, after a replace directive)."""
    reqs, repl = go_mod(path)
    out = {}
    for mod, ver in reqs.items():
        new = repl.get((mod, ver)) or repl.get((mod, None))
        out[mod] = "%s@%s" % new if new else "%s@%s" % (mod, ver)
    return out


# -------------------------------------------------------------------- go command
def go_binary() -> str:
    for cand in (os.environ.get("GO"), shutil.which("go"), "/usr/local/go/bin/go"):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise LocalStackError("go not found (set GO, or put Go on PATH; needed once to build the binaries)")


def go_env(toolchain: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    flags = env.get("GOFLAGS", "").split()
    flags = [f for f in flags if not f.startswith(("-mod=", "-buildvcs="))] + ["-mod=readonly", "-buildvcs=false"]
    env.update({"GOTOOLCHAIN": toolchain, "GOFLAGS": " ".join(flags), "CGO_ENABLED": "0"})
    env.update(extra or {})
    go_dir = os.path.dirname(go_binary())
    if go_dir not in env.get("PATH", "").split(":"):
        env["PATH"] = env.get("PATH", "") + ":" + go_dir
    return env


def go_run(args: Sequence[str], cwd: Path, toolchain: str, extra_env=None, timeout: float = 1800) -> str:
    proc = subprocess.run([go_binary(), *args], cwd=cwd, env=go_env(toolchain, extra_env), capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        raise LocalStackError("go %s (in %s, GOTOOLCHAIN=%s) failed:\n%s"
                              % (" ".join(args), cwd, toolchain, (proc.stderr or proc.stdout)[-3000:]))
    return proc.stdout


def module_dir(spec: GoBuild, module: str, env=None) -> Path:
    """Source directory of ``module`` as the build of ``spec`` resolves it (downloaded when missing)."""
    toolchain = spec.resolved_toolchain(env)
    out = go_run(["list", "-m", "-f", "{{.Dir}}", module], spec.module_dir, toolchain).strip()
    if not out or not Path(out).is_dir():
        go_run(["mod", "download", module], spec.module_dir, toolchain)
        out = go_run(["list", "-m", "-f", "{{.Dir}}", module], spec.module_dir, toolchain).strip()
    if not out or not Path(out).is_dir():
        raise LocalStackError("source of %s not found for %s" % (module, spec.name))
    return Path(out)


# -------------------------------------------------------------------- cache record
def inputs_hash(spec: GoBuild, env=None) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({
        "version": spec.resolved_version(), "toolchain": spec.resolved_toolchain(env),
        "packages": list(spec.packages), "outputs": list(spec.outputs), "ldflags_x": dict(spec.ldflags_x),
        "env": dict(spec.env), "tags": list(spec.tags), "links": dict(spec.links),
        "assets": [[a.dest, a.module, list(a.sources), a.mode, a.yaml_stream] for a in spec.assets],
    }, sort_keys=True).encode())
    gomod = spec.module_dir / "go.mod"
    if gomod.is_file():  # what go.mod says, not how it is commented
        lines = (ln.split("//", 1)[0].strip() for ln in gomod.read_text().splitlines())
        h.update(b"go.mod\0" + "\n".join(ln for ln in lines if ln).encode() + b"\0")
    for path in sorted({spec.module_dir / "go.sum"} | own_sources(spec)):
        if path.is_file():
            h.update(str(path.relative_to(spec.module_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def own_sources(spec: GoBuild) -> set[Path]:
    files = set()
    for pattern in spec.hash_globs:
        files.update(p for p in spec.module_dir.glob(pattern) if p.is_file())
    return files


def _record_path(spec: GoBuild, cache_root: Path) -> Path:
    return spec.bin_dir(cache_root) / ".build.json"


def _outputs_present(spec: GoBuild, cache_root: Path) -> bool:
    bindir = spec.bin_dir(cache_root)
    names = list(spec.outputs) + list(spec.links) + [a.dest for a in spec.assets]
    return all((bindir / n).exists() and (n not in spec.outputs or os.access(bindir / n, os.X_OK)) for n in names)


def _legacy_matches(spec: GoBuild, cache_root: Path) -> bool:
    """A cache made before build records existed: adopt it if the binary was built from these pins."""
    if not spec.version_of:
        return False
    try:
        info = subprocess.run([go_binary(), "version", "-m", str(spec.binary(cache_root=cache_root))],
                              capture_output=True, text=True, timeout=60, env=go_env("local")).stdout
    except (OSError, subprocess.SubprocessError, LocalStackError):
        return False
    want = effective_versions(spec.module_dir / "go.mod")
    seen = 0
    lines = info.splitlines()
    for i, line in enumerate(lines):
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "dep":
            mod, ver = parts[1], parts[2]
            if i + 1 < len(lines) and lines[i + 1].split()[:1] == ["=>"]:
                rep = lines[i + 1].split()
                got = "%s@%s" % (rep[1], rep[2] if len(rep) > 2 else "")
            else:
                got = "%s@%s" % (mod, ver)
            if mod in want and want[mod] != got:
                return False
            seen += 1
    return seen > 0


def cached(spec: GoBuild, cache_root: Path | None = None, env=None, adopt: bool = True) -> bool:
    """True when ``bin/`` holds this build (same inputs); adopts a matching pre-record cache."""
    cache_root = cache_root or common.cache_root(env)
    if not _outputs_present(spec, cache_root):
        return False
    record = _record_path(spec, cache_root)
    digest = inputs_hash(spec, env)
    try:
        if json.loads(record.read_text()).get("inputs_hash") == digest:
            return True
        if own_sources(spec):  # own code changed (or flags): only a build tells
            return False
    except (OSError, ValueError):
        pass
    # no record (a cache of the former bash engines) or another record for a pure wrapper module: the
    # binary's embedded module list (go version -m) decides whether it was built from these pins
    if adopt and _legacy_matches(spec, cache_root):
        with contextlib.suppress(OSError):
            record.write_text(json.dumps({"name": spec.name, "version": spec.resolved_version(),
                                          "inputs_hash": digest, "adopted": True}, indent=1) + "\n")
        return True
    return False


# -------------------------------------------------------------------- build
def ldflags(spec: GoBuild) -> str:
    version = spec.resolved_version()
    m = re.match(r"v?(\d+)\.(\d+)", version)
    values = {"version": version, "semver": version.lstrip("v"), "major": m.group(1) if m else "",
              "minor": m.group(2) if m else "",
              "build_date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    flags = ["-s", "-w"] + ["-X %s=%s" % (k, v.format(**values)) for k, v in spec.ldflags_x.items()]
    return " ".join(flags)


@contextlib.contextmanager
def _flock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _heartbeat(proc: subprocess.Popen, log_file: Path, what: str, log: Log, every: float) -> tuple[float, int]:
    """Wait for ``proc``; every ``every`` seconds log elapsed time, packages compiled and the current one."""
    start = time.monotonic()
    next_beat = start + every
    while proc.poll() is None:
        time.sleep(0.5)
        if time.monotonic() >= next_beat:
            next_beat += every
            lines = _log_lines(log_file)
            done = sum(1 for ln in lines if _is_package_line(ln))
            last = lines[-1][:100] if lines else ""
            log("  ... %s: still running (%d s; %d packages compiled; %s)" % (what, time.monotonic() - start, done, last))
    return time.monotonic() - start, sum(1 for ln in _log_lines(log_file) if _is_package_line(ln))


def _log_lines(path: Path) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()
    except OSError:
        return []


def _is_package_line(line: str) -> bool:
    return bool(line) and " " not in line.strip() and not line.startswith(("go:", "#"))


def _install_assets(spec: GoBuild, dest: Path, env=None) -> None:
    for asset in spec.assets:
        src_root = module_dir(spec, asset.module, env)
        target = dest / asset.dest
        if asset.yaml_stream:
            parts = []
            for rel in asset.sources:
                lines = (src_root / rel).read_text().splitlines()
                while lines and lines[0].strip() in ("", "---"):  # one separator per file, documents kept
                    lines.pop(0)
                parts.append("---\n" + "\n".join(lines) + "\n")
            target.write_text("".join(parts))
        else:
            if len(asset.sources) != 1:
                raise LocalStackError("asset %s: one source expected" % asset.dest)
            shutil.copyfile(src_root / asset.sources[0], target)
        target.chmod(asset.mode)


def ensure(spec: GoBuild, log: Log | None = None, cache_root: Path | None = None, env=None,
           heartbeat: float | None = None) -> Path:
    """Build ``spec`` unless cached; returns its bin directory."""
    log = log or Log("build")
    cache_root = cache_root or common.cache_root(env)
    if spec.prepare:
        spec.prepare(cache_root)
    bindir = spec.bin_dir(cache_root)
    if cached(spec, cache_root, env):
        return bindir
    vdir = spec.version_dir(cache_root)
    vdir.mkdir(parents=True, exist_ok=True)
    with _flock(vdir / ".build.lock"):  # a concurrent up waits for this build instead of racing it
        if cached(spec, cache_root, env):
            return bindir
        return _build(spec, log, cache_root, env, heartbeat)


def _build(spec: GoBuild, log: Log, cache_root: Path, env, heartbeat: float | None) -> Path:
    version = spec.resolved_version()
    toolchain = spec.resolved_toolchain(env)
    vdir = spec.version_dir(cache_root)
    bindir = vdir / "bin"
    every = heartbeat if heartbeat is not None else float(common.env_str("APPMOD_BUILD_HEARTBEAT", "30", env))
    tmp = Path(tempfile.mkdtemp(prefix="bin.partial-", dir=vdir))
    build_log = vdir / "build.log"
    what = "go build %s %s" % (spec.name, version)
    try:
        cmd = [go_binary(), "build", "-v", "-trimpath", "-ldflags=" + ldflags(spec)]
        if spec.tags:
            cmd.append("-tags=" + ",".join(spec.tags))
        if len(spec.packages) == 1:
            cmd += ["-o", str(tmp / spec.outputs[0])]
        else:
            cmd += ["-o", str(tmp) + "/"]
        cmd += list(spec.packages)
        if spec.nice and shutil.which("nice"):
            cmd = ["nice", "-n", str(spec.nice), *cmd]
        log("building %s %s (%s) with GOTOOLCHAIN=%s into %s" % (spec.name, version, ", ".join(spec.outputs), toolchain, bindir))
        log("  (log: %s; heartbeat every %.0f s)" % (build_log, every))
        with open(build_log, "w") as out:
            out.write("# %s\n" % " ".join(cmd))
            out.flush()
            proc = subprocess.Popen(cmd, cwd=spec.module_dir, env=go_env(toolchain, spec.env), stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                seconds, packages = _heartbeat(proc, build_log, what, log, every)
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        if proc.returncode != 0:
            raise LocalStackError("%s failed (rc=%d); log %s:\n%s" % (what, proc.returncode, build_log,
                                                                   "\n".join(_log_lines(build_log)[-30:])))
        # `go build -o dir/` names each binary after its package's last element: give it its output name.
        for package, output in zip(spec.packages, spec.outputs):
            built = tmp / package.rstrip("/").rsplit("/", 1)[-1]
            if len(spec.packages) > 1 and built.name != output and built.is_file() and not (tmp / output).exists():
                built.rename(tmp / output)
        missing = [o for o in spec.outputs if not (tmp / o).is_file()]
        if missing:
            raise LocalStackError("%s produced no %s (log %s)" % (what, ", ".join(missing), build_log))
        for link, target in spec.links.items():
            os.symlink(target, tmp / link)
        _install_assets(spec, tmp, env)
        go_version = subprocess.run([go_binary(), "version"], cwd=spec.module_dir, env=go_env(toolchain),
                                    capture_output=True, text=True).stdout.strip()
        record = {"name": spec.name, "version": version, "toolchain": toolchain, "go": go_version,
                  "packages": list(spec.packages), "outputs": list(spec.outputs),
                  "seconds": round(seconds, 1), "packages_compiled": packages,
                  "built_at": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "sizes": {o: (tmp / o).stat().st_size for o in spec.outputs},
                  "inputs_hash": inputs_hash(spec, env)}
        (tmp / ".build.json").write_text(json.dumps(record, indent=1) + "\n")
        tmp.chmod(0o755)
        # swap in atomically: bin is either the old complete build or the new complete build
        old = None
        if bindir.exists() or bindir.is_symlink():
            old = vdir / ("bin.old-%d" % os.getpid())
            os.rename(bindir, old)
        os.rename(tmp, bindir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        (vdir / "build.json").write_text(json.dumps(record, indent=1) + "\n")
        with open(vdir / "build-history.jsonl", "a") as hist:  # every build of this version, one line each
            hist.write(json.dumps(record) + "\n")
        (vdir / "build-seconds").write_text("%d\n" % round(seconds))
        log("  %s: done in %.0f s (%d packages compiled)" % (what, seconds, packages))
        return bindir
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def build_info(spec: GoBuild, cache_root: Path | None = None) -> dict:
    """The record of the last build (``build.json``), or {}."""
    try:
        return json.loads((spec.version_dir(cache_root) / "build.json").read_text())
    except (OSError, ValueError):
        return {}

