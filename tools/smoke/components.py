"""Each component of the smoke suite: read its configuration from the API server, start the real
program with it (only addresses, ports and mount paths changed, each change listed), check it.

Specs are separate from runs so a test can change what was read before the program starts
(``spec = litellm_spec(s); spec.config[...] = ...; run_litellm(s, spec)``) and see the program's own
error. The client side of a check (the model name kagent asks for, the key it sends) is read from
the cluster independently of the spec, as the real clients would.
"""
from __future__ import annotations

import copy
import json
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tools.kagent import pod_env
from tools.localstack.supervisor import port_free, port_owner

from . import programs
from .cluster import NotFound
from .net import Response, http, http_ok
from .report import INFO, SKIP, WARN, CheckFailed, Component

MOCKS = programs.TOOLS / "mockllm" / "mocks.json"
SMOKE_AGENT = "smoke-test-agent"
SMOKE_MODEL_CONFIG = "smoke-litellm"
SMOKE_LABELS = {"app.kubernetes.io/managed-by": "appmod-smoke", "app.kubernetes.io/part-of": "agent-platform-smoke"}
RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def stand_in_answer() -> str:
    mocks = json.loads(MOCKS.read_text())
    return mocks["openai"][0]["response"]["choices"][0]["message"]["content"]


def _trace_id() -> tuple[str, str]:
    trace, span = secrets.token_hex(16), secrets.token_hex(8)
    return trace, "00-%s-%s-01" % (trace, span)


def _wait(what: str, predicate, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = predicate()
        except Exception as err:  # noqa: BLE001
            value, last = None, err
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed("timed out after %.0f s waiting for %s%s" % (timeout, what, " (%s)" % last if last else ""))
        time.sleep(interval)


def _get_ok(url: str) -> Response:
    """GET ``url``; the check fails with the answer unless it is HTTP 200."""
    r = http("GET", url)
    if r.status != 200:
        raise CheckFailed(r.short())
    return r


def program_error(log_text: str, lines: int = 6) -> str:
    """What the program itself said when it failed: its error-level JSON log records (zap, slog), else the
    last lines of its output; passwords in URLs masked."""
    out = []
    for line in log_text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            level = str(rec.get("level") or rec.get("severity") or "").lower()
            if level in ("error", "fatal", "panic", "dpanic"):
                out.append("%s: %s%s" % (level, rec.get("msg") or rec.get("message"),
                                         (": " + str(rec["error"])) if rec.get("error") else ""))
    if not out:
        out = [l for l in log_text.splitlines() if l.strip() and not l.startswith("---- ")][-lines:]
    text = "\n".join(out[-lines:])
    return re.sub(r"(://[^:/@\s]+:)[^@/\s]+@", r"\1***@", text)


def _start_failed(s, comp: Component, proc, err: Exception) -> None:
    first = str(err).splitlines()[0] if str(err) else type(err).__name__
    comp.add("start", "FAIL", "%s\nthe program said:\n%s" % (first.split("; log ")[0], program_error(s.log_text(proc))))


def _short(v, n=160) -> str:
    s = v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
    return s if len(s) <= n else s[:n] + "..."


# ====================================================================================== mounts
@dataclass
class Mounts:
    """The container's volume mounts as directories of the run (ConfigMap/Secret keys as files,
    emptyDirs as empty directories); maps container paths to host paths."""
    table: list[tuple[str, Path, str]] = field(default_factory=list)   # (mountPath, host dir, what)

    def map(self, value: str) -> str:
        for mount, host, _ in sorted(self.table, key=lambda t: -len(t[0])):
            if value == mount or value.startswith(mount.rstrip("/") + "/"):
                return str(host) + value[len(mount.rstrip("/")):]
        return value

    def lines(self) -> list[str]:
        return ["mount %s (%s) -> %s" % (m, what, h) for m, h, what in self.table]


def materialize_mounts(s, workload: dict, container: dict, name: str, skip=()) -> Mounts:
    spec = pod_env.pod_spec_of(workload)
    vols = {v["name"]: v for v in spec.get("volumes") or []}
    out = Mounts()
    for vm in container.get("volumeMounts") or []:
        vol = vols.get(vm["name"], {})
        host = s.subdir(name, "vol-" + vm["name"])
        if vm["name"] in skip:
            continue
        if "configMap" in vol or "secret" in vol:
            kind = "ConfigMap" if "configMap" in vol else "Secret"
            ref = vol.get("configMap") or vol.get("secret")
            obj_name = ref.get("name") or ref.get("secretName")
            data = s.cluster.data(kind, obj_name, workload["metadata"].get("namespace")) or {}
            items = ref.get("items")
            keys = [(i["key"], i.get("path", i["key"])) for i in items] if items else [(k, k) for k in data]
            for key, rel in keys:
                if key in data:
                    p = host / rel
                    p.parent.mkdir(parents=True, exist_ok=True)
                    p.write_text(data[key])
            what = "%s %s" % (kind, obj_name)
        elif "emptyDir" in vol:
            what = "emptyDir"
        elif "projected" in vol:
            what = "projected (not provided out of cluster)"
        else:
            what = ",".join(k for k in vol if k != "name") or "volume"
        mp = vm["mountPath"] + ("/" + vm["subPath"] if vm.get("subPath") else "")
        out.table.append((mp, host, what))
    return out


def _probe(container: dict, which: str) -> tuple[str, int] | None:
    """(path, container port) of an httpGet probe (named ports resolved)."""
    pr = (container.get(which) or {}).get("httpGet")
    if not pr:
        return None
    port = pr.get("port")
    if isinstance(port, str) and not port.isdigit():
        port = next((p["containerPort"] for p in container.get("ports") or [] if p.get("name") == port), None)
    return pr.get("path", "/"), int(port) if port is not None else None


def _env_for_process(env: dict, extra: dict) -> dict:
    out = dict(env)
    out.update(extra)
    return out


def _env_sources(obj_desc: str, refs: list[str]) -> str:
    return obj_desc + ((": " + "; ".join(refs)) if refs else "")


# ====================================================================================== mockllm
def run_mockllm(s) -> Component:
    t0 = time.monotonic()
    prog = programs.mockllm().require()
    port = s.ports.take()
    comp = Component("mockllm", "mockllm - the model stand-in (kagent's scripted OpenAI-compatible server)",
                     program=prog.describe(), listen="127.0.0.1:%d" % port)
    comp.started_from = ["%s (one scripted OpenAI chat answer for any user message)" % MOCKS.relative_to(programs.ROOT),
                         "stands in for Bedrock: the local inventory's LiteLLM model bedrock-claude = openai/mock-model "
                         "at http://mockllm:8090/v1 (inventories/local/group_vars/local.yml)"]
    proc = s.process("mockllm", [str(prog.path), "-listen", "127.0.0.1:%d" % port, str(MOCKS)], env={},
                     ports=[port], identity=["127.0.0.1:%d" % port], ready=lambda: http_ok("http://127.0.0.1:%d/health" % port),
                     ready_timeout=30)
    s.start(proc)
    comp.start_seconds = s.wait_ready(proc)
    s.endpoints.add("mockllm", 8090, port, "the stand-in's in-cluster address named by the inventory")
    s.facts["mockllm_port"] = port
    with comp.check("GET /health") as c:
        r = _get_ok("http://127.0.0.1:%d/health" % port)
        c.detail("HTTP 200 %s" % _short(r.body.strip(), 60))
    with comp.check("POST /v1/chat/completions (direct)") as c:
        r = http("POST", "http://127.0.0.1:%d/v1/chat/completions" % port,
                 {"model": "mock-model", "messages": [{"role": "user", "content": "ping"}]},
                 headers={"Authorization": "Bearer stand-in"})
        text = ((r.json or {}).get("choices") or [{}])[0].get("message", {}).get("content") if r.status == 200 else None
        if text != stand_in_answer():
            raise CheckFailed(r.short())
        c.detail('HTTP 200 "%s"' % text)
    comp.seconds = time.monotonic() - t0
    return comp


# ====================================================================================== Jaeger
# The endpoints of Jaeger's embedded all-in-one config (cmd/jaeger/internal/all-in-one.yaml of the
# pinned module): config key, container port, UDP. Each gets its own free port with --set.
JAEGER_ENDPOINTS = [
    ("receivers.otlp.protocols.grpc.endpoint", 4317, False, "OTLP gRPC"),
    ("receivers.otlp.protocols.http.endpoint", 4318, False, "OTLP HTTP"),
    ("extensions.jaeger_query.http.endpoint", 16686, False, "query HTTP"),
    ("extensions.jaeger_query.grpc.endpoint", 16685, False, "query gRPC"),
    ("extensions.healthcheckv2.http.endpoint", 13133, False, "health HTTP"),
    ("extensions.healthcheckv2.grpc.endpoint", 13132, False, "health gRPC"),
    ("extensions.remote_sampling.http.endpoint", 5778, False, "sampling HTTP"),
    ("extensions.remote_sampling.grpc.endpoint", 5779, False, "sampling gRPC"),
    ("receivers.jaeger.protocols.grpc.endpoint", 14250, False, "jaeger gRPC"),
    ("receivers.jaeger.protocols.thrift_http.endpoint", 14268, False, "thrift HTTP"),
    ("receivers.jaeger.protocols.thrift_binary.endpoint", 6832, True, "thrift binary UDP"),
    ("receivers.jaeger.protocols.thrift_compact.endpoint", 6831, True, "thrift compact UDP"),
    ("receivers.zipkin.endpoint", 9411, False, "zipkin"),
    ("extensions.expvar.endpoint", 27777, False, "expvar"),
    ("extensions.zpages.endpoint", 27778, False, "zpages"),
]
JAEGER_METRICS_PORT = 8888


def run_jaeger(s) -> Component:
    t0 = time.monotonic()
    prog = programs.jaeger().require()
    comp = Component("jaeger", "Jaeger v2 - tracing backend (chart jaeger, all-in-one, memory storage)",
                     program=prog.describe())
    dep = s.cluster.deployment("jaeger")
    c, env, refs, pod = s.cluster.container_env(dep)
    args = pod_env.expand_args(c, env)
    comp.started_from = [
        "Deployment %s/jaeger (%s) container %s: image %s, args %s, env %s" % (
            s.namespace, s.cluster.rv(dep), c["name"], c.get("image"), args or "none (image entrypoint, no --config: "
            "the embedded all-in-one config, as in the pod)", ", ".join(sorted(env)) or "none")]
    if any(a.startswith("--config") for a in args):
        comp.add("start", "FAIL", "the Deployment passes %s: the smoke suite only maps the embedded all-in-one "
                 "config's endpoints (tools/smoke/components.py JAEGER_ENDPOINTS)" % args)
        return comp
    host_ports, sets, lines = {}, [], []
    for key, cport, udp, label in JAEGER_ENDPOINTS:
        hp = s.ports.take(udp=udp)
        host_ports[cport] = hp
        sets.append("--set=%s=127.0.0.1:%d" % (key, hp))
        lines.append("%s %d -> 127.0.0.1:%d" % (label, cport, hp))
    mp = s.ports.take()
    host_ports[JAEGER_METRICS_PORT] = mp
    sets.append("--set=service.telemetry.metrics.readers=[{pull: {exporter: {prometheus: {host: 127.0.0.1, port: %d}}}}]" % mp)
    lines.append("own metrics 8888 -> 127.0.0.1:%d" % mp)
    comp.rewrites = ["env JAEGER_LISTEN_HOST: 0.0.0.0 (the image's ENV) -> 127.0.0.1",
                     "listen ports via --set (embedded config keys): " + ", ".join(lines)]
    run_env = _env_for_process(env, {"JAEGER_LISTEN_HOST": "127.0.0.1"})
    health = _probe(c, "readinessProbe") or ("/status", 13133)
    hport = host_ports.get(health[1], host_ports[13133])
    qport = host_ports[16686]
    comp.listen = "127.0.0.1: OTLP gRPC %d, OTLP HTTP %d, query %d, health %d" % (
        host_ports[4317], host_ports[4318], qport, hport)
    proc = s.process("jaeger", [str(prog.path), *args, *sets], env=run_env, ports=[p for cp, p in host_ports.items()
                     if cp not in (6831, 6832)], identity=["127.0.0.1:%d" % qport],
                     ready=lambda: http_ok("http://127.0.0.1:%d%s" % (hport, health[0])), ready_timeout=60)
    s.start(proc)
    comp.start_seconds = s.wait_ready(proc)
    svc = s.cluster.find("v1", "Service", "jaeger")
    mapped = s.endpoints.add_service(svc, c, host_ports)
    comp.notes.append("Service jaeger ports played here: %s" % (", ".join(mapped) or "none (no Service jaeger)"))
    s.facts.update(jaeger_query="http://127.0.0.1:%d" % qport, jaeger_proc=proc)
    with comp.check("readinessProbe GET %s (port %d)" % health) as ck:
        r = _get_ok("http://127.0.0.1:%d%s" % (hport, health[0]))
        ck.detail("HTTP 200 %s" % _short(r.body.strip(), 90))
    with comp.check("query API GET /api/services") as ck:
        r = _get_ok("http://127.0.0.1:%d/api/services" % qport)
        ck.detail("HTTP 200 services %s" % ((r.json or {}).get("data") or "[] (none yet)"))
    comp.seconds = time.monotonic() - t0
    return comp


def jaeger_trace(s, trace_id: str) -> list[dict]:
    r = http("GET", "%s/api/traces/%s" % (s.facts["jaeger_query"], trace_id))
    if r.status != 200 or not r.json:
        return []
    out = []
    for t in r.json.get("data") or []:
        procs = t.get("processes") or {}
        for sp in t.get("spans") or []:
            sp = dict(sp)
            sp["serviceName"] = (procs.get(sp.get("processID")) or {}).get("serviceName")
            out.append(sp)
    return out


def jaeger_search(s, service: str, start: float, end: float, limit: int = 50) -> list[dict]:
    """Traces of ``service`` that started in [start, end] (wall clock seconds)."""
    q = "%s/api/traces?service=%s&start=%d&end=%d&limit=%d" % (
        s.facts["jaeger_query"], service, int(start * 1e6), int(end * 1e6), limit)
    r = http("GET", q)
    if r.status != 200 or not r.json:
        return []
    return r.json.get("data") or []


def _tags_text(span: dict) -> str:
    return " ".join("%s=%s" % (t.get("key"), t.get("value")) for t in span.get("tags") or [])


def check_litellm_trace(s, comp: Component) -> None:
    """Jaeger holds the spans LiteLLM's otel callback sent for the chat request (found by the
    traceparent the request carried: LiteLLM continues an incoming W3C trace)."""
    info = s.facts.get("litellm_chat")
    svc = s.facts.get("litellm_service", "litellm")
    with comp.check("LiteLLM's spans of the chat request (service %s)" % svc) as ck:
        if not info:
            raise CheckFailed("no chat request reached LiteLLM (see the LiteLLM checks)")
        spans = _wait("spans of trace %s in Jaeger" % info["trace_id"],
                      lambda: [sp for sp in jaeger_trace(s, info["trace_id"]) if sp["serviceName"] == svc], 45, 1)
        ops = sorted({sp.get("operationName") for sp in spans})
        nonce_seen = any(info["nonce"] in _tags_text(sp) for sp in spans)
        ck.detail("trace %s (the traceparent sent with the request): %d spans of %s: %s%s" % (
            info["trace_id"], len(spans), svc, ", ".join(ops)[:200],
            "; the prompt's nonce is in the span attributes" if nonce_seen else ""))


# ====================================================================================== LiteLLM
@dataclass
class LiteLLMSpec:
    """How LiteLLM is started (server side, tamperable) and what its clients send (read separately)."""
    deployment: dict
    container: dict
    config: dict                  # config.yaml of ConfigMap litellm-config, URLs rewritten
    config_path: Path             # where config.yaml is written for --config
    argv: list[str]
    env: dict
    port: int
    liveness: tuple[str, int] | None
    readiness: tuple[str, int] | None
    service_name: str             # OTEL_SERVICE_NAME
    container_port: int = 4000    # the port the pod listens on (probes, Service targetPort)
    sources: list[str] = field(default_factory=list)
    rewrites: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # client side (never changed by a tamper: what the platform's clients really use)
    client_model: str = ""
    client_key: str = ""
    client_key_from: str = ""
    master_key: str = ""
    master_key_from: str = ""


def _client_side(s, litellm_env: dict, refs: list[str], config_from_cluster: dict) -> dict:
    """The model name and key kagent's default ModelConfig uses, and the master key the Deployment reads."""
    out = {"master_key": litellm_env.get("LITELLM_MASTER_KEY", ""),
           "master_key_from": next((r for r in refs if r.endswith("-> LITELLM_MASTER_KEY")), "env LITELLM_MASTER_KEY")}
    mc = s.cluster.find("kagent.dev/v1alpha2", "ModelConfig", "default-model-config") if \
        s.cluster.resource("kagent.dev/v1alpha2", "ModelConfig") else None
    names = [m.get("model_name") for m in config_from_cluster.get("model_list") or []]
    if mc:
        spec = mc.get("spec") or {}
        out["client_model"] = spec.get("model") or (names[0] if names else "")
        sec, key = spec.get("apiKeySecret"), spec.get("apiKeySecretKey")
        data = s.cluster.data("Secret", sec) if sec else None
        if data and key in data:
            out["client_key"], out["client_key_from"] = data[key], "Secret %s[%s] (ModelConfig default-model-config)" % (sec, key)
        s.facts["default_model_config"] = spec
    if not out.get("client_model"):
        out["client_model"] = names[0] if names else ""
    if not out.get("client_key"):
        out["client_key"], out["client_key_from"] = out["master_key"], out["master_key_from"]
    return out


def litellm_spec(s, deployment: str = "litellm") -> LiteLLMSpec:
    """Read LiteLLM's Deployment, ConfigMap and Secret from the API server; nothing is started."""
    prog = programs.litellm()
    dep = s.cluster.deployment(deployment)
    c, env, refs, pod = s.cluster.container_env(dep)
    args = pod_env.expand_args(c, env)
    mounts = materialize_mounts(s, dep, c, "litellm")
    # --config PATH: the file of the mounted ConfigMap
    cfg_arg = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--config"), None)
    if not cfg_arg:
        raise NotFound("Deployment %s passes no --config (args %s)" % (deployment, args))
    config_path = Path(mounts.map(cfg_arg))
    raw = config_path.read_text() if config_path.exists() else ""
    cm_desc = next((w for m, h, w in mounts.table if cfg_arg.startswith(m)), "?")
    config_from_cluster = yaml.safe_load(raw) or {}
    rewrites, unknown = [], []
    port = s.ports.take()
    config = s.endpoints.rewrite_tree(config_from_cluster, "config.yaml", rewrites, unknown)
    run_env = s.endpoints.rewrite_env(env, rewrites, unknown)
    # container paths -> the run's directories (the volume mounts)
    for k, v in list(run_env.items()):
        mapped = mounts.map(v)
        if mapped != v:
            rewrites.append("env %s: %s -> %s (the volume mounted there)" % (k, v, mapped))
            run_env[k] = mapped
    # args: the config path (mount), --port, and a loopback --host (LiteLLM's default is 0.0.0.0)
    argv, i = [str(prog.path)], 0
    cport = None
    while i < len(args):
        a = args[i]
        if a == "--port" and i + 1 < len(args):
            cport = int(args[i + 1])
            argv += ["--port", str(port)]
            rewrites.append("arg --port %s -> %d" % (args[i + 1], port))
            i += 2
            continue
        if a == "--host" and i + 1 < len(args):
            argv += ["--host", "127.0.0.1"]
            rewrites.append("arg --host %s -> 127.0.0.1" % args[i + 1])
            i += 2
            continue
        m = mounts.map(a)
        if m != a:
            rewrites.append("arg %s -> %s (%s)" % (a, m, next((w for mm, h, w in mounts.table if a.startswith(mm)), "")))
        argv.append(m)
        i += 1
    if "--host" not in argv:
        argv += ["--host", "127.0.0.1"]
        rewrites.append("arg --host 127.0.0.1 added (LiteLLM's default is 0.0.0.0)")
    if cport is None:
        cport = 4000
        argv += ["--port", str(port)]
        rewrites.append("arg --port %d added (LiteLLM's default 4000)" % port)
    if s.resolv_conf is None:  # no DNS sandbox: keep LiteLLM from fetching its cost map from GitHub
        run_env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        rewrites.append("env LITELLM_LOCAL_MODEL_COST_MAP=True added (not an address: without the DNS sandbox "
                        "LiteLLM would fetch its model cost map from GitHub at start)")
    notes = list(unknown)
    svc = s.cluster.find("v1", "Service", deployment)
    mapped = s.endpoints.add_service(svc, c, {cport: port})
    notes.append("Service %s played here: %s" % (deployment, ", ".join(mapped) or "- (no Service)"))
    client = _client_side(s, env, refs, config_from_cluster)
    names = [m.get("model_name") for m in config_from_cluster.get("model_list") or []]
    sources = [
        "ConfigMap %s/%s key %s -> --config (%s; models %s; litellm_settings %s)" % (
            s.namespace, cm_desc.split(" ", 1)[-1], os.path.basename(cfg_arg),
            s.cluster.rv(s.cluster.get("v1", "ConfigMap", cm_desc.split(" ", 1)[-1])) if cm_desc.startswith("ConfigMap") else "",
            names, _short(config_from_cluster.get("litellm_settings"), 80)),
        "Deployment %s/%s (%s) container %s: image %s, args %s" % (s.namespace, deployment, s.cluster.rv(dep), c["name"],
                                                                   c.get("image"), " ".join(args)),
        _env_sources("env %s" % ", ".join(sorted(env)), refs),
        "client side (never changed by a test): model %r and key from %s; master key from %s" % (
            client["client_model"], client["client_key_from"], client["master_key_from"]),
    ]
    s.facts.update(litellm_model=client["client_model"], litellm_client_key=client["client_key"])
    return LiteLLMSpec(deployment=dep, container=c, config=config, config_path=config_path, argv=argv, env=run_env,
                       port=port, liveness=_probe(c, "livenessProbe"), readiness=_probe(c, "readinessProbe"),
                       service_name=env.get("OTEL_SERVICE_NAME", "litellm"), sources=sources,
                       rewrites=rewrites + mounts.lines(), notes=notes, container_port=cport, **client)


def run_litellm(s, spec: LiteLLMSpec | None = None, timeout: float = 240) -> Component:
    """Start LiteLLM from ``spec`` (default: as read from the cluster) and check it."""
    t0 = time.monotonic()
    prog = programs.litellm().require()
    spec = spec or litellm_spec(s)
    cport = spec.container_port
    comp = Component("litellm", "LiteLLM proxy - the model gateway (project chart gitops/charts/litellm)",
                     program=prog.describe(), listen="127.0.0.1:%d" % spec.port)
    comp.started_from = list(spec.sources)
    comp.rewrites = list(spec.rewrites)
    comp.notes = list(spec.notes)
    spec.config_path.write_text(yaml.safe_dump(spec.config, sort_keys=False))
    env = dict(spec.env)
    live = spec.liveness or ("/health/liveliness", cport)
    proc = s.process("litellm", spec.argv, env=env, ports=[spec.port], identity=[str(spec.config_path)],
                     ready=lambda: http_ok("http://127.0.0.1:%d%s" % (spec.port, live[0])), ready_timeout=timeout,
                     stop_timeout=15)
    s.start(proc)
    s.facts["litellm_proc"] = proc
    s.facts["litellm_service"] = spec.service_name
    base = "http://127.0.0.1:%d" % spec.port
    try:
        comp.start_seconds = s.wait_ready(proc)
    except Exception as err:  # noqa: BLE001 - the program's own words are in its log
        _start_failed(s, comp, proc, err)
        comp.seconds = time.monotonic() - t0
        return comp
    s.facts.update(litellm_url=base, litellm_master_key=spec.master_key, litellm_liveness=live[0])

    with comp.check("livenessProbe GET %s" % live[0]) as ck:
        r = _get_ok(base + live[0])
        ck.detail("HTTP 200 %s" % _short(r.body.strip(), 60))
    ready = spec.readiness or ("/health/readiness", cport)
    with comp.check("readinessProbe GET %s" % ready[0]) as ck:
        r = _get_ok(base + ready[0])
        j = r.json or {}
        ck.detail("HTTP 200 status=%s db=%s litellm_version=%s callbacks=%s" % (
            j.get("status"), j.get("db"), j.get("litellm_version"), j.get("success_callbacks", "")))
    with comp.check("GET /v1/models without a key -> 401") as ck:
        r = http("GET", base + "/v1/models")
        if r.status != 401:
            raise CheckFailed("expected 401, got %s" % r.short())
        ck.detail("HTTP 401 %s" % r.message())
    names = [m.get("model_name") for m in spec.config.get("model_list") or []]
    with comp.check("GET /v1/models with the master key lists the configured models") as ck:
        r = http("GET", base + "/v1/models", headers={"Authorization": "Bearer %s" % spec.master_key})
        if r.status != 200:
            raise CheckFailed("%s (LiteLLM: %s)" % (r.short(), r.message()))
        ids = [m.get("id") for m in (r.json or {}).get("data") or []]
        if sorted(ids) != sorted(names):
            raise CheckFailed("listed %s, configured %s" % (ids, names))
        ck.detail("HTTP 200 %s (key: %s)" % (ids, spec.master_key_from))
    trace_id, traceparent = _trace_id()
    nonce = "smoke-%s" % uuid.uuid4().hex[:10]
    with comp.check("POST /v1/chat/completions model %s -> the stand-in's answer" % spec.client_model) as ck:
        t_start = time.time()
        r = http("POST", base + "/v1/chat/completions",
                 {"model": spec.client_model, "messages": [{"role": "user", "content": "Hello from the smoke suite (%s)" % nonce}]},
                 headers={"Authorization": "Bearer %s" % spec.client_key, "traceparent": traceparent}, timeout=120)
        if r.status != 200:
            raise CheckFailed("HTTP %d from LiteLLM: %s" % (r.status, r.message()))
        text = ((r.json or {}).get("choices") or [{}])[0].get("message", {}).get("content")
        if text != stand_in_answer():
            raise CheckFailed("HTTP 200 but the answer is %r, the stand-in says %r" % (text, stand_in_answer()))
        s.facts["litellm_chat"] = {"trace_id": trace_id, "nonce": nonce, "start": t_start, "end": time.time()}
        ck.detail('HTTP 200 "%s" (key: %s; traceparent %s)' % (text, spec.client_key_from, traceparent))
    comp.seconds = time.monotonic() - t0
    return comp


# ====================================================================================== PostgreSQL
def run_postgres(s, url: str, origin: str) -> Component:
    """A private PostgreSQL initialised the way the chart's bundled database is: the official image's
    entrypoint semantics on the env of Deployment kagent-postgresql (POSTGRES_USER becomes the superuser
    with POSTGRES_PASSWORD from its Secret, POSTGRES_DB is created, host logins need scram-sha-256).
    Without a bundled database (prod: external), the role and database of ``url`` are created instead.
    The controller then connects with its own URL (``url``, host:port rewritten)."""
    from urllib.parse import unquote, urlsplit

    t0 = time.monotonic()
    prog = programs.postgres()
    comp = Component("postgresql", "PostgreSQL - kagent's database (stands in for the chart's bundled kagent-postgresql)",
                     program=prog.describe())
    u = urlsplit(url)
    bundled = s.cluster.find("apps/v1", "Deployment", (u.hostname or "").split(".")[0]) if u.hostname else None
    if bundled:
        bc, benv, brefs, _ = s.cluster.container_env(bundled)
        user = benv.get("POSTGRES_USER") or "postgres"
        superuser_pw = benv.get("POSTGRES_PASSWORD", "")
        db = benv.get("POSTGRES_DB") or user
        comp.started_from = [_env_sources("Deployment %s/%s (%s) container %s, image %s: POSTGRES_USER=%s POSTGRES_DB=%s" % (
            s.namespace, bundled["metadata"]["name"], s.cluster.rv(bundled), bc["name"], bc.get("image"), user, db), brefs)
            + " -> initialised like the image's entrypoint (initdb --username POSTGRES_USER --pwfile, CREATE DATABASE "
              "POSTGRES_DB, host auth scram-sha-256)"]
        comp.notes.append("the chart's database image is %s; here Debian's PostgreSQL %s runs instead (no container "
                          "runtime)" % (bc.get("image"), prog.version))
    else:
        user, superuser_pw = unquote(u.username or "postgres"), unquote(u.password or "")
        db = (u.path or "/postgres").lstrip("/") or "postgres"
        comp.started_from = ["%s (no bundled database Deployment %s): role %s, its password, database %s" % (
            origin, (u.hostname or "").split(".")[0], user, db)]
    port = s.ports.take()
    d = s.subdir("postgres")
    bindir = programs.postgres_bin_dir()
    pwfile = d / "pwfile"
    pwfile.write_text(superuser_pw + "\n")
    pwfile.chmod(0o600)
    if os.geteuid() == 0:
        shutil.chown(d, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    init = programs.as_user([str(bindir / "initdb"), "-D", str(d / "data"), "--username", user, "--pwfile", str(pwfile),
                             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], "postgres")
    r = subprocess.run(init, capture_output=True, text=True, timeout=180)
    pwfile.unlink(missing_ok=True)
    if r.returncode != 0:
        comp.add("initdb", "FAIL", (r.stdout + r.stderr)[-600:])
        return comp
    argv = programs.as_user([str(bindir / "postgres"), "-D", str(d / "data"), "-c", "listen_addresses=127.0.0.1",
                             "-p", str(port), "-c", "unix_socket_directories=%s" % d], "postgres")
    proc = s.process("postgres", argv, env={"LANG": "C.UTF-8"}, ports=[port], identity=[str(d / "data")],
                     program=str(bindir / "postgres"),
                     ready=lambda: os.path.exists(d / (".s.PGSQL.%d" % port)), ready_timeout=60, stop_timeout=20)
    s.start(proc)
    s.wait_ready(proc)
    comp.start_seconds = time.monotonic() - t0
    comp.notes.append("initdb (as the postgres system user: initdb refuses root) + start: %.1f s" % comp.start_seconds)
    comp.listen = "127.0.0.1:%d (and a unix socket in %s)" % (port, d)
    psql = shutil.which("psql") or str(bindir / "psql")
    with comp.check("database %s of role %s created" % (db, user)) as ck:
        sql = "CREATE DATABASE \"%s\" OWNER \"%s\";\n" % (db, user) if db != "postgres" else "SELECT 1;\n"
        r = subprocess.run([psql, "-h", str(d), "-p", str(port), "-U", user, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"],
                           input=sql, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise CheckFailed(r.stderr.strip())
        ck.detail("via the unix socket (trust), as the image's entrypoint does")
    svc_name = (u.hostname or "kagent-postgresql").split(".")[0]
    s.endpoints.add(svc_name, u.port or 5432, port, "kagent's database URL")
    client_url, _ = s.endpoints.rewrite_url(url)
    with comp.check("TCP login with the controller's URL (scram-sha-256 checks its password)") as ck:
        r = subprocess.run([psql, client_url, "-tAc", "SELECT current_user || '@' || current_database()"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise CheckFailed("psql: %s" % r.stderr.strip())
        ck.detail("%s (%s)" % (r.stdout.strip(), prog.version))
    svc = s.cluster.find("v1", "Service", svc_name)
    comp.rewrites = ["Service %s:%d -> 127.0.0.1:%d%s" % (svc_name, u.port or 5432, port,
                                                          "" if svc else " (no such Service in the cluster)")]
    s.facts["postgres_proc"] = proc
    comp.seconds = time.monotonic() - t0
    return comp


# ====================================================================================== kagent
def smoke_model_config(s) -> dict:
    """The seed's smoke ModelConfig in kagent.dev/v1alpha2: OpenAI provider through LiteLLM's in-cluster
    URL, key from Secret kagent-litellm (the litellm role's copy of the master key)."""
    svc = s.cluster.find("v1", "Service", "litellm")
    port = ((svc or {}).get("spec", {}).get("ports") or [{"port": 4000}])[0]["port"]
    return {"apiVersion": "kagent.dev/v1alpha2", "kind": "ModelConfig",
            "metadata": {"name": SMOKE_MODEL_CONFIG, "namespace": s.namespace, "labels": dict(SMOKE_LABELS)},
            "spec": {"provider": "OpenAI", "model": s.facts.get("litellm_model") or "bedrock-claude",
                     "apiKeySecret": "kagent-litellm", "apiKeySecretKey": "OPENAI_API_KEY",
                     "openAI": {"baseUrl": "http://litellm:%d/v1" % port}}}


def smoke_agent(s) -> dict:
    """The seed's "Test Kagent agent creation" Agent, in kagent.dev/v1alpha2, Go runtime, with the
    security contexts Pod Security ``restricted`` requires (the generated pod template has none)."""
    return {"apiVersion": "kagent.dev/v1alpha2", "kind": "Agent",
            "metadata": {"name": SMOKE_AGENT, "namespace": s.namespace, "labels": dict(SMOKE_LABELS)},
            "spec": {"type": "Declarative", "description": "Test Kagent agent creation (smoke suite)",
                     "declarative": {"runtime": "go", "systemMessage": "You are a helpful assistant",
                                     "modelConfig": SMOKE_MODEL_CONFIG,
                                     "deployment": {"podSecurityContext": copy.deepcopy(RESTRICTED_POD),
                                                    "securityContext": copy.deepcopy(RESTRICTED_CONTAINER)}}}}


def _cond(obj: dict | None, ctype: str) -> dict:
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return {}


def delete_smoke_objects(s, wait: float = 60) -> list[str]:
    out = []
    if not s.cluster.resource("kagent.dev/v1alpha2", "Agent"):
        return out
    for kind, name in (("Agent", SMOKE_AGENT), ("ModelConfig", SMOKE_MODEL_CONFIG)):
        if s.cluster.delete("kagent.dev/v1alpha2", kind, name):
            gone = s.cluster.wait_gone("kagent.dev/v1alpha2", kind, name, timeout=wait)
            out.append("%s %s deleted%s" % (kind, name, "" if gone else " (still terminating)"))
    return out


def run_kagent(s, tamper=None, with_agent: bool = True) -> list[Component]:
    """PostgreSQL + the kagent controller from its Deployment/ConfigMap/Secret and a TokenRequest token of
    its ServiceAccount; then the smoke ModelConfig + Agent are reconciled into a running (kwok) pod."""
    t0 = time.monotonic()
    prog = programs.kagent("kagent-controller").require()
    comp = Component("kagent", "kagent controller (upstream chart kagent)", program=prog.describe())
    dep = s.cluster.deployment("kagent-controller")
    c, env, refs, pod = s.cluster.container_env(dep)
    if tamper:
        tamper(env)
    sa = pod_env.pod_spec_of(dep).get("serviceAccountName") or "default"
    comp.started_from = [
        "Deployment %s/kagent-controller (%s) container %s: image %s, args %s" % (
            s.namespace, s.cluster.rv(dep), c["name"], c.get("image"), pod_env.expand_args(c, env) or "none"),
        _env_sources("env (%d variables, resolved like the kubelet by tools/kagent/pod_env.py)" % len(env), refs),
        "identity: a TokenRequest token of ServiceAccount %s/%s, CA from ConfigMap kube-root-ca.crt" % (s.namespace, sa),
    ]
    comps = []
    db_url = env.get("POSTGRES_DATABASE_URL", "")
    pg = run_postgres(s, db_url, "env POSTGRES_DATABASE_URL of Deployment kagent-controller") if db_url else None
    if pg:
        comps.append(pg)
        if pg.get("initdb") or not s.facts.get("postgres_proc"):
            comp.add("database", "FAIL", "PostgreSQL did not come up (see above)")
            comps.append(comp)
            return comps
    http_port, probe_port = s.ports.take(), s.ports.take()
    host_ports = {}
    for p in c.get("ports") or []:
        if p["containerPort"] == 8083 or p.get("name") == "http":
            host_ports[p["containerPort"]] = http_port
    host_ports.setdefault(8083, http_port)
    s.endpoints.add_service(s.cluster.find("v1", "Service", "kagent-controller"), c, host_ports)
    rewrites, unknown = [], []
    run_env = s.endpoints.rewrite_env(env, rewrites, unknown)
    kubeconfig = s.cluster.sa_kubeconfig(sa, s.path("kagent", "controller.kubeconfig"))
    run_env["KUBECONFIG"] = str(kubeconfig)
    rewrites.append("env KUBECONFIG=%s added: server %s, TokenRequest token of %s (in the pod: in-cluster config "
                    "from the projected token)" % (kubeconfig, s.cluster.server, sa))
    argv = [str(prog.path), *pod_env.expand_args(c, env), "--http-server-address", "127.0.0.1:%d" % http_port,
            "--health-probe-bind-address", "127.0.0.1:%d" % probe_port]
    rewrites.append("flag --http-server-address 127.0.0.1:%d (default :8083, all interfaces)" % http_port)
    rewrites.append("flag --health-probe-bind-address 127.0.0.1:%d (default :8082)" % probe_port)
    comp.rewrites = rewrites
    comp.notes = list(unknown)
    comp.notes.append("pprof listens on :6060 (hard-coded in core/pkg/app/app.go, all interfaces, cannot be moved); "
                      "a SIGTERM stop takes ~30 s (graceful-shutdown timeout)")
    comp.listen = "127.0.0.1:%d (HTTP API), 127.0.0.1:%d (probes), *:6060 (pprof)" % (http_port, probe_port)
    with comp.check("ServiceAccount token: API server sees the chart's identity") as ck:
        who = s.cluster.whoami(kubeconfig)
        want = "system:serviceaccount:%s:%s" % (s.namespace, sa)
        if who != want:
            raise CheckFailed("SelfSubjectReview says %s, expected %s" % (who, want))
        ck.detail(who)
    if not port_free(6060):
        owner = port_owner(6060)
        comp.add("start", "FAIL", "port 6060 (kagent's hard-coded pprof) is in use by %s" % (
            "pid %d (%s)" % owner if owner else "another process"))
        comps.append(comp)
        return comps
    health = _probe(c, "readinessProbe") or _probe(c, "startupProbe") or ("/health", 8083)
    proc = s.process("kagent-controller", argv, env=run_env, ports=[http_port, probe_port],
                     identity=["127.0.0.1:%d" % http_port],
                     ready=lambda: http_ok("http://127.0.0.1:%d%s" % (http_port, health[0])), ready_timeout=90,
                     stop_timeout=40)
    s.start(proc)
    s.facts.update(controller_proc=proc, controller_url="http://127.0.0.1:%d" % http_port)
    try:
        comp.start_seconds = s.wait_ready(proc)
    except Exception as err:  # noqa: BLE001
        _start_failed(s, comp, proc, err)
        comps.append(comp)
        return comps
    with comp.check("probe GET %s (HTTP API port)" % health[0]) as ck:
        r = _get_ok("http://127.0.0.1:%d%s" % (http_port, health[0]))
        ck.detail("HTTP 200 %s" % _short(r.body.strip(), 80))
    with comp.check("GET /healthz (controller-runtime probe port)") as ck:
        r = _get_ok("http://127.0.0.1:%d/healthz" % probe_port)
        ck.detail("HTTP 200 %s" % r.body.strip()[:40])

    if not with_agent:
        comp.seconds = time.monotonic() - t0 - (pg.seconds if pg else 0)
        comps.append(comp)
        return comps
    # ---- the smoke ModelConfig and Agent
    delete_smoke_objects(s)  # a crashed earlier run
    mc, agent = smoke_model_config(s), smoke_agent(s)
    comp.started_from.append("smoke objects applied (server-side, field manager appmod-smoke): ModelConfig %s %s; "
                             "Agent %s %s" % (SMOKE_MODEL_CONFIG, _short(mc["spec"], 200), SMOKE_AGENT,
                                              _short(agent["spec"], 400)))
    s.facts["smoke_objects"] = True
    with comp.check("ModelConfig %s Accepted" % SMOKE_MODEL_CONFIG) as ck:
        s.cluster.apply(mc)
        obj = _wait("ModelConfig Accepted", lambda: (lambda o: o if _cond(o, "Accepted").get("status") == "True" else None)(
            s.cluster.find("kagent.dev/v1alpha2", "ModelConfig", SMOKE_MODEL_CONFIG)), 60)
        cnd = _cond(obj, "Accepted")
        ck.detail("Accepted=True %s: %s" % (cnd.get("reason"), cnd.get("message", "")[:100]))
    with comp.check("Agent %s Accepted and Ready" % SMOKE_AGENT) as ck:
        s.cluster.apply(agent)

        def accepted_ready():
            o = s.cluster.find("kagent.dev/v1alpha2", "Agent", SMOKE_AGENT)
            a, r = _cond(o, "Accepted"), _cond(o, "Ready")
            if a.get("status") == "False":
                raise CheckFailed("Accepted=False %s: %s" % (a.get("reason"), a.get("message")))
            return o if a.get("status") == "True" and r.get("status") == "True" else None

        try:
            obj = _wait("Agent Accepted and Ready", accepted_ready, 120)
        except CheckFailed as err:
            o = s.cluster.find("kagent.dev/v1alpha2", "Agent", SMOKE_AGENT)
            raise CheckFailed("%s; conditions: %s" % (err, [(x.get("type"), x.get("status"), x.get("reason"), x.get("message"))
                                                           for x in (o or {}).get("status", {}).get("conditions") or []])) from None
        a, r = _cond(obj, "Accepted"), _cond(obj, "Ready")
        ck.detail("Accepted=True %s (%s); Ready=True %s (%s)" % (a.get("reason"), a.get("message", "")[:60],
                                                                r.get("reason"), r.get("message", "")[:60]))
    made = {}
    with comp.check("the controller created Deployment, Service, Secret, ServiceAccount %s" % SMOKE_AGENT) as ck:
        missing = []
        for api, kind in (("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "Secret"), ("v1", "ServiceAccount")):
            o = s.cluster.find(api, kind, SMOKE_AGENT)
            if o is None:
                missing.append(kind)
                continue
            owners = [o2.get("kind") for o2 in o["metadata"].get("ownerReferences") or []]
            made[kind] = o
            if "Agent" not in owners:
                missing.append("%s (not owned by the Agent: owners %s)" % (kind, owners))
        if missing:
            raise CheckFailed("missing: %s" % ", ".join(missing))
        d = made["Deployment"]
        ck.detail("all four, owned by Agent %s; Deployment image %s" % (SMOKE_AGENT, pod_env.container_of(d).get("image")))
        if "@sha256:" + "0" * 64 in str(pod_env.container_of(d).get("image")):
            comp.notes.append("the agent image digest is the build's all-zero placeholder: the release links the "
                              "digests of pushed images (tools/localstack/builds.py KAGENT); kwok pulls nothing")
    with comp.check("the agent's pod admitted under Pod Security restricted and Ready (kwok)") as ck:
        ns = s.cluster.get("v1", "Namespace", s.namespace)
        level = (ns["metadata"].get("labels") or {}).get("pod-security.kubernetes.io/enforce")
        if level != "restricted":
            raise CheckFailed("namespace %s enforces %r, not restricted" % (s.namespace, level))
        dep_obj = made.get("Deployment") or s.cluster.deployment(SMOKE_AGENT)

        def ready_pod():
            for p in s.cluster.pods_of(dep_obj):
                if _cond(p, "Ready").get("status") == "True":
                    return p
            return None

        p = _wait("a Ready pod of Deployment %s" % SMOKE_AGENT, ready_pod, 60)
        sc = (p["spec"].get("securityContext") or {})
        ck.detail("pod %s %s Ready on %s; namespace enforces restricted; pod securityContext runAsNonRoot=%s seccomp=%s" % (
            p["metadata"]["name"], p["status"].get("phase"), p["spec"].get("nodeName"), sc.get("runAsNonRoot"),
            (sc.get("seccompProfile") or {}).get("type")))
        s.facts["agent_pod"] = p
    comp.seconds = time.monotonic() - t0 - (pg.seconds if pg else 0)
    comps.append(comp)
    return comps


def kagent_only(s, tamper=None) -> list[Component]:
    """PostgreSQL + the controller only (no Agent); ``tamper(env)`` may change the controller's env as read."""
    return run_kagent(s, tamper=tamper, with_agent=False)


# ====================================================================================== agent runtime
def run_agent(s) -> Component:
    """kagent-adk (the Go agent runtime) with the config the controller generated, talking A2A."""
    t0 = time.monotonic()
    prog = programs.kagent("kagent-adk").require()
    comp = Component("agent", "agent runtime kagent-adk (Go ADK) running the smoke Agent", program=prog.describe())
    dep = s.cluster.deployment(SMOKE_AGENT)
    c, env, refs, pod = s.cluster.container_env(dep)
    args = pod_env.expand_args(c, env)
    secret_name = next((v["secret"]["secretName"] for v in pod_env.pod_spec_of(dep).get("volumes") or [] if "secret" in v), SMOKE_AGENT)
    mounts = materialize_mounts(s, dep, c, "agent")
    port = s.ports.take()
    host_ports = {p["containerPort"]: port for p in c.get("ports") or []} or {8080: port}
    s.endpoints.add_service(s.cluster.find("v1", "Service", SMOKE_AGENT), c, host_ports)
    rewrites, unknown = [], []
    # the generated config files (Secret keys mounted at /config): URLs rewritten in place
    for mount, host, what in mounts.table:
        if not what.startswith("Secret"):
            continue
        for f in sorted(host.glob("*.json")):
            tree = json.loads(f.read_text())
            new = s.endpoints.rewrite_tree(tree, f.name, rewrites, unknown)
            f.write_text(json.dumps(new, indent=1))
    run_env = s.endpoints.rewrite_env(env, rewrites, unknown)
    argv, i = [str(prog.path)], 0
    while i < len(args):
        a = args[i]
        if a in ("--host", "-host") and i + 1 < len(args):
            argv += [a, "127.0.0.1"]
            rewrites.append("arg %s %s -> 127.0.0.1" % (a, args[i + 1]))
            i += 2
            continue
        if a in ("--port", "-port") and i + 1 < len(args):
            argv += [a, str(port)]
            rewrites.append("arg %s %s -> %d" % (a, args[i + 1], port))
            i += 2
            continue
        m = mounts.map(a)
        if m != a:
            rewrites.append("arg %s -> %s" % (a, m))
        argv.append(m)
        i += 1
    otel = {k: v for k, v in run_env.items() if k.startswith("OTEL_")}
    comp.started_from = [
        "Secret %s/%s (generated by the controller): config.json, agent-card.json -> %s" % (
            s.namespace, secret_name, next((str(h) for m, h, w in mounts.table if w.startswith("Secret")), "?")),
        "Deployment %s/%s (generated, %s) container %s: image %s, args %s" % (
            s.namespace, SMOKE_AGENT, s.cluster.rv(dep), c["name"], c.get("image"), " ".join(args)),
        _env_sources("env %s" % ", ".join(sorted(env)), refs),
        "downward-API fields from pod %s (kwok)" % ((pod or {}).get("metadata", {}).get("name", "-")),
    ]
    comp.rewrites = rewrites + mounts.lines()
    comp.notes = list(unknown)
    if otel:
        comp.notes.append("OTEL_* of the generated Deployment are the controller's own process env, copied by the "
                          "controller (collectOtelEnvFromProcess): they already carry the Jaeger rewrite made for the "
                          "controller: %s" % ", ".join("%s=%s" % kv for kv in sorted(otel.items()) if "ENDPOINT" in kv[0]))
    comp.notes.append("the projected ServiceAccount token (/var/run/secrets/tokens/kagent-token) is not mounted out of "
                      "cluster: the runtime calls the controller without it, which AUTH_MODE=unsecure (chart default) accepts")
    ready = _probe(c, "readinessProbe") or ("/.well-known/agent-card.json", 8080)
    proc = s.process("kagent-adk", argv, env=_env_for_process(run_env, {}), ports=[port],
                     identity=["127.0.0.1", str(port)], ready=lambda: http_ok("http://127.0.0.1:%d%s" % (port, ready[0])),
                     ready_timeout=60)
    s.start(proc)
    comp.listen = "127.0.0.1:%d" % port
    try:
        comp.start_seconds = s.wait_ready(proc)
    except Exception as err:  # noqa: BLE001
        _start_failed(s, comp, proc, err)
        return comp
    base = "http://127.0.0.1:%d" % port
    with comp.check("readinessProbe GET %s" % ready[0]) as ck:
        r = _get_ok(base + ready[0])
        card = r.json or {}
        ck.detail("HTTP 200 agent card name=%s url=%s skills=%d" % (card.get("name"), card.get("url"), len(card.get("skills") or [])))
    trace_id, traceparent = _trace_id()
    nonce = "smoke-%s" % uuid.uuid4().hex[:10]
    t_start = time.time()
    with comp.check("A2A message/send -> the stand-in's answer (via LiteLLM)") as ck:
        msg = {"jsonrpc": "2.0", "id": "smoke-1", "method": "message/send",
               "params": {"message": {"kind": "message", "role": "user", "messageId": str(uuid.uuid4()),
                                      "parts": [{"kind": "text", "text": "Hello agent, this is the smoke suite (%s)" % nonce}]}}}
        r = http("POST", base + "/", msg, headers={"traceparent": traceparent}, timeout=120)
        res = (r.json or {}).get("result") or {}
        if r.status != 200 or "error" in (r.json or {}):
            raise CheckFailed("%s" % r.short(400))
        state = (res.get("status") or {}).get("state")
        texts = [p.get("text") for a in res.get("artifacts") or [] for p in a.get("parts") or [] if p.get("text")]
        if state != "completed" or stand_in_answer() not in texts:
            raise CheckFailed("task state %s, artifacts %s, status %s" % (state, texts, _short(res.get("status"), 300)))
        ck.detail('task %s completed: "%s"' % (res.get("id", "")[:12], texts[0]))
    t_end = time.time()
    s.facts["agent_chat"] = {"trace_id": trace_id, "nonce": nonce, "start": t_start, "end": t_end}
    agent_svc = env.get("KAGENT_NAME", SMOKE_AGENT).replace("-", "_")
    if env.get("OTEL_TRACING_ENABLED", "").lower() != "true":
        comp.add("traces in Jaeger", SKIP, "OTEL_TRACING_ENABLED is not true in the agent's env: the chart renders no tracing")
    elif not s.facts.get("jaeger_query"):
        comp.add("traces in Jaeger", SKIP, "Jaeger did not run")
    else:
        with comp.check("the agent's spans in Jaeger (service %s, the A2A caller's trace)" % agent_svc) as ck:
            spans = _wait("spans of %s in trace %s" % (agent_svc, trace_id),
                          lambda: [sp for sp in jaeger_trace(s, trace_id) if sp["serviceName"] == agent_svc], 45, 1)
            ck.detail("trace %s: %d spans: %s" % (trace_id, len(spans), ", ".join(sorted({sp["operationName"] for sp in spans}))[:200]))
        lsvc = s.facts.get("litellm_service", "litellm")
        with comp.check("LiteLLM's spans of the agent's model call (service %s, same time window)" % lsvc) as ck:
            def find_litellm():
                for t in jaeger_search(s, lsvc, t_start - 1, t_end + 1):
                    for sp in t.get("spans") or []:
                        if nonce in _tags_text(sp):
                            return t
                return None

            t = _wait("a LiteLLM trace carrying the prompt's nonce", find_litellm, 45, 1)
            ck.detail("trace %s (%d spans) holds the agent's prompt (nonce %s); a separate trace from the agent's %s" % (
                t.get("traceID"), len(t.get("spans") or []), nonce, trace_id[:12]))
        comp.notes.append("the agent's spans and LiteLLM's spans are separate traces: the Go ADK's model client "
                          "(adk/pkg/models) does not send traceparent to the model (only the A2A server and the "
                          "remote-A2A tool use otelhttp); they are matched here by time window and the prompt's text")
        with comp.check("the controller's spans of the agent's session calls (service kagent-controller)") as ck:
            ts = _wait("kagent-controller traces in the window",
                       lambda: jaeger_search(s, "kagent-controller", t_start - 1, t_end + 2), 30, 1)
            ops = sorted({sp.get("operationName") for t in ts for sp in t.get("spans") or []})
            ck.detail("%d traces: %s" % (len(ts), ", ".join(ops)[:160]))
    s.facts["agent_proc"] = proc
    comp.seconds = time.monotonic() - t0
    return comp


# ====================================================================================== Langfuse
LANGFUSE_DOC = "https://langfuse.com/self-hosting/configuration (v3)"


def _langfuse_rules(env: dict) -> list[tuple[str, bool, str]]:
    """(setting, ok, detail) for the settings Langfuse v3 documents as required."""
    def has(k):
        return bool(env.get(k, "").strip())

    out = []
    db_url = has("DATABASE_URL")
    db_parts = all(has(k) for k in ("DATABASE_HOST", "DATABASE_USERNAME", "DATABASE_PASSWORD", "DATABASE_NAME"))
    out.append(("DATABASE_URL or DATABASE_HOST+USERNAME+PASSWORD+NAME", db_url or db_parts,
                "DATABASE_URL" if db_url else ("DATABASE_HOST=%s DATABASE_NAME=%s" % (env.get("DATABASE_HOST"), env.get("DATABASE_NAME"))
                                               if db_parts else "missing")))
    url_ok = bool(re.match(r"^https?://", env.get("NEXTAUTH_URL", "")))
    out.append(("NEXTAUTH_URL (a URL)", url_ok, env.get("NEXTAUTH_URL", "missing")))
    for k in ("NEXTAUTH_SECRET", "SALT", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"):
        out.append((k, has(k), "set" if has(k) else "missing or empty"))
    out.append(("CLICKHOUSE_URL (http(s)://host:8123)", bool(re.match(r"^https?://", env.get("CLICKHOUSE_URL", ""))),
                env.get("CLICKHOUSE_URL", "missing")))
    out.append(("CLICKHOUSE_MIGRATION_URL (clickhouse://host:9000)",
                bool(re.match(r"^clickhouses?://", env.get("CLICKHOUSE_MIGRATION_URL", ""))), env.get("CLICKHOUSE_MIGRATION_URL", "missing")))
    redis = has("REDIS_CONNECTION_STRING") or has("REDIS_HOST")
    out.append(("REDIS_CONNECTION_STRING or REDIS_HOST (+REDIS_PORT, REDIS_AUTH)", redis,
                re.sub(r"(//[^:]*:)[^@]*@", r"\1***@", env.get("REDIS_CONNECTION_STRING", "")) or env.get("REDIS_HOST", "missing")))
    out.append(("LANGFUSE_S3_EVENT_UPLOAD_BUCKET", has("LANGFUSE_S3_EVENT_UPLOAD_BUCKET"), env.get("LANGFUSE_S3_EVENT_UPLOAD_BUCKET", "missing")))
    if has("LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT"):
        keys = has("LANGFUSE_S3_EVENT_UPLOAD_ACCESS_KEY_ID") and has("LANGFUSE_S3_EVENT_UPLOAD_SECRET_ACCESS_KEY")
        out.append(("S3 endpoint %s: access key, secret key, path style" % env["LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT"],
                    keys and env.get("LANGFUSE_S3_EVENT_UPLOAD_FORCE_PATH_STYLE") == "true",
                    "keys %s, FORCE_PATH_STYLE=%s (MinIO needs true)" % ("set" if keys else "MISSING",
                                                                         env.get("LANGFUSE_S3_EVENT_UPLOAD_FORCE_PATH_STYLE"))))
    return out


def check_langfuse(s) -> Component:
    t0 = time.monotonic()
    comp = Component("langfuse", "Langfuse - LLM observability (upstream chart langfuse)", ran=False,
                     program="")
    comp.notes.append("NOT RUN: Langfuse is published as container images only (langfuse/langfuse, langfuse/langfuse-worker; "
                      "no package or binary release) and there is no container runtime here. Checked without running: the "
                      "rendered env against the settings upstream documents as required (%s) and every Secret reference "
                      "against the cluster." % LANGFUSE_DOC)
    found = False
    for name in ("langfuse-web", "langfuse-worker"):
        dep = s.cluster.find("apps/v1", "Deployment", name)
        if dep is None:
            continue
        found = True
        c = pod_env.container_of(dep)
        comp.started_from.append("Deployment %s/%s (%s) container %s image %s (%d env entries)" % (
            s.namespace, name, s.cluster.rv(dep), c["name"], c.get("image"), len(c.get("env") or [])))
        with comp.check("%s: every Secret/ConfigMap reference resolves in the cluster" % name) as ck:
            try:
                env, refs = pod_env.resolve_env(c, pod_env.default_fields(dep, s.namespace), s.cluster.lookup())
            except pod_env.RefError as err:
                raise CheckFailed("the kubelet would refuse the container: %s" % err) from None
            secret_refs = sorted({r.split("[")[0] for r in refs if r.startswith("Secret")})
            ck.detail("%d references, all present: %s" % (len(refs), ", ".join(secret_refs) or "-"))
        for setting, ok, detail in _langfuse_rules(env):
            comp.add("%s: %s" % (name, setting), "PASS" if ok else "FAIL", detail)
        left = sorted({v for e in c.get("env") or [] if "value" in e for v in pod_env.unresolved_refs(str(e["value"]), env)})
        comp.add("%s: every $(VAR) reference is defined" % name, "FAIL" if left else "PASS",
                 "undefined: %s" % left if left else "yes")
        enc = env.get("ENCRYPTION_KEY", "")
        comp.add("%s: ENCRYPTION_KEY" % name, WARN if not enc else ("PASS" if re.fullmatch(r"[0-9a-fA-F]{64}", enc) else "FAIL"),
                 "not set: Langfuse starts without it (schema: optional), but LLM connections (playground, evaluations) "
                 "need it; the docs list it as required" if not enc else "64 hex characters" if len(enc) == 64 else
                 "must be 64 hex characters (openssl rand -hex 32)")
        # the Services the env points at exist in the namespace
        hosts = set()
        for k in ("DATABASE_HOST", "CLICKHOUSE_URL", "CLICKHOUSE_MIGRATION_URL", "REDIS_CONNECTION_STRING", "REDIS_HOST",
                  "LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT"):
            v = env.get(k, "")
            m = re.match(r"^(?:[a-z]+://)?(?:[^@/]*@)?([^:/]+)(?::(\d+))?", v)
            if m and m.group(1):
                hosts.add((k, m.group(1), int(m.group(2)) if m.group(2) else None))
        missing = []
        for k, host, port in sorted(hosts):
            svc = s.cluster.find("v1", "Service", host.split(".")[0])
            if svc is None:
                missing.append("%s -> Service %s missing" % (k, host))
            elif port and port not in [p["port"] for p in svc["spec"].get("ports") or []]:
                missing.append("%s -> Service %s has no port %d" % (k, host, port))
        comp.add("%s: the Services its env names exist with those ports" % name, "FAIL" if missing else "PASS",
                 "; ".join(missing) if missing else ", ".join(sorted("%s:%s" % (h, p or "-") for _, h, p in hosts)))
    if not found:
        comp.add("Langfuse deployed", INFO, "no Deployment langfuse-web/langfuse-worker in %s: not deployed here" % s.namespace)
    comp.seconds = time.monotonic() - t0
    return comp


# ====================================================================================== Terraform runner
TF_API = "infra.contrib.fluxcd.io/v1alpha2"


def check_terraform(s) -> Component:
    t0 = time.monotonic()
    comp = Component("agent-core", "agent-core Terraform object (tofu-controller runner)", ran=False)
    comp.notes.append("NOT RUN: the Terraform runner needs a Terraform/OpenTofu binary, which is not obtainable here "
                      "(no package in the registries this machine may use). Checked without running.")
    crd = s.cluster.find("apiextensions.k8s.io/v1", "CustomResourceDefinition", "terraforms.infra.contrib.fluxcd.io")
    tfs = s.cluster.list(TF_API, "Terraform", s.namespace) if crd else []
    app = s.cluster.find("argoproj.io/v1alpha1", "Application", "peeks-agent-platform-agent-core", "argocd") \
        if s.cluster.resource("argoproj.io/v1alpha1", "Application") else None
    comp.started_from.append("CRD terraforms.infra.contrib.fluxcd.io: %s; Terraform objects in %s: %d; Application "
                             "peeks-agent-platform-agent-core: %s" % (
                                 "served versions %s" % [v["name"] for v in crd["spec"]["versions"] if v.get("served")] if crd
                                 else "not installed", s.namespace, len(tfs), "present" if app else "absent"))
    if not tfs:
        comp.add("agent-core deployed", INFO, "not deployed here (agentCore is off on this inventory: no Terraform object%s)"
                 % ("" if app is None else ", although the Application exists"))
        comp.seconds = time.monotonic() - t0
        return comp
    for tf in tfs:
        name = tf["metadata"]["name"]
        with comp.check("Terraform %s accepted by the upstream CRD (server-side dry run)" % name) as ck:
            obj = {"apiVersion": tf["apiVersion"], "kind": "Terraform",
                   "metadata": {"name": name, "namespace": s.namespace}, "spec": tf["spec"]}
            s.cluster.dry_run_apply(obj)
            ck.detail("the API server validates it against the CRD schema (%s)" % tf["apiVersion"])
        ref = tf["spec"].get("sourceRef") or {}
        with comp.check("Terraform %s sourceRef %s/%s resolvable" % (name, ref.get("kind"), ref.get("name"))) as ck:
            group = (ref.get("apiVersion") or "source.toolkit.fluxcd.io/v1").split("/")[0]
            api = next((a for a in ("%s/v1" % group, "%s/v1beta2" % group) if s.cluster.resource(a, ref.get("kind", ""))), None)
            if not api:
                raise CheckFailed("the cluster serves no %s of %s (is Flux's source-controller CRD installed?)"
                                  % (ref.get("kind"), group))
            src = s.cluster.find(api, ref["kind"], ref["name"], ref.get("namespace") or s.namespace)
            if src is None:
                raise CheckFailed("%s %s/%s not found" % (ref["kind"], ref.get("namespace") or s.namespace, ref["name"]))
            ck.detail("%s %s exists" % (ref["kind"], ref["name"]))
        sa = tf["spec"].get("serviceAccountName")
        if sa:
            comp.add("runner ServiceAccount %s exists" % sa, "PASS" if s.cluster.find("v1", "ServiceAccount", sa) else "FAIL", "")
    comp.seconds = time.monotonic() - t0
    return comp


# ====================================================================================== cluster
def check_cluster(s) -> Component:
    t0 = time.monotonic()
    comp = Component("cluster", "the cluster the configuration is read from", ran=False)
    from kubernetes import client as k

    v = k.VersionApi(s.cluster.api).get_code()
    comp.program = "kube-apiserver %s (the cluster read from; not started here)" % v.git_version
    comp.started_from = ["API server %s (%s), kubeconfig %s" % (s.cluster.server, v.git_version, s.cluster.kubeconfig)]
    with comp.check("namespace %s enforces Pod Security restricted" % s.namespace) as ck:
        ns = s.cluster.get("v1", "Namespace", s.namespace)
        labels = ns["metadata"].get("labels") or {}
        if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
            raise CheckFailed("labels %s" % {k2: v2 for k2, v2 in labels.items() if "pod-security" in k2})
        ck.detail("enforce=restricted")
    if s.cluster.resource("argoproj.io/v1alpha1", "Application"):
        apps = [a for a in s.cluster.list("argoproj.io/v1alpha1", "Application", "argocd")
                if a["metadata"]["name"].startswith("peeks-agent-platform")]
        if apps:
            comp.add("Argo CD Applications", INFO, "; ".join("%s %s/%s" % (
                a["metadata"]["name"].replace("peeks-agent-platform-", "") or a["metadata"]["name"],
                (a.get("status") or {}).get("sync", {}).get("status"), (a.get("status") or {}).get("health", {}).get("status"))
                for a in apps))
    comp.add("DNS", INFO if s.resolv_conf else WARN, s.dns_note)
    comp.seconds = time.monotonic() - t0
    return comp
