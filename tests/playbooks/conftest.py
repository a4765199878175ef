import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr
        m = re.findall(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", self.out)
        self.recap = [tuple(int(x) for x in row) for row in m]

    @property
    def changed(self):
        return sum(r[1] for r in self.recap)


@pytest.fixture
def playbook():
    def run(name, inventory="inventories/dev", extra_vars=None, env=None, check=False, args=()):
        cmd = [str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/%s" % name, "-i", inventory]
        for k, v in (extra_vars or {}).items():
            cmd += ["-e", "%s=%s" % (k, v)]
        if check:
            cmd += ["--check", "--diff"]
        cmd += list(args)
        environ = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       PATH="%s:%s:%s" % (ROOT / ".tools/bin", ROOT / ".venv/bin", os.environ["PATH"]))
        for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM"):
            environ.pop(k, None)
        environ.update(env or {})
        return Run(subprocess.run(cmd, cwd=ROOT, env=environ, capture_output=True, text=True))
    return run
