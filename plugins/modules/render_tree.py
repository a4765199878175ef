# -*- coding: utf-8 -*-
# Copyright: contributors to appmod.agent_platform
# Apache License 2.0
# Documentation only: the work is done on the controller by the action plugin plugins/action/render_tree.py.
from __future__ import annotations

DOCUMENTATION = r"""
module: render_tree
short_description: Write a tree of text files in one task, and prune what is no longer listed
version_added: 0.1.0
description:
  - Writes every file of O(files) under O(root) in one task, on the controller (an action plugin, no
    module is sent to the host). It replaces a series of M(ansible.builtin.file), M(ansible.builtin.copy),
    M(ansible.builtin.find) tasks, each of which starts a module per file.
  - A file is written only when its bytes differ, atomically (a temporary file in the same folder, then a
    rename), with mode C(0644); a file with the right bytes and another mode only gets its mode fixed.
  - Every folder on the way to a listed file is created with mode C(0755) (the root and its missing
    parents too); an existing folder below O(root) that holds a listed file is set to C(0755).
  - In every O(prune) folder, each entry directly in it that is neither a listed file nor a folder on the way
    to one is deleted (a folder with all its content). Entries whose name starts with C(.) are kept, and so is
    everything inside a kept folder. A O(prune) folder that does not exist is not created.
  - Writes the controller's file system, whatever the host's connection; paths are the controller's.
options:
  root:
    description: Absolute path of the folder the tree is written into; created if missing.
    type: path
    required: true
  files:
    description:
      - Relative path (below O(root), with C(/) between folders, no C(..)) to text content (written as UTF-8,
        exactly as given).
    type: dict
    required: true
  prune:
    description: Relative folders below O(root) in which whatever O(files) does not list is deleted.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - appmod.agent_platform.controller_action
attributes:
  check_mode:
    details: Reports what would be written and deleted; writes nothing.
  diff_mode:
    support: full
    details:
      - Before and after text of each written file (skipped over C(MAX_FILE_SIZE_FOR_DIFF), like M(ansible.builtin.copy)).
      - The state of each created or deleted path, the old and new mode of each path whose mode is fixed.
seealso:
  - module: ansible.builtin.copy
  - module: appmod.agent_platform.helm_template_batch
author:
  - Platform Engineering on EKS maintainers
"""

EXAMPLES = r"""
- name: Write the rendered files of one cluster; delete Applications and components no longer rendered
  appmod.agent_platform.render_tree:
    root: /srv/rendered/peeks-dev
    files:
      flag.yaml: "{{ flag | to_nice_yaml }}"
      applications/peeks-agent-platform-kagent.yaml: "{{ kagent_application | to_nice_yaml }}"
      components/kagent/manifests.yaml: "{{ kagent_manifests }}"
    prune:
      - applications
      - components
"""

RETURN = r"""
root:
  description: The absolute, normalised root folder.
  returned: success
  type: str
  sample: /srv/rendered/peeks-dev
written:
  description: Absolute paths of the files written or whose mode was fixed (in check mode, that would be), sorted.
  returned: success
  type: list
  elements: str
  sample: [/srv/rendered/peeks-dev/components/kagent/manifests.yaml]
deleted:
  description: Absolute paths deleted (in check mode, that would be) from the O(prune) folders, sorted.
  returned: success
  type: list
  elements: str
  sample: [/srv/rendered/peeks-dev/components/agent-core]
directories:
  description: Absolute paths of the folders created or whose mode was fixed (in check mode, that would be), sorted.
  returned: success
  type: list
  elements: str
  sample: [/srv/rendered/peeks-dev/components/kagent]
"""
