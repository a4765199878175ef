"""Action plugin of appmod.agent_platform.stale_objects (documentation: plugins/modules/stale_objects.py).

Runs on the controller with the kubernetes client; the logic is plugins/plugin_utils/dryrun.py.
"""
from __future__ import annotations

import os

import yaml

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    NAME = "stale_objects"
    ARGUMENT_SPEC = dict(
        manifests=dict(type="str", required=True),
        kubeconfig=dict(type="path"),
    )
    # YAML, kubeconfig and API errors, named for the task
    ERRORS = (Exception,)

    def work(self, args):
        from kubernetes import config

        objects = [d for d in yaml.safe_load_all(args["manifests"]) if d]
        api = config.new_client_from_config(config_file=args["kubeconfig"] or os.environ.get("K8S_AUTH_KUBECONFIG") or None)
        try:
            return {"stale": dryrun.stale_objects(api, objects)}
        finally:
            api.close()
