# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/helm_releases.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: helm_releases
short_description: Install or upgrade Helm releases in sync-wave order, a wave's releases side by side
version_added: 0.3.0
description:
  - Brings each release of O(releases) to its chart and values as M(kubernetes.core.helm) does with
    C(release_state=present), C(release_values) and C(wait=true), running C(helm upgrade --install --reset-values
    --wait) with the same values file.
  - Whether a release needs Helm is read from Helm's own release record (its storage Secrets). It is unchanged when the
    newest revision is C(deployed) with the same chart name, chart version and values. M(kubernetes.core.helm)
    asks four C(helm) runs for the same answer, a second or two per release on every rerun.
  - Order is the one Argo CD keeps for an app-of-apps sync, the waves one after the other, each waited for; in a
    wave, the releases carrying CustomResourceDefinitions first, then the rest. The releases of one such step run
    side by side (at most O(parallel)); a failed release stops the run after its step, with Helm's message.
  - A newest revision an interrupted run left C(pending-*) (every later Helm call refuses "another operation is in
    progress") or C(failed) (never rolled forward by a module that finds its values equal) is dropped first,
    Helm's storage record only, the objects stay and the install adopts them, or the upgrade rolls forward from the
    last deployed revision. This action is meant for releases it alone operates.
  - CustomResourceDefinitions a chart renders from its templates (C(manifests)) that exist without Helm's adoption
    labels and annotations for the release (kept on an earlier uninstall, or applied by Argo CD) are adopted first,
    so Helm does not refuse them for "invalid ownership metadata".
  - A CustomResourceDefinition of a release whose names the API server accepted 10 seconds or more ago but which is
    not C(Established) is queued for establishing again (an annotation set and removed again, a metadata update), before
    Helm runs and every 5 seconds while it waits. kube-apiserver queues a CRD for establishing only on an update
    event, so one restarted between the two steps leaves the CRD unestablished until its informer's resync five
    minutes later, and Helm's wait would sit that out.
  - The connection comes from the play's C(module_defaults) for the group C(group/kubernetes.core.k8s)
    (C(kubeconfig), C(context)), as for M(appmod.agent_platform.k8s_read); O(kubeconfig) overrides it.
  - In check mode nothing is changed and C(changed) says which releases Helm would install or upgrade; with
    C(--diff) the values before (the deployed revision's) and after are shown per release.
options:
  releases:
    description:
      - The releases, each with C(release_name), C(release_namespace) (it must exist), C(chart_ref) (a chart folder
        or archive on the controller), C(release_values) (a mapping), C(wave) (an integer, default 0),
        C(manifests) (the release as C(helm template --include-crds) renders it, for the CRD checks) and
        optionally C(application) (reported back). Other keys are ignored.
    type: list
    elements: dict
    required: true
  binary_path:
    description: The helm executable (a path, or a name looked up on C(PATH)); default C(helm) on C(PATH).
    type: path
  kubeconfig:
    description: Kubeconfig path, instead of the one C(module_defaults) gives C(group/kubernetes.core.k8s).
    type: path
  wait_timeout:
    description: Helm's C(--timeout) for each release (a Go duration).
    type: str
    default: 300s
  parallel:
    description: At most this many releases of one step at once.
    type: int
    default: 4
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
seealso:
  - module: kubernetes.core.helm
  - name: Argo CD sync phases and waves
    description: The order this action keeps.
    link: https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Install the releases of every component Application, wave by wave
  appmod.agent_platform.helm_releases:
    releases:
      - release_name: kagent-crds
        release_namespace: agent-platform
        chart_ref: /home/me/.cache/appmod-agent-platform/charts/kagent-crds-0.7.4.tgz
        release_values: {}
        wave: -4
        manifests: "{{ kagent_crds_rendered }}"
      - release_name: kagent
        release_namespace: agent-platform
        chart_ref: /home/me/.cache/appmod-agent-platform/charts/kagent-0.7.4.tgz
        release_values:
          controller:
            replicas: 1
        wave: 0
        manifests: "{{ kagent_rendered }}"
    wait_timeout: 600s
  register: installed
"""

RETURN = r"""
results:
  description: One entry per release, in O(releases)' order (on failure, those that ran).
  returned: always
  type: list
  elements: dict
  contains:
    release_name:
      description: The release.
      type: str
    release_namespace:
      description: Its namespace.
      type: str
    application:
      description: The C(application) given with the release.
      type: str
    wave:
      description: Its wave.
      type: int
    chart:
      description: Chart name, from the chart's Chart.yaml.
      type: str
    version:
      description: Chart version, from the chart's Chart.yaml.
      type: str
    action:
      description: C(install), C(upgrade) or C(unchanged).
      type: str
    changed:
      description: Whether Helm ran (or, in check mode, would run) for it.
      type: bool
    dropped_revision:
      description: The dead revision dropped first (C(<revision> (<status>))), or null.
      type: str
    adopted_crds:
      description: CustomResourceDefinitions adopted into the release first.
      type: list
      elements: str
    requeued_crds:
      description:
        - CustomResourceDefinitions the API server had accepted but left unestablished (it was restarted in
          between), queued for establishing again by a metadata update, before Helm ran or while it waited.
      type: list
      elements: str
    seconds:
      description: How long Helm took.
      type: float
    stderr:
      description: Helm's error output, when it failed.
      type: str
"""
