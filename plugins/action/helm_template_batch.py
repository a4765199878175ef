# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Action plugin of appmod.agent_platform.helm_template_batch (documentation: plugins/modules/helm_template_batch.py).

Runs on the controller: no module is sent anywhere. The logic is plugins/plugin_utils/helm_template.py.
"""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_template
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    NAME = "helm_template_batch"
    ARGUMENT_SPEC = dict(
        binary_path=dict(type="path"),
        # Each: chart_ref, release_name, release_namespace, release_values, include_crds (checked by plugin_utils);
        # other keys (the results of application_releases carry more) are not Helm's business and are dropped.
        releases=dict(type="list", elements="dict", required=True),
        spool_dir=dict(type="path"),
    )

    def work(self, args):
        binary = helm_template.resolve_binary(args["binary_path"])
        releases = [{k: r.get(k) for k in helm_template.RELEASE_KEYS if r.get(k) is not None}
                    if isinstance(r, dict) else r for r in args["releases"]]
        try:
            return {"results": helm_template.template_all(binary, releases, spool_dir=args["spool_dir"])}
        except helm_template.HelmTemplateError as exc:
            # Not the manifests rendered before the failure (they can be long and hold values): its index.
            fields = {"failed": True, "msg": "helm_template_batch: %s" % exc, "failed_index": len(exc.results)}
            if exc.result:
                fields.update(command=exc.result["command"], rc=exc.result["rc"], stderr=exc.result["stderr"])
            return fields
