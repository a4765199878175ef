"""The smoke suite's pieces that need no cluster and no program: address rewriting, the kubelet's env
resolution (tools/kagent/pod_env.py), wrk output parsing, the DNS sink's answers, the table."""
from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from tools.kagent import pod_env
from tools.smoke import dnssink, load
from tools.smoke.net import Endpoints
from tools.smoke.report import FAIL, PASS, Component, render


@pytest.fixture
def endpoints():
    e = Endpoints("agent-platform")
    e.add("jaeger", 4318, 41001)
    e.add("litellm", 4000, 41002)
    e.add("kagent-postgresql", 5432, 41003)
    return e


@pytest.mark.parametrize("url,want", [
    ("http://jaeger:4318/v1/traces", "http://127.0.0.1:41001/v1/traces"),
    ("http://litellm.agent-platform:4000/v1", "http://127.0.0.1:41002/v1"),
    ("http://litellm.agent-platform.svc:4000/v1", "http://127.0.0.1:41002/v1"),
    ("http://litellm.agent-platform.svc.cluster.local:4000/v1", "http://127.0.0.1:41002/v1"),
    ("postgres://kagent:s3cret@kagent-postgresql.agent-platform.svc.cluster.local:5432/kagent?sslmode=disable",
     "postgres://kagent:s3cret@127.0.0.1:41003/kagent?sslmode=disable"),
])
def test_in_cluster_urls_become_loopback(endpoints, url, want):
    assert endpoints.rewrite_url(url) == (want, True)


@pytest.mark.parametrize("url", [
    "http://litellm.other-namespace:4000/v1",     # another namespace's Service
    "http://litellm:4001/v1",                     # a port nobody plays
    "https://bedrock-runtime.us-east-1.amazonaws.com",
    "http://127.0.0.1:4000",
])
def test_other_urls_are_left_alone(endpoints, url):
    assert endpoints.rewrite_url(url) == (url, False)


def test_rewrites_are_listed_with_passwords_masked(endpoints):
    log, unknown = [], []
    env = endpoints.rewrite_env({"DB": "postgres://kagent:s3cret@kagent-postgresql:5432/kagent",
                                 "TOOLS": "http://kagent-tools.agent-platform:8084/mcp", "PLAIN": "x"}, log, unknown)
    assert env["DB"] == "postgres://kagent:s3cret@127.0.0.1:41003/kagent"
    assert env["TOOLS"] == "http://kagent-tools.agent-platform:8084/mcp"
    assert log == ["env DB: postgres://kagent:***@kagent-postgresql:5432/kagent -> postgres://kagent:***@127.0.0.1:41003/kagent"]
    assert "kagent-tools.agent-platform" in unknown[0] and "left as is" in unknown[0]


def test_tree_rewrite_keeps_structure(endpoints):
    log = []
    cfg = {"model_list": [{"model_name": "m", "litellm_params": {"api_base": "http://litellm:4000/v1", "rpm": 5}}]}
    out = endpoints.rewrite_tree(cfg, "config.yaml", log)
    assert out["model_list"][0]["litellm_params"] == {"api_base": "http://127.0.0.1:41002/v1", "rpm": 5}
    assert cfg["model_list"][0]["litellm_params"]["api_base"] == "http://litellm:4000/v1"  # input untouched
    assert log == ["config.yaml.model_list[0].litellm_params.api_base: http://litellm:4000/v1 -> http://127.0.0.1:41002/v1"]


# ------------------------------------------------------------------------------ pod_env (kubelet semantics)
DEPLOY = {"kind": "Deployment", "metadata": {"name": "app", "namespace": "ns"}, "spec": {"template": {
    "metadata": {"labels": {"app": "x"}},
    "spec": {"serviceAccountName": "sa", "containers": [{
        "name": "c", "args": ["--url", "$(URL)", "$$(LITERAL)"],
        "envFrom": [{"configMapRef": {"name": "cm"}}, {"secretRef": {"name": "opt", "optional": True}}],
        "env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "pw"}}},
                {"name": "URL", "value": "postgres://u:$(PW)@db:5432/$(UNKNOWN)"},
                {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {"name": "A", "value": "from-env"}]}]}}}}


def lookup(data):
    return lambda kind, name: data.get((kind, name))


def test_env_is_resolved_like_the_kubelet():
    c = pod_env.container_of(DEPLOY)
    env, refs = pod_env.resolve_env(c, pod_env.default_fields(DEPLOY, "ns"),
                                    lookup({("ConfigMap", "cm"): {"A": "from-cm", "B": "b"}, ("Secret", "sec"): {"pw": "p"}}))
    assert env["A"] == "from-env" and env["B"] == "b"                 # env after envFrom, later wins
    assert env["URL"] == "postgres://u:p@db:5432/$(UNKNOWN)"           # unknown refs stay as written
    assert env["NS"] == "ns"
    assert pod_env.expand_args(c, env) == ["--url", "postgres://u:p@db:5432/$(UNKNOWN)", "$(LITERAL)"]
    assert "Secret sec[pw] -> PW" in refs
    assert pod_env.unresolved_refs("x $(UNKNOWN) $(PW)", env) == ["UNKNOWN"]


@pytest.mark.parametrize("data,message", [
    ({("ConfigMap", "cm"): {}}, 'secret "sec" not found'),
    ({("ConfigMap", "cm"): {}, ("Secret", "sec"): {"other": "x"}}, "couldn't find key pw in Secret sec"),
    ({("Secret", "sec"): {"pw": "p"}}, 'configmap "cm" not found'),
])
def test_missing_references_fail_with_the_kubelets_words(data, message):
    with pytest.raises(pod_env.RefError) as err:
        pod_env.resolve_env(pod_env.container_of(DEPLOY), pod_env.default_fields(DEPLOY, "ns"), lookup(data))
    assert str(err.value) == message


# ------------------------------------------------------------------------------ wrk, DNS sink, table
WRK = """Running 5s test @ http://127.0.0.1:4000/health/liveliness
  4 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   131.00ms   80.00ms   1.69s    80.00%
    Req/Sec   153.00     40.00   250.00     70.00%
  Latency Distribution
     50%  131.20ms
     75%  216.00ms
     90%  356.00ms
     99%    1.05s
  3046 requests in 5.00s, 500.00KB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:    609.12
Transfer/sec:    100.00KB
"""


def test_wrk_output_is_parsed():
    r = load.parse("x", "wrk ...", WRK, 0, 5.0)
    assert (r.rps, r.requests, r.non2xx) == (609.12, 3046, 2)
    assert r.p50 == pytest.approx(131.2) and r.p99 == pytest.approx(1050.0)
    assert r.errors == 5


def test_dns_sink_answers_nxdomain_for_the_question_asked():
    q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    for label in ("kagent-tools", "agent-platform"):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    assert dnssink.qname(q)[:2] == ("kagent-tools.agent-platform", 1)
    resp = dnssink.nxdomain(q)
    ident, flags, qd = struct.unpack("!HHH", resp[:6])
    assert ident == 0x1234 and flags & 0x8000 and flags & 0xF == 3 and qd == 1
    assert resp[12:] == q[12:]


def test_dns_sink_serves_udp(tmp_path):
    import subprocess
    import sys
    import time

    addr = "127.%d.%d.9" % (200, 7)
    log = tmp_path / "q.log"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((addr, 53))
        except OSError:
            pytest.skip("cannot bind %s:53 here (not root?)" % addr)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "tools.smoke.dnssink", "--listen", addr, "--log", str(log)],
                            stdout=subprocess.PIPE, text=True, cwd=root)
    try:
        assert "dns sink on" in proc.stdout.readline()
        q = struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x06jaeger\x00" + struct.pack("!HH", 28, 1)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            c.settimeout(5)
            c.sendto(q, (addr, 53))
            data, _ = c.recvfrom(512)
        assert struct.unpack("!H", data[2:4])[0] & 0xF == 3
        for _ in range(50):
            if log.read_text():
                break
            time.sleep(0.05)
        assert log.read_text().split()[1:] == [addr, "AAAA", "jaeger"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_table_shows_each_check_and_the_result():
    ok = Component("a", "program A", program="A 1.0 (path)", started_from=["ConfigMap x"], rewrites=["env X: a -> b"])
    ok.add("GET /health", PASS, "HTTP 200", 0.01)
    bad = Component("b", "program B", program="B 2.0 (path)")
    bad.add("POST /chat", FAIL, "HTTP 400 from B: Invalid model name passed in model=m", 0.2)
    text = render([ok, bad], ["header"], width=120)
    assert "program A" in text and "env X: a -> b" in text and "Invalid model name passed in model=m" in text
    assert "RESULT: FAIL (2 checks, 1 failed: b)" in text
