"""Private, throwaway control planes: own state dir, free ports, and nothing left behind.

    from tools.localstack.private import PrivateControlPlane

    with PrivateControlPlane(crd_files=["crds/kagent.yaml"]) as cp:     # etcd + kube-apiserver only (~5 s warm)
        api = cp.api()                                                   # kubernetes ApiClient (admin)
        cp.apply([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}])
        subprocess.run(["helm", "install", ...], env=cp.env)             # KUBECONFIG of this control plane
    # stopped; state dir deleted; every process it started is gone and every port free (else LocalStackError)

``components`` adds kube-controller-manager, kube-scheduler and kwok (then fake nodes and static PVs too);
``argocd_crds=True`` installs Argo CD's CRDs (the binary's version). :class:`PrivateCluster` is the full
control plane with helpers to run this project's playbooks against it (tests/faults, bench/converge.py).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from . import common, kube
from .cluster import ALL_COMPONENTS, ClusterSettings, LocalCluster
from .common import Log, LocalStackError
from .supervisor import alive, free_ports, port_open

MINIMAL = ("etcd", "kube-apiserver")


STATE_PARTS = ("pki", "data")  # what a control plane's state dir holds across a restart (logs, pids: not)


def copy_state(source, dest) -> None:
    """Start a control plane from another's stopped state (its certificates and etcd data: every object it held,
    CRDs included, so they need not be applied and Established again). Ports and paths are this plane's own:
    kubeconfigs are written and processes started with them, and etcd, one member, restarts on new ports."""
    for part in STATE_PARTS:
        shutil.copytree(Path(source) / part, Path(dest) / part, symlinks=True)


class PrivateControlPlane:
    def __init__(self, components=MINIMAL, crd_files=(), argocd_crds: bool = False, nodes: int | None = None,
                 static_pvs: int | None = None, state_dir=None, keep: bool = False, timeout: int = 180,
                 label: str = "private-cp", log: Log | None = None, template=None):
        self._made_dir = state_dir is None
        self.dir = Path(os.path.realpath(state_dir or tempfile.mkdtemp(prefix="appmod-private-cp-")))
        if template is not None:
            copy_state(template, self.dir)
        self.keep = keep
        api, etcd, peer, kcm, sched, kwok = free_ports(6)
        comps = tuple(c for c in ALL_COMPONENTS if c in set(components))
        self.settings = ClusterSettings(
            state_dir=self.dir, cache_root=common.cache_root(), api_port=api, etcd_port=etcd, etcd_peer_port=peer,
            kcm_port=kcm, scheduler_port=sched, kwok_port=kwok,
            nodes=(2 if "kwok" in comps else 0) if nodes is None else nodes,
            static_pvs=(64 if "kube-controller-manager" in comps else 0) if static_pvs is None else static_pvs,
            argocd_crds=argocd_crds, timeout=timeout, components=comps,
            crd_files=tuple(str(Path(f).resolve()) for f in crd_files), label=label,
            kubectl=str(common.tools_bin() / "kubectl"))
        self.cluster = LocalCluster(self.settings, log=log)
        self.kubeconfig = self.cluster.kubeconfig
        self._pids: set[int] = set()
        self.env = dict(os.environ, KUBECONFIG=str(self.kubeconfig), K8S_AUTH_KUBECONFIG=str(self.kubeconfig),
                        **self.settings.env())
        self.env["PATH"] = "%s:%s:%s" % (common.tools_bin(), common.project_root() / ".venv" / "bin", os.environ.get("PATH", ""))

    # ---------------------------------------------------------------- lifecycle
    @property
    def server(self) -> str:
        return "https://127.0.0.1:%d" % self.settings.api_port

    @property
    def ports(self) -> list[int]:
        s = self.settings
        return [s.api_port, s.etcd_port, s.etcd_peer_port, s.kcm_port, s.scheduler_port, s.kwok_port]

    def up(self) -> str:
        """Start (or resume: start what is not running); raises LocalStackError with the reason."""
        result = self.cluster.up()
        for name in self.settings.components:
            pid = self.cluster.pid(name)
            if pid:
                self._pids.add(pid)
        return result

    start = up

    def down(self) -> list[str]:
        """Stop everything, delete the state dir (unless keep); returns what was left behind (empty)."""
        self.cluster.close()
        self.cluster.down(purge=True)
        if self._made_dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.leftovers()

    def stop(self) -> None:
        left = self.down()
        if left:
            raise LocalStackError("private control plane left behind: " + "; ".join(left))

    def leftovers(self) -> list[str]:
        left = ["pid %d still running" % p for p in sorted(self._pids) if alive(p)]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(port_open(p) for p in self.ports):
            time.sleep(0.2)
        left += ["port %d still open" % p for p in self.ports if port_open(p)]
        if self._made_dir and not self.keep and self.dir.exists():
            left.append("state dir %s still exists" % self.dir)
        return left

    def __enter__(self):
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        left = self.down()
        if left and exc_type is None:
            raise LocalStackError("private control plane left behind: " + "; ".join(left))

    # ---------------------------------------------------------------- use
    def api(self):
        return self.cluster.api()

    def apply(self, objs, field_manager: str = "private-cp") -> int:
        return kube.apply(self.api(), objs, field_manager)

    def apply_files(self, *paths, field_manager: str = "private-cp") -> int:
        return self.apply(kube.load_yaml(*paths), field_manager)

    def load_crds(self, *paths, timeout: float = 60) -> list[str]:
        """Apply CRD files and wait until they are Established; returns their names."""
        return self.load_crd_objects(kube.load_yaml(*paths), timeout=timeout)

    def load_crd_objects(self, docs, timeout: float = 60) -> list[str]:
        """Apply CRDs (and whatever else ``docs`` holds) and wait until they are Established; returns their names."""
        self.apply(docs)
        names = [d["metadata"]["name"] for d in docs if d.get("kind") == "CustomResourceDefinition"]
        self.cluster.sup.wait("CRDs Established", lambda: kube.crds_established(self.api(), names), timeout)
        return names

    def pid(self, component: str) -> int:
        pid = self.cluster.pid(component)
        if pid is None:
            raise LocalStackError("%s is not running" % component)
        return pid

    def kill(self, component: str, sig=signal.SIGKILL) -> int:
        """Fault injection: send ``sig`` to one component (waits until a SIGKILLed one is gone)."""
        self.cluster.close()
        pid = self.cluster.sup.kill(self.cluster.processes()[component], sig)
        if pid is None:
            raise LocalStackError("%s is not running" % component)
        return pid

    def wait_api(self, timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.cluster.apiserver_ready():
                return True
            time.sleep(0.5)
        return False

    def kubectl(self, *args, check=True, timeout=120):
        return subprocess.run([self.settings.kubectl, "--kubeconfig", str(self.kubeconfig), *args],
                              capture_output=True, text=True, timeout=timeout, check=check)

    def get(self, *args) -> list[dict]:
        """Items of ``kubectl get ARGS -o json`` (e.g. get("deployments", "-A"))."""
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)["items"]


# -------------------------------------------------------------------- the project's playbooks
RECAP = re.compile(r"ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


class Run:
    """One ansible-playbook run: rc, output, seconds, and the PLAY RECAP counts."""

    def __init__(self, rc, out, seconds):
        self.rc, self.out, self.seconds = rc, out, seconds
        self.recap = [tuple(int(x) for x in m) for m in RECAP.findall(out)]

    @property
    def changed(self):
        return sum(r[1] for r in self.recap)

    @property
    def failed(self):
        return sum(r[3] for r in self.recap)


class PrivateCluster(PrivateControlPlane):
    """The full control plane (controllers, scheduler, kwok nodes, static PVs, Argo CD CRDs) on free ports,
    for fault tests and benchmarks that restart components or measure a cold converge; never the shared one.

        with PrivateCluster() as pc:
            pc.playbook("agent-platform.yml")   # direct delivery, this control plane's kubeconfig
    """

    def __init__(self, state_dir=None, **kwargs):
        kwargs.setdefault("components", ALL_COMPONENTS)
        kwargs.setdefault("argocd_crds", True)
        kwargs.setdefault("label", "private-cluster")
        super().__init__(state_dir=state_dir, **kwargs)
        root = common.project_root()
        self.root = root
        self.env["ANSIBLE_CONFIG"] = str(root / "ansible.cfg")
        self.env["ANSIBLE_NOCOLOR"] = "1"
        for k in ("WORKSHOP_TYPE", "ENABLE_AGENT_PLATFORM", "K8S_AUTH_KUBECONFIG", "KUBECONFIG", "APPMOD_KUBECONFIG"):
            self.env.pop(k, None)

    def playbook_cmd(self, name="agent-platform.yml", extra=None, verbose=False, args=()):
        """``args``: more ansible-playbook arguments (``--check``, ``--diff``)."""
        evars = {"agent_platform_kubeconfig": str(self.kubeconfig), "agent_platform_local_cluster": False,
                 "agent_platform_delivery": "direct", "agent_platform_wait_timeout": 300}
        evars.update(extra or {})
        cmd = [str(self.root / ".venv/bin/ansible-playbook"), "playbooks/%s" % name, "-i", "inventories/local",
               "-e", json.dumps(evars)]
        return cmd + (["-v"] if verbose else []) + list(args)

    def playbook(self, name="agent-platform.yml", extra=None, verbose=False, timeout=900, args=()) -> Run:
        t0 = time.monotonic()
        proc = subprocess.run(self.playbook_cmd(name, extra, verbose, args), cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        return Run(proc.returncode, proc.stdout + proc.stderr, time.monotonic() - t0)

    def start_playbook(self, name="agent-platform.yml", extra=None, log=None) -> subprocess.Popen:
        """Background run (own process group, so it can be SIGKILLed with its children)."""
        out = open(log or (self.dir / "bg-playbook.log"), "w")  # noqa: SIM115 - owned by the child
        return subprocess.Popen(self.playbook_cmd(name, extra), cwd=self.root, env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
