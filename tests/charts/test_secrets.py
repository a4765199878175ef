"""No literal secret in the repository or in anything the charts render."""
from __future__ import annotations

import base64
import re
import subprocess

import pytest
import yaml

from .conftest import ROOT

pytestmark = pytest.mark.helm

PATTERNS = {
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "literal password": re.compile(r"""(?im)^\s*[\w.-]*password[\w.-]*\s*[:=]\s*["']?(?!\{\{|\$\(|os\.environ|<|\s*$|["']{2}|null|~|""" +
                                   r"""valueFrom|secretKeyRef|lookup\(|"?\{\{)[^\s"'#]{4,}"""),
}
# Placeholders and references that look like a key but are not one.
ALLOW = re.compile(r"AKIAIOSFODNN7EXAMPLE|password: \$\{|PASSWORD=\$")
SKIP_SUFFIX = (".png", ".jpg", ".gz", ".tgz", ".zip", ".lock")


def _scan(text: str, where: str) -> list[str]:
    hits = []
    for name, rx in PATTERNS.items():
        for m in rx.finditer(text):
            line = text[text.rfind("\n", 0, m.start()) + 1: text.find("\n", m.end())]
            if ALLOW.search(line):
                continue
            hits.append(f"{where}: {name}: {line.strip()[:120]}")
    return hits


def test_pattern_self_check():
    assert _scan("key: sk-" + "a" * 30, "x")
    assert _scan("AKIA" + "ABCDEFGHIJKLMNOP", "x")
    assert _scan("-----BEGIN RSA PRIVATE KEY-----", "x")
    assert _scan("password: hunter2hunter2", "x")
    assert not _scan("password: \"{{ .Values.x }}\"", "x")
    assert not _scan("- name: PGPASSWORD\n  valueFrom:", "x")


def test_repository_has_no_literal_secrets():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    hits = []
    for rel in filter(None, files.split("\0")):
        path = ROOT / rel
        if rel.endswith(SKIP_SUFFIX) or not path.is_file() or rel.startswith("tests/charts/test_secrets.py"):
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        hits += _scan(text, rel)
    assert not hits, "\n".join(hits)


def test_rendered_output_has_no_literal_secrets(rendered):
    hits = []
    for key, text in rendered["__raw__"].items():
        where = "/".join(map(str, key))
        hits += _scan(text, where)
        for doc in yaml.safe_load_all(text):
            if doc and doc.get("kind") == "Secret":
                for k, v in (doc.get("data") or {}).items():
                    hits.append(f"{where}: Secret {doc['metadata']['name']} carries base64 data {k}")
                    base64.b64decode(v)
                if doc.get("stringData"):
                    hits.append(f"{where}: Secret {doc['metadata']['name']} carries stringData")
    assert not hits, "\n".join(hits)
