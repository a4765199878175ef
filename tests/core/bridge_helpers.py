"""Helpers for the bridge chart tests (helm template with -f files)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

BRIDGE = ROOT / "gitops" / "charts" / "agent-platform"
HELMS = {"helm3": ROOT / ".tools" / "bin" / "helm3", "helm4": ROOT / ".tools" / "bin" / "helm4"}


def helm_template(helm_bin, chart, values=None, extra=(), expect_fail=False, tmp_path=None):
    cmd = [helm_bin, "template", "agent-platform", str(chart), "--namespace", "argocd"]
    for i, v in enumerate(values or []):
        f = Path(tmp_path) / ("values-%d.yaml" % i)
        f.write_text(yaml.safe_dump(v))
        cmd += ["-f", str(f)]
    cmd += list(extra)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if expect_fail:
        assert proc.returncode != 0, proc.stdout
        return proc.stderr
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]
