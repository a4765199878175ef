"""Fixtures for the component chart tests: every chart is rendered once per Helm major per
values set (session cache, rendered in parallel), then the tests only read the results."""
from __future__ import annotations

import concurrent.futures
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS_DIR = ROOT / "gitops" / "charts"
CHARTS = ["kagent-crds", "kagent", "litellm", "agent-gateway", "langfuse", "jaeger", "tofu-controller", "agent-core"]
MAJORS = [3, 4]
NAMESPACE = {"tofu-controller": "flux-system"}

GLOBAL = {"namespace": "agent-platform", "resourcePrefix": "peeks", "awsRegion": "us-east-1"}

# The seed's environment levels (Configuration Management > Example Configuration Files),
# bootstrap default merged under each, as the bridge hands them to the charts.
BOOTSTRAP = {
    "kagent": {"llmProvider": "bedrock", "region": "us-east-1",
               "resources": {"requests": {"memory": "512Mi", "cpu": "250m"},
                             "limits": {"memory": "1Gi", "cpu": "500m"}}},
    "litellm": {"replicas": 2, "providers": ["bedrock"],
                "resources": {"requests": {"memory": "512Mi", "cpu": "250m"}}},
}
DEV = {
    "kagent": {"replicas": 1, "modelConfig": {"model": "anthropic.claude-3-sonnet-20240229-v1:0"}},
    "litellm": {"replicas": 1},
    "agent-core": {"version": "v4", "projectName": "ekspoc-dev-v4",
                   "capabilities": {"memory": True, "browser": True, "codeInterpreter": True}},
}
PROD = {
    "kagent": {"replicas": 3, "modelConfig": {"model": "anthropic.claude-3-5-sonnet-20241022-v2:0"},
               # Written as in the seed (1000m / 2000m): the chart renders the canonical form.
               "resources": {"requests": {"memory": "2Gi", "cpu": "1000m"},
                             "limits": {"memory": "4Gi", "cpu": "2000m"}},
               "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 10}},
    "litellm": {"replicas": 3, "autoscaling": {"enabled": True}},
}
# Every optional object switched on, so that the schema and restricted checks see them.
FULL = {
    "kagent": {"autoscaling": {"enabled": True},
               "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/KagentRole"}},
               "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True},
                              "grafanaDashboard": {"enabled": True}},
               "backup": {"velero": {"enabled": True}}},
    "litellm": {"providers": ["bedrock", "openai", "anthropic"], "autoscaling": {"enabled": True},
                "externalSecret": {"enabled": True},
                "ingress": {"enabled": True, "host": "litellm.example.com", "className": "alb"},
                "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}},
    "agent-gateway": {"ingress": {"enabled": True, "host": "gw.example.com"},
                      "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}},
    "langfuse": {"backup": {"enabled": True}, "externalSecret": {"enabled": True},
                 "ingress": {"enabled": True, "host": "langfuse.example.com"},
                 "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}},
    "jaeger": {"ingress": {"enabled": True, "host": "jaeger.example.com"},
               "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}},
    "tofu-controller": {"serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/TofuControllerRole"}},
                        "monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}},
    "agent-core": {"monitoring": {"serviceMonitor": {"enabled": True}, "prometheusRule": {"enabled": True}}},
}
EXTERNAL_PG = {"langfuse": {"postgres": {"enabled": False, "externalHost": "db.example.internal"}}}


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def values_for(chart: str, vset: str) -> dict:
    glob = dict(GLOBAL, eksClusterName={"dev": "dev", "prod": "prod"}.get(vset, "test"))
    cfg: dict = {}
    if vset in ("dev", "prod"):
        cfg = _merge(BOOTSTRAP.get(chart, {}), (DEV if vset == "dev" else PROD).get(chart, {}))
    elif vset == "full":
        cfg = FULL.get(chart, {})
    elif vset == "external-pg":
        cfg = EXTERNAL_PG.get(chart, {})
    return _merge({"global": glob}, cfg)


VALUE_SETS = ["default", "dev", "prod", "full"]
RENDER_KEYS = [(c, v, m) for c in CHARTS for v in VALUE_SETS for m in MAJORS] + \
              [("langfuse", "external-pg", m) for m in MAJORS]


def helm_path(major: int) -> str:
    return str(ROOT / ".tools" / "bin" / f"helm{major}")


def run_helm(major: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([helm_path(major), *args], capture_output=True, text=True, timeout=120)


def template(chart: str, values: dict, major: int, release: str | None = None) -> subprocess.CompletedProcess:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        yaml.safe_dump(values, fh)
        path = fh.name
    try:
        return run_helm(major, "template", release or chart, str(CHARTS_DIR / chart),
                        "--namespace", NAMESPACE.get(chart, "agent-platform"), "-f", path)
    finally:
        Path(path).unlink()


@pytest.fixture(scope="session")
def rendered() -> dict:
    """{(chart, values set, major): [manifest dicts]}; one helm run each, in parallel."""
    for m in MAJORS:
        if not Path(helm_path(m)).exists():
            pytest.skip(f"helm{m} missing: run `bash scripts/setup.sh`")

    def _one(key):
        chart, vset, major = key
        proc = template(chart, values_for(chart, vset), major)
        assert proc.returncode == 0, f"helm{major} template {chart} ({vset}) failed:\n{proc.stderr}"
        docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
        return key, docs, proc.stdout

    out, raw = {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for key, docs, text in pool.map(_one, RENDER_KEYS):
            out[key] = docs
            raw[key] = text
    out["__raw__"] = raw
    return out


@pytest.fixture(scope="session")
def crd_schemas(rendered) -> dict:
    """{(group, kind, version): openAPIV3Schema} from our own charts' CRDs."""
    schemas = {}
    for chart in ("kagent-crds", "tofu-controller"):
        for doc in rendered[(chart, "default", 4)]:
            if doc["kind"] == "CustomResourceDefinition":
                for ver in doc["spec"]["versions"]:
                    schemas[(doc["spec"]["group"], doc["spec"]["names"]["kind"], ver["name"])] = \
                        ver["schema"]["openAPIV3Schema"]
    return schemas


def pod_specs(doc: dict):
    """Yield (where, podSpec) for every workload kind."""
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        yield f"{kind}/{doc['metadata']['name']}", spec["template"]["spec"]
    elif kind == "CronJob":
        yield f"{kind}/{doc['metadata']['name']}", spec["jobTemplate"]["spec"]["template"]["spec"]
    elif kind == "Pod":
        yield f"Pod/{doc['metadata']['name']}", spec


def load_json(path: Path):
    return json.loads(path.read_text())
