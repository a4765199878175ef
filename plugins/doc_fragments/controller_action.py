# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations


class ModuleDocFragment:
    """What every controller-side action of this collection supports (its work runs in the action plugin).

    The attribute descriptions come from ansible.builtin.action_common_attributes (and its .flow); a module
    states only what differs, e.g. the details of its check mode.
    """

    DOCUMENTATION = r"""
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
"""
