# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Action plugin of appmod.agent_platform.k8s_write (documentation: plugins/modules/k8s_write.py).

Runs kubernetes.core.k8s's own code in the controller process; the logic is plugins/plugin_utils/k8s_write.py.
"""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import k8s_read, k8s_write
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction

# Where a play sets kubernetes.core.k8s's connection: its action group, or the module itself.
DEFAULTS_KEYS = ("group/kubernetes.core.k8s", "kubernetes.core.k8s")


class ActionModule(ControllerAction):
    NAME = "k8s_write"
    # kubernetes.core.k8s validates its own options (with its argspec) when it runs
    ERRORS = (Exception,)

    def run(self, tmp=None, task_vars=None):
        # Every kubernetes.core.k8s option, as given: its own argument spec judges them in k8s_write.run.
        self.ARGUMENT_SPEC = {name: dict(type="raw") for name in self._task.args}
        return super().run(tmp, task_vars)

    def work(self, args):
        params = k8s_read.connection_defaults(self._task.module_defaults, self._templar.template,
                                              self.task_vars.get("omit"), keys=DEFAULTS_KEYS)
        params.update(self._task.args)
        result = k8s_write.run(params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff))
        result.setdefault("changed", False)
        return result
