"""charts.template_crds: the CRDs a release must adopt are those its templates render, not its crds/ folder's."""
from __future__ import annotations

from ansible_collections.appmod.agent_platform.plugins.plugin_utils.charts import template_crds

HELM_OUTPUT = """---
# Source: kagent-crds/crds/agents.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: agents.kagent.dev
---
# Source: kagent-crds/templates/modelconfigs.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: modelconfigs.kagent.dev
---
# Source: kagent-crds/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: mentions-CustomResourceDefinition
data:
  note: "kind: CustomResourceDefinition"
---
# Source: kagent-crds/templates/tools.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: toolservers.kagent.dev
"""


def test_only_the_templates_crds():
    assert template_crds(HELM_OUTPUT) == ["modelconfigs.kagent.dev", "toolservers.kagent.dev"]
    assert template_crds("") == [] and template_crds(None) == []
