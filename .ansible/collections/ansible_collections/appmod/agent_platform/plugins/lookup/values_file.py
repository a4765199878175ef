# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: values_file
short_description: Read a Helm values file as Helm reads it
version_added: 0.1.0
description:
  - Reads a YAML values file and returns its mapping, ready for
    P(appmod.agent_platform.merge_values#filter). An empty file (or one holding only C(null)) gives C({}).
  - Scalars are resolved as Helm's YAML parser (go-yaml v2, YAML 1.1) resolves them, so the merge sees
    what Helm sees. C(y), C(yes), C(on) (and C(n), C(no), C(off)) are booleans, C(0755) and C(0o755) are
    octal integers, C(1e3) is a number, dates and times stay strings, and mapping keys become strings
    (C(1) becomes C("1"), C(true) becomes C("true")).
  - Numbers are kept as Python numbers; Helm itself turns every number into a 64-bit float, so integers
    above 2**53 lose precision in Helm but not here.
  - A file that is not valid YAML (the message gives the line and column), has several documents, or whose
    top level is not a mapping fails with a message naming the file path and, when given, the level.
  - Relative paths are looked up like other file lookups (the role's or playbook's C(files/) directory, then
    the playbook directory).
options:
  _terms:
    description: Path(s) of the values file(s). One mapping is returned per path.
    type: list
    elements: path
    required: true
  level:
    description: Level name or number (for example C(environment overrides) or C(4)) included in error messages.
    type: str
  missing_ok:
    description:
      - Return C({}) for a file that does not exist instead of failing, like Argo CD's
        C(ignoreMissingValueFiles).
    type: bool
    default: false
seealso:
  - plugin: appmod.agent_platform.merge_values
    plugin_type: filter
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Merge the component chart defaults with the environment and cluster values files
  ansible.builtin.set_fact:
    _kagent_values: >-
      {{ [lookup('appmod.agent_platform.values_file', 'gitops/charts/kagent/values.yaml', level='component chart defaults'),
          {},
          {},
          lookup('appmod.agent_platform.values_file', 'gitops/environments/dev/kagent/values.yaml',
                 level='environment overrides', missing_ok=true)]
         | appmod.agent_platform.merge_values }}
"""

RETURN = r"""
_raw:
  description: One mapping per path (a single mapping with C(lookup), a list with C(query)).
  type: list
  elements: dict
"""

import os

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.lookup import LookupBase

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import helm_values


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        level = self.get_option("level")
        missing_ok = self.get_option("missing_ok")
        results = []
        for term in terms:
            label = term if level is None else "%s (level: %s)" % (term, level)
            path = term if os.path.isabs(term) else self.find_file_in_search_path(
                variables, "files", term, ignore_missing=True
            )
            if not path or not os.path.exists(path):
                if missing_ok:
                    results.append({})
                    continue
                raise AnsibleLookupError("values_file: %s: no such values file" % label)
            try:
                with open(path, "rb") as handle:
                    text = to_text(handle.read(), errors="surrogate_or_strict")
            except (OSError, UnicodeError) as exc:
                raise AnsibleLookupError("values_file: %s: cannot read the values file: %s" % (label, exc)) from exc
            try:
                results.append(helm_values.load_values_yaml(text, source=path, level=level))
            except helm_values.HelmValuesError as exc:
                raise AnsibleLookupError("values_file: %s" % exc) from exc
        return results
