"""Action plugin of appmod.agent_platform.k8s_read (documentation: plugins/modules/k8s_read.py).

Reads with kubernetes.core's own k8s lookup, in the controller process; the option handling is
plugins/plugin_utils/k8s_read.py.
"""
from __future__ import annotations

from ansible.plugins.loader import lookup_loader

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import k8s_read
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    NAME = "k8s_read"
    ARGUMENT_SPEC = dict(
        api_version=dict(type="str", default="v1"),
        kind=dict(type="str", required=True),
        name=dict(type="str"),
        namespace=dict(type="str"),
        label_selectors=dict(type="list", elements="str", default=[]),
        field_selectors=dict(type="list", elements="str", default=[]),
        kubeconfig=dict(type="path"),
    )
    # kubeconfig and API errors (an unreachable API server), named for the task
    ERRORS = (Exception,)

    def work(self, args):
        conn = k8s_read.connection_defaults(self._task.module_defaults, self._templar.template,
                                            self.task_vars.get("omit"))
        if args["kubeconfig"]:
            conn["kubeconfig"] = args["kubeconfig"]
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        lookup = lookup_loader.get("kubernetes.core.k8s", loader=self._loader, templar=self._templar)
        try:
            resources = lookup.run([], variables=self.task_vars, **dict(conn, **k8s_read.lookup_terms(args)))
        except ResourceNotFoundError:
            # A kind the API server does not serve (its CRD is not installed): none, as k8s_info says it.
            return {"resources": [], "api_found": False}
        return {"resources": resources, "api_found": True}
