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
        names=dict(type="list", elements="str"),
        namespace=dict(type="str"),
        label_selectors=dict(type="list", elements="str", default=[]),
        field_selectors=dict(type="list", elements="str", default=[]),
        kubeconfig=dict(type="path"),
        metadata_only=dict(type="bool", default=False),
    )
    # kubeconfig and API errors (an unreachable API server), named for the task
    ERRORS = (Exception,)

    def work(self, args):
        if args["names"] is not None and args["name"]:
            raise ValueError("give name or names, not both")
        conn = k8s_read.connection_defaults(self._task.module_defaults, self._templar.template,
                                            self.task_vars.get("omit"))
        if args["kubeconfig"]:
            conn["kubeconfig"] = args["kubeconfig"]
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        names = args["names"] if args["names"] is not None else [args["name"]]
        if args["metadata_only"]:
            return self._metadata(conn, args, names)
        lookup = lookup_loader.get("kubernetes.core.k8s", loader=self._loader, templar=self._templar)
        try:
            resources = []
            # one read per name, in this one process (a task loop would start a worker per name)
            for name in names:
                terms = k8s_read.lookup_terms(dict(args, name=name))
                resources += lookup.run([], variables=self.task_vars, **dict(conn, **terms))
        except ResourceNotFoundError:
            # A kind the API server does not serve (its CRD is not installed): none, as k8s_info says it.
            return {"resources": [], "api_found": False}
        return {"resources": resources, "api_found": True}

    @staticmethod
    def _metadata(conn, args, names):
        """The same read with metadata only, through the client kubernetes.core's lookup would use."""
        from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        client = get_api_client(**conn)
        try:
            resource = client.resource(args["kind"], args["api_version"])
        except ResourceNotFoundError:
            return {"resources": [], "api_found": False}
        if args["label_selectors"] or args["field_selectors"]:
            raise ValueError("metadata_only reads by name (or names), without selectors")
        found = []
        for name in names:
            path = resource.path(name=name, namespace=args["namespace"] if resource.namespaced else None)
            obj = k8s_read.metadata_get(client.client.client, path, listing=not name)
            if obj is not None:
                found += [obj] if name else (obj.get("items") or [])
        return {"resources": found, "api_found": True}
