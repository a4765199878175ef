"""k8s_write: kubernetes.core.k8s's own run_module, answered in this process.

The writes against a real API server (create, merge, server-side apply, delete with wait, check mode) are every
converge and removal of tests/components, tests/molecule and the workshop suites; here the module stand-in.
"""
from __future__ import annotations

import pytest

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import k8s_write

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "agent-platform"}}


def test_an_option_kubernetes_core_refuses_is_named():
    result = k8s_write.run({"state": "replaced", "definition": NAMESPACE})
    assert result["failed"] and "state" in result["msg"] and "replaced" in result["msg"]


def test_options_it_cannot_take_together_are_refused():
    result = k8s_write.run({"definition": NAMESPACE, "src": "/tmp/ns.yaml"})
    assert result["failed"] and "mutually exclusive" in result["msg"]


def test_an_unreadable_kubeconfig_fails_with_kubernetes_cores_message(tmp_path):
    missing = tmp_path / "kubeconfig"
    result = k8s_write.run({"definition": NAMESPACE, "kubeconfig": str(missing)})
    assert result["failed"] and "Could not create API client" in result["msg"]


def test_the_module_stand_in_takes_defaults_and_check_and_diff_modes():
    spec = {"state": {"default": "present", "choices": ["present", "absent"]}, "wait": {"type": "bool"}}
    module = k8s_write.InProcessModule({"wait": "yes"}, check_mode=True, diff=True, argument_spec=spec)
    assert module.params == {"state": "present", "wait": True}
    assert module.check_mode and module._diff
    module.warn("careful")
    with pytest.raises(k8s_write.ModuleExit) as done:
        module.fail_json(msg="it broke")
    assert done.value.result == {"msg": "it broke", "failed": True, "warnings": ["careful"]}
