"""A real Argo CD out of cluster: the application controller and the repo server (the slim build of
tools/argocd/cmd/argocd-local), redis from Debian, a git daemon serving published copies of the work
tree, and the chart mirror, against the local control plane - the setup of Argo CD's own Procfile
(ARGOCD_FAKE_IN_CLUSTER=true, plaintext gRPC, a local redis).

    argo = ArgoCD(ArgoSettings.from_env())
    argo.up()                         # build once, CRDs + config objects, 5 processes; no-op when up
    argo.publish(Path("gitops"))      # -> commit on main of git://127.0.0.1:19418/agent-platform.git
    argo.down()
"""
from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from . import builds, common, crds, gobuild, kube, manifests
from .common import Log, LocalStackError
from .mirror import ChartMirror, MirrorSettings
from .supervisor import Port, Process, Supervisor, port_open

NAMESPACE = manifests.ARGOCD_NAMESPACE
FIELD_MANAGER = "argocd-local"
# The loopback ports, in one table: name -> (the variable that sets it, named in port-clash errors; default)
PORTS = {
    "redis": ("ARGOCD_LOCAL_REDIS_PORT", 16379), "repo": ("ARGOCD_LOCAL_REPO_PORT", 18081),
    "repo_metrics": ("ARGOCD_LOCAL_REPO_METRICS_PORT", 18084), "ctrl_metrics": ("ARGOCD_LOCAL_CTRL_METRICS_PORT", 18082),
    "commit": ("ARGOCD_LOCAL_COMMIT_PORT", 18086), "git": ("ARGOCD_LOCAL_GIT_PORT", 19418),
}


@dataclass
class ArgoSettings:
    project_root: Path
    state_dir: Path
    git_dir: Path
    kubeconfig: Path
    cache_root: Path
    ports: dict[str, int] = field(default_factory=lambda: {name: default for name, (_, default) in PORTS.items()})
    loglevel: str = "info"
    app_resync: int = 60
    repo_name: str = "agent-platform"

    @classmethod
    def from_env(cls, env=None) -> "ArgoSettings":
        root = common.project_root(env)
        e = lambda k, d: common.env_str(k, d, env)  # noqa: E731
        i = lambda k, d: common.env_int(k, d, env)  # noqa: E731
        return cls(
            project_root=root,
            state_dir=Path(os.path.realpath(e("ARGOCD_LOCAL_DIR", str(root / ".local-cluster" / "argocd")))),
            git_dir=Path(os.path.realpath(e("ARGOCD_LOCAL_GIT_DIR", str(root / ".local-cluster" / "git")))),
            kubeconfig=Path(e("ARGOCD_LOCAL_KUBECONFIG", str(root / ".local-cluster" / "kubeconfig"))),
            cache_root=common.cache_root(env),
            ports={name: i(var, default) for name, (var, default) in PORTS.items()},
            loglevel=e("ARGOCD_LOCAL_LOGLEVEL", "info"), app_resync=i("ARGOCD_LOCAL_APP_RESYNC", 60))

    def port(self, name: str, host: str = "127.0.0.1") -> Port:
        """Port ``name`` for the supervisor, with the variable that sets it."""
        return Port(self.ports[name], PORTS[name][0], host)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:  # noqa: S310 - loopback
            return resp.status == 200
    except (OSError, ValueError):
        return False


class ArgoCD:
    def __init__(self, settings: ArgoSettings | None = None, mirror: ChartMirror | None = None, log: Log | None = None):
        self.s = settings or ArgoSettings.from_env()
        self.log = log or Log("argocd-local")
        self.mirror = mirror or ChartMirror(MirrorSettings.from_env(), log=Log("chart-mirror"))
        self.sup = Supervisor(self.s.state_dir, "argocd-local", run_dir=self.s.state_dir,
                              log_dir=self.s.state_dir / "logs", lock_file=self.s.state_dir / ".lock", log=self.log)
        self.spec = builds.ARGOCD
        self.health_lua = self.s.project_root / "roles" / "argocd" / "files" / "application-health.lua"

    # ---------------------------------------------------------------- facts
    @property
    def version(self) -> str:
        return self.spec.resolved_version()

    @property
    def bin_dir(self) -> Path:
        return self.spec.bin_dir(self.s.cache_root)

    @property
    def binary(self) -> Path:
        return self.bin_dir / "argocd-local"

    def git_url(self, repo: str | None = None) -> str:
        return "git://127.0.0.1:%d/%s.git" % (self.s.ports["git"], repo or self.s.repo_name)

    def env(self) -> dict[str, str]:
        s = self.s
        return {
            "ARGOCD_VERSION": self.version, "ARGOCD_BIN": str(self.binary), "ARGOCD_LOCAL_DIR": str(s.state_dir),
            "ARGOCD_LOCAL_KUBECONFIG": str(s.kubeconfig), "ARGOCD_LOCAL_NAMESPACE": NAMESPACE,
            "ARGOCD_LOCAL_REDIS_PORT": str(s.ports["redis"]), "ARGOCD_LOCAL_REPO_PORT": str(s.ports["repo"]),
            "ARGOCD_LOCAL_GIT_PORT": str(s.ports["git"]), "ARGOCD_LOCAL_GIT_DIR": str(s.git_dir),
            "ARGOCD_LOCAL_GIT_BASE": "git://127.0.0.1:%d" % s.ports["git"], "ARGOCD_LOCAL_GIT_URL": self.git_url(),
            "APPMOD_CHART_MIRROR_URL": self.mirror.url, "APPMOD_CHART_MIRROR_DIR": str(self.mirror.s.directory),
        }

    # ---------------------------------------------------------------- processes
    def redis_password(self) -> str:
        """Generated once per state dir, mode 600, never printed."""
        f = self.s.state_dir / "redis.password"
        if not f.is_file() or not f.read_text().strip():
            f.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(24) + "\n")
        return f.read_text().strip()

    def redis_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.s.ports["redis"]), timeout=2) as sock:
                sock.sendall(b"AUTH %s\r\nPING\r\n" % self.redis_password().encode())
                data = b""
                deadline = time.monotonic() + 2
                while b"PONG" not in data and time.monotonic() < deadline:
                    chunk = sock.recv(256)
                    if not chunk:
                        break
                    data += chunk
                return b"+PONG" in data
        except OSError:
            return False

    def _common_env(self) -> dict[str, str]:
        s, st = self.s, self.s.state_dir
        env = dict(os.environ)
        # ARGOCD_FAKE_IN_CLUSTER plus KUBECONFIG is what makes the in-cluster destination
        # https://kubernetes.default.svc work out of cluster: Cluster.rawRestConfig()
        # (pkg/apis/application/v1alpha1/types.go) builds it from $KUBECONFIG only when
        # ARGOCD_FAKE_IN_CLUSTER=true and calls rest.InClusterConfig() otherwise.
        env.update({
            "ARGOCD_FAKE_IN_CLUSTER": "true", "KUBECONFIG": str(s.kubeconfig),
            "REDIS_PASSWORD": self.redis_password(),
            "ARGOCD_TLS_DATA_PATH": str(st / "tls"), "ARGOCD_SSH_DATA_PATH": str(st / "ssh"),
            "ARGOCD_GNUPGHOME": str(st / "gpg" / "keys"), "ARGOCD_GPG_DATA_PATH": str(st / "gpg" / "source"),
            "ARGOCD_GPG_ENABLED": "false", "ARGOCD_PLUGINSOCKFILEPATH": str(st / "plugins"),
            "TMPDIR": str(st / "tmp"), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
            # the slim binary's names first, then the project's pinned helm (.tools/bin)
            "PATH": "%s:%s:%s" % (self.bin_dir, common.tools_bin(), env.get("PATH", "/usr/bin:/bin")),
        })
        env.pop("ARGOCD_BINARY_NAME", None)
        return env

    def processes(self) -> dict[str, Process]:
        s, st, p = self.s, self.s.state_dir, self.s.ports
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        git_daemon = self._git_exec_path() + "/git-daemon"
        env = self._common_env() if self.binary.exists() else dict(os.environ)
        return {
            # redis rewrites its process title to "redis-server 127.0.0.1:<port>"
            "redis": Process("redis", [redis_server, str(st / "redis.conf"), "--bind", "127.0.0.1",
                                       "--port", str(p["redis"]), "--save", "", "--appendonly", "no",
                                       "--dir", str(st / "tmp"), "--daemonize", "no", "--protected-mode", "yes"],
                             ports=[s.port("redis")],
                             identity=["127.0.0.1:%d" % p["redis"]], ready=self.redis_ping, ready_timeout=20),
            # git-daemon itself (not the `git daemon` wrapper), so the pid file names the server
            "git-daemon": Process("git-daemon", [git_daemon, "--reuseaddr", "--listen=127.0.0.1",
                                                 "--port=%d" % p["git"], "--base-path=%s" % s.git_dir,
                                                 "--export-all", "--informative-errors", str(s.git_dir)],
                                  ports=[s.port("git")],
                                  identity=["--base-path=%s" % s.git_dir],
                                  ready=lambda: port_open(p["git"]), ready_timeout=20),
            # --client-ca-path '': v3.6.1 defaults it to the in-image mTLS path and refuses that together
            # with --disable-tls (cmd/argocd-repo-server/commands/argocd_repo_server.go).
            "repo-server": Process("repo-server", [
                str(self.bin_dir / "argocd-repo-server"), "--loglevel", s.loglevel, "--logformat", "text",
                "--address", "127.0.0.1", "--port", str(p["repo"]),
                "--metrics-address", "127.0.0.1", "--metrics-port", str(p["repo_metrics"]),
                "--redis", "127.0.0.1:%d" % p["redis"], "--disable-tls", "--client-ca-path", ""],
                env=env, cwd=str(st), identity=["--port %d" % p["repo"]],
                ports=[s.port("repo"), s.port("repo_metrics")],
                ready=lambda: port_open(p["repo"]) and _http_ok("http://127.0.0.1:%d/healthz" % p["repo_metrics"]),
                ready_timeout=120),
            # The hydrator is off, so the commit server is never dialled; loopback anyway. The metrics
            # port is bound on 0.0.0.0 by Argo CD (controller/appcontroller.go), no flag changes it.
            "application-controller": Process("application-controller", [
                str(self.bin_dir / "argocd-application-controller"), "--loglevel", s.loglevel, "--logformat", "text",
                "--kubeconfig", str(s.kubeconfig), "--namespace", NAMESPACE,
                "--repo-server", "127.0.0.1:%d" % p["repo"], "--repo-server-plaintext",
                "--commit-server", "127.0.0.1:%d" % p["commit"], "--hydrator-enabled=false",
                "--redis", "127.0.0.1:%d" % p["redis"], "--metrics-port", str(p["ctrl_metrics"]),
                "--app-resync", str(s.app_resync)],
                env=env, cwd=str(st), identity=["--metrics-port %d" % p["ctrl_metrics"]],
                ports=[s.port("ctrl_metrics", "0.0.0.0")],
                ready=lambda: _http_ok("http://127.0.0.1:%d/healthz" % p["ctrl_metrics"]), ready_timeout=120),
        }

    @staticmethod
    def _git_exec_path() -> str:
        try:
            return subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            raise LocalStackError("git missing") from None

    # ---------------------------------------------------------------- status
    def component_status(self) -> tuple[bool, list[str]]:
        p = self.s.ports
        procs = self.processes()
        checks = [
            ("redis", "redis", "127.0.0.1:%d" % p["redis"]),
            ("git-daemon", "git-daemon", "git://127.0.0.1:%d/" % p["git"]),
            ("repo-server", "argocd-repo-server", "127.0.0.1:%d" % p["repo"]),
            ("application-controller", "argocd-application-controller", "metrics :%d" % p["ctrl_metrics"]),
        ]
        ok, lines = True, []
        for name, label, where in checks:
            pid = self.sup.pid(procs[name])
            if pid and procs[name].ready():
                lines.append("%-30s ok (pid %d, %s)" % (label, pid, where))
            else:
                lines.append("%-30s DOWN" % label)
                ok = False
        mok, mline = self.mirror.status()
        return ok and mok, lines + [mline]

    def status(self) -> tuple[bool, list[str]]:
        ok, lines = self.component_status()
        return ok, ["argocd %s (%s), state %s" % (self.version, self.binary, self.s.state_dir)] + lines

    # ---------------------------------------------------------------- build and config
    def build(self) -> Path:
        return gobuild.ensure(self.spec, self.log, self.s.cache_root)

    def ensure_redis_installed(self) -> None:
        if shutil.which("redis-server"):
            return
        self.log("redis-server missing: installing Debian's redis-server")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "redis-server"]):
            proc = subprocess.run(sudo + cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise LocalStackError("%s failed:\n%s" % (" ".join(cmd), proc.stderr[-2000:]))
        if not shutil.which("redis-server"):
            raise LocalStackError("redis-server still missing after apt-get install")

    def ensure_bare_repo(self, name: str) -> Path:
        repo = self.s.git_dir / ("%s.git" % name)
        if not repo.is_dir():
            self.s.git_dir.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(repo)], check=True)
        return repo

    def apply_config(self, api) -> None:
        from kubernetes import client as k
        from kubernetes.client.exceptions import ApiException

        if not self.health_lua.is_file():
            raise LocalStackError("missing %s" % self.health_lua)
        files = crds.crd_files(self.version, self.s.cache_root)
        self.log("applying Argo CD %s CRDs (the binary's version), argocd-cm (Application health Lua), "
                 "argocd-cmd-params-cm, argocd-rbac-cm, argocd-secret, AppProject default" % self.version)
        s = self.s
        kube.apply(api, [manifests.namespace(NAMESPACE)] + kube.load_yaml(*files), FIELD_MANAGER)
        self.sup.wait("Argo CD CRDs Established", lambda: kube.crds_established(api, crds.NAMES), 60)
        params = {"repo.server": "127.0.0.1:%d" % s.ports["repo"], "redis.server": "127.0.0.1:%d" % s.ports["redis"],
                  "controller.repo.server.plaintext": "true", "reposerver.disable.tls": "true",
                  "controller.log.level": s.loglevel, "reposerver.log.level": s.loglevel}
        objs = [manifests.argocd_cm(self.health_lua.read_text(), s.app_resync),
                manifests.argocd_cmd_params_cm(params), manifests.argocd_rbac_cm()]
        try:  # server.secretkey: generated here once, never in git, never printed
            k.CoreV1Api(api).read_namespaced_secret("argocd-secret", NAMESPACE, _request_timeout=20)
        except ApiException as err:
            if err.status != 404:
                raise
            objs.append(manifests.argocd_secret(base64.b64encode(secrets.token_bytes(32)).decode()))
        objs.append(manifests.default_app_project())
        kube.apply(api, objs, FIELD_MANAGER)

    # ---------------------------------------------------------------- commands
    def up(self) -> str:
        s = self.s
        for d in (s.state_dir / "logs", s.state_dir / "tmp"):
            d.mkdir(parents=True, exist_ok=True)
        with self.sup.lock(3600):
            if self.component_status()[0]:
                self.log("argocd-local: already up")
                return "already up"
            if not s.kubeconfig.is_file():
                raise LocalStackError("no kubeconfig at %s: run scripts/local-cluster.sh up first" % s.kubeconfig)
            api = kube.client(s.kubeconfig)
            try:
                try:
                    ready = kube.request(api, "GET", "/readyz", timeout=10, raw=True)
                except Exception as err:  # noqa: BLE001
                    ready = str(err)
                if ready.strip() != "ok":
                    raise LocalStackError("local API server not ready (kubeconfig %s): %s" % (s.kubeconfig, ready))
                self.build()
                self.ensure_redis_installed()
                self.ensure_bare_repo(s.repo_name)
                self.apply_config(api)
            finally:
                api.close()
            st = s.state_dir
            for d in (st / "tls", st / "ssh", st / "gpg" / "keys", st / "gpg" / "source", st / "plugins"):
                d.mkdir(parents=True, exist_ok=True)
            (st / "ssh" / "ssh_known_hosts").touch()
            # the password goes in a mode-600 config file, not on the command line
            fd = os.open(st / "redis.conf", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("requirepass %s\n" % self.redis_password())
            procs = self.processes()
            for name in ("redis", "git-daemon"):
                self._start(procs[name])
            self.mirror.up()
            for name in ("repo-server", "application-controller"):
                self._start(procs[name])
        ok, lines = self.component_status()
        for line in lines:
            print(line)
        if not ok:
            raise LocalStackError("not every component is up (logs in %s)" % self.sup.log_dir)
        self.log("argocd-local up: Applications can use repoURL %s (fill it with: argocd-local.sh publish) and "
                 "Helm charts from %s" % (self.git_url(), self.mirror.url))
        return "started"

    def _start(self, proc: Process) -> None:
        if self.sup.running(proc) and proc.ready():
            return
        self.sup.start(proc)
        seconds = self.sup.wait_ready(proc)
        self.log("%s ready after %.0f s" % (proc.name, seconds))

    def down(self) -> str:
        stopped = 0
        with self.sup.lock(120):
            procs = self.processes()
            for name in ("application-controller", "repo-server", "git-daemon", "redis"):
                if self.sup.stop(procs[name]):
                    stopped += 1
        if self.mirror.down() == "stopped":
            stopped += 1
        self.log("argocd-local: down (Applications and config stay in the cluster; state in %s)" % self.s.state_dir)
        return "stopped" if stopped else "not running"

    def publish(self, src: Path | str = "gitops", repo: str | None = None) -> tuple[str, bool]:
        """Copy ``src`` (committed or not) into a new commit on ``main`` of ``<git_dir>/<repo>.git``.

        A directory inside the project keeps its path relative to the project root (Application paths are
        the work tree's, e.g. gitops/charts/<component>); one outside lands at the repository root. Each
        publish replaces the whole tree. Returns (commit, changed)."""
        name = repo or self.s.repo_name
        src = Path(src)
        if not src.is_absolute():
            src = self.s.project_root / src
        if not src.is_dir():
            raise LocalStackError("publish: no directory %s" % src)
        abs_src = src.resolve()
        try:
            rel = str(abs_src.relative_to(self.s.project_root))
            rel = "" if rel == "." else rel
        except ValueError:
            rel = ""
        bare = self.ensure_bare_repo(name)
        with tempfile.TemporaryDirectory(prefix="argocd-publish-") as tmp:
            tree = Path(tmp) / "tree" / rel
            shutil.copytree(abs_src, tree, symlinks=True)
            g = ["git", "--git-dir=%s" % bare, "--work-tree=%s" % (Path(tmp) / "tree"),
                 "-c", "user.name=argocd-local", "-c", "user.email=argocd-local@localhost"]
            genv = dict(os.environ, GIT_INDEX_FILE=str(Path(tmp) / "index"))

            def git(*args, stdin=None):
                proc = subprocess.run(g + list(args), env=genv, input=stdin, capture_output=True, text=True,
                                      cwd=Path(tmp) / "tree")
                if proc.returncode != 0:
                    raise LocalStackError("git %s failed: %s" % (" ".join(args), proc.stderr.strip()))
                return proc.stdout.strip()

            git("add", "-A", "-f", ".")
            tree_id = git("write-tree")
            msg = "publish %s %s" % (rel or abs_src, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            parent = subprocess.run(g + ["rev-parse", "-q", "--verify", "refs/heads/main"], env=genv,
                                    capture_output=True, text=True, cwd=Path(tmp) / "tree").stdout.strip()
            if parent:
                if git("rev-parse", parent + "^{tree}") == tree_id:
                    self.log("publish: %s.git main already has this content (%s)" % (name, parent))
                    return parent, False
                commit = git("commit-tree", tree_id, "-p", parent, stdin=msg)
            else:
                commit = git("commit-tree", tree_id, stdin=msg)
            git("update-ref", "refs/heads/main", commit)
        self.log("published %s to %s (main = %s)" % (rel or abs_src, self.git_url(name), commit))
        return commit, True
