"""The whole smoke suite, in order, and smaller entry points for the tests.

    ok, comps, text = run_all(kubeconfig, "agent-platform")     # prints nothing; text is the table
    comp = litellm_only(kubeconfig, tamper=lambda spec: ...)   # LiteLLM (+ stand-in, Jaeger) only
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from tools.localstack.common import Log

from . import components as C
from . import load as L
from .cluster import NotFound
from .report import FAIL, INFO, Component, render
from .stack import Smoke

REQUIRED = [("apps/v1", "Deployment", "litellm"), ("v1", "ConfigMap", "litellm-config"),
            ("v1", "Secret", "litellm-api-keys"), ("apps/v1", "Deployment", "jaeger"),
            ("apps/v1", "Deployment", "kagent-controller"), ("v1", "ConfigMap", "kagent-controller"),
            ("v1", "Secret", "kagent-litellm")]


def preflight(s: Smoke) -> list[str]:
    missing = []
    try:
        s.cluster.get("v1", "Namespace", s.namespace)
    except NotFound:
        return ["namespace %s" % s.namespace]
    for api, kind, name in REQUIRED:
        if s.cluster.find(api, kind, name) is None:
            missing.append("%s %s" % (kind, name))
    if not s.cluster.resource("kagent.dev/v1alpha2", "Agent"):
        missing.append("kagent CRDs (kagent.dev/v1alpha2)")
    return missing


def _header(s: Smoke, started: datetime) -> list[str]:
    return ["appmod.agent_platform smoke suite (make smoke): each component's REAL program started from what the "
            "charts rendered AS APPLIED to the cluster",
            "cluster %s   namespace %s   started %s   total %s" % (
                s.cluster.server, s.namespace, started.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "%dm%02ds" % divmod(int(s.elapsed()), 60)),
            "only addresses, ports (and the directories volumes are mounted from) differ from the pods: every such "
            "rewrite is listed under 'rewrites'"]


def run_all(kubeconfig, namespace: str = "agent-platform", keep: bool = False, dns_sandbox: bool = True,
            load_duration: str = "5s", log: Log | None = None) -> tuple[bool, list[Component], str]:
    log = log or Log("smoke")
    started = datetime.now(timezone.utc)
    comps: list[Component] = []
    with Smoke(kubeconfig, namespace, keep=keep, dns_sandbox=dns_sandbox, log=log, load_duration=load_duration) as s:
        try:
            _run(s, comps, log, load_duration)
        except KeyboardInterrupt:
            log("interrupted: stopping everything")
            interrupted = Component("interrupted", "run interrupted", ran=False)
            interrupted.add("run", FAIL, "interrupted (Ctrl-C or SIGTERM): the remaining checks did not run")
            comps.append(interrupted)
        finally:
            _cleanup(s, comps, log)
        cl = next((c for c in comps if c.key == "cluster"), None)
        if cl is not None:
            cl.add("names the programs looked up", INFO, dns_summary(s))
        header = _header(s, started)
    left = [c for c in comps if c.key == "leftovers"]
    text = render(comps, header)
    return not any(c.failed for c in comps) and not left, comps, text


KNOWN_LOOKUPS = {
    "raw.githubusercontent.com": "LiteLLM fetches its model cost map at start; the lookup fails here and it uses the "
                                 "copy in the package (what an air-gapped cluster gets)",
    "kagent-tools.agent-platform": "the chart's RemoteMCPServer kagent-tool-server (kagent-tools is not run here)",
}


def dns_summary(s: Smoke) -> str:
    if not s.dns_log:
        return "not recorded (%s)" % s.dns_note
    items = s.dns_queries()
    if not items:
        return "none"
    by_name: dict[str, list[str]] = {}
    for prog, name in items:
        by_name.setdefault(name, [])
        if prog not in by_name[name]:
            by_name[name].append(prog)
    parts = []
    for name, progs in by_name.items():
        why = KNOWN_LOOKUPS.get(name, "")
        if name.startswith("_grpc_config."):
            why = "gRPC's service-config TXT lookup for a %s target" % name.split(".", 1)[1]
        parts.append("%s by %s%s" % (name, "+".join(progs), " (%s)" % why if why else ""))
    return "; ".join(parts) + ". All answered NXDOMAIN by the local sink: no lookup left the machine."


def _run(s: Smoke, comps: list[Component], log: Log, load_duration: str) -> None:
    cl = C.check_cluster(s)
    comps.append(cl)
    missing = preflight(s)
    if missing:
        cl.add("the agent platform is deployed in %s" % s.namespace, FAIL,
               "missing: %s. Deploy it first (make local), or run against a private cluster: "
               "python -m tools.smoke --private" % ", ".join(missing))
        return
    cl.add("the agent platform is deployed in %s" % s.namespace, "PASS",
           "Deployments litellm, jaeger, kagent-controller; ConfigMaps, Secrets litellm-api-keys, kagent-litellm; kagent CRDs")
    log("mockllm and Jaeger")
    comps.append(_guard(lambda: C.run_mockllm(s), "mockllm"))
    jaeger = _guard(lambda: C.run_jaeger(s), "jaeger")
    comps.append(jaeger)
    log("LiteLLM (import takes ~30-60 s) in parallel with PostgreSQL + kagent controller")
    lit_box: dict = {}
    # the spec is read first (the kagent ModelConfig uses its model name), then LiteLLM starts in a thread
    try:
        spec = C.litellm_spec(s)
    except Exception as err:  # noqa: BLE001
        spec = None
        lit_box["comp"] = Component("litellm", "LiteLLM proxy - the model gateway (project chart gitops/charts/litellm)")
        lit_box["comp"].add("read the configuration", FAIL, "%s: %s" % (type(err).__name__, err))
    t = None
    if spec is not None:
        t = threading.Thread(target=lambda: lit_box.update(comp=_guard(lambda: C.run_litellm(s, spec), "litellm")),
                             daemon=True)
        t.start()
    kagent_comps = _guard_list(lambda: C.run_kagent(s), "kagent")
    if t is not None:
        t.join()
    comps.append(lit_box["comp"])
    if s.facts.get("litellm_chat") and s.facts.get("jaeger_query"):
        C.check_litellm_trace(s, jaeger)
    else:
        jaeger.add("LiteLLM's spans of the chat request", "SKIP", "no successful chat request through LiteLLM (see below)")
    comps.extend(kagent_comps)
    kagent = next((c for c in kagent_comps if c.key == "kagent"), None)
    if kagent and not kagent.failed and not lit_box["comp"].failed:
        log("agent runtime")
        comps.append(_guard(lambda: C.run_agent(s), "agent"))
    else:
        a = Component("agent", "agent runtime kagent-adk (Go ADK) running the smoke Agent")
        a.add("start", FAIL, "not run: the kagent controller or LiteLLM failed above")
        comps.append(a)
    # done with the agent: stop it, delete the smoke objects while the controller runs, then let the
    # controller stop (its graceful shutdown takes ~30 s) while the rest runs
    if s.facts.get("agent_proc"):
        s.stop(s.facts["agent_proc"])
    _delete_smoke(s, kagent)
    stopper = None
    if s.facts.get("controller_proc"):
        stopper = threading.Thread(target=s.stop, args=(s.facts["controller_proc"],), daemon=True)
        stopper.start()
    comps.append(C.check_langfuse(s))
    comps.append(C.check_terraform(s))
    if not lit_box["comp"].failed:
        log("load test (wrk -d%s)" % load_duration)
        comp, _ = L.run_load(s, load_duration)
        comps.append(comp)
    if stopper:
        stopper.join(60)


def _delete_smoke(s: Smoke, kagent: Component | None) -> None:
    if not s.facts.get("smoke_objects"):
        return
    s.facts["smoke_objects"] = False
    target = kagent or Component("kagent", "kagent")
    with target.check("cleanup: smoke Agent and ModelConfig deleted, generated objects garbage-collected") as ck:
        done = C.delete_smoke_objects(s)
        deadline = time.monotonic() + 60
        left = []
        while time.monotonic() < deadline:
            left = [k for api, k in (("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "Secret"), ("v1", "ServiceAccount"))
                    if s.cluster.find(api, k, C.SMOKE_AGENT)]
            if not left:
                break
            time.sleep(1)
        ck.detail("; ".join(done) + ("; the Agent's %s still present after 60 s" % left if left else
                                     "; Deployment, Service, Secret, ServiceAccount gone"))


def _cleanup(s: Smoke, comps: list[Component], log: Log) -> None:
    try:
        _delete_smoke(s, next((c for c in comps if c.key == "kagent"), None))
    except Exception as err:  # noqa: BLE001
        log("cleanup of the smoke objects failed: %s" % err)
    left = s.close()
    if left:
        c = Component("leftovers", "processes that could not be stopped", ran=False)
        c.add("stop", FAIL, ", ".join(left))
        comps.append(c)


def _guard(fn, key: str) -> Component:
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - one component breaking must not hide the others
        comp = Component(key, key)
        comp.add("start", FAIL, "%s: %s" % (type(err).__name__, err))
        return comp


def _guard_list(fn, key: str) -> list[Component]:
    try:
        return fn()
    except Exception as err:  # noqa: BLE001
        comp = Component(key, key)
        comp.add("start", FAIL, "%s: %s" % (type(err).__name__, err))
        return [comp]


# ---------------------------------------------------------------------------------- for the tests
def litellm_only(kubeconfig, namespace: str = "agent-platform", tamper=None, log: Log | None = None,
                 keep: bool = False) -> Component:
    """The stand-in, Jaeger and LiteLLM from the cluster's configuration; ``tamper(spec)`` may change
    the LiteLLM spec (config dict, env, argv) before LiteLLM starts. Returns LiteLLM's component."""
    with Smoke(kubeconfig, namespace, log=log or Log("smoke"), keep=keep) as s:
        C.run_mockllm(s)
        C.run_jaeger(s)
        spec = C.litellm_spec(s)
        if tamper:
            tamper(spec)
        comp = C.run_litellm(s, spec)
        comp.notes.append("log tail: " + s.log_tail(s.facts["litellm_proc"], 6) if s.facts.get("litellm_proc") else "")
        return comp


def kagent_controller_only(kubeconfig, namespace: str = "agent-platform", tamper=None, log: Log | None = None,
                           keep: bool = False) -> list[Component]:
    """Jaeger, PostgreSQL and the kagent controller (no Agent); ``tamper(env)`` may change the controller's
    env as read from the cluster before it starts. Returns [postgresql, kagent] components."""
    with Smoke(kubeconfig, namespace, log=log or Log("smoke"), keep=keep) as s:
        C.run_jaeger(s)
        comps = C.kagent_only(s, tamper)
        proc = s.facts.get("controller_proc")
        if proc is not None:
            s.stop(proc)
        return comps
