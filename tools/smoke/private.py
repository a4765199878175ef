"""A throwaway private cluster with the local inventory's agent platform applied, for developing and
testing the smoke suite without the shared cluster (``python -m tools.smoke --private``, tests).

The local inventory is rendered offline (``playbooks/render.yml`` against the chart mirror served on a
free port), a private control plane with controllers, scheduler and kwok nodes starts on free ports
(tools.localstack.private.PrivateCluster), and each component's rendered manifests are applied
server-side into namespace agent-platform (labelled Pod Security ``restricted`` as Argo CD's
managedNamespaceMetadata does), with the Secrets the roles would generate: ``litellm-api-keys``
(master-key), its copy ``kagent-litellm`` (OPENAI_API_KEY), ``langfuse-credentials``. This stands in for
``make local`` (Argo CD syncing the same manifests); the smoke suite itself only reads the API server.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tools.localstack import common, kube
from tools.localstack.common import Log, LocalStackError
from tools.localstack.mirror import ChartMirror, MirrorSettings
from tools.localstack.private import PrivateCluster
from tools.localstack.supervisor import free_ports

NAMESPACE = "agent-platform"
DEFAULT_COMPONENTS = ("kagent-crds", "kagent", "jaeger", "litellm", "langfuse", "tofu-controller")
LANGFUSE_KEYS = ("salt", "nextauth-secret", "postgres-password", "redis-password", "clickhouse-password",
                 "s3-root-user", "s3-root-password")


def render(out_dir: Path, log: Log) -> Path:
    """Render the local inventory (agent platform on) into ``out_dir``; returns the components dir."""
    root = common.project_root()
    mirror_dir = Path(os.environ.get("APPMOD_CHART_MIRROR_DIR", "/work/shared/chart-mirror"))
    port = free_ports(1)[0]
    mirror = ChartMirror(MirrorSettings(directory=mirror_dir, port=port, state_dir=out_dir / "mirror"), log=log)
    mirror.up()
    try:
        cmd = [str(root / ".venv/bin/ansible-playbook"), "playbooks/render.yml", "-i", "inventories/local",
               "-e", "enable_agent_platform=true", "-e", "agent_platform_chart_mirror_url=%s" % mirror.url,
               "-e", "render_dir=%s" % (out_dir / "render")]
        env = dict(os.environ, ANSIBLE_CONFIG=str(root / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
        env["PATH"] = "%s:%s:%s" % (common.tools_bin(), root / ".venv/bin", env.get("PATH", ""))
        t0 = time.monotonic()
        p = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            raise LocalStackError("render failed (rc %d):\n%s" % (p.returncode, (p.stdout + p.stderr)[-3000:]))
        log("rendered the local inventory in %.0f s" % (time.monotonic() - t0))
    finally:
        mirror.down()
    found = list((out_dir / "render").glob("*/components"))
    if not found:
        raise LocalStackError("no components rendered under %s" % (out_dir / "render"))
    return found[0]


def _namespaced(api, cache: dict, api_version: str, kind: str) -> bool:
    key = (api_version, kind)
    if key not in cache:
        path = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
        for _ in range(60):
            try:
                res = kube.request(api, "GET", path)["resources"]
                found = {r["kind"]: r["namespaced"] for r in res if "/" not in r["name"]}
                if kind in found:
                    cache[key] = found[kind]
                    break
            except Exception:  # noqa: BLE001 - a CRD being established
                pass
            time.sleep(0.5)
        else:
            raise LocalStackError("the API server does not serve %s %s" % (api_version, kind))
    return cache[key]


def generated_secrets(namespace: str = NAMESPACE) -> list[dict]:
    """What the litellm and langfuse roles generate once on a cluster (random values)."""
    master = "sk-" + secrets.token_urlsafe(24)
    meta = lambda n: {"name": n, "namespace": namespace, "labels": {  # noqa: E731
        "app.kubernetes.io/part-of": "agent-platform", "app.kubernetes.io/managed-by": "appmod.agent_platform"}}
    return [
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": meta("litellm-api-keys"),
         "stringData": {"master-key": master}},
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": meta("kagent-litellm"),
         "stringData": {"OPENAI_API_KEY": master}},
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": meta("langfuse-credentials"),
         "stringData": {k: secrets.token_urlsafe(24) for k in LANGFUSE_KEYS}},
    ]


def apply_components(api, components_dir: Path, components=DEFAULT_COMPONENTS, namespace: str = NAMESPACE,
                     log: Log | None = None) -> int:
    log = log or Log("smoke-private")
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": {
        "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted"}}}
    flux = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system", "labels": {
        "pod-security.kubernetes.io/enforce": "restricted"}}}
    kube.apply(api, [ns, flux], "smoke-private")
    kube.apply(api, generated_secrets(namespace), "smoke-private")
    docs = []
    for comp in components:
        f = components_dir / comp / "manifests.yaml"
        if f.exists():
            docs += [(comp, d) for d in kube.load_yaml(f)]
    crds = [d for _, d in docs if d.get("kind") == "CustomResourceDefinition"]
    kube.apply(api, crds, "smoke-private")
    names = [d["metadata"]["name"] for d in crds]
    deadline = time.monotonic() + 120
    while not kube.crds_established(api, names):
        if time.monotonic() > deadline:
            raise LocalStackError("CRDs not Established: %s" % names)
        time.sleep(0.5)
    cache: dict = {}
    n = len(crds)
    failed = []
    for comp, d in docs:
        if d.get("kind") == "CustomResourceDefinition":
            continue
        meta = d.setdefault("metadata", {})
        if not meta.get("namespace") and _namespaced(api, cache, d["apiVersion"], d["kind"]):
            meta["namespace"] = "flux-system" if comp == "tofu-controller" else namespace
        try:
            kube.apply(api, [d], "smoke-private")
            n += 1
        except Exception as err:  # noqa: BLE001 - report all, fail at the end
            failed.append("%s %s/%s: %s" % (d["kind"], meta.get("namespace", ""), meta["name"], str(err)[:200]))
    if failed:
        raise LocalStackError("could not apply:\n  " + "\n  ".join(failed))
    log("applied %d objects of %s" % (n, ", ".join(components)))
    return n


def wait_available(api, names, namespace: str = NAMESPACE, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        pending = []
        for name in names:
            try:
                d = kube.request(api, "GET", "/apis/apps/v1/namespaces/%s/deployments/%s" % (namespace, name))
                if (d.get("status") or {}).get("availableReplicas", 0) < 1:
                    pending.append(name)
            except Exception:  # noqa: BLE001
                pending.append(name)
        if not pending:
            return
        if time.monotonic() > deadline:
            raise LocalStackError("Deployments not Available after %.0f s: %s" % (timeout, pending))
        time.sleep(1)


class PrivatePlatform:
    """``with PrivatePlatform() as kubeconfig:`` a private cluster with the platform applied; removed on exit."""

    def __init__(self, components=DEFAULT_COMPONENTS, log: Log | None = None, keep: bool = False):
        self.log = log or Log("smoke-private")
        self.components = components
        self.keep = keep
        self.dir = Path(tempfile.mkdtemp(prefix="appmod-smokepriv-"))
        self.cluster: PrivateCluster | None = None

    def __enter__(self) -> Path:
        try:
            comps_dir = render(self.dir, self.log)
            self.cluster = PrivateCluster(state_dir=self.dir / "cluster", argocd_crds=False, label="smoke-private")
            t0 = time.monotonic()
            self.cluster.up()
            self.log("private cluster up in %.0f s at %s" % (time.monotonic() - t0, self.cluster.server))
            apply_components(self.cluster.api(), comps_dir, self.components, log=self.log)
            wait_available(self.cluster.api(), ["litellm", "jaeger", "kagent-controller"])
            return self.cluster.kubeconfig
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        if self.cluster is not None:
            left = self.cluster.down()
            if left:
                self.log("private cluster left behind: %s" % "; ".join(left))
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def main_up(state: Path) -> None:  # pragma: no cover - developer helper
    """Bring a private platform up and leave it running (state in ``state``)."""
    log = Log("smoke-private")
    state.mkdir(parents=True, exist_ok=True)
    comps_dir = render(state, log)
    pc = PrivateCluster(state_dir=state / "cluster", argocd_crds=False, label="smoke-private", keep=True)
    pc.up()
    apply_components(pc.api(), comps_dir, log=log)
    wait_available(pc.api(), ["litellm", "jaeger", "kagent-controller"])
    (state / "cluster.json").write_text(json.dumps({"kubeconfig": str(pc.kubeconfig), "env": pc.settings.env()}))
    print(pc.kubeconfig)
