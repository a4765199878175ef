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

BUILDS = {b.name: b for b in (ETCD, K8S, KWOK, ARGOCD)}
