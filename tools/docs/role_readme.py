"""Role README variable tables, generated from meta/argument_specs.yml (the one place a role variable is described).

    python -m tools.docs.role_readme            # rewrite every role README's table (creates missing READMEs)
    python -m tools.docs.role_readme --check    # exit 1 naming each README whose table differs
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROLES = Path(__file__).resolve().parents[2] / "roles"
HEADER = "| variable | type | default | description |"
# Ansible's documentation markup, shown as Markdown.
_MARKUP = [(re.compile(r"[CIVO]\(([^)]*)\)"), r"`\1`"), (re.compile(r"[BL]\(([^)]*)\)"), r"\1")]


def _text(value) -> str:
    text = " ".join(value) if isinstance(value, list) else str(value or "")
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return " ".join(text.split()).replace("|", "\\|")


def _default(spec: dict) -> str:
    if "default" not in spec:
        return "required" if spec.get("required") else ""
    value = spec["default"]
    if isinstance(value, (dict, list)):
        shown = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    elif isinstance(value, bool):
        shown = str(value).lower()
    elif isinstance(value, str) and value in ("true", "false", "yes", "no", "null"):
        shown = f'"{value}"'  # a string, not the YAML boolean or null
    else:
        shown = str(value)
    return shown.replace("|", "\\|")


def spec_of(role: str) -> dict:
    path = ROLES / role / "meta" / "argument_specs.yml"
    return yaml.safe_load(path.read_text())["argument_specs"].get("main", {}) if path.exists() else {}


def options_of(role: str) -> dict:
    """Every entry point's options, main first (a role's variables are shared by its entry points)."""
    path = ROLES / role / "meta" / "argument_specs.yml"
    options: dict = {}
    for entry in yaml.safe_load(path.read_text())["argument_specs"].values():
        for name, spec in (entry.get("options") or {}).items():
            options.setdefault(name, spec)
    return options


def table(role: str) -> str:
    rows = [HEADER, "|---|---|---|---|"]
    for name, spec in options_of(role).items():
        rows.append(f"| `{name}` | {spec.get('type', 'str')} | `{_default(spec)}` | {_text(spec.get('description'))} |")
    return "\n".join(rows) + "\n"


def _new_readme(role: str) -> str:
    spec = spec_of(role)
    lines = [f"# {role}", "", _text(spec.get("short_description")) + "."]
    for paragraph in spec.get("description") or []:
        lines += ["", _text(paragraph)]
    return "\n".join(lines) + "\n\n" + table(role)


def rendered(role: str) -> str:
    """The README with its variable table regenerated (the rest is kept)."""
    path = ROLES / role / "README.md"
    if not path.exists():
        return _new_readme(role)
    text = path.read_text()
    start = text.find(HEADER)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + table(role)
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end + 1
    return text[:start] + table(role) + text[end:]


def roles() -> list[str]:
    """Roles with a main entry point (_common has only task files, its README is written by hand)."""
    return sorted(p.parent.parent.name for p in ROLES.glob("*/meta/argument_specs.yml") if spec_of(p.parent.parent.name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report READMEs whose table is out of date")
    args = parser.parse_args(argv)
    stale = []
    for role in roles():
        path = ROLES / role / "README.md"
        wanted = rendered(role)
        if path.exists() and path.read_text() == wanted:
            continue
        stale.append(str(path.relative_to(ROLES.parent)))
        if not args.check:
            path.write_text(wanted)
    for name in stale:
        print(("out of date: " if args.check else "written: ") + name)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
