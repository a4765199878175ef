"""What tests/aws and tests/workshop share about an ansible-playbook run: its result and its PLAY RECAP.

Imported as ``from helpers_runs import ...``: tests/ has no ``__init__.py``, so pytest puts it on sys.path
(the same way tests/security imports ``faults.private_cluster``).
"""
from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECAP_RE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", re.M)


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    recap: dict
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def why(self) -> str:
        """The failures of a run (each 'fatal:' block), then the end of the output."""
        blocks = re.findall(r"^fatal: .*?(?=^\S)", self.stdout, re.M | re.S)
        return "\n".join(blocks)[-6000:] + "\n...\n" + self.output[-2000:]


def parse_recap(stdout: str) -> dict:
    """{host: {ok: n, changed: n, ...}} from the (last) PLAY RECAP block."""
    text = stdout.split("PLAY RECAP")[-1]
    return {
        host: {k: int(v) for k, v in (pair.split("=") for pair in counters.split())}
        for host, counters in RECAP_RE.findall(text)
    }


def run_timed(cmd: list[str], env: dict, timeout: int) -> Run:
    """Run an ansible-playbook command line from the project root; its Run with recap and duration."""
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, parse_recap(proc.stdout), time.monotonic() - started)
