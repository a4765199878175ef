# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Action plugin of appmod.agent_platform.helm_template_batch (documentation: plugins/modules/helm_template_batch.py).

Runs on the controller: no module is sent anywhere. The logic is plugins/plugin_utils/helm_template.py.
"""
from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template

ARGUMENT_SPEC = dict(
    binary_path=dict(type="path"),
    releases=dict(type="list", elements="dict", required=True, options=dict(
        chart_ref=dict(type="path", required=True),
        release_name=dict(type="str"),
        release_namespace=dict(type="str"),
        release_values=dict(type="dict"),
    )),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    # Only reads charts and writes nothing: it runs in check mode too, so a check run sees real manifests.
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            binary = helm_template.resolve_binary(args["binary_path"])
            result["results"] = helm_template.template_all(binary, args["releases"])
        except helm_template.HelmTemplateError as exc:
            result.update(failed=True, msg="helm_template_batch: %s" % exc, results=exc.results)
            if exc.result:
                result.update(command=exc.result["command"], rc=exc.result["rc"], stderr=exc.result["stderr"])
            return result
        result["changed"] = False
        return result
