"""The one Go build routine: a tiny wrapper module built for real (go on PATH), cached by version,
rebuilt when an input changes, never left half-built, with a heartbeat and a build record."""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tools.localstack import gobuild
from tools.localstack.common import LocalStackError
from tools.localstack.gobuild import Asset, GoBuild

try:
    GO = gobuild.go_binary()
except LocalStackError:  # pragma: no cover
    GO = None

needs_go = pytest.mark.skipif(GO is None, reason="go not installed")

MAIN = '''package main

import "fmt"

var version = "dev"

func main() { fmt.Println("hello", version) }
'''


def module(tmp_path, body=MAIN):
    src = tmp_path / "src"
    (src / "cmd" / "hello").mkdir(parents=True)
    (src / "go.mod").write_text("module example.local/hello\n\ngo 1.22\n")
    (src / "cmd" / "hello" / "main.go").write_text(body)
    (src / "stages.yaml").write_text("---\na: 1\n---\nb: 2\n")
    return src


def spec(src, **kw):
    base = dict(name="hello", module_dir=src, version="v1.2.3", packages=("./cmd/hello",), outputs=("hello",),
                ldflags_x={"main.version": "{semver}"}, links={"hi": "hello"},
                assets=(Asset("stages.yaml", "example.local/hello", ("stages.yaml", "stages.yaml"), yaml_stream=True),),
                nice=0)
    base.update(kw)
    return GoBuild(**base)


class Lines:
    def __init__(self):
        self.lines = []

    def __call__(self, msg):
        self.lines.append(msg)


def test_go_mod_parsing(tmp_path):
    gm = tmp_path / "go.mod"
    gm.write_text("module x\n\ngo 1.22\n\nrequire a.example/one v1.0.0 // indirect\n\nrequire (\n"
                  "\tb.example/two v0.0.0 // indirect\n\tc.example/three v3.1.0\n)\n\nreplace (\n"
                  "\tb.example/two v0.0.0 => b.example/two v0.34.4\n\tc.example/three => c.example/three v3.2.0\n)\n")
    assert gobuild.go_mod_requirement(gm, "a.example/one") == "v1.0.0"
    assert gobuild.go_mod_requirement(gm, "b.example/two") == "v0.0.0"
    assert gobuild.effective_versions(gm) == {"a.example/one": "a.example/one@v1.0.0",
                                              "b.example/two": "b.example/two@v0.34.4",
                                              "c.example/three": "c.example/three@v3.2.0"}
    with pytest.raises(LocalStackError, match="does not require"):
        gobuild.go_mod_requirement(gm, "d.example/none")


def test_pinned_versions_come_from_the_wrapper_modules():
    from tools.localstack import builds

    assert builds.K8S.resolved_version() == "v1.34.4"
    assert builds.ETCD.resolved_version() == "v3.6.4"
    assert builds.KWOK.resolved_version() == "v0.8.0"
    assert builds.ARGOCD.resolved_version() == "v3.6.1"
    assert builds.K8S.bin_dir(Path("/c")) == Path("/c/k8s/v1.34.4/bin")
    assert builds.ARGOCD.outputs == ("argocd-local",)
    assert {"argocd-application-controller", "argocd-repo-server"} <= set(builds.ARGOCD.links)


def test_ldflags_templates():
    s = GoBuild(name="k", module_dir=Path("."), version="v1.34.4", packages=("x",), outputs=("x",),
                ldflags_x={"p.gitVersion": "{version}", "p.gitMajor": "{major}", "p.gitMinor": "{minor}", "q.v": "{semver}"})
    flags = gobuild.ldflags(s)
    assert flags.startswith("-s -w ")
    for part in ("-X p.gitVersion=v1.34.4", "-X p.gitMajor=1", "-X p.gitMinor=34", "-X q.v=1.34.4"):
        assert part in flags


@needs_go
def test_build_cache_record_and_reuse(tmp_path):
    src = module(tmp_path)
    cache = tmp_path / "cache"
    s = spec(src)
    log = Lines()
    bindir = gobuild.ensure(s, log, cache, heartbeat=0.5)
    assert bindir == cache / "hello" / "v1.2.3" / "bin"
    out = subprocess.run([str(bindir / "hello")], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "hello 1.2.3"  # -X from the template, version from the spec
    assert os.readlink(bindir / "hi") == "hello"
    assert (bindir / "stages.yaml").read_text() == "---\na: 1\n---\nb: 2\n---\na: 1\n---\nb: 2\n"
    record = json.loads((bindir.parent / "build.json").read_text())
    assert record["version"] == "v1.2.3" and record["seconds"] >= 0 and record["outputs"] == ["hello"]
    assert (bindir.parent / "build-seconds").is_file() and (bindir.parent / "build.log").is_file()
    assert any("building hello v1.2.3" in ln for ln in log.lines)
    assert not list(bindir.parent.glob("bin.partial-*"))
    # cached: no go invocation, returns at once
    mtime = (bindir / "hello").stat().st_mtime
    start = time.monotonic()
    assert gobuild.ensure(s, Lines(), cache) == bindir
    assert time.monotonic() - start < 1 and (bindir / "hello").stat().st_mtime == mtime
    assert gobuild.cached(s, cache)


@needs_go
def test_changed_input_rebuilds_and_failed_build_keeps_the_old_cache(tmp_path):
    src = module(tmp_path)
    cache = tmp_path / "cache"
    s = spec(src)
    bindir = gobuild.ensure(s, Lines(), cache)
    (src / "cmd" / "hello" / "main.go").write_text(MAIN.replace('"hello"', '"bonjour"'))
    assert not gobuild.cached(s, cache)
    gobuild.ensure(s, Lines(), cache)
    assert "bonjour" in subprocess.run([str(bindir / "hello")], capture_output=True, text=True).stdout
    # a broken source: the build fails, bin/ still holds the last complete build, no partial dir left
    (src / "cmd" / "hello" / "main.go").write_text("package main\n\nfunc main() { undefined() }\n")
    with pytest.raises(LocalStackError) as err:
        gobuild.ensure(s, Lines(), cache)
    assert "undefined" in str(err.value)
    assert "bonjour" in subprocess.run([str(bindir / "hello")], capture_output=True, text=True).stdout
    assert not list(bindir.parent.glob("bin.partial-*"))


@needs_go
def test_heartbeat_reports_progress(tmp_path, monkeypatch):
    src = module(tmp_path)
    real = gobuild.go_binary()
    slow = tmp_path / "slowgo"
    slow.write_text("#!/bin/sh\nif [ \"$1\" = build ]; then echo example.local/hello/cmd/hello; sleep 2; fi\nexec %s \"$@\"\n" % real)
    slow.chmod(0o755)
    monkeypatch.setenv("GO", str(slow))
    log = Lines()
    gobuild.ensure(spec(src), log, tmp_path / "cache", heartbeat=0.5)
    beats = [ln for ln in log.lines if "still running" in ln]
    assert beats and "packages compiled" in beats[0]
