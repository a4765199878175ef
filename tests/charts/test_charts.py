"""Component charts: lint, render (defaults, seed dev/prod, every flag on) on Helm 3 and 4,
offline validation against the Kubernetes 1.33 OpenAPI schemas and our CRD schemas,
values.schema.json refusals, Pod Security "restricted", canonical quantities, seed wiring."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from .conftest import (CHARTS, CHARTS_DIR, MAJORS, RENDER_KEYS, VALUE_SETS, pod_specs, run_helm,
                       template, values_for)
from .minimal_schemas import BY_KIND

pytestmark = pytest.mark.helm

K8S_VERSION = "1.33.0"  # kubernetes-validate ships 1.33 schemas; the local cluster and EKS target 1.33


def _docs(rendered, chart, vset, major=4):
    return rendered[(chart, vset, major)]


# --- lint and rendering -------------------------------------------------------------------

@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("chart", CHARTS)
def test_helm_lint_strict(chart, major):
    proc = run_helm(major, "lint", "--strict", str(CHARTS_DIR / chart))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_helm3_and_helm4_render_the_same(rendered, chart):
    for vset in VALUE_SETS:
        assert rendered[(chart, vset, 3)] == rendered[(chart, vset, 4)], f"{chart} ({vset}) differs between Helm 3 and 4"


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_metadata(chart):
    meta = yaml.safe_load((CHARTS_DIR / chart / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2" and meta["name"] == chart and meta["version"] == "0.1.0"
    assert meta.get("appVersion")
    assert {"agent-platform", "ai", "kubernetes"} <= set(meta["keywords"])
    assert "dependencies" not in meta, "charts must be self-contained (no OCI/HTTP dependencies)"
    for f in ("values.yaml", "values.schema.json", "README.md"):
        assert (CHARTS_DIR / chart / f).is_file(), f"{chart}/{f} missing"


def test_shared_helpers_identical():
    texts = {c: (CHARTS_DIR / c / "templates" / "_helpers.tpl").read_text() for c in CHARTS}
    first = texts[CHARTS[0]]
    assert all(t == first for t in texts.values()), "templates/_helpers.tpl must be the same file in every chart"


# --- offline validation -------------------------------------------------------------------

@pytest.mark.parametrize("key", RENDER_KEYS, ids=lambda k: f"{k[0]}-{k[1]}-helm{k[2]}")
def test_manifests_validate(rendered, crd_schemas, key):
    errors = []
    for doc in rendered[key]:
        api, kind = doc["apiVersion"], doc["kind"]
        name = f"{kind}/{doc['metadata']['name']}"
        group, _, version = api.rpartition("/")
        if (group, kind, version) in crd_schemas:
            try:
                jsonschema.validate(doc, crd_schemas[(group, kind, version)])
            except jsonschema.ValidationError as exc:
                errors.append(f"{name}: {exc.message} at {list(exc.path)}")
        elif (api, kind) in BY_KIND:
            try:
                jsonschema.validate(doc, BY_KIND[(api, kind)])
            except jsonschema.ValidationError as exc:
                errors.append(f"{name}: {exc.message} at {list(exc.path)}")
        else:
            try:
                kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            except kubernetes_validate.utils.SchemaNotFoundError:
                errors.append(f"{name}: no schema for {api} {kind} (add one)")
            except kubernetes_validate.ValidationError as exc:
                errors.append(f"{name}: {exc.caught.message} at {list(exc.caught.path)}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("key", [k for k in RENDER_KEYS if k[2] == 4], ids=lambda k: f"{k[0]}-{k[1]}")
def test_no_namespace_objects_and_namespaced_in_release_ns(rendered, key):
    chart = key[0]
    expected = "flux-system" if chart == "tofu-controller" else "agent-platform"
    cluster_kinds = {"CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}
    for doc in rendered[key]:
        assert doc["kind"] != "Namespace", f"{chart} renders a Namespace"
        if doc["kind"] in cluster_kinds:
            assert "namespace" not in doc["metadata"]
        elif doc["kind"] == "Schedule":
            assert doc["metadata"]["namespace"] == "velero"
        else:
            assert doc["metadata"].get("namespace") == expected, f"{doc['kind']}/{doc['metadata']['name']}"


# --- Pod Security restricted, resources, images --------------------------------------------

def _containers(pod):
    return [*pod.get("initContainers", []), *pod["containers"]]


@pytest.mark.parametrize("key", [k for k in RENDER_KEYS if k[2] == 4], ids=lambda k: f"{k[0]}-{k[1]}")
def test_pods_are_restricted(rendered, key):
    pods = [p for d in rendered[key] for p in pod_specs(d)]
    for where, pod in pods:
        psc = pod.get("securityContext", {})
        assert psc.get("runAsNonRoot") is True, where
        assert int(psc.get("runAsUser", 0)) > 0, where
        assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC"), where
        for vol in pod.get("volumes", []):
            assert set(vol) - {"name"} <= {"emptyDir", "configMap", "secret", "persistentVolumeClaim", "projected",
                                          "downwardAPI"}, f"{where}: volume {vol}"
        mounts_tmp = False
        for c in _containers(pod):
            sc = c.get("securityContext", {})
            cw = f"{where}/{c['name']}"
            assert sc.get("allowPrivilegeEscalation") is False, cw
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], cw
            assert not sc.get("capabilities", {}).get("add"), cw
            assert sc.get("privileged", False) is False, cw
            assert sc.get("readOnlyRootFilesystem") is True, cw
            assert sc.get("runAsUser", 1) != 0, cw
            mounts_tmp |= any(m["mountPath"] == "/tmp" for m in c.get("volumeMounts", []))
        if "redis" not in where:  # redis writes only to /data
            assert mounts_tmp, f"{where}: read-only root filesystem needs an emptyDir /tmp"


CPU_CANON = re.compile(r"^([1-9][0-9]*|[0-9]*[1-9][0-9]{0,2}m)$")
MEM_CANON = re.compile(r"^[1-9][0-9]*(Ki|Mi|Gi|Ti|k|M|G|T)?$")


def _canonical_memory(v: str) -> bool:
    m = re.match(r"^([0-9]+)(Ki|Mi|Gi)$", v)
    return bool(MEM_CANON.match(v)) and not (m and int(m.group(1)) % 1024 == 0)


@pytest.mark.parametrize("key", [k for k in RENDER_KEYS if k[2] == 4], ids=lambda k: f"{k[0]}-{k[1]}")
def test_requests_limits_canonical_and_images_pinned(rendered, key):
    for where, pod in (p for d in rendered[key] for p in pod_specs(d)):
        for c in _containers(pod):
            cw = f"{where}/{c['name']}"
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                cpu, mem = res.get(part, {}).get("cpu"), res.get(part, {}).get("memory")
                assert isinstance(cpu, str) and CPU_CANON.match(cpu), f"{cw}: {part}.cpu {cpu!r} not canonical"
                assert isinstance(mem, str) and _canonical_memory(mem), f"{cw}: {part}.memory {mem!r} not canonical"
            image = c["image"]
            assert ":" in image.rsplit("/", 1)[-1], f"{cw}: image {image} has no tag"
            assert not image.endswith(":latest"), f"{cw}: {image}"


def test_prod_kagent_resources_rendered_canonical(rendered):
    dep = next(d for d in _docs(rendered, "kagent", "prod") if d["kind"] == "Deployment")
    res = dep["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert res == {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}


@pytest.mark.parametrize("major", MAJORS)
def test_quantities_canonicalised(major):
    vals = values_for("kagent", "default")
    vals["resources"] = {"requests": {"cpu": 0.5, "memory": "1024Mi"}, "limits": {"cpu": "1500m", "memory": "2097152Ki"}}
    proc = template("kagent", vals, major)
    assert proc.returncode == 0, proc.stderr
    dep = next(d for d in yaml.safe_load_all(proc.stdout) if d and d["kind"] == "Deployment")
    assert dep["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1500m", "memory": "2Gi"}}


# --- values.schema.json refusals ------------------------------------------------------------

BAD_VALUES = [
    ("kagent", {"replicas": "three"}, "replicas"),
    ("kagent", {"replicas": -1}, "replicas"),
    ("kagent", {"image": {"tag": "latest"}}, "tag"),
    ("kagent", {"image": {"tag": ""}}, "tag"),
    ("kagent", {"modelConfig": {"model": ""}}, "model"),
    ("kagent", {"replica": 3}, "replica"),
    ("kagent", {"podSecurityContext": {"runAsUser": 0}}, "runAsUser"),
    ("kagent", {"resources": {"requests": {"cpu": "lots"}}}, "cpu"),
    ("litellm", {"providers": ["bedrock", "cohere"]}, "providers"),
    ("litellm", {"image": {"tag": "latest"}}, "tag"),
    ("litellm", {"existingSecret": ""}, "existingSecret"),
    ("agent-gateway", {"litellmEndpoint": "litellm"}, "litellmEndpoint"),
    ("langfuse", {"postgres": {"enabled": False}}, "postgres"),
    ("jaeger", {"storage": {"type": "cassandra"}}, "type"),
    ("tofu-controller", {"image": {"tag": "latest"}}, "tag"),
    ("agent-core", {"networkMode": "PRIVATE"}, "networkMode"),
    ("agent-core", {"projectName": ""}, "projectName"),
]


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("chart,override,key", BAD_VALUES, ids=[f"{c}-{k}-{i}" for i, (c, _, k) in enumerate(BAD_VALUES)])
def test_schema_refuses_bad_values(chart, override, key, major):
    vals = values_for(chart, "default")
    for k, v in override.items():
        vals[k] = copy.deepcopy(v)
    if chart == "kagent" and "resources" in override:
        vals["resources"]["limits"] = {"cpu": "1", "memory": "1Gi"}
    proc = template(chart, vals, major)
    assert proc.returncode != 0, f"helm{major} accepted {override}"
    assert "schema" in proc.stderr and key in proc.stderr, proc.stderr


def test_global_accepts_unknown_keys():
    vals = values_for("kagent", "default")
    vals["global"]["someFutureKey"] = "x"
    assert template("kagent", vals, 4).returncode == 0


# --- seed wiring ------------------------------------------------------------------------------

def _one(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}"
    return found[0]


def test_kagent_dev_and_prod(rendered):
    dev = _docs(rendered, "kagent", "dev")
    assert _one(dev, "Deployment")["spec"]["replicas"] == 1
    assert _one(dev, "ModelConfig")["spec"] == {"provider": "Bedrock", "model": "anthropic.claude-3-sonnet-20240229-v1:0",
                                               "bedrock": {"region": "us-east-1"}}
    assert not [d for d in dev if d["kind"] == "HorizontalPodAutoscaler"]
    prod = _docs(rendered, "kagent", "prod")
    assert "replicas" not in _one(prod, "Deployment")["spec"], "the HPA owns replicas when autoscaling is on"
    hpa = _one(prod, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert _one(prod, "ModelConfig")["spec"]["model"] == "anthropic.claude-3-5-sonnet-20241022-v2:0"


def test_kagent_defaults(rendered):
    docs = _docs(rendered, "kagent", "default")
    dep = _one(docs, "Deployment")
    c = dep["spec"]["template"]["spec"]["containers"][0]
    assert c["image"].endswith(":0.7.9")
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["OTEL_EXPORTER_JAEGER_ENDPOINT"] == "http://jaeger-collector:14268/api/traces"
    assert env["OTEL_TRACES_SAMPLER_ARG"] == "0.1"
    assert env["AWS_REGION"] == "us-east-1"
    assert _one(docs, "ServiceAccount")["metadata"]["name"] == "kagent"
    role = _one(docs, "Role", "agent-platform-developer")
    assert role["rules"][0]["resources"] == ["agents", "modelconfigs", "toolservers"]
    for kind in ("ServiceMonitor", "PrometheusRule", "Schedule", "HorizontalPodAutoscaler"):
        assert not [d for d in docs if d["kind"] == kind], f"{kind} must be off by default"


def test_kagent_full_flags(rendered):
    docs = _docs(rendered, "kagent", "full")
    sa = _one(docs, "ServiceAccount")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/KagentRole")
    rules = _one(docs, "PrometheusRule")["spec"]["groups"][0]["rules"]
    assert {r["alert"] for r in rules} == {"HighErrorRate", "HighLatency", "PodCrashLooping"}
    sched = _one(docs, "Schedule")["spec"]
    assert sched["schedule"] == "0 2 * * *" and sched["template"]["includedNamespaces"] == ["agent-platform"]
    dash = _one(docs, "ConfigMap", "agent-platform-dashboard")
    assert dash["metadata"]["labels"]["grafana_dashboard"] == "1"
    import json
    assert json.loads(dash["data"]["agent-platform-overview.json"])["title"] == "Agent Platform Overview"


def test_litellm(rendered):
    dev = _docs(rendered, "litellm", "dev")
    assert _one(dev, "Deployment")["spec"]["replicas"] == 1
    prod = _docs(rendered, "litellm", "prod")
    hpa = _one(prod, "HorizontalPodAutoscaler")["spec"]
    assert hpa["minReplicas"] == 3 and "replicas" not in _one(prod, "Deployment")["spec"]
    full = _docs(rendered, "litellm", "full")
    es = _one(full, "ExternalSecret")["spec"]
    assert es["secretStoreRef"] == {"name": "aws-secrets-manager", "kind": "SecretStore"}
    assert {d["remoteRef"]["key"] for d in es["data"]} == {
        "agent-platform/litellm/master-key", "agent-platform/litellm/openai-api-key",
        "agent-platform/litellm/anthropic-api-key"}
    cfg = yaml.safe_load(_one(full, "ConfigMap")["data"]["config.yaml"])
    assert [m["model_name"] for m in cfg["model_list"]] == ["bedrock-claude", "gpt-4o", "claude-3-5-sonnet"]
    svc = _one(dev, "Service", "litellm")
    assert svc["spec"]["ports"][0]["port"] == 4000
    assert _one(full, "Ingress")["spec"]["rules"][0]["host"] == "litellm.example.com"


def test_service_names_the_seed_relies_on(rendered):
    def ports(chart, name):
        return {p["port"] for p in _one(_docs(rendered, chart, "default"), "Service", name)["spec"]["ports"]}
    assert 14268 in ports("jaeger", "jaeger-collector") and 9411 in ports("jaeger", "jaeger-collector")
    assert 16686 in ports("jaeger", "jaeger")
    assert 4000 in ports("litellm", "litellm")
    assert 3000 in ports("langfuse", "langfuse")
    assert 5432 in ports("langfuse", "langfuse-postgres")
    cfg = _one(_docs(rendered, "agent-gateway", "default"), "ConfigMap")["data"]["config.yaml"]
    assert "litellm:4000" in cfg


def test_jaeger(rendered):
    docs = _docs(rendered, "jaeger", "default")
    c = _one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "jaegertracing/all-in-one:1.52"
    assert "--memory.max-traces=100000" in c["args"]
    import json
    assert json.loads(_one(docs, "ConfigMap")["data"]["sampling.json"]) == {
        "default_strategy": {"type": "probabilistic", "param": 0.1}}


def test_langfuse(rendered):
    docs = _docs(rendered, "langfuse", "default")
    sts = _one(docs, "StatefulSet")
    vct = sts["spec"]["volumeClaimTemplates"][0]
    assert vct["spec"]["resources"]["requests"]["storage"] == "10Gi"
    web = _one(docs, "Deployment", "langfuse")["spec"]["template"]["spec"]["containers"][0]
    assert web["ports"][0]["containerPort"] == 3000
    assert web["image"].startswith("langfuse/langfuse:2.")
    for e in web["env"]:
        if e["name"] in ("DATABASE_PASSWORD", "NEXTAUTH_SECRET", "SALT"):
            assert "secretKeyRef" in e["valueFrom"], e
    full = _docs(rendered, "langfuse", "full")
    cj = _one(full, "CronJob")["spec"]
    assert cj["schedule"] == "0 3 * * *"
    env = cj["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]["env"]
    assert next(e for e in env if e["name"] == "PGPASSWORD")["valueFrom"]["secretKeyRef"]["key"] == "postgres-password"
    ext = _docs(rendered, "langfuse", "external-pg")
    assert not [d for d in ext if d["kind"] == "StatefulSet"]
    url = next(e for e in _one(ext, "Deployment", "langfuse")["spec"]["template"]["spec"]["containers"][0]["env"]
               if e["name"] == "DATABASE_URL")["value"]
    assert "@db.example.internal:5432/" in url and "$(DATABASE_PASSWORD)" in url


def test_tofu_controller(rendered):
    docs = _docs(rendered, "tofu-controller", "full")
    sa = _one(docs, "ServiceAccount")
    assert sa["metadata"]["name"] == "tofu-controller" and sa["metadata"]["namespace"] == "flux-system"
    assert "eks.amazonaws.com/role-arn" in sa["metadata"]["annotations"]
    cr = _one(docs, "ClusterRole")
    for rule in cr["rules"]:
        assert "*" not in rule["verbs"] and "*" not in rule["resources"], rule
    src = next(r for r in cr["rules"] if r["apiGroups"] == ["source.toolkit.fluxcd.io"])
    assert set(src["verbs"]) == {"get", "list", "watch"}
    crd = _one(docs, "CustomResourceDefinition")
    assert crd["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert "v0.16.0-rc.4" in _one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]


def test_agent_core(rendered):
    docs = _docs(rendered, "agent-core", "dev")
    tf = _one(docs, "Terraform")["spec"]
    vars_ = {v["name"]: v["value"] for v in tf["vars"]}
    assert vars_["version"] == "v4" and vars_["project_name"] == "ekspoc-dev-v4"
    assert vars_["network_mode"] == "PUBLIC"
    assert vars_["capabilities"] == {"memory": True, "browser": True, "code_interpreter": True}
    assert tf["writeOutputsToSecret"]["name"] == "agent-core-outputs"
    sa = _one(docs, "ServiceAccount", "agent-core")
    assert "eks.amazonaws.com/role-arn" not in (sa["metadata"].get("annotations") or {}), "Pod Identity, not IRSA"
    assert _one(docs, "ConfigMap")["data"]["AGENTCORE_PROJECT"] == "ekspoc-dev-v4"


def test_crds_are_kept_and_structural(rendered):
    docs = _docs(rendered, "kagent-crds", "default")
    kinds = set()
    for crd in docs:
        assert crd["kind"] == "CustomResourceDefinition"
        ann = crd["metadata"]["annotations"]
        assert ann["helm.sh/resource-policy"] == "keep"
        assert ann["argocd.argoproj.io/sync-options"] == "Delete=false,Prune=false"
        kinds.add(crd["spec"]["names"]["kind"])
        assert crd["spec"]["group"] == "kagent.dev"
        assert [v["name"] for v in crd["spec"]["versions"]] == ["v1alpha1"]
    assert kinds == {"Agent", "ModelConfig", "ToolServer"}


AGENT_OK = {"apiVersion": "kagent.dev/v1alpha1", "kind": "Agent", "metadata": {"name": "a", "namespace": "agent-platform"},
            "spec": {"systemMessage": "You are a helpful assistant", "modelConfig": "default-model-config",
                     "tools": [{"type": "McpServer", "mcpServer": {"toolServer": "k8s", "toolNames": ["get_pods"]}}]}}


@pytest.mark.parametrize("mutate,why", [
    (lambda a: a["spec"].pop("systemMessage"), "systemMessage"),
    (lambda a: a["spec"].update(modelConfig=""), "modelConfig"),
    (lambda a: a["spec"]["tools"][0].update(type="Kubernetes"), "enum"),
    (lambda a: a.pop("spec"), "spec"),
    # the seed's own example (systemPrompt, modelConfig as an object) is not a kagent Agent
    (lambda a: a.update(spec={"systemPrompt": "x", "modelConfig": {"provider": "bedrock", "model": "m"},
                              "tools": [{"name": "kubernetes"}]}), "systemMessage"),
])
def test_invalid_agent_rejected_by_crd_schema(crd_schemas, mutate, why):
    schema = crd_schemas[("kagent.dev", "Agent", "v1alpha1")]
    jsonschema.validate(AGENT_OK, schema)
    bad = copy.deepcopy(AGENT_OK)
    mutate(bad)
    with pytest.raises(jsonschema.ValidationError) as exc:
        jsonschema.validate(bad, schema)
    assert why in str(exc.value)


# --- network policies ---------------------------------------------------------------------------

@pytest.mark.parametrize("chart", [c for c in CHARTS if c != "kagent-crds"])
def test_network_policies(rendered, chart):
    docs = _docs(rendered, chart, "full")
    nps = [d for d in docs if d["kind"] == "NetworkPolicy"]
    deny = [n for n in nps if n["metadata"]["name"].endswith("-default-deny")]
    assert len(deny) == 1 and "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]
    assert set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    text = yaml.safe_dump(nps)
    assert "matchLabels:\n          name:" not in text and "            name: argocd" not in text, \
        "select namespaces by kubernetes.io/metadata.name, not `name`"
    # every workload pod is selected by an allow policy (besides the default deny)
    allow = [n for n in nps if n not in deny]
    for doc in docs:
        for where, _pod in pod_specs(doc):
            tmpl = doc["spec"]["jobTemplate"]["spec"]["template"] if doc["kind"] == "CronJob" else doc["spec"]["template"]
            labels = tmpl["metadata"]["labels"]
            assert any(set(n["spec"]["podSelector"].get("matchLabels", {}).items()) <= set(labels.items())
                       for n in allow), f"{chart}: no allow NetworkPolicy selects {where}"
    for np_ in nps:
        if np_ in deny:
            continue
        egress = np_["spec"].get("egress", [])
        if egress:
            assert any({"protocol": "UDP", "port": 53} in r.get("ports", []) for r in egress), np_["metadata"]["name"]


def test_flows_the_seed_needs(rendered):
    def ports_to(chart, np_name, app):
        np_ = _one(_docs(rendered, chart, "default"), "NetworkPolicy", np_name)
        out = set()
        for rule in np_["spec"]["egress"]:
            for peer in rule.get("to", []):
                if peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") == app or \
                        peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/component") == app:
                    out |= {p["port"] for p in rule["ports"]}
        return out
    assert 4000 in ports_to("agent-gateway", "agent-gateway", "litellm")
    assert 5432 in ports_to("langfuse", "langfuse-web", "postgres")
    assert 6379 in ports_to("langfuse", "langfuse-web", "redis")
    assert {14268, 9411, 4317, 4318} <= ports_to("kagent", "kagent-controller", "jaeger")
    kagent_in = _one(_docs(rendered, "kagent", "default"), "NetworkPolicy", "kagent-controller")["spec"]["ingress"][0]["from"]
    names = {p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in kagent_in if "namespaceSelector" in p}
    assert names == {"argocd", "backstage"}


@pytest.mark.parametrize("ttl", ["720h", "720h0m", "720h0m0s"])
def test_velero_ttl_rendered_canonical(ttl):
    vals = values_for("kagent", "default")
    vals["backup"] = {"velero": {"enabled": True, "ttl": ttl}}
    proc = template("kagent", vals, 4)
    assert proc.returncode == 0, proc.stderr
    sched = next(d for d in yaml.safe_load_all(proc.stdout) if d and d["kind"] == "Schedule")
    assert sched["spec"]["template"]["ttl"] == "720h0m0s"
