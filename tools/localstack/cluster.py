"""The local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (built from the
pinned k8s.io/kubernetes module) and kwok fake nodes, on 127.0.0.1, with PKI, RBAC, service-account
tokens and the admission plugins of a real cluster (PodSecurity included).

    cluster = LocalCluster(ClusterSettings.from_env())
    cluster.up()        # build if needed, start, wait for /readyz, Ready nodes, the default ServiceAccount
    cluster.status()    # (ok, lines)
    cluster.down(purge=False)

``ClusterSettings.components`` chooses which processes run (etcd + kube-apiserver is the minimum): the
private control planes of :mod:`tools.localstack.private` use that to start an API server alone.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import ssl
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import builds, common, crds, gobuild, kube, manifests, pki
from .common import Log, LocalStackError
from .supervisor import Port, Process, Supervisor

ALL_COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
ADMISSION_PLUGINS = (
    "NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,"
    "PodSecurity,Priority,TaintNodesByCondition,StorageObjectInUseProtection,PersistentVolumeClaimResize,RuntimeClass,"
    "CertificateApproval,CertificateSigning,CertificateSubjectRestriction,DefaultIngressClass,MutatingAdmissionWebhook,"
    "ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,ResourceQuota")
SA_ISSUER = "https://kubernetes.default.svc.cluster.local"
FIELD_MANAGER = "local-cluster"


@dataclass
class ClusterSettings:
    state_dir: Path
    cache_root: Path
    api_port: int = 6443
    etcd_port: int = 12379
    etcd_peer_port: int = 12380
    kcm_port: int = 10257
    scheduler_port: int = 10259
    kwok_port: int = 10247
    nodes: int = 2
    node_cpu: str = "32"
    node_memory: str = "128Gi"
    node_pods: int = 110
    service_cidr: str = "10.96.0.0/16"
    static_pvs: int = 64
    static_pv_size: str = "100Gi"
    argocd_version: str = ""          # "" = the version of tools/argocd/go.mod (the binary's)
    argocd_crds: bool = True          # namespace argocd + Argo CD's CRDs
    timeout: int = 180
    kubectl: str = ""
    components: tuple = ALL_COMPONENTS
    crd_files: tuple = ()             # extra CRD files applied by up
    label: str = "local-cluster"

    # which variable sets which port (named in port-clash errors)
    PORT_SETTINGS = {"api_port": "LOCAL_CLUSTER_API_PORT", "etcd_port": "LOCAL_CLUSTER_ETCD_PORT",
                     "etcd_peer_port": "LOCAL_CLUSTER_ETCD_PEER_PORT", "kcm_port": "LOCAL_CLUSTER_KCM_PORT",
                     "scheduler_port": "LOCAL_CLUSTER_SCHEDULER_PORT", "kwok_port": "LOCAL_CLUSTER_KWOK_PORT"}

    @classmethod
    def from_env(cls, env=None, **overrides) -> "ClusterSettings":
        root = common.project_root(env)
        e = lambda k, d: common.env_str(k, d, env)  # noqa: E731
        i = lambda k, d: common.env_int(k, d, env)  # noqa: E731
        s = cls(
            # one spelling of the state dir: processes are recognised by it in their command line
            state_dir=Path(os.path.realpath(e("LOCAL_CLUSTER_DIR", str(root / ".local-cluster")))),
            cache_root=common.cache_root(env),
            api_port=i("LOCAL_CLUSTER_API_PORT", 6443), etcd_port=i("LOCAL_CLUSTER_ETCD_PORT", 12379),
            etcd_peer_port=i("LOCAL_CLUSTER_ETCD_PEER_PORT", 12380), kcm_port=i("LOCAL_CLUSTER_KCM_PORT", 10257),
            scheduler_port=i("LOCAL_CLUSTER_SCHEDULER_PORT", 10259), kwok_port=i("LOCAL_CLUSTER_KWOK_PORT", 10247),
            nodes=i("LOCAL_CLUSTER_NODES", 2), node_cpu=e("LOCAL_CLUSTER_NODE_CPU", "32"),
            node_memory=e("LOCAL_CLUSTER_NODE_MEMORY", "128Gi"), node_pods=i("LOCAL_CLUSTER_NODE_PODS", 110),
            service_cidr=e("LOCAL_CLUSTER_SERVICE_CIDR", "10.96.0.0/16"),
            static_pvs=i("LOCAL_CLUSTER_STATIC_PVS", 64), static_pv_size=e("LOCAL_CLUSTER_STATIC_PV_SIZE", "100Gi"),
            argocd_version=e("LOCAL_CLUSTER_ARGOCD_VERSION", ""),
            timeout=i("LOCAL_CLUSTER_TIMEOUT", 180),
            kubectl=e("LOCAL_CLUSTER_KUBECTL", str(common.tools_bin(env) / "kubectl")),
        )
        return dataclasses.replace(s, **overrides)

    def env(self) -> dict[str, str]:
        """The LOCAL_CLUSTER_* variables describing these settings (for subprocesses and `env`)."""
        out = {"LOCAL_CLUSTER_DIR": str(self.state_dir), "CACHE_ROOT": str(self.cache_root),
               "LOCAL_CLUSTER_NODES": str(self.nodes), "LOCAL_CLUSTER_SERVICE_CIDR": self.service_cidr,
               "LOCAL_CLUSTER_STATIC_PVS": str(self.static_pvs), "LOCAL_CLUSTER_TIMEOUT": str(self.timeout)}
        for attr, var in self.PORT_SETTINGS.items():
            out[var] = str(getattr(self, attr))
        if self.argocd_version:
            out["LOCAL_CLUSTER_ARGOCD_VERSION"] = self.argocd_version
        return out


class LocalCluster:
    def __init__(self, settings: ClusterSettings | None = None, log: Log | None = None):
        self.s = settings or ClusterSettings.from_env()
        unknown = set(self.s.components) - set(ALL_COMPONENTS)
        if unknown or not {"etcd", "kube-apiserver"} <= set(self.s.components):
            raise LocalStackError("components must include etcd and kube-apiserver, from %s (got %s)"
                                  % (", ".join(ALL_COMPONENTS), ", ".join(self.s.components)))
        self.log = log or Log(self.s.label)
        d = self.s.state_dir
        self.kubeconfig = d / "kubeconfig"
        self.pki = d / "pki"
        self.data = d / "data"
        self.sup = Supervisor(d, self.s.label, run_dir=d / "run", log_dir=d / "logs", lock_file=d / ".lock", log=self.log)
        self._api = None

    # ---------------------------------------------------------------- builds and processes
    def builds(self) -> list[gobuild.GoBuild]:
        c = set(self.s.components)
        out = [builds.ETCD]
        if c & {"kube-apiserver", "kube-controller-manager", "kube-scheduler"}:
            out.append(builds.K8S)
        if "kwok" in c:
            out.append(builds.KWOK)
        return out

    def build(self) -> None:
        for spec in self.builds():
            gobuild.ensure(spec, self.log, self.s.cache_root)

    def versions(self) -> dict[str, str]:
        return {b.name: b.resolved_version() for b in (builds.ETCD, builds.K8S, builds.KWOK)}

    def _bin(self, name: str) -> str:
        spec = {"etcd": builds.ETCD, "kwok": builds.KWOK}.get(name, builds.K8S)
        return str(spec.binary(name, self.s.cache_root))

    def _kubeconfig_of(self, user: str) -> Path:
        return self.kubeconfig if user == "admin" else self.s.state_dir / ("%s.kubeconfig" % user)

    def processes(self) -> dict[str, Process]:
        s, d, p = self.s, self.s.state_dir, self.pki
        ident = ["%s/" % d]  # a pid counts only if that process is the component of THIS state dir

        def port(attr, host="127.0.0.1"):
            return Port(getattr(s, attr), s.PORT_SETTINGS[attr], host)

        procs = {
            "etcd": Process("etcd", [
                self._bin("etcd"), "--name", "local", "--data-dir", str(self.data / "etcd"),
                "--listen-client-urls", "http://127.0.0.1:%d" % s.etcd_port,
                "--advertise-client-urls", "http://127.0.0.1:%d" % s.etcd_port,
                "--listen-peer-urls", "http://127.0.0.1:%d" % s.etcd_peer_port,
                "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % s.etcd_peer_port,
                "--initial-cluster", "local=http://127.0.0.1:%d" % s.etcd_peer_port,
                "--quota-backend-bytes", "4294967296",
                "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "10m", "--log-level", "warn",
            ], ports=[port("etcd_port"), port("etcd_peer_port")], identity=ident, ready=self.etcd_healthy),
            "kube-apiserver": Process("kube-apiserver", [
                self._bin("kube-apiserver"),
                "--advertise-address=127.0.0.1", "--bind-address=127.0.0.1", "--secure-port=%d" % s.api_port,
                "--etcd-servers=http://127.0.0.1:%d" % s.etcd_port,
                "--client-ca-file=%s" % (p / "ca.crt"), "--tls-cert-file=%s" % (p / "apiserver.crt"),
                "--tls-private-key-file=%s" % (p / "apiserver.key"),
                "--authorization-mode=Node,RBAC", "--anonymous-auth=true", "--allow-privileged=true",
                "--enable-admission-plugins=" + ADMISSION_PLUGINS,
                "--service-account-issuer=" + SA_ISSUER,
                "--service-account-key-file=%s" % (p / "sa.pub"),
                "--service-account-signing-key-file=%s" % (p / "sa.key"),
                "--api-audiences=" + SA_ISSUER,
                "--service-cluster-ip-range=" + s.service_cidr,
                # a loopback advertise address is not a valid Endpoints IP
                "--endpoint-reconciler-type=none",
                "--profiling=false", "--v=1",
            ], ports=[port("api_port")], identity=ident, ready=self.apiserver_ready, ready_timeout=s.timeout,
                # kube-apiserver drains at once, then waits up to 60 s for idle connections of other
                # tools' watches: 5 s is plenty
                stop_timeout=5),
            "kube-controller-manager": Process("kube-controller-manager", [
                self._bin("kube-controller-manager"),
                *self._component_auth("controller-manager"),
                "--bind-address=127.0.0.1", "--secure-port=%d" % s.kcm_port,
                "--tls-cert-file=%s" % (p / "components.crt"), "--tls-private-key-file=%s" % (p / "components.key"),
                "--client-ca-file=%s" % (p / "ca.crt"), "--requestheader-client-ca-file=%s" % (p / "ca.crt"),
                "--root-ca-file=%s" % (p / "ca.crt"), "--service-account-private-key-file=%s" % (p / "sa.key"),
                "--cluster-signing-cert-file=%s" % (p / "ca.crt"), "--cluster-signing-key-file=%s" % (p / "ca.key"),
                "--use-service-account-credentials=true", "--controllers=*",
                "--service-cluster-ip-range=" + s.service_cidr, "--allocate-node-cidrs=false",
                "--leader-elect=false", "--profiling=false", "--v=1",
            ], ports=[port("kcm_port")], identity=ident),
            "kube-scheduler": Process("kube-scheduler", [
                self._bin("kube-scheduler"),
                *self._component_auth("scheduler"),
                "--bind-address=127.0.0.1", "--secure-port=%d" % s.scheduler_port,
                "--tls-cert-file=%s" % (p / "components.crt"), "--tls-private-key-file=%s" % (p / "components.key"),
                "--client-ca-file=%s" % (p / "ca.crt"), "--requestheader-client-ca-file=%s" % (p / "ca.crt"),
                "--leader-elect=false", "--profiling=false", "--v=1",
            ], ports=[port("scheduler_port")], identity=ident),
            "kwok": Process("kwok", [
                self._bin("kwok"),
                "--kubeconfig=%s" % self._kubeconfig_of("kwok"),
                "--config=%s" % (Path(self._bin("kwok")).parent / "kwok-stages.yaml"),
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--node-lease-duration-seconds=40",
                "--cidr=10.244.0.1/16", "--node-ip=127.0.0.1",
                "--server-address=127.0.0.1:%d" % s.kwok_port,
            ], ports=[port("kwok_port")], identity=ident),
        }
        return {name: procs[name] for name in ALL_COMPONENTS if name in self.s.components}

    def _component_auth(self, user: str) -> list[str]:
        kc = self._kubeconfig_of(user)
        return ["--kubeconfig=%s" % kc, "--authentication-kubeconfig=%s" % kc, "--authorization-kubeconfig=%s" % kc]

    def pid(self, component: str) -> int | None:
        return self.sup.pid(self.processes()[component])

    # ---------------------------------------------------------------- health
    def _ssl(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
        ctx.load_cert_chain(str(self.pki / "admin.crt"), str(self.pki / "admin.key"))
        return ctx

    def raw_get(self, path: str, timeout: float = 5) -> str:
        url = "https://127.0.0.1:%d%s" % (self.s.api_port, path)
        with urllib.request.urlopen(url, context=self._ssl(), timeout=timeout) as resp:  # noqa: S310 - loopback
            return resp.read().decode()

    def apiserver_ready(self) -> bool:
        try:
            return self.raw_get("/readyz") == "ok"
        except (OSError, ValueError):
            return False

    def etcd_healthy(self) -> bool:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/health" % self.s.etcd_port, timeout=3) as resp:  # noqa: S310
                return resp.status == 200
        except (OSError, ValueError):
            return False

    def api(self):
        if self._api is None:
            self._api = kube.client(self.kubeconfig)
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None

    def raw_json(self, path: str, timeout: float = 20):
        """GET a path as the admin, parsed JSON (the fast path of status checks: no client import)."""
        return json.loads(self.raw_get(path, timeout))

    def nodes_ready(self) -> int:
        nodes = self.raw_json("/api/v1/nodes?labelSelector=%s%%3Dtrue" % manifests.FAKE_NODE_LABEL)["items"]
        return sum(1 for n in nodes for c in (n.get("status") or {}).get("conditions") or []
                   if c.get("type") == "Ready" and c.get("status") == "True")

    def expects_nodes(self) -> bool:
        return "kwok" in self.s.components and self.s.nodes > 0

    def healthy(self) -> bool:
        procs = self.processes()
        if not all(self.sup.running(p) for p in procs.values()):
            return False
        if not self.kubeconfig.is_file() or not self.apiserver_ready():
            return False
        try:
            return not self.expects_nodes() or self.nodes_ready() >= self.s.nodes
        except Exception:  # noqa: BLE001 - any API failure means not healthy
            return False

    # ---------------------------------------------------------------- objects
    def write_kubeconfigs(self) -> None:
        server = "https://127.0.0.1:%d" % self.s.api_port
        for user in ("admin", "controller-manager", "scheduler", "kwok"):
            path = self._kubeconfig_of(user)
            tmp = path.with_name(path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                yaml.safe_dump(manifests.kubeconfig(server, self.pki, user), f, sort_keys=False)
            os.replace(tmp, path)

    def argocd_version(self) -> str:
        return self.s.argocd_version or crds.pinned_version()

    def bootstrap(self) -> None:
        """Namespace argocd and Argo CD's CRDs, StorageClass, static PVs, fake nodes, extra CRDs."""
        api = self.api()
        s = self.s
        objs, what = [], []
        crd_names = []
        if s.argocd_crds:
            files = crds.crd_files(self.argocd_version(), s.cache_root)
            objs += [manifests.namespace(manifests.ARGOCD_NAMESPACE)] + kube.load_yaml(*files)
            crd_names += list(crds.NAMES)
            what.append("namespace argocd, Argo CD %s CRDs" % self.argocd_version())
        if s.crd_files:
            extra = kube.load_yaml(*s.crd_files)
            objs += extra
            crd_names += [o["metadata"]["name"] for o in extra if o.get("kind") == "CustomResourceDefinition"]
            what.append("%d CRD files" % len(s.crd_files))
        if "kube-controller-manager" in s.components:
            objs += [manifests.storage_class()] + manifests.static_pvs(s.static_pvs, s.static_pv_size)
            what.append("StorageClass, %d static PVs" % s.static_pvs)
        if self.expects_nodes():
            what.append("%d fake nodes" % s.nodes)
        if what:
            self.log("applying " + ", ".join(what))
        # server-side: the Application CRD is larger than the last-applied annotation allows
        kube.apply(api, objs, FIELD_MANAGER)
        if self.expects_nodes():
            for node in manifests.fake_nodes(s.nodes, s.node_cpu, s.node_memory, s.node_pods):
                # created once with their capacity in .status; kwok then maintains the status
                kube.create(api, node, exist_ok=True)
        if crd_names:
            self.sup.wait("CRDs Established", lambda: kube.crds_established(api, crd_names), s.timeout)
        self.recycle_released_pvs()

    def recycle_released_pvs(self) -> int:
        """Static PVs released by a deleted claim go back to Available (what a provisioner's
        delete-and-recreate would give), so repeated test runs do not exhaust them."""
        if "kube-controller-manager" not in self.s.components:
            return 0
        n = 0
        pvs = self.raw_json("/api/v1/persistentvolumes?labelSelector=%s%%3Dtrue" % manifests.STATIC_PV_LABEL)["items"]
        for pv in pvs:
            if (pv.get("status") or {}).get("phase") == "Released":
                try:
                    kube.patch(self.api(), {"apiVersion": "v1", "kind": "PersistentVolume",
                                            "metadata": {"name": pv["metadata"]["name"]}},
                               [{"op": "remove", "path": "/spec/claimRef"}], "application/json-patch+json")
                    n += 1
                except Exception:  # noqa: BLE001 - best effort, as before
                    pass
        return n

    # ---------------------------------------------------------------- commands
    def up(self) -> str:
        """Bring everything up; returns "already up" or "started"."""
        s = self.s
        s.state_dir.mkdir(parents=True, exist_ok=True)
        with self.sup.lock(3600):
            if self.healthy():
                self.recycle_released_pvs()
                self.log("already up (kube-apiserver %s on https://127.0.0.1:%d, kubeconfig %s)"
                         % (builds.K8S.resolved_version(), s.api_port, self.kubeconfig))
                return "already up"
            start = time.monotonic()
            v = self.versions()
            self.log("step 1/5: binaries (%s) in %s" % (", ".join("%s %s" % (b.name, v[b.name]) for b in self.builds()),
                                                       s.cache_root))
            self.build()
            for d in (self.data, s.state_dir / "run", s.state_dir / "logs"):
                d.mkdir(parents=True, exist_ok=True)
            procs = self.processes()
            for p in procs.values():  # stale pid files of components that died
                if self.sup.died(p):
                    self.sup.pid_file(p.name).unlink(missing_ok=True)
            self.log("step 2/5: certificates and kubeconfigs in %s" % s.state_dir)
            if pki.ensure_pki(self.pki, s.service_cidr):
                self.log("  generated CA, serving certs, service-account key and client certs")
            self.write_kubeconfigs()

            self.log("step 3/5: etcd and kube-apiserver")
            started = []
            for name in ("etcd", "kube-apiserver"):
                self.sup.start(procs[name])
                started.append(procs[name])
                self.sup.wait("%s ready" % name, procs[name].ready, procs[name].ready_timeout, watch=started)

            rest = [procs[n] for n in ("kube-controller-manager", "kube-scheduler", "kwok") if n in procs]
            if rest:
                self.log("step 4/5: " + ", ".join(p.name for p in rest))
                for p in rest:
                    self.sup.start(p)
                    started.append(p)

            self.log("step 5/5: cluster objects and readiness")
            self.bootstrap()
            if self.expects_nodes():
                self.sup.wait("%d Ready nodes" % s.nodes, lambda: self.nodes_ready() >= s.nodes, s.timeout,
                              watch=started)
            if "kube-controller-manager" in procs:
                self.sup.wait("default service account",
                              lambda: self.raw_json("/api/v1/namespaces/default/serviceaccounts/default", 10),
                              s.timeout, watch=started)
            for p in procs.values():
                if not self.sup.running(p):
                    raise LocalStackError("%s exited; see %s" % (p.name, self.sup.log_path(p.name)))
            self.log("up in %.0f s: kube-apiserver %s at https://127.0.0.1:%d"
                     % (time.monotonic() - start, v["k8s"], s.api_port))
            return "started"

    def down(self, purge: bool = False) -> str:
        """Stop every component (state kept unless ``purge``); returns "stopped" or "not running"."""
        s = self.s
        if not s.state_dir.is_dir():
            return "not running"
        self.close()
        stopped = 0
        try:
            lock = self.sup.lock(120, what="up/down")
            lock.__enter__()
        except LocalStackError:
            self.log("lock %s busy for 120 s: stopping anyway" % self.sup.lock_file)
            lock = None
        try:
            procs = list(self.processes().values())
            # every known component, also ones not selected now (a state dir started with more)
            others = [p for n, p in LocalCluster(dataclasses.replace(s, components=ALL_COMPONENTS), self.log)
                      .processes().items() if n not in s.components]
            for p in reversed(procs + others):
                if self.sup.stop(p):
                    stopped += 1
            if purge:
                # only what this tool made: other stacks (argocd, git, chart mirror) keep state here too
                self.log("removing the cluster state in %s (certs, etcd data, logs, kubeconfigs)" % s.state_dir)
                for path in (self.pki, self.data, s.state_dir / "logs", s.state_dir / "run"):
                    shutil.rmtree(path, ignore_errors=True)
                for user in ("admin", "controller-manager", "scheduler", "kwok"):
                    self._kubeconfig_of(user).unlink(missing_ok=True)
        finally:
            if lock is not None:
                lock.__exit__(None, None, None)
        if purge:
            (s.state_dir / ".lock").unlink(missing_ok=True)
            try:
                s.state_dir.rmdir()
            except OSError:
                pass
        return "stopped" if stopped or purge else "not running"

    def status(self) -> tuple[bool, list[str]]:
        s = self.s
        ok = True
        lines = ["%-24s %s" % ("state dir", s.state_dir), "%-24s %s" % ("kubeconfig", self.kubeconfig)]
        for name, p in self.processes().items():
            pid = self.sup.pid(p)
            if pid:
                lines.append("%-24s running pid=%d" % (name, pid))
            else:
                lines.append("%-24s stopped" % name)
                ok = False
        if self.kubeconfig.is_file() and self.apiserver_ready():
            lines.append("%-24s ok (%s, https://127.0.0.1:%d)" % ("apiserver /readyz", builds.K8S.resolved_version(), s.api_port))
        else:
            lines.append("%-24s not ready" % "apiserver /readyz")
            ok = False
        if self.expects_nodes():
            try:
                ready = self.nodes_ready() if ok else 0
            except Exception:  # noqa: BLE001
                ready = 0
            if ok and ready >= s.nodes:
                lines.append("%-24s %d Ready" % ("fake nodes", s.nodes))
            else:
                lines.append("%-24s not Ready" % "fake nodes")
                ok = False
        return ok, lines

    def env_lines(self) -> list[str]:
        v = self.versions()
        out = dict(self.s.env())
        out.update({"KUBECONFIG": str(self.kubeconfig), "LOCAL_CLUSTER_K8S_VERSION": v["k8s"],
                    "LOCAL_CLUSTER_ETCD_VERSION": v["etcd"], "LOCAL_CLUSTER_KWOK_VERSION": v["kwok"],
                    "LOCAL_CLUSTER_ARGOCD_VERSION": self.argocd_version(),
                    "LOCAL_CLUSTER_SERVER": "https://127.0.0.1:%d" % self.s.api_port})
        return ["%s=%s" % kv for kv in out.items()]

