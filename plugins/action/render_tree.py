# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Action plugin of appmod.agent_platform.render_tree (documentation: plugins/modules/render_tree.py).

Runs on the controller: no module is sent anywhere. The logic is plugins/plugin_utils/render_tree.py.
"""
from __future__ import annotations

from ansible import constants as C
from ansible_collections.appmod.agent_platform.plugins.plugin_utils import render_tree
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    NAME = "render_tree"
    ARGUMENT_SPEC = dict(
        root=dict(type="path", required=True),
        files=dict(type="dict", required=True),
        prune=dict(type="list", elements="str", default=[]),
    )
    ERRORS = (render_tree.RenderTreeError, OSError)

    def work(self, args):
        files = {str(k): v for k, v in args["files"].items()}
        plan = render_tree.plan(args["root"], files, args["prune"])
        if not self._task.check_mode:
            render_tree.apply(plan)
        result = dict(
            changed=plan.changed,
            root=plan.root,
            written=plan.paths("write", "chmod"),
            deleted=plan.paths("delete"),
            directories=plan.paths("mkdir", "chmod_dir"),
        )
        if self._task.diff and plan.changed:
            result["diff"] = render_tree.diffs(plan, max_diff_size=C.MAX_FILE_SIZE_FOR_DIFF)
        return result
