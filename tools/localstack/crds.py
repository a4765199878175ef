"""Argo CD's CRDs from the SAME Argo CD version as the binary (one version for both).

They come from the Go module ``github.com/argoproj/argo-cd/v3`` (``manifests/crds/``, the files of the
release's install manifests): for the version pinned in tools/argocd/go.mod through that module (so the
committed go.sum verifies the download); for another version (``LOCAL_CLUSTER_ARGOCD_VERSION``) through
``go mod download -json`` (checked against the Go checksum database). Copied once into
``<CACHE_ROOT>/argocd-crds/<version>/``.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from . import builds, common, gobuild
from .common import LocalStackError

FILES = ("application-crd.yaml", "appproject-crd.yaml", "applicationset-crd.yaml")
NAMES = ("applications.argoproj.io", "appprojects.argoproj.io", "applicationsets.argoproj.io")


def pinned_version() -> str:
    return builds.ARGOCD.resolved_version()


def argocd_crds_dir(version: str | None = None, cache_root: Path | None = None, env=None) -> Path:
    version = version or pinned_version()
    cache_root = cache_root or common.cache_root(env)
    dest = cache_root / "argocd-crds" / version
    if all((dest / f).is_file() for f in FILES):
        return dest
    if version == pinned_version():
        src = gobuild.module_dir(builds.ARGOCD, builds.ARGOCD_MODULE, env)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = gobuild.go_run(["mod", "download", "-json", "%s@%s" % (builds.ARGOCD_MODULE, version)], Path(tmp),
                                 builds.ARGOCD.resolved_toolchain(env))
        info = json.loads(out)
        if info.get("Error") or not info.get("Dir"):
            raise LocalStackError("go mod download %s@%s: %s" % (builds.ARGOCD_MODULE, version, info.get("Error")))
        src = Path(info["Dir"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=version + ".partial-", dir=dest.parent))
    try:
        for f in FILES:
            shutil.copyfile(src / "manifests" / "crds" / f, tmp / f)
            (tmp / f).chmod(0o644)
        tmp.chmod(0o755)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def crd_files(version: str | None = None, cache_root: Path | None = None, env=None) -> list[Path]:
    d = argocd_crds_dir(version, cache_root, env)
    return [d / f for f in FILES]


def crd_file(filename: str, version: str | None = None, cache_root: Path | None = None, env=None) -> Path:
    """One of FILES (``application-crd.yaml``, ...) of that Argo CD version."""
    if filename not in FILES:
        raise LocalStackError("%s is not one of Argo CD's CRD files %s" % (filename, ", ".join(FILES)))
    return argocd_crds_dir(version, cache_root, env) / filename
