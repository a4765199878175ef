# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""The live participants x components matrix of a workshop event (the workshop_progress callback's state).

Fed with what the playbook's own tasks return: the component list each participant's render sets
(``agent_platform_components``), the Argo CD Applications the wait for Synced/Healthy polls, the end of
a participant's run (done or failed). States as in status.json (plugin_utils.workshop_status), plus
``removing``/``removed`` for a teardown.

Importable by plain pytest as
``ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_progress``.
"""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import application_component
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.workshop_status import application_state

# A cell is a few characters wide so that 8 components fit in 80 columns.
CELL = {"pending": "..", "syncing": "sync", "healthy": "ok", "failed": "FAIL", "removing": "del", "removed": "gone"}


class Matrix:
    """participant -> component -> state, in the order participants and components were first seen."""

    def __init__(self):
        self.rows = {}

    def _set(self, participant, component, state):
        row = self.rows.setdefault(participant, {})
        if row.get(component) == state:
            return False
        row[component] = state
        return True

    def components(self, participant, names):
        """The participant's components, from its render; the new ones start ``pending``. True when it changed."""
        changed = participant not in self.rows
        self.rows.setdefault(participant, {})
        for name in names or []:
            if name not in self.rows[participant]:
                changed = self._set(participant, name, "pending") or changed
        return changed

    def applications(self, participant, apps, removing=False):
        """Update from the participant's Argo CD Applications (a poll's ``resources``). True when a cell changed."""
        row = self.rows.get(participant)
        if row is None:
            return False
        seen = {}
        for app in apps or []:
            name = (app.get("metadata") or {}).get("name") or ""
            component = application_component(name)
            if app.get("kind", "Application") == "Application" and component:
                seen[component] = app
        changed = False
        for component in row:
            if removing:
                state = "removing" if component in seen else "removed"
            elif component in seen:
                state = application_state(seen[component])[0]
            else:
                continue
            changed = self._set(participant, component, state) or changed
        return changed

    def finished(self, participant, removing=False):
        """The participant's run ended well: every cell healthy (or removed)."""
        row = self.rows.setdefault(participant, {})
        state = "removed" if removing else "healthy"
        return any([self._set(participant, c, state) for c in list(row) or ["-"]])

    def failed(self, participant):
        """The participant's run failed: every cell that is not healthy (or removed) is failed."""
        row = self.rows.setdefault(participant, {})
        return any([self._set(participant, c, "failed") for c, s in list(row.items()) or [("-", None)]
                    if s not in ("healthy", "removed")])

    def summary(self):
        """``3 ready, 1 failed, 16 in progress (of 20)``."""
        ready = failed = 0
        for row in self.rows.values():
            states = set(row.values())
            if "failed" in states:
                failed += 1
            elif states and (states <= {"healthy"} or states <= {"removed"}):
                ready += 1
        busy = len(self.rows) - ready - failed
        return "%d done, %d failed, %d in progress (of %d)" % (ready, failed, busy, len(self.rows))

    def line(self, participant):
        """One participant as a line: ``p03  kagent=ok jaeger=sync litellm=..``."""
        row = self.rows.get(participant) or {}
        return "%s  %s" % (participant, " ".join("%s=%s" % (c, CELL.get(s, s)) for c, s in row.items()))

    def lines(self):
        """The whole matrix: a header of components, one row per participant, the summary."""
        columns = []
        for row in self.rows.values():
            columns += [c for c in row if c not in columns]
        first = max([len("participant")] + [len(p) for p in self.rows])
        widths = [max(len(c), 4) for c in columns]
        out = ["  ".join(["participant".ljust(first)] + [c.ljust(w) for c, w in zip(columns, widths)]).rstrip()]
        for participant, row in self.rows.items():
            cells = [CELL.get(row.get(c), "").ljust(w) for c, w in zip(columns, widths)]
            out.append("  ".join([participant.ljust(first)] + cells).rstrip())
        out.append(self.summary())
        return out
