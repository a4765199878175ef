"""Roles build on each other's published facts and inputs (named in their argument specs and READMEs), never on
another role's private ``__<role>_`` variables: renaming a private variable must not break another role."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if p.is_dir())
# The longest role name first: __agent_platform_x is agent_platform's, not a role named "agent"'s.
PRIVATE = re.compile(r"\b__(%s)_\w+" % "|".join(sorted(ROLES, key=len, reverse=True)))


def test_no_role_reads_or_sets_another_roles_private_variables():
    crossings = []
    for role in ROLES:
        for path in sorted((ROOT / "roles" / role).rglob("*.yml")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for match in PRIVATE.finditer(line):
                    if match.group(1) != role:
                        crossings.append("%s:%d: %s" % (path.relative_to(ROOT), number, match.group(0)))
    assert not crossings, "another role's private variable used:\n" + "\n".join(crossings)


def test_the_rule_sees_a_crossing():
    assert PRIVATE.search("when: __agent_platform_label_enabled | bool").group(1) == "agent_platform"
    assert PRIVATE.search("x: __workshop_event_children").group(1) == "workshop_event"
