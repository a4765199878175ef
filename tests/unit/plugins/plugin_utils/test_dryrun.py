"""The pure parts of the server-side dry run (plugins/plugin_utils/dryrun.py): where a refused field is in an
object, which values level set it, and the message a user reads. The API server's side is in
tests/cluster/test_server_validation.py."""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun

NAMES = ["component chart defaults", "level 2 (bridge)", "level 3 (bootstrap)", "level 4 (environment)",
         "level 5 (tenant)", "level 6 (cluster overrides)"]
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "litellm", "namespace": "agent-platform"},
              "spec": {"template": {"spec": {"containers": [
                  {"name": "c", "resources": {"requests": {"cpu": "2", "memory": "512Mi"}, "limits": {"cpu": "1"}}}]}}}}
REFUSAL = {"object": "Deployment agent-platform/litellm",
           "message": 'Deployment.apps "litellm" is invalid: spec.template.spec.containers[0].resources.requests: '
                      'Invalid value: "2": must be less than or equal to cpu limit of 1',
           "fields": ["spec.template.spec.containers[0].resources.requests"]}
LEVELS = [{"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}, None,
          {"resources": {"requests": {"memory": "512Mi"}}}, None, None, {"resources": {"requests": {"cpu": "2"}}}]


def test_locate_walks_fields_and_indexes():
    assert dryrun.locate(DEPLOYMENT, "spec.template.spec.containers[0].resources.limits") == {"cpu": "1"}
    assert dryrun.locate(DEPLOYMENT, "spec.template.spec.containers[3].resources") is None
    assert dryrun.locate(DEPLOYMENT, "spec.replicas") is None
    assert dryrun.locate(DEPLOYMENT, "") is None


def test_blame_names_the_level_of_the_quoted_value_only():
    assert dryrun.blame(REFUSAL, DEPLOYMENT, LEVELS, NAMES) == [("resources.requests.cpu", 6, "2")]


def test_blame_without_a_quoted_value_names_every_user_set_leaf_of_the_field():
    refusal = dict(REFUSAL, message="spec.template.spec.containers[0].resources.requests: Forbidden")
    assert dryrun.blame(refusal, DEPLOYMENT, LEVELS, NAMES) == [
        ("resources.requests.cpu", 6, "2"), ("resources.requests.memory", 3, "512Mi")]


def test_chart_defaults_and_fieldless_refusals_blame_nobody():
    assert dryrun.blame(dict(REFUSAL, fields=[]), DEPLOYMENT, LEVELS, NAMES) == []
    assert dryrun.blame(REFUSAL, DEPLOYMENT, [{"resources": {"requests": {"cpu": "2"}}}], NAMES) == []


def test_message_names_host_component_object_and_level():
    problem = dict(REFUSAL, host="p01", component="litellm", blame=[("resources.requests.cpu", 6, "2")])
    text = dryrun.message(problem, NAMES)
    assert text.startswith("p01: component litellm: Deployment agent-platform/litellm: ")
    assert text.endswith('[resources.requests.cpu="2" was set by level 6 (cluster overrides)]')
    assert dryrun.message(dict(problem, blame=[("x", 1, 0)]), NAMES).endswith(
        "[x=0 was set by level 1 (component chart defaults)]")


def test_pods_waiting_for_their_account_are_not_a_problem_on_a_target():
    assert dryrun._waits_for_account({"object": "Deployment a/b (its pods)",
                                      "message": 'pods "b" is forbidden: error looking up service account a/b: serviceaccount "b" not found'})
    assert not dryrun._waits_for_account({"object": "Deployment a/b", "message": 'serviceaccount "b" not found'})


def test_crd_kinds_lists_every_served_version():
    crd = {"kind": "CustomResourceDefinition", "spec": {"group": "kagent.dev", "names": {"kind": "Agent"},
                                                         "versions": [{"name": "v1alpha1"}, {"name": "v1alpha2"}]}}
    assert dryrun._crd_kinds([crd, DEPLOYMENT]) == {("kagent.dev/v1alpha1", "Agent"), ("kagent.dev/v1alpha2", "Agent")}


def test_pod_of_a_statefulset_mounts_its_claims():
    sts = {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}},
        "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}
    pod = dryrun.pod_of(sts, "ns")
    assert pod["metadata"] == {"name": "db-dryrun", "namespace": "ns", "labels": {"a": "b"}}
    assert pod["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}]


def test_blame_reads_pod_security_key_value_pairs():
    refusal = {"object": "Deployment agent-platform/litellm (its pods)", "fields": [],
               "message": 'pods "litellm-dryrun" is forbidden: violates PodSecurity "restricted:latest": runAsUser=0 '
                          '(pod must not set runAsUser=0)'}
    levels = [{"podSecurityContext": {"runAsUser": 65532}}, None, None, None, None, {"podSecurityContext": {"runAsUser": 0}}]
    assert dryrun.blame(refusal, {}, levels, NAMES) == [("podSecurityContext.runAsUser", 6, 0)]


def test_blame_reads_pod_security_inequalities_without_blaming_compliant_levels():
    refusal = {"object": "Deployment agent-platform/jaeger (its pods)", "fields": [],
               "message": 'pods "jaeger-dryrun" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation '
                          '!= false (container "jaeger" must set securityContext.allowPrivilegeEscalation=false)'}
    levels = [{}, {"securityContext": {"allowPrivilegeEscalation": False}}, None, None, None,
              {"securityContext": {"allowPrivilegeEscalation": True}}]
    assert dryrun.blame(refusal, {}, levels, NAMES) == [("securityContext.allowPrivilegeEscalation", 6, True)]


STREAM = """---
# Source: chart/templates/crd.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.io
spec:
  description: |
    a block scalar whose lines
    --- look like a marker when indented
---
# Source: chart/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
---
"""


def test_manifest_documents_are_what_the_yaml_parser_gives():
    import yaml

    assert dryrun.manifest_documents(STREAM) == [d for d in yaml.safe_load_all(STREAM) if d]
    assert dryrun.manifest_documents("") == [] and dryrun.manifest_documents(None) == []


def test_manifest_documents_skip_known_texts_and_record_crds():
    seen = {}
    first = dryrun.manifest_documents(STREAM, seen=seen)
    assert [o["metadata"]["name"] for o in seen.values()] == ["widgets.example.io"]  # CRDs only
    key = next(iter(seen))
    known = {key: dict(first[0], marker="from the cache")}
    again = dryrun.manifest_documents(STREAM, known=known)
    assert again[0]["marker"] == "from the cache" and again[1] == first[1]
    again[0]["marker"] = "changed by a caller"
    assert known[key]["marker"] == "from the cache"  # callers get a copy


def test_render_digest_reads_what_is_applied_not_how_helm_was_called(tmp_path):
    render = {"host": "h", "releases": [{"component": "kagent"}], "objects": [{"kind": "Secret"}],
              "rendered": [{"stdout": "kind: ConfigMap\n", "command": "helm template -f=/tmp/tmpa.yml"}]}
    same = dict(render, rendered=[{"stdout": "kind: ConfigMap\n", "command": "helm template -f=/tmp/tmpb.yml"}])
    other = dict(render, rendered=[{"stdout": "kind: Secret\n", "command": "helm template -f=/tmp/tmpa.yml"}])
    assert dryrun.render_digest([render]) == dryrun.render_digest([same])
    assert dryrun.render_digest([render]) != dryrun.render_digest([other])
    bundle = tmp_path / "crds.yaml"
    bundle.write_text("a: 1\n")
    with_file = dict(render, manifest_files=[str(bundle)])
    before = dryrun.render_digest([with_file])
    bundle.write_text("a: 12\n")
    assert dryrun.render_digest([with_file]) != before


def test_accepted_key_changes_with_any_judge():
    judges = [("namespaces", "", "agent-platform", "uid-1", "10", False)]
    key = dryrun.accepted_key("https://127.0.0.1:6443", "d1", judges)
    assert key == dryrun.accepted_key("https://127.0.0.1:6443", "d1", list(judges))
    assert key != dryrun.accepted_key("https://127.0.0.1:6443", "d2", judges)
    assert key != dryrun.accepted_key("https://127.0.0.1:6444", "d1", judges)
    assert key != dryrun.accepted_key("https://127.0.0.1:6443", "d1", [("namespaces", "", "agent-platform", "uid-1", "11", False)])


def test_accepted_renders_are_remembered_newest_first(tmp_path):
    cache = str(tmp_path / "dry-run" / "accepted.json")
    assert dryrun.accepted_before(cache, "k") is None
    for i in range(dryrun.ACCEPTED_KEPT + 5):
        dryrun.remember_accepted(cache, "k%d" % i, when=1000.0 + i)
    assert dryrun.accepted_before(cache, "k0") is None  # the oldest are forgotten
    assert dryrun.accepted_before(cache, "k%d" % (dryrun.ACCEPTED_KEPT + 4)) == 1000.0 + dryrun.ACCEPTED_KEPT + 4
    (tmp_path / "dry-run" / "accepted.json").write_text("not json")
    assert dryrun.accepted_before(cache, "k1") is None  # a damaged file is an empty one
    dryrun.remember_accepted(cache, "k1", when=5.0)
    assert dryrun.accepted_before(cache, "k1") == 5.0
