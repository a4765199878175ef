"""What every inventory renders, with the default catalogue profile and the seed's: the upstream charts at the
catalogue's versions plus the project's glue, on Helm 3 and Helm 4, admissible under Pod Security
`restricted`, every image pinned, every pod behind a NetworkPolicy. (The real API server's verdict on the
same objects: tests/cluster/test_upstream_charts.py.)"""
from __future__ import annotations

import re

import pytest

from harness import run_playbook

from rendering import CATALOGUE, SETS, pod_labels, pod_specs, set_id

pytestmark = pytest.mark.helm
ENTRIES = {c["name"]: c for c in CATALOGUE["components"]}


def _enabled(key):
    inventory, _ = key
    return {n for n, c in ENTRIES.items() if c["enabled"]} | ({"agent-core"} if inventory == "dev" else set())


@pytest.mark.parametrize("key", SETS, ids=set_id)
def test_every_enabled_component_renders_on_helm3_and_helm4_alike(manifests, key):
    helm3, helm4 = manifests[key + (3,)], manifests[key + (4,)]
    assert set(helm3) == _enabled(key)
    for component in helm3:
        assert helm3[component], component
        assert helm4[component] == helm3[component], "%s: Helm 4 renders it differently" % component


@pytest.mark.parametrize("key", SETS, ids=set_id)
def test_sources_are_the_catalogue_pins(releases, key):
    _, profile = key
    pins = dict(CATALOGUE["profiles"]["default"]["charts"])
    pins.update(CATALOGUE["profiles"][profile].get("charts") or {})
    for release in releases[key]:
        entry = ENTRIES[release["component"]]
        if release["kind"] == "upstream":
            pin = pins[release["release_name"]]
            assert release["chart"] == pin.get("chart", release["release_name"])
            assert release["version"] == str(pin["version"])
            assert release["release_name"] in entry["charts"]
        else:
            assert entry.get("glue"), release
            assert release["chart_ref"].endswith("gitops/charts/%s" % release["component"])


def _restricted_violations(where, pod):
    problems = []
    psc = pod.get("securityContext") or {}
    if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
        problems.append("host namespaces")
    for vol in pod.get("volumes") or []:
        if "hostPath" in vol:
            problems.append("hostPath volume %s" % vol["name"])
    for c in (pod.get("initContainers") or []) + (pod.get("containers") or []):
        sc = c.get("securityContext") or {}
        name = "%s %s" % (where, c["name"])
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append("%s: allowPrivilegeEscalation" % name)
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            problems.append("%s: capabilities.drop ALL" % name)
        if set((sc.get("capabilities") or {}).get("add") or []) - {"NET_BIND_SERVICE"}:
            problems.append("%s: capabilities.add" % name)
        if not (sc.get("runAsNonRoot", psc.get("runAsNonRoot"))):
            problems.append("%s: runAsNonRoot" % name)
        if sc.get("runAsUser", psc.get("runAsUser")) == 0:
            problems.append("%s: runAsUser 0" % name)
        seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append("%s: seccompProfile" % name)
        if sc.get("privileged"):
            problems.append("%s: privileged" % name)
    return problems


def _pod_templates(manifests, key):
    """(component, document, where, pod spec) of every pod template of one set, as Helm 3 renders it."""
    for component, docs in manifests[key + (3,)].items():
        for doc in docs:
            for where, pod in pod_specs(doc):
                yield component, doc, where, pod


@pytest.mark.parametrize("key", SETS, ids=set_id)
def test_every_pod_template_is_restricted(manifests, key):
    problems = []
    for component, _, where, pod in _pod_templates(manifests, key):
        problems += ["%s: %s" % (component, p) for p in _restricted_violations(where, pod)]
    assert not problems, "\n".join(problems)


IMAGE = re.compile(r"^[^:@\s]+(:[^:@\s]+)?(@sha256:[0-9a-f]{64})?$")


@pytest.mark.parametrize("key", SETS, ids=set_id)
def test_every_image_is_pinned(manifests, key):
    problems = []
    for component, _, where, pod in _pod_templates(manifests, key):
        for c in (pod.get("initContainers") or []) + (pod.get("containers") or []):
            image = c["image"]
            tag = image.rsplit("/", 1)[-1].partition(":")[2].partition("@")[0]
            if not IMAGE.match(image) or (not tag and "@sha256:" not in image) or tag == "latest":
                problems.append("%s %s %s: %s" % (component, where, c["name"], image))
    assert not problems, "\n".join(problems)


def _selects(policy, labels):
    sel = policy["spec"].get("podSelector") or {}
    if any(labels.get(k) != v for k, v in (sel.get("matchLabels") or {}).items()):
        return False
    for expr in sel.get("matchExpressions") or []:
        value = labels.get(expr["key"])
        op = expr["operator"]
        if (op == "In" and value not in expr["values"]) or (op == "NotIn" and value in expr["values"]) \
                or (op == "Exists" and expr["key"] not in labels) or (op == "DoesNotExist" and expr["key"] in labels):
            return False
    return True


@pytest.mark.parametrize("key", [k for k in SETS if k[1] == "default"], ids=set_id)
def test_every_pod_is_isolated_by_network_policies(manifests, key):
    """Each workload of the platform is selected by a NetworkPolicy for Ingress and one for Egress of its
    namespace (the glue's default-deny, or the upstream chart's own policies)."""
    docs = [d for ds in manifests[key + (3,)].values() for d in ds]
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    problems = []
    for component, doc, where, _ in _pod_templates(manifests, key):
        labels = pod_labels(doc)
        ns = doc["metadata"].get("namespace")
        mine = [p for p in policies if p["metadata"].get("namespace") in (ns, None) and _selects(p, labels)]
        types = {t for p in mine for t in p["spec"].get("policyTypes") or ["Ingress"]}
        if not {"Ingress", "Egress"} <= types:
            problems.append("%s %s: %s" % (component, where, sorted(types) or "no NetworkPolicy"))
    assert not problems, "\n".join(problems)


def test_seed_profile_refuses_prod_naming_the_level(chart_mirror_url, tmp_path):
    """kagent 0.7 on SQLite refuses prod's three controller replicas: render fails before any change, naming
    the key and the level that set it, and writes nothing."""
    run = run_playbook("render.yml", "inventories/prod",
                       {"render_dir": tmp_path, "enable_agent_platform": "true",
                        "agent_platform_chart_mirror_url": chart_mirror_url, "agent_platform_catalogue_profile": "seed"})
    assert run.rc != 0
    assert "controller.replicas=3 was set by level 4 (environment overrides" in run.out, run.why()
    assert "peeks-agent-platform-kagent" in run.out
    assert not list(tmp_path.iterdir())
