# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
"""Filters merge_values, values_provenance, merge_user_values and values_blame: thin wrappers around
plugins/plugin_utils/helm_values.py. Their documentation lives in merge_values.yml,
values_provenance.yml, merge_user_values.yml and values_blame.yml next to this file (one doc file per filter)."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_values


def _wrap(func):
    def filter_(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except helm_values.HelmValuesError as exc:
            raise AnsibleFilterError(str(exc)) from exc

    filter_.__name__ = func.__name__
    filter_.__doc__ = func.__doc__
    return filter_


class FilterModule:
    """Helm values merge filters."""

    def filters(self):
        return {
            "merge_values": _wrap(helm_values.merge_values),
            "values_provenance": _wrap(helm_values.values_provenance),
            "merge_user_values": _wrap(helm_values.merge_user_values),
            "values_blame": _wrap(helm_values.blame),
        }
