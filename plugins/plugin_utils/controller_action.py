# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The one skeleton of this collection's controller-side actions (helm_template_batch, render_tree,
application_releases, stale_objects): nothing is sent to a host, the arguments are validated against the
action's spec, and the errors it expects become a failed result named after the action."""
from __future__ import annotations

from ansible.plugins.action import ActionBase


class ControllerAction(ActionBase):
    """Subclasses set NAME, ARGUMENT_SPEC and ERRORS, and implement work(args) -> result fields."""

    TRANSFERS_FILES = False
    _requires_connection = False
    # They read, render or write on the controller only: they run in check mode too (work() decides what a
    # check run may do).
    _supports_check_mode = True
    _supports_async = False
    NAME = ""
    ARGUMENT_SPEC: dict = {}
    ERRORS: tuple = ()

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        self.task_vars = task_vars or {}
        _, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        try:
            result.update(self.work(args))
        except self.ERRORS as exc:
            result.update(failed=True, msg="%s: %s" % (self.NAME, exc))
            result.update(getattr(exc, "result_fields", {}) or {})
        result.setdefault("changed", False)
        return result

    def work(self, args):  # pragma: no cover - every subclass implements it
        raise NotImplementedError
