# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""kubernetes.core.k8s's own code (its argument spec and ``run_module``), run in the controller's process.

Importable by plain pytest; the action plugin ``plugins/action/k8s_write.py`` is a thin wrapper.

A module run of kubernetes.core.k8s costs about a second before it sends anything: Ansible packs the module,
starts a Python on the target, which imports the Kubernetes client and reads the API server's discovery. The
target here is always the controller itself, so this runs the same ``run_module`` in the worker that already has
all of that loaded: every create, patch, server-side apply, delete, wait, check mode and diff is still
kubernetes.core's, only the AnsibleModule it talks to answers from memory (:class:`InProcessModule`).
"""
from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

# kubernetes.core.k8s's main() passes these to AnsibleModule (6.2.0); its argspec() holds the rest.
MUTUALLY_EXCLUSIVE = [
    ("resource_definition", "src"),
    ("merge_type", "apply"),
    ("template", "resource_definition"),
    ("template", "src"),
    ("name", "generate_name"),
]


class ModuleExit(Exception):
    """What the module would have printed: its result (``failed`` set by fail_json)."""

    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


class InProcessModule:
    """The part of AnsibleModule that kubernetes.core's AnsibleK8SModule and runner use: validated ``params``,
    ``check_mode``, ``_diff``, warnings, and exit_json / fail_json that end the run with its result."""

    def __init__(self, params, check_mode=False, diff=False, argument_spec=None, mutually_exclusive=None,
                 supports_check_mode=True, **_ignored):
        validated = ArgumentSpecValidator(argument_spec or {}, mutually_exclusive=mutually_exclusive).validate(params)
        if validated.error_messages:
            raise ModuleExit({"failed": True, "msg": "; ".join(validated.error_messages)})
        self.params = validated.validated_parameters
        self.check_mode = bool(check_mode) and supports_check_mode
        self._diff = bool(diff)
        self._name = "kubernetes.core.k8s"
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(str(warning))

    def deprecate(self, msg, **_kwargs):
        self.warnings.append("deprecated: %s" % msg)

    def debug(self, _msg):
        return None

    def exit_json(self, **result):
        if self.warnings:
            result.setdefault("warnings", []).extend(self.warnings)
        raise ModuleExit(result)

    def fail_json(self, **result):
        result["failed"] = True
        self.exit_json(**result)


def run(params, check_mode=False, diff=False):
    """Run kubernetes.core.k8s with ``params`` (its options, as a task gives them) in this process; its result."""
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.runner import run_module
    from ansible_collections.kubernetes.core.plugins.modules.k8s import argspec

    def module_class(**kwargs):
        return InProcessModule(params, check_mode, diff, **kwargs)

    try:
        module = AnsibleK8SModule(module_class=module_class, argument_spec=argspec(),
                                  mutually_exclusive=MUTUALLY_EXCLUSIVE, supports_check_mode=True)
        try:
            run_module(module)
        except CoreException as exc:
            module.fail_from_exception(exc)
    except ModuleExit as done:
        return done.result
    return {"failed": True, "msg": "kubernetes.core.k8s ended without a result"}
