"""Fixtures shared by tests/charts and tests/cluster (imported by their conftest.py): every inventory x catalogue profile rendered through the real render playbook (Helm 3, as Argo CD's
repo-server and direct delivery run it), and every release of it rendered again with Helm 4.

Session fixtures:
* ``rendered_sets``: {(inventory, profile): output folder of playbooks/render.yml}
* ``releases``: {(inventory, profile): the releases (plugin_utils.charts) behind its Applications}
* ``manifests``: {(inventory, profile, major): {component: [manifest dicts]}}
"""
from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import pytest
import yaml

from harness import ROOT, run_playbook

CATALOGUE = yaml.safe_load((ROOT / "gitops/charts/agent-platform/catalogue.yaml").read_text())
PROFILES = sorted(CATALOGUE["profiles"])
INVENTORIES = ["local", "dev", "prod"]
CLUSTERS = {"local": "local-cluster", "dev": "peeks-dev", "prod": "peeks-prod"}
# kagent 0.7 (seed) runs on SQLite, which its chart refuses with more than one controller replica:
# prod's three replicas need the default profile (tests/charts/test_rendered.py checks the refusal).
SETS = [(i, p) for i in INVENTORIES for p in PROFILES if not (i == "prod" and p == "seed")]
CHART_CACHE = Path(os.environ.get("APPMOD_CACHE_DIR") or Path.home() / ".cache" / "appmod-agent-platform") / "charts"


def set_id(key):
    return "-".join(map(str, key))


def load_docs(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d]


# What a render depends on: a rendered set is reused across test folders (tests/charts, tests/cluster run
# in separate pytest processes in CI) as long as none of these changed.
RENDER_INPUTS = ("gitops", "inventories", "plugins", "roles/agent_platform", "roles/feature_flags", "playbooks/render.yml",
                 "playbooks/resolve-flag.yml", "ansible.cfg")


def render_key() -> str:
    import hashlib

    digest = hashlib.sha256()
    for top in RENDER_INPUTS:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def rendered_sets(chart_mirror_url):
    base = ROOT / "out" / "test-renders" / render_key()

    def one(key):
        inventory, profile = key
        out = base / set_id(key)
        if (out / "done").is_file():
            return key, out / CLUSTERS[inventory]
        run = run_playbook("render.yml", "inventories/%s" % inventory,
                           {"render_dir": out, "enable_agent_platform": "true",
                            "agent_platform_chart_mirror_url": chart_mirror_url,
                            "agent_platform_catalogue_profile": profile,
                            # tests/cluster/test_upstream_charts.py has the API server judge every set, in detail
                            "agent_platform_server_validation": False})
        assert run.rc == 0, "%s: %s" % (key, run.why())
        (out / "done").write_text("rendered\n")
        return key, out / CLUSTERS[inventory]

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, SETS))


@pytest.fixture(scope="session")
def releases(rendered_sets):
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, charts

    data = catalogue.load(ROOT)
    out = {}
    for key, folder in rendered_sets.items():
        apps = [yaml.safe_load(p.read_text()) for p in sorted((folder / "applications").glob("*-agent-platform-*.yaml"))]
        # The chart cache already holds every archive: render.yml pulled them from the mirror.
        out[key] = charts.releases(apps, str(ROOT), str(CHART_CACHE), str(ROOT / ".tools/bin/helm3"),
                                   keys=catalogue.keys(data), mains=catalogue.mains(data))
    return out


@pytest.fixture(scope="session")
def manifests(rendered_sets, releases):
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template

    out = {}
    for key, folder in rendered_sets.items():
        out[key + (3,)] = {p.parent.name: load_docs(p.read_text()) for p in (folder / "components").glob("*/manifests.yaml")}
        rendered = helm_template.template_all(str(ROOT / ".tools/bin/helm4"),
                                              [dict(r, include_crds=True) for r in _helm_keys(releases[key])])
        by_component = {}
        for release, result in zip(releases[key], rendered):
            by_component.setdefault(release["component"], []).extend(load_docs(result["stdout"]))
        out[key + (4,)] = by_component
    return out


def _helm_keys(rels):
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template

    return [{k: r[k] for k in helm_template.RELEASE_KEYS if k in r} for r in rels]


def pod_specs(doc: dict):
    """Yield (where, podSpec) for every workload kind."""
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        yield "%s/%s" % (kind, doc["metadata"]["name"]), spec["template"]["spec"]
    elif kind == "CronJob":
        yield "%s/%s" % (kind, doc["metadata"]["name"]), spec["jobTemplate"]["spec"]["template"]["spec"]
    elif kind == "Pod":
        yield "Pod/%s" % doc["metadata"]["name"], spec


def pod_labels(doc: dict) -> dict:
    spec = doc.get("spec") or {}
    template = spec.get("template") or (spec.get("jobTemplate") or {}).get("spec", {}).get("template") or {}
    return (template.get("metadata") or {}).get("labels") or {}
