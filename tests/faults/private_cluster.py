"""A PRIVATE local control plane (same engine as scripts/local-cluster.sh, its own state dir and ports)
for tests and benchmarks that restart components or measure a cold converge. Never the shared one.

    with PrivateCluster() as pc:            # up (~20-50 s with cached binaries) ... down --purge
        pc.playbook("agent-platform.yml")   # direct delivery, no Argo CD, kubeconfig of the private cluster
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
PORTS = {"LOCAL_CLUSTER_API_PORT": "36443", "LOCAL_CLUSTER_ETCD_PORT": "32379",
         "LOCAL_CLUSTER_ETCD_PEER_PORT": "32380", "LOCAL_CLUSTER_KCM_PORT": "30257",
         "LOCAL_CLUSTER_SCHEDULER_PORT": "30259", "LOCAL_CLUSTER_KWOK_PORT": "30247"}
RECAP = re.compile(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


class Run:
    def __init__(self, rc, out, seconds):
        self.rc, self.out, self.seconds = rc, out, seconds
        self.recap = [tuple(int(x) for x in m) for m in RECAP.findall(out)]

    @property
    def changed(self):
        return sum(r[1] for r in self.recap)

    @property
    def failed(self):
        return sum(r[3] for r in self.recap)


class PrivateCluster:
    def __init__(self, state_dir: str | None = None):
        self.dir = Path(state_dir or tempfile.mkdtemp(prefix="appmod-private-cluster-"))
        self.kubeconfig = self.dir / "kubeconfig"
        self.env = dict(os.environ, LOCAL_CLUSTER_DIR=str(self.dir), **PORTS)
        self.env["PATH"] = "%s:%s:%s" % (ROOT / ".tools/bin", ROOT / ".venv/bin", os.environ["PATH"])
        self.env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
        self.env["ANSIBLE_NOCOLOR"] = "1"
        for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM", "K8S_AUTH_KUBECONFIG", "KUBECONFIG", "APPMOD_KUBECONFIG"):
            self.env.pop(k, None)

    # the engine, always with every port variable on the same command line
    def engine(self, *args, timeout=600):
        return subprocess.run(["bash", str(ROOT / "scripts" / "local-cluster.sh"), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def up(self):
        proc = self.engine("up")
        if proc.returncode != 0:
            raise RuntimeError("private cluster up failed:\n" + (proc.stdout + proc.stderr)[-3000:])
        return proc

    def down(self):
        return self.engine("down", "--purge")

    def __enter__(self):
        self.up()
        return self

    def __exit__(self, *exc):
        self.down()

    def pid(self, component: str) -> int:
        return int((self.dir / "run" / ("%s.pid" % component)).read_text().strip())

    def kill(self, component: str, sig=signal.SIGKILL):
        pid = self.pid(component)
        os.kill(pid, sig)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return pid
            time.sleep(0.1)
        return pid

    def kubectl(self, *args, check=True, timeout=120):
        return subprocess.run([str(KUBECTL), "--kubeconfig", str(self.kubeconfig), *args], capture_output=True,
                              text=True, timeout=timeout, check=check)

    def get(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)["items"]

    def playbook_cmd(self, name="agent-platform.yml", extra=None, verbose=False):
        evars = {"agent_platform_kubeconfig": str(self.kubeconfig), "agent_platform_local_cluster": False,
                 "agent_platform_delivery": "direct", "agent_platform_wait_timeout": 300}
        evars.update(extra or {})
        cmd = [str(ROOT / ".venv/bin/ansible-playbook"), "playbooks/%s" % name, "-i", "inventories/local",
               "-e", json.dumps(evars)]
        return cmd + (["-v"] if verbose else [])

    def playbook(self, name="agent-platform.yml", extra=None, verbose=False, timeout=900):
        t0 = time.monotonic()
        proc = subprocess.run(self.playbook_cmd(name, extra, verbose), cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        return Run(proc.returncode, proc.stdout + proc.stderr, time.monotonic() - t0)

    def start_playbook(self, name="agent-platform.yml", extra=None, log=None):
        """Background run (own process group, so it can be SIGKILLed with its children)."""
        out = open(log or (self.dir / "bg-playbook.log"), "w")
        return subprocess.Popen(self.playbook_cmd(name, extra), cwd=ROOT, env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def wait_api(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.kubectl("get", "--raw", "/readyz", check=False, timeout=10).returncode == 0:
                return True
            time.sleep(1)
        return False
