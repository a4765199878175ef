# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Action plugin of appmod.agent_platform.render_tree (documentation: plugins/modules/render_tree.py).

Runs on the controller: no module is sent anywhere. The logic is plugins/plugin_utils/render_tree.py.
"""
from __future__ import annotations

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import render_tree

ARGUMENT_SPEC = dict(
    root=dict(type="path", required=True),
    files=dict(type="dict", required=True),
    prune=dict(type="list", elements="str", default=[]),
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
        files = {str(k): v for k, v in args["files"].items()}
        try:
            plan = render_tree.plan(args["root"], files, args["prune"])
            if not self._task.check_mode:
                render_tree.apply(plan)
        except (render_tree.RenderTreeError, OSError) as exc:
            raise AnsibleActionFail("render_tree: %s" % exc) from exc
        result.update(
            changed=plan.changed,
            root=plan.root,
            written=plan.paths("write", "chmod"),
            deleted=plan.paths("delete"),
            directories=plan.paths("mkdir", "chmod_dir"),
        )
        if self._task.diff and plan.changed:
            result["diff"] = render_tree.diffs(plan, max_diff_size=C.MAX_FILE_SIZE_FOR_DIFF)
        return result
