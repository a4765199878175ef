"""No literal secret in the repository or in anything the charts render."""
from __future__ import annotations

import base64
import re
import subprocess

import pytest
import yaml

from harness import ROOT

pytestmark = pytest.mark.helm

PATTERNS = {
    "OpenAI-style key": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "literal password": re.compile(r"""(?im)^\s*[\w.-]*password[\w.-]*\s*[:=]\s*["']?(?!\{\{|\$\(|os\.environ|<|\s*$|["']{2}|null|~|""" +
                                   r"""valueFrom|secretKeyRef|lookup\(|"?\{\{)[^\s"'#]{4,}"""),
}
# Placeholders and references that look like a key but are not one.
# A key whose name ends in Key names the key of a Secret (existingSecretPasswordKey: redis-password).
ALLOW = re.compile(r"AKIAIOSFODNN7EXAMPLE|password: \$\{|PASSWORD=\$|[Pp]assword\w*Key\s*:")
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
    assert not _scan("existingSecretPasswordKey: redis-password", "x")


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


# Secrets upstream charts render by design (their own defaults, not this project's): kagent's bundled dev/eval
# PostgreSQL (a fixed upstream password; prod uses an external database) and tofu-controller's runner cache key
# (empty; the controller fills it).
UPSTREAM_SECRETS = {("kagent", "kagent-postgresql"), ("tofu-controller", "tf-runner.cache-encryption")}


def test_rendered_output_has_no_literal_secrets(manifests):
    hits = []
    for key, by_component in manifests.items():
        if key[2] != 3:
            continue
        for component, docs in by_component.items():
            where = "%s/%s" % ("-".join(map(str, key[:2])), component)
            for doc in docs:
                if doc.get("kind") == "Secret" and (component, doc["metadata"]["name"]) in UPSTREAM_SECRETS:
                    continue
                hits += _scan(yaml.safe_dump(doc), where)
                if doc.get("kind") == "Secret" and (doc.get("data") or doc.get("stringData")):
                    hits.append("%s: Secret %s carries data" % (where, doc["metadata"]["name"]))
    assert not hits, "\n".join(hits)


def test_prod_renders_no_database_password(manifests):
    kagent = manifests[("prod", "default", 3)]["kagent"]
    assert not [d for d in kagent if d["kind"] == "Secret" and d["metadata"]["name"] == "kagent-postgresql"]
    deployment = next(d for d in kagent if d["kind"] == "Deployment" and d["metadata"]["name"] == "kagent-controller")
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["POSTGRES_DATABASE_URL_FILE"]["value"] == "/etc/kagent/database/url"
