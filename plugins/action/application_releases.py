"""Action plugin of appmod.agent_platform.application_releases (documentation: plugins/modules/application_releases.py).

Runs on the controller: no module is sent anywhere. The logic is plugins/plugin_utils/charts.py.
"""
from __future__ import annotations

import os

from ansible.plugins.action import ActionBase

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, charts, helm_template

ARGUMENT_SPEC = dict(
    applications=dict(type="list", elements="dict", required=True),
    collection_root=dict(type="path", required=True),
    cache_dir=dict(type="path", required=True),
    binary_path=dict(type="path"),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    # Reads charts and fills a download cache only: it runs in check mode too, so a check run renders.
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            binary = helm_template.resolve_binary(args["binary_path"])
            data = catalogue.load(args["collection_root"])
            result["releases"] = charts.releases(args["applications"], args["collection_root"],
                                                 os.path.expanduser(args["cache_dir"]), binary,
                                                 keys=catalogue.keys(data), mains=catalogue.mains(data))
        except (catalogue.CatalogueError, charts.ChartError, helm_template.HelmTemplateError, OSError) as exc:
            result.update(failed=True, msg="application_releases: %s" % exc)
            return result
        result["changed"] = False
        return result
