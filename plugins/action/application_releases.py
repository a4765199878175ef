"""Action plugin of appmod.agent_platform.application_releases (documentation: plugins/modules/application_releases.py).

Runs on the controller: no module is sent anywhere. The logic is plugins/plugin_utils/charts.py.
"""
from __future__ import annotations

import os

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue, charts, helm_template
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    NAME = "application_releases"
    ARGUMENT_SPEC = dict(
        applications=dict(type="list", elements="dict", required=True),
        collection_root=dict(type="path", required=True),
        cache_dir=dict(type="path", required=True),
        binary_path=dict(type="path"),
    )
    ERRORS = (catalogue.CatalogueError, charts.ChartError, helm_template.HelmTemplateError, OSError)

    def work(self, args):
        binary = helm_template.resolve_binary(args["binary_path"])
        data = catalogue.load(args["collection_root"])
        return {"releases": charts.releases(args["applications"], args["collection_root"],
                                            os.path.expanduser(args["cache_dir"]), binary,
                                            keys=catalogue.keys(data), mains=catalogue.mains(data))}
