"""Results of the smoke suite and the table a person reads.

A :class:`Component` is one program (or one thing checked without running it): what it is, what it was
started from, every rewrite made to run it on this host, notes, and its checks. A :class:`Check` is one
assertion with its result (PASS, FAIL, WARN, INFO, SKIP), the time it took and a detail: for a failure,
the program's own answer (status and body), so the table shows what the program said.
"""
from __future__ import annotations

import contextlib
import shutil
import textwrap
import time
from dataclasses import dataclass, field

PASS, FAIL, WARN, INFO, SKIP, NOTRUN = "PASS", "FAIL", "WARN", "INFO", "SKIP", "NOT RUN"


class CheckFailed(Exception):
    """Raised inside ``Component.check`` to fail the check with a message (the program's answer)."""


@dataclass
class Check:
    name: str
    status: str = PASS
    detail: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status == FAIL


class _CheckContext:
    def __init__(self, check: Check):
        self._check = check

    def detail(self, text: str) -> None:
        self._check.detail = text

    def status(self, status: str, text: str | None = None) -> None:
        self._check.status = status
        if text is not None:
            self._check.detail = text


@dataclass
class Component:
    key: str                         # short name: mockllm, litellm, jaeger, kagent, agent, langfuse, ...
    title: str                       # what it is, for people
    program: str = ""                # program and version, e.g. "LiteLLM 1.74.3.post1 (<venv>/bin/litellm; ...)"
    started_from: list[str] = field(default_factory=list)   # the cluster objects it was configured from
    rewrites: list[str] = field(default_factory=list)       # every address/port change made to run it here
    notes: list[str] = field(default_factory=list)
    listen: str = ""                 # where it listened
    checks: list[Check] = field(default_factory=list)
    start_seconds: float | None = None   # start until ready
    seconds: float = 0.0             # everything (start, checks)
    ran: bool = True                 # False: checked without running (Langfuse, Terraform runner)

    @property
    def failed(self) -> bool:
        return any(c.failed for c in self.checks)

    @property
    def status(self) -> str:
        if self.failed:
            return FAIL
        if not self.checks:
            return NOTRUN
        if all(c.status in (SKIP, INFO) for c in self.checks):
            return INFO if any(c.status == INFO for c in self.checks) else SKIP
        return PASS

    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if c.failed), None)

    def get(self, name_prefix: str) -> Check | None:
        return next((c for c in self.checks if c.name.startswith(name_prefix)), None)

    @contextlib.contextmanager
    def check(self, name: str):
        """Time a check; CheckFailed (or any exception) makes it FAIL with the message."""
        chk = Check(name)
        self.checks.append(chk)
        ctx = _CheckContext(chk)
        t0 = time.monotonic()
        try:
            yield ctx
        except CheckFailed as err:
            chk.status, chk.detail = FAIL, str(err)
        except Exception as err:  # noqa: BLE001 - a check that breaks is a failed check, said plainly
            chk.status, chk.detail = FAIL, "%s: %s" % (type(err).__name__, err)
        finally:
            chk.seconds = time.monotonic() - t0

    def add(self, name: str, status: str, detail: str = "", seconds: float = 0.0) -> Check:
        chk = Check(name, status, detail, seconds)
        self.checks.append(chk)
        return chk


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 10:
        return "%.2f s" % s
    if s < 120:
        return "%.1f s" % s
    return "%dm%02ds" % (int(s) // 60, int(s) % 60)


def _wrap(text: str, width: int) -> list[str]:
    out = []
    for para in str(text).splitlines() or [""]:
        out.extend(textwrap.wrap(para, width=width, break_long_words=True, break_on_hyphens=False) or [""])
    return out


def render(components: list[Component], header: list[str], width: int | None = None) -> str:
    """The whole report: a block per component (program, sources, rewrites, checks) and a summary."""
    width = width or max(110, min(170, shutil.get_terminal_size((150, 40)).columns))
    rule = "=" * width
    lines = [rule]
    lines += [" " + h for h in header]
    lines.append(rule)
    for n, comp in enumerate(components, 1):
        lines.append("")
        head = " %d. %s" % (n, comp.title)
        right = "%s   %s" % (comp.status, fmt_seconds(comp.seconds))
        lines.append(head + " " * max(1, width - len(head) - len(right)) + right)
        lines.append(" " + "-" * (width - 1))

        def field_(label, values):
            if not values:
                return
            if isinstance(values, str):
                values = [values]
            for i, v in enumerate(values):
                wrapped = _wrap(v, width - 18)
                for j, w in enumerate(wrapped):
                    lab = label if (i == 0 and j == 0) else ""
                    lines.append("   %-14s %s%s" % (lab, "" if j == 0 else "  ", w))

        field_("program", comp.program)
        if comp.start_seconds is not None:
            field_("start", "ready in %s" % fmt_seconds(comp.start_seconds))
        field_("listens on", comp.listen)
        field_("started from" if comp.ran else "checked from", comp.started_from)
        field_("rewrites", comp.rewrites or (["(none)"] if comp.ran and comp.program else []))
        field_("notes", comp.notes)
        if comp.checks:
            name_w = min(46, max(len(c.name) for c in comp.checks))
            det_w = max(30, width - name_w - 26)
            lines.append("   %-7s  %-*s  %8s  %s" % ("result", name_w, "check", "time", "detail"))
            for c in comp.checks:
                names = _wrap(c.name, name_w)
                dets = _wrap(c.detail, det_w)
                for i in range(max(len(names), len(dets))):
                    lines.append("   %-7s  %-*s  %8s  %s" % (
                        c.status if i == 0 else "", name_w, names[i] if i < len(names) else "",
                        fmt_seconds(c.seconds) if i == 0 else "", dets[i] if i < len(dets) else ""))
    # summary
    lines += ["", rule, " summary", " " + "-" * (width - 1)]
    lines.append("   %-3s %-34s %-44s %-9s %-8s %s" % ("#", "component", "program", "checks", "result", "time"))
    for n, comp in enumerate(components, 1):
        counted = [c for c in comp.checks if c.status in (PASS, FAIL, WARN)]
        passed = sum(1 for c in counted if c.status in (PASS, WARN))
        prog = comp.program.split(" (")[0] if comp.program else ("not run here" if not comp.ran else "-")
        lines.append("   %-3s %-34s %-44s %-9s %-8s %s" % (
            n, comp.key, prog[:44], "%d/%d" % (passed, len(counted)), comp.status, fmt_seconds(comp.seconds)))
    failed = [c for c in components if c.failed]
    total = sum(1 for c in components for k in c.checks if k.status in (PASS, FAIL, WARN))
    bad = sum(1 for c in components for k in c.checks if k.failed)
    lines.append(rule)
    lines.append(" RESULT: %s (%d checks, %d failed%s)" % (
        "FAIL" if failed else "PASS", total, bad,
        ": " + ", ".join(c.key for c in failed) if failed else ""))
    lines.append(rule)
    return "\n".join(lines)
