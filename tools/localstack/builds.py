"""The programs the local stack builds, as data (see gobuild.GoBuild). Add a build here in a few lines."""
from __future__ import annotations

from . import common
from .gobuild import Asset, GoBuild

TOOLS = common.tools_dir()

ETCD = GoBuild(
    name="etcd", module_dir=TOOLS / "etcd", version_of="go.etcd.io/etcd/server/v3",
    packages=("go.etcd.io/etcd/server/v3",), outputs=("etcd",),
    description="etcd, the version Kubernetes pins (tools/etcd)")

# The three Kubernetes commands in ONE go build, so they share their compile work. /version is
# stamped like upstream's hack/lib/version.sh (gitCommit stays empty: the module zip has no git data).
_K8S_X = {}
for _pkg in ("k8s.io/client-go/pkg/version", "k8s.io/component-base/version"):
    _K8S_X.update({_pkg + ".gitVersion": "{version}", _pkg + ".gitMajor": "{major}", _pkg + ".gitMinor": "{minor}",
                   _pkg + ".gitTreeState": "clean", _pkg + ".buildDate": "{build_date}"})
K8S = GoBuild(
    name="k8s", module_dir=TOOLS / "k8s", version_of="k8s.io/kubernetes",
    packages=("k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes/cmd/kube-controller-manager",
              "k8s.io/kubernetes/cmd/kube-scheduler"),
    outputs=("kube-apiserver", "kube-controller-manager", "kube-scheduler"), ldflags_x=_K8S_X,
    description="kube-apiserver, kube-controller-manager, kube-scheduler (tools/k8s)")

# kwok has no built-in stages ("no stages found"): its default Stage set (what kwokctl feeds it) comes
# from the same pinned module's kustomize/stage tree.
# kwok shares Argo CD's toolchain and dependency versions (see tools/kwok/go.mod): the Go build cache
# then compiles the packages they have in common (k8s.io/client-go, api, apimachinery ...) once.
ARGOCD_TOOLCHAIN = "go1.27.3"
KWOK = GoBuild(
    name="kwok", module_dir=TOOLS / "kwok", version_of="sigs.k8s.io/kwok",
    packages=("sigs.k8s.io/kwok/cmd/kwok",), outputs=("kwok",),
    toolchain=ARGOCD_TOOLCHAIN, toolchain_env="ARGOCD_GOTOOLCHAIN",
    assets=(Asset("kwok-stages.yaml", "sigs.k8s.io/kwok", (
        "kustomize/stage/node/fast/node-initialize.yaml",
        "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
        "kustomize/stage/pod/fast/pod-ready.yaml",
        "kustomize/stage/pod/fast/pod-complete.yaml",
        "kustomize/stage/pod/fast/pod-delete.yaml"), yaml_stream=True),),
    description="kwok fake kubelets (tools/kwok)")

# Only what runs locally: the application controller, the repo server and git's askpass helper, in
# one binary (tools/argocd/cmd/argocd-local dispatching on argv[0]), not the whole `argocd` command.
# The repo server runs git-verify-wrapper.sh on every manifest generation: copied from the module's
# hack/ next to the binary, as Argo CD's Dockerfile does. v3.6.1 needs Go >= 1.27.0.
ARGOCD_MODULE = "github.com/argoproj/argo-cd/v3"
ARGOCD = GoBuild(
    name="argocd-local", module_dir=TOOLS / "argocd", version_of=ARGOCD_MODULE,
    packages=("./cmd/argocd-local",), outputs=("argocd-local",),
    toolchain=ARGOCD_TOOLCHAIN, toolchain_env="ARGOCD_GOTOOLCHAIN",
    ldflags_x={ARGOCD_MODULE + "/common.version": "{semver}", ARGOCD_MODULE + "/common.buildDate": "{build_date}",
               ARGOCD_MODULE + "/common.gitTreeState": "clean"},
    links={"argocd-application-controller": "argocd-local", "argocd-repo-server": "argocd-local",
           "argocd-git-ask-pass": "argocd-local",
           # git runs GIT_ASKPASS=argocd with ARGOCD_BINARY_NAME=argocd-git-ask-pass (util/askpass)
           "argocd": "argocd-local"},
    assets=(Asset("git-verify-wrapper.sh", ARGOCD_MODULE, ("hack/git-verify-wrapper.sh",), mode=0o755),
            Asset("gpg-wrapper.sh", ARGOCD_MODULE, ("hack/gpg-wrapper.sh",), mode=0o755)),
    description="Argo CD application controller + repo server (tools/argocd/cmd/argocd-local)")

# ---- the real programs of the smoke suite (tools/smoke) ------------------------------------------------
JAEGER_MODULE = "github.com/jaegertracing/jaeger"
JAEGER = GoBuild(
    name="jaeger", module_dir=TOOLS / "jaeger", version_of=JAEGER_MODULE,
    packages=(JAEGER_MODULE + "/cmd/jaeger",), outputs=("jaeger",),
    # What upstream's BuildInfo.mk stamps (module v1.76.0 = Jaeger v2.13.0; the proxy's .info has no commit).
    ldflags_x={JAEGER_MODULE + "/internal/version.latestVersion": "v2.13.0",
               JAEGER_MODULE + "/internal/version.date": "2025-12-03T16:07:08Z"},
    description="Jaeger v2.13.0, the program of the jaeger chart 4.2.3 (tools/jaeger; UI assets not embedded)")

MOCKLLM = GoBuild(
    name="mockllm", module_dir=TOOLS / "mockllm", version_of="github.com/kagent-dev/mockllm",
    packages=(".",), outputs=("mockllm",),
    description="kagent's scripted OpenAI/Anthropic-compatible model server on a loopback address (tools/mockllm)")


class SourceArchive:
    """A source tree the module proxy does not serve, kept as data beside the project (../shared/upstream-src):
    unpacked once, sha256-checked, into the cache (temp dir + rename), never into the work tree."""

    def __init__(self, name, archive_env, archive, sha256, strip=1):
        self.name, self.archive_env, self.archive, self.sha256, self.strip = name, archive_env, archive, sha256, strip

    def root(self, cache_root):
        return cache_root / "src" / self.name

    def __call__(self, cache_root):
        import hashlib
        import shutil
        import tarfile
        import tempfile

        root = self.root(cache_root)
        stamp = root / ".sha256"
        if stamp.is_file() and stamp.read_text().strip() == self.sha256:
            return root
        archive = common.env_str(self.archive_env, str(self.archive))
        try:
            digest = hashlib.sha256(open(archive, "rb").read()).hexdigest()
        except OSError as err:
            raise common.LocalStackError("source archive of %s not found: %s (%s)" % (self.name, archive, err))
        if digest != self.sha256:
            raise common.LocalStackError("%s: sha256 %s, expected %s" % (archive, digest, self.sha256))
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".%s." % self.name, dir=root.parent)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                parts = member.name.split("/")[self.strip:]
                if not parts or ".." in parts:
                    continue
                member.name = "/".join(parts)
                tar.extract(member, tmp)
        (common.Path(tmp) / ".sha256").write_text(self.sha256 + "\n")
        shutil.rmtree(root, ignore_errors=True)
        common.Path(tmp).rename(root)
        return root


KAGENT_SOURCE = SourceArchive(
    "kagent-v0.9.9", "KAGENT_SRC_TARBALL", common.shared_dir() / "upstream-src/kagent-go-v0.9.9.tar.gz",
    "787d043135168ae93fce50fec43494a553ae4cebad14f3b2de0e0181c9654f8f")
_KAGENT_VERSION_PKG = "github.com/kagent-dev/kagent/go/core/internal/version."
_KAGENT_AGENT_PKG = "github.com/kagent-dev/kagent/go/core/internal/controller/translator/agent."
# The controller compiles a declarative Agent only with the agent runtime images' digests linked in; upstream
# reads them from its registry at release time. No registry here: an all-zero placeholder (the pods are fake),
# overridable (KAGENT_APP_IMAGE_DIGEST, ...) with the real digests.
_ZERO = "sha256:" + "0" * 64
KAGENT = GoBuild(
    name="kagent", module_dir=KAGENT_SOURCE.root(common.cache_root()) / "go", version="v0.9.9",
    packages=("./core/cmd/controller", "./adk/cmd", "./core/hack/mockllm"),
    outputs=("kagent-controller", "kagent-adk", "mockllm"), hash_globs=(), prepare=KAGENT_SOURCE,
    ldflags_x={_KAGENT_VERSION_PKG + "Version": "v0.9.9", _KAGENT_VERSION_PKG + "GitCommit": "e9e4e34",
               _KAGENT_AGENT_PKG + "PythonADKImageDigest": common.env_str("KAGENT_APP_IMAGE_DIGEST", _ZERO),
               _KAGENT_AGENT_PKG + "GoADKImageDigest": common.env_str("KAGENT_GOLANG_ADK_IMAGE_DIGEST", _ZERO),
               _KAGENT_AGENT_PKG + "GoADKFullImageDigest": common.env_str("KAGENT_GOLANG_ADK_FULL_IMAGE_DIGEST", _ZERO)},
    description="kagent v0.9.9 controller, Go agent runtime and mock LLM, from ../shared/upstream-src")

BUILDS = {b.name: b for b in (ETCD, K8S, KWOK, ARGOCD, JAEGER, MOCKLLM, KAGENT)}
