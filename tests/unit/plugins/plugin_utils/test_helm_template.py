"""Unit tests of plugins/plugin_utils/helm_template.py: the command and the values file are the ones
kubernetes.core.helm_template builds (compared with that module's own ``template()``), run against a fake
helm that reports what it was given. The real Helm is in tests/helm/test_helm_template_batch.py."""
from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import tempfile
import time

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template as ht
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.helm_template import HelmTemplateError

TRICKY_VALUES = {
    "replicas": 2, "ratio": 0.5, "big": 2 ** 60, "on": "yes", "mode": "0755", "empty": "", "none": None,
    "nested": {"list": [1, "two", None, {"three": True}], "unicode": "ünïcödé ✓", "multi": "a\nb\n"},
    "quoted": "'single' \"double\" {{ not jinja }}", "keys": {"1": "one", "true": "t"},
}


def _k8s_core_template():
    """kubernetes.core.helm_template's ``template()``, the command builder of the module it replaces."""
    return pytest.importorskip("ansible_collections.kubernetes.core.plugins.modules.helm_template").template


@pytest.fixture
def fake_helm(tmp_path):
    """A helm that prints its argv, HELM_NAMESPACE and the text of its -f file as JSON (or fails on demand)."""
    path = tmp_path / "helm"
    path.write_text("""#!%s
import json, os, sys
args = sys.argv[1:]
values = [a[3:] for a in args if a.startswith("-f=")]
if "fail-me" in args:
    sys.stderr.write("Error: execution error at (chart/templates/x.yaml:1:1): fail-me asked to fail\\n")
    sys.exit(1)
print(json.dumps({"argv": args, "ns": os.environ.get("HELM_NAMESPACE"),
                  "values": open(values[0]).read() if values else None}))
""" % sys.executable)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.parametrize("kwargs", [
    dict(release_name="kagent", release_namespace="kagent"),
    dict(release_name="kagent"),
    dict(release_namespace="ns"),
    dict(),
])
def test_command_is_the_one_kubernetes_core_builds(kwargs):
    template = _k8s_core_template()
    expected = shlex.split(template("/opt/helm", "/charts/kagent", **kwargs))
    assert ht.command("/opt/helm", "/charts/kagent", values_file=None, **kwargs) == expected


def test_values_file_is_the_one_kubernetes_core_writes(monkeypatch, tmp_path):
    template = _k8s_core_template()
    written = tmp_path / "module-values.yml"

    def mkstemp(suffix=""):
        return os.open(written, os.O_CREAT | os.O_WRONLY), str(written)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    # The module receives its arguments as JSON: compare against the values after that round trip.
    cmd = template("/opt/helm", "/charts/x", release_name="x", release_namespace="ns",
                   release_values=json.loads(json.dumps(TRICKY_VALUES)))
    assert shlex.split(cmd) == ht.command("/opt/helm", "/charts/x", "x", "ns", str(written))
    assert ht.values_yaml(ht.plain(TRICKY_VALUES)) == written.read_text()


def test_plain_is_a_json_round_trip():
    class Tagged(str):
        pass

    assert ht.plain({Tagged("a"): (1, Tagged("b")), 2: None}) == {"a": [1, "b"], "2": None}
    assert type(next(iter(ht.plain({Tagged("a"): 1})))) is str


@pytest.mark.parametrize("value", [{"a": {1, 2}}, {"a": float("nan")}, {"a": object()}])
def test_plain_refuses_what_json_cannot_carry(value):
    with pytest.raises(HelmTemplateError, match="release_values of kagent: cannot be passed to Helm"):
        ht.plain(value, "release_values of kagent")


def test_template_runs_helm_as_the_module_does(fake_helm):
    result = ht.template(fake_helm, {"chart_ref": "/charts/kagent", "release_name": "kagent",
                                     "release_namespace": "kagent-ns", "release_values": TRICKY_VALUES})
    seen = json.loads(result["stdout"])
    values_path = seen["argv"][-1][3:]
    assert seen["argv"] == ["template", "kagent", "/charts/kagent", "-n", "kagent-ns", "-f=" + values_path]
    assert seen["ns"] == "kagent-ns"
    assert seen["values"] == ht.values_yaml(ht.plain(TRICKY_VALUES))
    assert not os.path.exists(values_path), "the temporary values file must be removed"
    assert result["rc"] == 0 and result["stderr"] == ""
    assert result["command"] == shlex.join([fake_helm] + seen["argv"])
    assert (result["release_name"], result["release_namespace"], result["chart_ref"]) == (
        "kagent", "kagent-ns", "/charts/kagent")


def test_empty_values_give_no_values_file_and_no_namespace_no_variable(fake_helm, monkeypatch):
    monkeypatch.setenv("HELM_NAMESPACE", "from-the-caller")
    seen = json.loads(ht.template(fake_helm, {"chart_ref": "/c", "release_values": {}})["stdout"])
    assert seen == {"argv": ["template", "/c"], "ns": "from-the-caller", "values": None}


def test_stdout_is_returned_exactly(tmp_path):
    helm = tmp_path / "helm"
    helm.write_bytes(b"#!/bin/sh\nprintf -- '---\\n# \\303\\274 \\377\\nkind: X\\n\\n'\n")
    helm.chmod(0o755)
    out = ht.template(str(helm), {"chart_ref": "/c"})["stdout"]
    assert out.encode("utf-8", errors="surrogateescape") == b"---\n# \xc3\xbc \xff\nkind: X\n\n"


def test_failure_names_the_release_and_chart_and_gives_helms_error(fake_helm):
    with pytest.raises(HelmTemplateError) as err:
        ht.template(fake_helm, {"chart_ref": "/charts/fail-me", "release_name": "fail-me"})
    assert "helm template fail-me (chart /charts/fail-me) failed, exit 1" in str(err.value)
    assert "fail-me asked to fail" in str(err.value)
    assert err.value.result["rc"] == 1


def test_template_all_keeps_order_and_stops_at_the_first_failure(fake_helm):
    releases = [{"chart_ref": "/c/%s" % n, "release_name": n} for n in ("a", "b", "fail-me", "d")]
    with pytest.raises(HelmTemplateError) as err:
        ht.template_all(fake_helm, releases)
    assert [r["release_name"] for r in err.value.results] == ["a", "b"]
    results = ht.template_all(fake_helm, releases[:2] + releases[3:])
    assert [json.loads(r["stdout"])["argv"][1] for r in results] == ["a", "b", "d"]


@pytest.mark.parametrize("releases, needle", [
    ("kagent", "releases: must be a list"),
    (["kagent"], "releases[0]: must be a mapping"),
    ([{"chart_ref": "/c"}, {"release_name": "x"}], "releases[1]: chart_ref (the chart folder) is required"),
    ([{"chart_ref": "/c", "values": {}}], "releases[0]: unknown key(s) values"),
    ([{"chart_ref": "/c", "release_name": 3}], "releases[0]: release_name must be a string"),
    ([{"chart_ref": "/c", "release_name": "x", "release_values": [1]}], "releases[0] (x): release_values must be a mapping"),
])
def test_bad_releases_fail_before_helm_runs(fake_helm, releases, needle):
    with pytest.raises(HelmTemplateError) as err:
        ht.template_all(fake_helm, releases)
    assert needle in str(err.value)
    assert err.value.results == []


def test_resolve_binary(tmp_path, fake_helm, monkeypatch):
    assert ht.resolve_binary(fake_helm) == fake_helm
    monkeypatch.setenv("PATH", os.path.dirname(fake_helm))
    assert ht.resolve_binary(None) == fake_helm
    assert ht.resolve_binary("helm") == fake_helm
    with pytest.raises(HelmTemplateError, match="'helm9': not found on PATH"):
        ht.resolve_binary("helm9")
    with pytest.raises(HelmTemplateError, match="not an executable file"):
        ht.resolve_binary(str(tmp_path / "nope"))


def test_spooled_output_reads_back_the_same_and_is_kept_once(tmp_path):
    results = [{"release_name": "a", "stdout": "kind: A\n"}, {"release_name": "b", "stdout": "kind: A\n"},
               {"release_name": "c", "stdout": "kind: C\n"}]
    (tmp_path / "spool").mkdir()
    spooled = [ht.spool_one(r, str(tmp_path / "spool")) for r in results]
    assert [ht.output_of(r) for r in spooled] == ["kind: A\n", "kind: A\n", "kind: C\n"]
    assert all("stdout" not in r for r in spooled) and [r["release_name"] for r in spooled] == ["a", "b", "c"]
    assert len(list((tmp_path / "spool").iterdir())) == 2  # one file per distinct output
    assert [ht.output_sha256(r) for r in spooled] == [ht.output_sha256(r) for r in results]


def test_spool_removes_files_unused_for_a_day_and_keeps_the_ones_in_use(tmp_path, fake_helm):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    old_in_use = ht.spool_one({"stdout": "kind: Kept\n"}, str(spool_dir))["stdout_file"]
    old_unused = ht.spool_one({"stdout": "kind: Gone\n"}, str(spool_dir))["stdout_file"]
    two_days_ago = time.time() - 2 * 86400
    for path in (old_in_use, old_unused):
        os.utime(path, (two_days_ago, two_days_ago))
    ht.spool_one({"stdout": "kind: Kept\n"}, str(spool_dir))
    # a later spooling render prunes the folder
    ht.template_all(fake_helm, [{"chart_ref": str(tmp_path), "release_name": "a"}], spool_dir=str(spool_dir))
    assert os.path.exists(old_in_use) and not os.path.exists(old_unused)


def test_output_of_a_result_that_was_not_spooled_is_its_stdout():
    assert ht.output_of({"stdout": "kind: X\n"}) == "kind: X\n"


# ------------------------------------------------------------------ renders reused from the spool
@pytest.fixture
def counting_helm(tmp_path, fake_helm):
    """fake_helm that also appends a line to calls.log each time it runs."""
    path = tmp_path / "counting-helm"
    path.write_text("#!/bin/sh\necho run >> %s\nexec %s \"$@\"\n" % (tmp_path / "calls.log", fake_helm))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _helm_runs(tmp_path):
    log = tmp_path / "calls.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def chart_dir(tmp_path):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("name: c\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\n")
    return chart


def test_a_render_with_the_same_inputs_is_reused_and_reads_back_the_same(tmp_path, counting_helm, chart_dir):
    spool_dir = str(tmp_path / "spool")
    release = {"chart_ref": str(chart_dir), "release_name": "a", "release_namespace": "ns",
               "release_values": {"x": 1}, "include_crds": True}
    first = ht.template_all(counting_helm, [release, dict(release)], spool_dir=spool_dir)
    assert _helm_runs(tmp_path) == 1  # the second waited for the first one's render
    assert sorted(r["reused"] for r in first) == [False, True]
    again = ht.template_all(counting_helm, [release], spool_dir=spool_dir)
    assert _helm_runs(tmp_path) == 1 and again[0]["reused"] is True
    assert ht.output_of(again[0]) == ht.output_of(first[0]) and "stdout" not in again[0]
    assert {k: again[0][k] for k in ("chart_ref", "release_name", "release_namespace", "rc", "command", "stderr")} \
        == {k: first[0][k] for k in ("chart_ref", "release_name", "release_namespace", "rc", "command", "stderr")}


@pytest.mark.parametrize("change", ["values", "name", "namespace", "crds", "chart file", "chart archive", "helm",
                                    "HELM_ env", "output pruned"])
def test_a_render_is_done_again_when_anything_it_depends_on_changed(tmp_path, counting_helm, chart_dir, change,
                                                                     monkeypatch):
    spool_dir = tmp_path / "spool"
    archive = tmp_path / "c-1.0.0.tgz"
    archive.write_bytes(b"archive one")
    release = {"chart_ref": str(archive if change == "chart archive" else chart_dir), "release_name": "a",
               "release_namespace": "ns", "release_values": {"x": 1}}
    first = ht.template_all(counting_helm, [release], spool_dir=str(spool_dir))[0]
    if change == "values":
        release["release_values"] = {"x": 2}
    elif change == "name":
        release["release_name"] = "b"
    elif change == "namespace":
        release["release_namespace"] = "other"
    elif change == "crds":
        release["include_crds"] = True
    elif change == "chart file":
        (chart_dir / "templates" / "cm.yaml").write_text("kind: ConfigMap\nmetadata: {}\n")
    elif change == "chart archive":
        archive.write_bytes(b"archive two, a new size")
    elif change == "helm":
        os.utime(counting_helm, ns=(time.time_ns(), time.time_ns() + 10 ** 9))
    elif change == "HELM_ env":
        monkeypatch.setenv("HELM_KUBEVERSION", "1.31.0")
    elif change == "output pruned":
        os.unlink(first["stdout_file"])
    second = ht.template_all(counting_helm, [release], spool_dir=str(spool_dir))[0]
    assert _helm_runs(tmp_path) == 2 and second["reused"] is False


def test_a_failed_render_is_not_remembered(tmp_path, counting_helm, chart_dir):
    release = {"chart_ref": str(chart_dir), "release_name": "fail-me"}
    for runs in (1, 2):
        with pytest.raises(HelmTemplateError, match="fail-me asked to fail"):
            ht.template_all(counting_helm, [release], spool_dir=str(tmp_path / "spool"))
        assert _helm_runs(tmp_path) == runs
