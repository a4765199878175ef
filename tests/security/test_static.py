"""Static security checks (no cluster): no_log wherever Secret data or passwords pass, and IAM
policies without wildcard actions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S_MODULES = {"kubernetes.core.k8s", "kubernetes.core.k8s_info", "k8s", "k8s_info"}
# Tasks that touch a Secret without no_log, each with why it is (still) accepted. The test fails when
# this list and the tree differ, so a fix must shrink it.
KNOWN: dict[str, str] = {}


def _tasks(node):
    """Every task of a task list, blocks/rescue/always included."""
    for task in node or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ("block", "rescue", "always"):
            yield from _tasks(task.get(key))


def _module(task):
    for key, value in task.items():
        if key in K8S_MODULES or key.startswith(("ansible.builtin.", "kubernetes.core.", "community.", "amazon.")):
            return key, value
    return None, None


def touches_secret(task) -> str | None:
    """Why the task passes secret material, or None."""
    name, args = _module(task)
    text = yaml.safe_dump(task)
    if name in K8S_MODULES and isinstance(args, dict):
        definition = args.get("definition") or {}
        kind = args.get("kind") or (definition.get("kind") if isinstance(definition, dict) else None)
        if kind == "Secret":
            return "%s on a Secret (its result holds the Secret's data)" % name
    if "stringData" in text or "password" in text.lower() and "lookup" in text:
        return "stringData or a generated password"
    if "__common_secret_data" in text:
        return "the generated credential values"
    return None


def secret_tasks_without_no_log() -> dict[str, str]:
    out = {}
    files = sorted(ROOT.glob("roles/*/tasks/*.yml")) + sorted(ROOT.glob("playbooks/*.yml"))
    for path in files:
        doc = yaml.safe_load(path.read_text()) or []
        plays = doc if path.parent.name == "playbooks" else [{"tasks": doc}]
        for play in plays:
            if not isinstance(play, dict):
                continue
            for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                for task in _tasks(play.get(section)):
                    why = touches_secret(task)
                    if why and task.get("no_log") is not True:
                        out["%s: %s" % (path.relative_to(ROOT), task.get("name", "<unnamed>"))] = why
    return out


def test_no_log_wherever_secrets_pass():
    found = secret_tasks_without_no_log()
    print("\ntasks touching Secret data without no_log: %d" % len(found))
    for task, why in sorted(found.items()):
        print("  %s (%s)%s" % (task, why, " [known: %s]" % KNOWN[task] if task in KNOWN else ""))
    assert set(found) == set(KNOWN), "new: %s; fixed (remove from KNOWN): %s" % (
        sorted(set(found) - set(KNOWN)), sorted(set(KNOWN) - set(found)))


def test_the_static_check_sees_a_secret_task():
    """Control: the detector flags a task that writes a Secret's stringData without no_log."""
    task = {"name": "x", "kubernetes.core.k8s": {"definition": {"kind": "Secret", "stringData": {"a": "b"}}}}
    assert touches_secret(task)
    assert not touches_secret({"name": "y", "ansible.builtin.debug": {"msg": "hello"}})


POLICIES = sorted((ROOT / "roles" / "aws_identity" / "files").glob("*.json"))


def _actions(statement):
    for key in ("Action", "NotAction"):
        value = statement.get(key, [])
        yield from ([value] if isinstance(value, str) else value)


@pytest.mark.parametrize("path", POLICIES, ids=[p.name for p in POLICIES])
def test_iam_policy_has_no_wildcard_action(path):
    doc = json.loads(path.read_text())
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    bad = [a for s in statements for a in _actions(s) if "*" in a]
    assert not bad, "%s: wildcard actions %s" % (path.name, bad)
    assert not any("NotAction" in s for s in statements), "%s: NotAction grants everything else" % path.name
    for s in statements:
        if s.get("Effect") == "Allow" and "Principal" not in s:
            resources = [s["Resource"]] if isinstance(s.get("Resource"), str) else s.get("Resource", [])
            assert resources, "%s: Allow without Resource" % path.name
