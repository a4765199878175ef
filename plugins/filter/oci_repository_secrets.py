# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
from __future__ import annotations

DOCUMENTATION = r"""
name: oci_repository_secrets
short_description: Argo CD repository Secrets for the Helm charts of Applications that live in OCI registries
version_added: 0.2.0
description:
  - Argo CD pulls a Helm chart from an OCI registry (a source with C(chart) and a C(repoURL) without scheme, such as
    C(ghcr.io/kagent-dev/kagent/helm)) only when a repository Secret of type C(helm) with C(enableOCI) names that URL.
  - Returns one such Secret (no credentials; public registries) per distinct OCI repository of the Applications'
    sources. Helm repositories over HTTP(S), such as a chart mirror, need none.
options:
  _input:
    description: Rendered Argo CD Applications.
    type: list
    elements: dict
    required: true
  namespace:
    description: Argo CD's namespace.
    type: str
    default: argocd
"""

EXAMPLES = r"""
- name: Register the OCI chart registries with Argo CD
  kubernetes.core.k8s:
    definition: "{{ item }}"
  loop: "{{ applications | appmod.agent_platform.oci_repository_secrets('argocd') }}"
"""

RETURN = r"""
_value:
  description: Secret manifests.
  type: list
  elements: dict
"""

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.argocd import oci_repository_secrets


class FilterModule(object):
    def filters(self):
        return {"oci_repository_secrets": oci_repository_secrets}
