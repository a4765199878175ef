# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)
"""The AWS resources a workshop participant leaves behind when its teardown missed them.

Every resource the collection creates for a participant in clusters mode is named after the participant's
resource prefix (``<event>-<id>-``): the EKS cluster ``<prefix>-agent-platform``, the IAM roles and the
customer managed policies ``<prefix>-...``. After a teardown or an expiry sweep, whatever still carries the
prefix of a participant that should be gone outlived it.
"""

from __future__ import annotations


def _named(prefixes):
    wanted = tuple(p for p in prefixes if p)

    def ours(name):
        return bool(wanted) and name.startswith(wanted)
    return ours


def find_leftovers(eks, iam, prefixes):
    """{eks_clusters, iam_roles, iam_policies}: sorted names that start with one of ``prefixes``."""
    ours = _named(prefixes)
    clusters = [name for page in eks.get_paginator("list_clusters").paginate() for name in page.get("clusters", [])]
    roles = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page.get("Roles", [])]
    policies = [p["PolicyName"] for page in iam.get_paginator("list_policies").paginate(Scope="Local")
                for p in page.get("Policies", [])]
    return {
        "eks_clusters": sorted(filter(ours, clusters)),
        "iam_roles": sorted(filter(ours, roles)),
        "iam_policies": sorted(filter(ours, policies)),
    }


def describe_leftovers(leftovers):
    """One line per kind: ``EKS cluster a, b; IAM role c`` (empty when there is none)."""
    labels = (("eks_clusters", "EKS cluster"), ("iam_roles", "IAM role"), ("iam_policies", "IAM policy"))
    return "; ".join("%s %s" % (label, ", ".join(leftovers[key])) for key, label in labels if leftovers.get(key))
