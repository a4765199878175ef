# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: catalogue
short_description: Lists derived from the component catalogue
version_added: 0.2.0
description:
  - Reads C(gitops/charts/agent-platform/catalogue.yaml) of this collection, the one list of the agent platform's
    components and of the upstream charts each deploys, and returns one view of it, so that no role, playbook or
    test keeps a component list of its own.
options:
  _terms:
    description:
      - The view - C(components) (the entries, in wave order), C(names), C(keys) (name -> values key), C(roles)
        (name -> role), C(waves) (name -> wave), C(kept_crd_groups), C(crd_groups) (every CRD group the components install), C(charts) (chart -> pin of O(profile)),
        C(manifests) (prerequisite manifest -> pin of O(profile)), C(profiles), C(profile_values) (what O(profile) adds to the bridge chart's defaults) or C(prerequisites) (a list of C(name), C(component),
        C(pin)).
    type: list
    elements: str
    required: true
  profile:
    description: The profile for the C(charts), C(manifests), C(profile_values) and C(prerequisites) views.
    type: str
    default: default
  file:
    description: Another catalogue file (tests).
    type: path
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Which role prepares each component
  ansible.builtin.debug:
    msg: "{{ lookup('appmod.agent_platform.catalogue', 'roles') }}"

- name: What the seed profile deploys
  ansible.builtin.debug:
    msg: "{{ lookup('appmod.agent_platform.catalogue', 'charts', profile='seed') }}"
"""

RETURN = r"""
_raw:
  description: One value per view.
  type: list
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import catalogue

VIEWS = {
    "components": lambda data, profile: catalogue.components(data),
    "names": lambda data, profile: catalogue.names(data),
    "keys": lambda data, profile: catalogue.keys(data),
    "roles": lambda data, profile: catalogue.roles(data),
    "waves": lambda data, profile: catalogue.waves(data),
    "kept_crd_groups": lambda data, profile: catalogue.kept_crd_groups(data),
    "crd_groups": lambda data, profile: catalogue.crd_groups(data),
    "charts": catalogue.profile_charts,
    "manifests": catalogue.profile_manifests,
    "prerequisites": catalogue.prerequisites,
    "profiles": lambda data, profile: catalogue.profiles(data),
    "profile_values": catalogue.profile_values,
}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            data = catalogue.load(catalogue.own_root(), file=self.get_option("file"))
            out = []
            for term in terms:
                if term not in VIEWS:
                    raise AnsibleLookupError("catalogue: unknown view %r (views: %s)" % (term, ", ".join(VIEWS)))
                out.append(VIEWS[term](data, self.get_option("profile")))
            return out
        except (catalogue.CatalogueError, OSError) as exc:
            raise AnsibleLookupError("catalogue: %s" % exc) from exc
