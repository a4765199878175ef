# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Action plugin of appmod.agent_platform.helm_releases (documentation: plugins/modules/helm_releases.py).

Runs on the controller; the logic is plugins/plugin_utils/helm_releases.py.
"""
from __future__ import annotations

from ansible.utils.display import Display

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_releases, helm_template, k8s_read
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction

display = Display()


class ActionModule(ControllerAction):
    NAME = "helm_releases"
    ARGUMENT_SPEC = dict(
        # Each: release_name, release_namespace, chart_ref, release_values, manifests, wave, application.
        releases=dict(type="list", elements="dict", required=True),
        # The Applications the releases came from (their sync waves) and the releases' rendered manifests, in
        # their order: what application_releases and helm_template_batch return, without re-keying them in Jinja.
        applications=dict(type="list", elements="dict", default=[]),
        manifests=dict(type="list", elements="str"),
        binary_path=dict(type="path"),
        kubeconfig=dict(type="path"),
        wait_timeout=dict(type="str", default="300s"),
        parallel=dict(type="int", default=4),
    )
    # Helm's failures, chart and kubeconfig errors and API errors (an unreachable API server), named for the task
    ERRORS = (Exception,)

    def work(self, args):
        conn = k8s_read.connection_defaults(self._task.module_defaults, self._templar.template,
                                            self.task_vars.get("omit"))
        target = {"kubeconfig": k8s_read.default_kubeconfig(args["kubeconfig"] or conn.get("kubeconfig")),
                  "context": conn.get("context")}
        helm = helm_template.resolve_binary(args["binary_path"])

        def new_cluster():
            return helm_releases.Cluster(k8s_read.api_client(target["kubeconfig"], target["context"]))

        def report(outcome):
            if outcome.get("changed") or outcome.get("failed"):
                extra = "".join(
                    ", %s %s" % (what, ", ".join(outcome[key]) if isinstance(outcome[key], list) else outcome[key])
                    for key, what in (
                        ("dropped_revision", "a run was interrupted, its dead revision dropped:"),
                        ("adopted_crds", "adopted kept CRDs"),
                        ("requeued_crds", "queued for establishing again (the API server had left them):"))
                    if outcome.get(key))
                display.display("  helm_releases: wave %s %s: %s%s (%.1f s%s)" % (
                    outcome.get("wave", "?"), outcome["release_name"], "FAILED " if outcome.get("failed") else "",
                    ("would " if self._task.check_mode else "") + outcome.get("action", ""), outcome.get("seconds", 0),
                    extra))

        releases = helm_releases.with_waves(args["releases"], args["applications"], args["manifests"])
        outcomes = helm_releases.converge(releases, new_cluster, helm, args["wait_timeout"], target,
                                          check_mode=bool(self._task.check_mode), parallel=args["parallel"],
                                          report=report, major=helm_releases.helm_major(helm))
        result = {"results": [{k: v for k, v in o.items() if k != "diff"} for o in outcomes],
                  "changed": any(o["changed"] for o in outcomes)}
        if self._task.diff:
            result["diff"] = [o["diff"] for o in outcomes if o.get("diff")]
        return result
