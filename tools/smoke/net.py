"""Loopback networking for the smoke suite: HTTP without proxies, free ports, and the map from
in-cluster service addresses to the host processes that stand for them (every rewrite recorded)."""
from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never an HTTP proxy


@dataclass
class Response:
    status: int
    body: str
    headers: dict

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def message(self) -> str:
        """The program's own error message when the body has one (OpenAI-style error.message)."""
        data = self.json
        if isinstance(data, dict):
            err = data.get("error")
            if isinstance(err, dict) and err.get("message"):
                return str(err["message"])
            if isinstance(err, str):
                return err
            if data.get("detail"):
                return str(data["detail"])
        return self.body.strip()[:400]

    def short(self, limit: int = 300) -> str:
        return "HTTP %d %s" % (self.status, self.body.strip().replace("\n", " ")[:limit])


def http(method: str, url: str, body=None, headers: dict | None = None, timeout: float = 30) -> Response:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError("refusing to send traffic to %s: the smoke suite talks to 127.0.0.1 only" % host)
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.read().decode(errors="replace"), dict(resp.headers))
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read().decode(errors="replace"), dict(err.headers or {}))


def http_ok(url: str, timeout: float = 2) -> bool:
    try:
        return http("GET", url, timeout=timeout).status == 200
    except (OSError, ValueError):
        return False


class PortPool:
    """Free loopback ports, never the same twice in one run (TCP, or UDP for ``udp=True``)."""

    def __init__(self):
        import threading

        self.used: set[int] = set()
        self._lock = threading.Lock()

    def take(self, udp: bool = False) -> int:
        with self._lock:
            return self._take(udp)

    def _take(self, udp: bool) -> int:
        for _ in range(200):
            kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            if port in self.used:
                continue
            if udp:  # the TCP port of the same number should be free too (one number per endpoint)
                try:
                    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                        t.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self.used.add(port)
            return port
        raise RuntimeError("no free port found")


_URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://([^\s\"'/?#]+)")


class Endpoints:
    """In-cluster addresses (Service name + port in ``namespace``) -> the 127.0.0.1 port of the host
    process that plays that Service here. ``rewrite_*`` change only host and port, and append a line
    to ``log`` for each change."""

    def __init__(self, namespace: str):
        self.namespace = namespace
        self.map: dict[tuple[str, int], int] = {}
        self.origin: dict[tuple[str, int], str] = {}

    def add(self, service: str, port: int, host_port: int, origin: str = "") -> None:
        self.map[(service, int(port))] = host_port
        self.origin[(service, int(port))] = origin

    def add_service(self, svc: dict | None, container: dict | None, host_ports: dict[int, int], name: str = "") -> list[str]:
        """Map every port of Service ``svc`` whose targetPort is a container port we run on a host port."""
        added = []
        if svc is None:
            return added
        named = {p.get("name"): p["containerPort"] for p in (container or {}).get("ports") or [] if p.get("name")}
        for p in (svc.get("spec") or {}).get("ports") or []:
            target = p.get("targetPort", p["port"])
            if isinstance(target, str) and not target.isdigit():
                target = named.get(target)
            if target is None:
                continue
            hp = host_ports.get(int(target))
            if hp:
                self.add(svc["metadata"]["name"], p["port"], hp, "Service %s port %s" % (svc["metadata"]["name"], p["port"]))
                added.append("%s:%s->127.0.0.1:%d" % (svc["metadata"]["name"], p["port"], hp))
        return added

    def service_of(self, host: str) -> str | None:
        """``svc`` for svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster.local (ns = our namespace)."""
        if not host or host[0].isdigit() or host == "localhost":
            return None
        parts = host.split(".")
        if len(parts) == 1:
            return parts[0]
        if parts[1] != self.namespace:
            return None
        rest = parts[2:]
        if rest in ([], ["svc"], ["svc", "cluster", "local"]):
            return parts[0]
        return None

    @staticmethod
    def looks_in_cluster(host: str) -> bool:
        return bool(host) and not host[0].isdigit() and host != "localhost" and (
            "." not in host or host.endswith(".svc") or host.endswith(".cluster.local") or host.count(".") == 1)

    def lookup(self, host: str, port: int | None) -> int | None:
        svc = self.service_of(host)
        if svc is None or port is None:
            return None
        return self.map.get((svc, int(port)))

    def rewrite_url(self, url: str) -> tuple[str, bool]:
        try:
            parts = urlsplit(url)
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return url, False
        hp = self.lookup(parts.hostname or "", port)
        if hp is None:
            return url, False
        netloc = parts.netloc
        userinfo = netloc.rsplit("@", 1)[0] + "@" if "@" in netloc else ""
        return urlunsplit((parts.scheme, "%s127.0.0.1:%d" % (userinfo, hp), parts.path, parts.query, parts.fragment)), True

    def rewrite_text(self, text: str, where: str, log: list[str], unknown: list[str] | None = None) -> str:
        """Rewrite every URL inside ``text``; record each change (and in-cluster URLs left alone)."""
        out = text
        for m in list(_URL.finditer(text)):
            start = m.start()
            end = start
            while end < len(text) and not text[end].isspace() and text[end] not in "\"'":
                end += 1
            url = text[start:end]
            new, changed = self.rewrite_url(url)
            if changed:
                out = out.replace(url, new, 1)
                log.append("%s: %s -> %s" % (where, _mask(url), _mask(new)))
            elif unknown is not None:
                host = urlsplit(url).hostname or ""
                if self.looks_in_cluster(host):
                    unknown.append("%s: %s (no host process plays %s here; left as is)" % (where, _mask(url), host))
        return out

    def rewrite_tree(self, obj, where: str, log: list[str], unknown: list[str] | None = None):
        """Rewrite URLs in every string of a JSON/YAML tree (returns a new tree)."""
        if isinstance(obj, dict):
            return {k: self.rewrite_tree(v, "%s.%s" % (where, k), log, unknown) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.rewrite_tree(v, "%s[%d]" % (where, i), log, unknown) for i, v in enumerate(obj)]
        if isinstance(obj, str) and "://" in obj:
            return self.rewrite_text(obj, where, log, unknown)
        return obj

    def rewrite_env(self, env: dict, log: list[str], unknown: list[str] | None = None, skip=()) -> dict:
        out = {}
        for k, v in env.items():
            out[k] = v if (k in skip or "://" not in v) else self.rewrite_text(v, "env %s" % k, log, unknown)
        return out


def _mask(url: str) -> str:
    """Hide a password in user:password@ (the Secret's value stays out of the output)."""
    return re.sub(r"(://[^:/@\s]+:)[^@/\s]+@", r"\1***@", url)
