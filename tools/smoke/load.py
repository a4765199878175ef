"""Load on LiteLLM with Debian's wrk, beside the bare stand-in server as the floor (same wrk settings,
same run, same machine): requests/s, p50, p99, and the ratios LiteLLM / floor.

The seed's command was ``wrk -t4 -c100 -d30s http://litellm.agent-platform:4000/health``. LiteLLM's
``/health`` is not a liveness endpoint: it needs the key (401 without one) and, with it, runs a real
completion against every configured model per request, so it would load the model provider, not the
proxy. Measured instead: the Deployment's livenessProbe path (``/health/liveliness``), and a chat
completion (a Lua POST with the key kagent uses) for the cost of a request through the proxy.
"""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import programs
from .net import http
from .report import INFO, CheckFailed, Component

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


@dataclass
class WrkResult:
    label: str
    command: str
    rps: float = 0.0
    p50: float = float("nan")
    p99: float = float("nan")
    requests: int = 0
    non2xx: int = 0
    socket_errors: str = ""
    seconds: float = 0.0
    raw: str = ""
    returncode: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def errors(self) -> int:
        n = self.non2xx
        m = re.findall(r"(\d+)", self.socket_errors)
        return n + sum(int(x) for x in m)


def parse(label: str, command: str, out: str, rc: int, seconds: float) -> WrkResult:
    r = WrkResult(label, command, raw=out, returncode=rc, seconds=seconds)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r.rps = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    r.requests = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r.non2xx = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    r.socket_errors = m.group(1).strip() if m else ""
    for pct, attr in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % pct, out, re.M)
        if m:
            setattr(r, attr, _ms(m.group(1)))
    return r


def chat_lua(path: Path, model: str, key_env: str = "WRK_BEARER") -> Path:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hello wrk"}]})
    path.write_text(
        "-- POST a chat completion; the key comes from the environment, never from the command line\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Authorization"] = "Bearer " .. (os.getenv("%s") or "")\n'
        "wrk.body = [[%s]]\n" % (key_env, body))
    return path


def wrk(label: str, url: str, duration: str, threads: int = 4, connections: int = 100, script: Path | None = None,
        key: str | None = None, timeout: str = "10s") -> WrkResult:
    exe = str(programs.wrk().require().path)
    args = ["-t%d" % threads, "-c%d" % connections, "-d%s" % duration, "--latency", "--timeout", timeout]
    if script:
        args += ["-s", str(script)]
    cmd = [exe, *args, url]
    env = {"PATH": "/usr/bin:/bin"}
    shown = " ".join(shlex.quote(x) for x in ["wrk", *args, url])
    if key is not None:
        env["WRK_BEARER"] = key
        shown = "WRK_BEARER=*** " + shown
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=_secs(duration) + 120)
    return parse(label, shown, p.stdout + p.stderr, p.returncode, time.monotonic() - t0)


def _secs(duration: str) -> float:
    m = re.match(r"(\d+)([smh]?)$", duration)
    if not m:
        raise ValueError("duration like 5s, 30s, 2m")
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def fmt(v: float) -> str:
    if v != v:  # nan
        return "-"
    return "%.2f ms" % v if v < 1000 else "%.2f s" % (v / 1000)


def table(results: list[WrkResult]) -> list[str]:
    lines = ["%-44s %10s %10s %10s %9s %7s" % ("target", "req/s", "p50", "p99", "requests", "errors")]
    for r in results:
        lines.append("%-44s %10.1f %10s %10s %9d %7d" % (r.label[:44], r.rps, fmt(r.p50), fmt(r.p99), r.requests, r.errors))
    return lines


def run_load(s, duration: str = "5s", threads: int = 4, connections: int = 100) -> tuple[Component, list[WrkResult]]:
    """wrk against LiteLLM (liveness, chat) and mockllm (the floors), all already running in ``s``."""
    t0 = time.monotonic()
    prog = programs.wrk()
    comp = Component("load", "load test: Debian's wrk against LiteLLM, the bare stand-in as the floor",
                     program=prog.describe())
    comp.started_from = ["seed: wrk -t4 -c100 -d30s http://litellm.agent-platform:4000/health; here -t%d -c%d -d%s "
                         "--latency --timeout 10s on 127.0.0.1 (make smoke: short run; the full 30 s run is "
                         "bench/litellm_load.py)" % (threads, connections, duration)]
    base, mock = s.facts.get("litellm_url"), s.facts.get("mockllm_port")
    if not base or not mock:
        comp.add("load", "FAIL", "LiteLLM or the stand-in is not running")
        return comp, []
    live = s.facts.get("litellm_liveness", "/health/liveliness")
    with comp.check("why not the seed's /health: GET /health without a key") as ck:
        r = http("GET", base + "/health")
        ck.status(INFO, "HTTP %d %s: /health needs the key and then runs a real completion against every "
                        "configured model per request; measured the livenessProbe path %s instead" % (r.status, r.message()[:80], live))
    key, model = s.facts.get("litellm_client_key", ""), s.facts.get("litellm_model", "")
    lua = chat_lua(s.path("load", "chat.lua"), model)
    s.facts["load_lua"] = lua.read_text()
    runs = [
        ("LiteLLM GET %s" % live, base + live, None, None),
        ("floor: mockllm GET /health (Go net/http)", "http://127.0.0.1:%d/health" % mock, None, None),
        ("LiteLLM POST /v1/chat/completions", base + "/v1/chat/completions", lua, key),
        ("floor: mockllm POST /v1/chat/completions", "http://127.0.0.1:%d/v1/chat/completions" % mock, lua, "stand-in"),
    ]
    results = []
    for label, url, script, k in runs:
        with comp.check("wrk %s" % label) as ck:
            r = wrk(label, url, duration, threads, connections, script, k)
            results.append(r)
            if r.returncode != 0 or r.requests == 0:
                raise CheckFailed("wrk rc %d: %s" % (r.returncode, r.raw.strip()[-300:]))
            if r.errors:
                raise CheckFailed("%.1f req/s but %d non-2xx, socket errors %s" % (r.rps, r.non2xx, r.socket_errors))
            ck.detail("%.1f req/s, p50 %s, p99 %s, %d requests, 0 errors" % (r.rps, fmt(r.p50), fmt(r.p99), r.requests))
    if len(results) == 4:
        for i, what in ((0, "liveness"), (2, "chat")):
            lit, floor = results[i], results[i + 1]
            if floor.rps:
                comp.add("ratio %s: LiteLLM / floor" % what, INFO, "req/s %.3fx (%.0f vs %.0f), p99 %.1fx (%s vs %s)" % (
                    lit.rps / floor.rps, lit.rps, floor.rps, (lit.p99 / floor.p99) if floor.p99 else float("nan"),
                    fmt(lit.p99), fmt(floor.p99)))
    comp.notes = ["commands: " + " ; ".join(r.command for r in results),
                  "chat.lua: " + " ".join(l for l in s.facts["load_lua"].splitlines() if not l.startswith("--"))] + [
        "LiteLLM runs as the chart runs it: one process (no --num_workers), otel callback on (spans to Jaeger)"]
    s.facts["load_results"] = results
    comp.seconds = time.monotonic() - t0
    return comp, results


def summary(results: list[WrkResult]) -> str:
    return "\n".join(table(results) + ["", "commands:"] + ["  " + r.command for r in results])
