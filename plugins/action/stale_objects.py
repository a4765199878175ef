"""Action plugin of appmod.agent_platform.stale_objects (documentation: plugins/modules/stale_objects.py).

Runs on the controller with the kubernetes client; the logic is plugins/plugin_utils/dryrun.py.
"""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun, k8s_read
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    NAME = "stale_objects"
    ARGUMENT_SPEC = dict(
        manifests=dict(type="str"),
        manifest_file=dict(type="path"),
        kubeconfig=dict(type="path"),
    )
    # YAML, kubeconfig and API errors, named for the task
    ERRORS = (Exception,)

    def work(self, args):
        if (args["manifests"] is None) == (args["manifest_file"] is None):
            raise ValueError("give one of manifests and manifest_file")
        if args["manifest_file"]:
            with open(args["manifest_file"], encoding="utf-8") as stream:
                text = stream.read()
        else:
            text = args["manifests"]
        objects = dryrun.manifest_documents(text)
        api = k8s_read.api_client(args["kubeconfig"])
        try:
            return {"stale": dryrun.stale_objects(api, objects)}
        finally:
            api.close()
