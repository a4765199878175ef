"""What the smoke suite reads from (and the little it writes to) the API server.

Everything a program is started from comes from here: live ConfigMaps, Secrets, Deployments and pods
(never the rendered files), a ServiceAccount token from the TokenRequest API, the namespace's root CA
(ConfigMap ``kube-root-ca.crt``, what a pod gets) and, for kagent, the smoke Agent and ModelConfig it
creates and deletes.
"""
from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from urllib.parse import quote

import yaml

from tools.kagent import pod_env
from tools.localstack import kube

FIELD_MANAGER = "appmod-smoke"


class NotFound(LookupError):
    pass


class Cluster:
    def __init__(self, kubeconfig, namespace: str = "agent-platform"):
        self.kubeconfig = Path(kubeconfig)
        self.namespace = namespace
        self.api = kube.client(self.kubeconfig)
        self.server = self.api.configuration.host
        self._plural: dict[tuple[str, str], tuple[str, bool]] = {}

    def close(self) -> None:
        try:
            self.api.close()
        except Exception:  # noqa: BLE001
            pass

    # ------------------------------------------------------------------ raw access
    def request(self, method, path, body=None, query=(), content_type="application/json", timeout=30):
        return kube.request(self.api, method, path, body=body, query=query, content_type=content_type,
                            timeout=timeout)

    def resource(self, api_version: str, kind: str) -> tuple[str, bool] | None:
        """(plural, namespaced) from discovery; None when the API server does not serve the kind."""
        from kubernetes.client.exceptions import ApiException

        key = (api_version, kind)
        if key not in self._plural:
            path = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
            try:
                res = self.request("GET", path)["resources"]
            except ApiException as err:
                if err.status == 404:
                    return None
                raise
            for r in res:
                if "/" not in r["name"]:
                    self._plural[(api_version, r["kind"])] = (r["name"], r["namespaced"])
        return self._plural.get(key)

    def path(self, api_version: str, kind: str, name: str | None = None, namespace: str | None = None) -> str:
        found = self.resource(api_version, kind)
        if not found:
            raise NotFound("the API server does not serve %s %s" % (api_version, kind))
        plural, namespaced = found
        base = "/api/v1" if api_version == "v1" else "/apis/%s" % api_version
        p = "%s/namespaces/%s/%s" % (base, namespace or self.namespace, plural) if namespaced else "%s/%s" % (base, plural)
        return p + ("/" + name if name else "")

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict:
        from kubernetes.client.exceptions import ApiException

        try:
            return self.request("GET", self.path(api_version, kind, name, namespace))
        except ApiException as err:
            if err.status == 404:
                scoped = (self.resource(api_version, kind) or ("", True))[1]
                where = "%s/%s" % (namespace or self.namespace, name) if scoped else name
                raise NotFound("%s %s not found" % (kind, where)) from None
            raise

    def find(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        try:
            return self.get(api_version, kind, name, namespace)
        except NotFound:
            return None

    def list(self, api_version: str, kind: str, namespace: str | None = None, selector: str = "") -> list[dict]:
        if not self.resource(api_version, kind):
            return []
        query = [("labelSelector", selector)] if selector else []
        return self.request("GET", self.path(api_version, kind, None, namespace), query=query)["items"]

    def apply(self, obj: dict) -> dict:
        meta = obj["metadata"]
        return self.request("PATCH", self.path(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace")),
                            body=obj, query=[("fieldManager", FIELD_MANAGER), ("force", "true")],
                            content_type="application/apply-patch+yaml")

    def dry_run_apply(self, obj: dict) -> dict:
        meta = obj["metadata"]
        return self.request("PATCH", self.path(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace")),
                            body=obj, query=[("fieldManager", FIELD_MANAGER), ("force", "true"), ("dryRun", "All")],
                            content_type="application/apply-patch+yaml")

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> bool:
        from kubernetes.client.exceptions import ApiException

        try:
            self.request("DELETE", self.path(api_version, kind, name, namespace),
                         body={"propagationPolicy": "Background"})
            return True
        except ApiException as err:
            if err.status == 404:
                return False
            raise

    def wait_gone(self, api_version, kind, name, namespace=None, timeout=60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.find(api_version, kind, name, namespace) is None:
                return True
            time.sleep(0.5)
        return False

    # ------------------------------------------------------------------ data
    def data(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """Decoded data of a ConfigMap or Secret, None when it does not exist."""
        obj = self.find("v1", kind, name, namespace)
        if obj is None:
            return None
        out = {}
        for k, v in (obj.get("data") or {}).items():
            out[k] = base64.b64decode(v).decode(errors="replace") if kind == "Secret" else str(v)
        if kind == "ConfigMap":
            for k, v in (obj.get("binaryData") or {}).items():
                out.setdefault(k, base64.b64decode(v).decode(errors="replace"))
        return out

    def lookup(self, namespace: str | None = None):
        """A pod_env lookup reading ConfigMaps/Secrets of ``namespace`` from the API server."""
        return lambda kind, name: self.data(kind, name, namespace)

    def deployment(self, name: str) -> dict:
        return self.get("apps/v1", "Deployment", name)

    def pods_of(self, workload: dict) -> list[dict]:
        sel = ((workload.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join("%s=%s" % kv for kv in sorted(sel.items()))
        return self.list("v1", "Pod", workload["metadata"].get("namespace"), selector)

    def container_env(self, workload: dict, container: str | None = None):
        """(container, env, refs, pod): env resolved as the kubelet would from the live objects; the
        downward-API fields come from one of the workload's pods when there is one (kwok runs them)."""
        c = pod_env.container_of(workload, container)
        pods = self.pods_of(workload)
        pod = next((p for p in pods if (p.get("status") or {}).get("phase") == "Running"), pods[0] if pods else None)
        fields = pod_env.default_fields(workload, workload["metadata"].get("namespace") or self.namespace, pod=pod)
        env, refs = pod_env.resolve_env(c, fields, self.lookup(workload["metadata"].get("namespace")))
        return c, env, refs, pod

    def rv(self, obj: dict) -> str:
        return "rv %s" % obj["metadata"].get("resourceVersion", "?")

    # ------------------------------------------------------------------ identity
    def token(self, service_account: str, namespace: str | None = None, seconds: int = 3600,
              audiences: list[str] | None = None) -> str:
        """A token of the ServiceAccount from the TokenRequest API (what a projected volume holds)."""
        spec = {"expirationSeconds": seconds}
        if audiences:
            spec["audiences"] = audiences
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
        ns = namespace or self.namespace
        res = self.request("POST", "/api/v1/namespaces/%s/serviceaccounts/%s/token" % (ns, quote(service_account)),
                           body=body)
        return res["status"]["token"]

    def root_ca(self, namespace: str | None = None) -> str:
        d = self.data("ConfigMap", "kube-root-ca.crt", namespace)
        if d and d.get("ca.crt"):
            return d["ca.crt"]
        # not published (no controller-manager): the CA of our own kubeconfig
        ca_file = self.api.configuration.ssl_ca_cert
        return Path(ca_file).read_text() if ca_file else ""

    def sa_kubeconfig(self, service_account: str, path: Path, namespace: str | None = None, seconds: int = 3600) -> Path:
        """A kubeconfig with a TokenRequest token of the ServiceAccount and the namespace's root CA."""
        ns = namespace or self.namespace
        token = self.token(service_account, ns, seconds)
        ca = path.with_suffix(".ca.crt")
        ca.write_text(self.root_ca(ns))
        cfg = {"apiVersion": "v1", "kind": "Config",
               "clusters": [{"name": "cluster", "cluster": {"server": self.server, "certificate-authority": str(ca)}}],
               "users": [{"name": service_account, "user": {"token": token}}],
               "contexts": [{"name": "sa", "context": {"cluster": "cluster", "user": service_account, "namespace": ns}}],
               "current-context": "sa"}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(cfg, f, sort_keys=False)
        return path

    def whoami(self, kubeconfig: Path) -> str:
        """The user the API server sees for ``kubeconfig`` (SelfSubjectReview)."""
        api = kube.client(kubeconfig)
        try:
            res = kube.request(api, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                               body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
            return res["status"]["userInfo"]["username"]
        finally:
            api.close()
