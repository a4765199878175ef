"""Action plugin of appmod.agent_platform.stale_objects (documentation: plugins/modules/stale_objects.py).

Runs on the controller with the kubernetes client; the logic is plugins/plugin_utils/dryrun.py.
"""
from __future__ import annotations

import os

import yaml
from ansible.plugins.action import ActionBase

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun

ARGUMENT_SPEC = dict(
    manifests=dict(type="str", required=True),
    kubeconfig=dict(type="path"),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            from kubernetes import config

            objects = [d for d in yaml.safe_load_all(args["manifests"]) if d]
            kubeconfig = args["kubeconfig"] or os.environ.get("K8S_AUTH_KUBECONFIG") or None
            api = config.new_client_from_config(config_file=kubeconfig)
            try:
                result["stale"] = dryrun.stale_objects(api, objects)
            finally:
                api.close()
        except Exception as exc:  # noqa: BLE001 - YAML, kubeconfig and API errors, named for the task
            result.update(failed=True, msg="stale_objects: %s" % exc)
            return result
        result["changed"] = False
        return result
