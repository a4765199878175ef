"""k8s_read takes the connection a kubernetes.core.k8s_info task of the same play would get."""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.k8s_read import connection_defaults, lookup_terms

OMIT = "__omit_place_holder__x"


def _template(mapping):
    assert isinstance(mapping, dict)  # templated as one mapping, never value by value
    values = {"{{ kc }}": "/tmp/kc", "{{ none | default(omit) }}": OMIT}
    return {k: values.get(v, v) for k, v in mapping.items()}


def test_group_and_module_defaults_merge_innermost_last():
    defaults = [{"group/kubernetes.core.k8s": {"kubeconfig": "{{ kc }}", "context": "a"}},
                {"kubernetes.core.k8s_info": {"context": "b"}, "kubernetes.core.helm": {"context": "c"}}]
    assert connection_defaults(defaults, _template, OMIT) == {"kubeconfig": "/tmp/kc", "context": "b"}


def test_omitted_and_foreign_options_left_out():
    defaults = [{"group/kubernetes.core.k8s": {"kubeconfig": "{{ none | default(omit) }}", "wait": True}}]
    assert connection_defaults(defaults, _template, OMIT) == {}
    assert connection_defaults(None, _template, OMIT) == {}


def test_lookup_terms():
    args = {"api_version": "argoproj.io/v1alpha1", "kind": "Application", "name": None, "namespace": "argocd",
            "label_selectors": ["a=b", "c"], "field_selectors": []}
    assert lookup_terms(args) == {"api_version": "argoproj.io/v1alpha1", "kind": "Application",
                                  "namespace": "argocd", "label_selector": "a=b,c"}
    assert lookup_terms(dict(args, name="x", label_selectors=[]))["resource_name"] == "x"


def test_merge_drift():
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.k8s_read import merge_drift

    live = {"metadata": {"name": "a", "labels": {"x": "1", "other": "kept"}, "uid": "u"},
            "spec": {"list": [1, 2], "n": 3}}
    assert merge_drift(live, {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"list": [1, 2]}}) == []
    assert merge_drift(live, {"metadata": {"labels": {"x": "2", "y": "1"}}}) == ["metadata.labels.x", "metadata.labels.y"]
    assert merge_drift(live, {"spec": {"list": [1]}}) == ["spec.list"]  # a merge patch replaces a list
    assert merge_drift(live, {"spec": {"n": {"a": 1}}}) == ["spec.n"]
    assert merge_drift(None, {"metadata": {"name": "a"}}) == ["(missing)"]


def test_drifted():
    from ansible_collections.appmod.agent_platform.plugins.plugin_utils.k8s_read import drifted

    a = {"metadata": {"name": "a", "namespace": "argocd"}, "spec": {"x": 1}}
    b = {"metadata": {"name": "b", "namespace": "argocd"}, "spec": {"x": 1}}
    live = [dict(a, status={"sync": "Synced"}), {"metadata": {"name": "b", "namespace": "argocd"}, "spec": {"x": 2}}]
    assert drifted([a, b], live) == [b]
    assert drifted([a], []) == [a]
    assert drifted([a], [{"metadata": {"name": "a", "namespace": "other"}, "spec": {"x": 1}}]) == [a]
