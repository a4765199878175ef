# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: workshop_progress
type: stdout
short_description: The default output, with a live participants x components matrix for workshop events
version_added: 0.3.0
description:
  - Prints what C(ansible.builtin.default) prints, except in a play that sets the play variable
    C(workshop_event_progress_matrix) (the provisioning play of C(playbooks/workshop-event.yml)).
  - There, on a terminal, the participants' task lines give way to one matrix (participants x components,
    C(..) pending, C(sync) syncing, C(ok) healthy, C(FAIL) failed, C(del)/C(gone) during a teardown) redrawn
    in place as each participant's Argo CD Applications move; failures are still printed in full. Not on a
    terminal (CI logs), the default lines stay and a C([progress]) line is added whenever a participant's row
    changes.
  - States come from the tasks' own results (the render's component list, the polls of the wait for Synced
    and Healthy, the end of each participant's run); the callback asks nothing of the cluster.
  - Logic in C(plugin_utils/workshop_progress.py).
extends_documentation_fragment:
  - default_callback
  - result_format_callback
requirements:
  - set as the stdout callback (this collection's C(ansible.cfg) does; or C(ANSIBLE_STDOUT_CALLBACK))
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# stdout_callback = appmod.agent_platform.workshop_progress

# or for one run:
# ANSIBLE_STDOUT_CALLBACK=appmod.agent_platform.workshop_progress ansible-playbook playbooks/workshop-event.yml -i events/example.yml
"""

import sys

from ansible.plugins.callback.default import CallbackModule as DefaultCallback

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_progress import Matrix

PLAY_FLAG = "workshop_event_progress_matrix"
PARTICIPANTS_GROUP = "participants"


class CallbackModule(DefaultCallback):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "appmod.agent_platform.workshop_progress"

    def __init__(self):
        super().__init__()
        self._matrix = Matrix()
        self._flagged = False  # this play shows the matrix
        self._removing = False
        self._drawn = 0  # lines of the matrix on screen, redrawn in place
        self._tty = sys.stdout.isatty()

    # ---- what the results say ------------------------------------------------------------------------
    @staticmethod
    def _participant(host):
        return host.get_name() if any(g.name == PARTICIPANTS_GROUP for g in host.get_groups()) else None

    def _observe(self, result, failed=False):
        """Update the matrix from one result of a participant; the participant when its row changed."""
        who = self._participant(result.host)
        if who is None:
            return None
        res = result.result if isinstance(result.result, dict) else {}
        facts = res.get("ansible_facts") or {}
        changed = False
        if failed:
            changed = self._matrix.failed(who)
        elif facts.get("agent_platform_components") is not None:
            changed = self._matrix.components(who, facts["agent_platform_components"])
        elif facts.get("__workshop_event_done") and self._flagged:
            changed = self._matrix.finished(who, self._removing)
        elif isinstance(res.get("resources"), list):
            changed = self._matrix.applications(who, res["resources"], self._removing)
        return who if changed else None

    def _compact(self, result):
        return self._flagged and self._tty and self._participant(result.host) is not None

    def _show(self, who):
        if not who or not self._flagged:
            return
        if not self._tty:
            self._display.display("[progress] %s | %s" % (self._matrix.line(who), self._matrix.summary()))
            return
        lines = self._matrix.lines()
        if self._drawn:
            # cursor up to the matrix's first line and clear to the end of the screen
            self._display.display("\x1b[%dF\x1b[J" % self._drawn, newline=False)
        for line in lines:
            self._display.display(line)
        self._drawn = len(lines)

    # ---- the default callback's events ---------------------------------------------------------------
    def v2_playbook_on_play_start(self, play):
        self._drawn = 0
        self._flagged = bool(play.get_vars().get(PLAY_FLAG))
        extra = play.get_variable_manager().extra_vars if play.get_variable_manager() else {}
        self._removing = str(extra.get("state", "present")) in ("absent", "expired")
        super().v2_playbook_on_play_start(play)

    def v2_playbook_on_task_start(self, task, is_conditional):
        if self._flagged and self._tty:
            return  # the matrix stands for the participants' task banners; a failure prints its own
        super().v2_playbook_on_task_start(task, is_conditional)

    def v2_runner_on_start(self, host, task):
        if not (self._flagged and self._tty):
            super().v2_runner_on_start(host, task)

    def v2_runner_on_ok(self, result):
        who = self._observe(result)
        if not self._compact(result):
            super().v2_runner_on_ok(result)
        self._show(who)

    def v2_runner_retry(self, result):
        who = self._observe(result)
        if not self._compact(result):
            super().v2_runner_retry(result)
        self._show(who)

    def v2_runner_on_skipped(self, result):
        if not self._compact(result):
            super().v2_runner_on_skipped(result)

    def v2_runner_item_on_ok(self, result):
        if not self._compact(result):
            super().v2_runner_item_on_ok(result)

    def v2_runner_item_on_skipped(self, result):
        if not self._compact(result):
            super().v2_runner_item_on_skipped(result)

    def v2_playbook_on_include(self, included_file):
        if not (self._flagged and self._tty):
            super().v2_playbook_on_include(included_file)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        who = None if ignore_errors else self._observe(result, failed=True)
        super().v2_runner_on_failed(result, ignore_errors)
        self._drawn = 0  # the failure was printed below the matrix: draw it anew under it
        self._show(who)
