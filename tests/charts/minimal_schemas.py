"""Minimal JSON schemas for the third-party custom resources the charts can render
(their CRDs are not part of this collection). They check the fields the charts set and
the shape the operators require, not every field of the upstream CRDs."""

_meta = {"type": "object", "required": ["name", "namespace"],
         "properties": {"name": {"type": "string", "minLength": 1}, "namespace": {"type": "string", "minLength": 1}}}

SERVICE_MONITOR = {
    "type": "object", "required": ["metadata", "spec"],
    "properties": {"metadata": _meta, "spec": {
        "type": "object", "additionalProperties": False, "required": ["selector", "endpoints"],
        "properties": {
            "selector": {"type": "object", "required": ["matchLabels"],
                         "properties": {"matchLabels": {"type": "object", "minProperties": 1}}},
            "endpoints": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False, "required": ["port"],
                "properties": {"port": {"type": "string", "minLength": 1},
                               "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                               "path": {"type": "string", "pattern": "^/"}}}}}}}}

PROMETHEUS_RULE = {
    "type": "object", "required": ["metadata", "spec"],
    "properties": {"metadata": _meta, "spec": {
        "type": "object", "additionalProperties": False, "required": ["groups"],
        "properties": {"groups": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "rules"],
            "properties": {"name": {"type": "string"}, "interval": {"type": "string"},
                           "rules": {"type": "array", "minItems": 1, "items": {
                               "type": "object", "additionalProperties": False, "required": ["alert", "expr"],
                               "properties": {"alert": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                                              "expr": {"type": "string", "minLength": 1},
                                              "for": {"type": "string", "pattern": "^[0-9]+(s|m|h)$"},
                                              "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                                              "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}}}}}

EXTERNAL_SECRET = {
    "type": "object", "required": ["metadata", "spec"],
    "properties": {"metadata": _meta, "spec": {
        "type": "object", "additionalProperties": False, "required": ["secretStoreRef", "target", "data"],
        "properties": {
            "refreshInterval": {"type": "string"},
            "secretStoreRef": {"type": "object", "additionalProperties": False, "required": ["name", "kind"],
                               "properties": {"name": {"type": "string"},
                                              "kind": {"enum": ["SecretStore", "ClusterSecretStore"]}}},
            "target": {"type": "object", "required": ["name"],
                       "properties": {"name": {"type": "string"},
                                      "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]}}},
            "data": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False, "required": ["secretKey", "remoteRef"],
                "properties": {"secretKey": {"type": "string"},
                               "remoteRef": {"type": "object", "required": ["key"],
                                             "properties": {"key": {"type": "string", "pattern": "^agent-platform/"}}}}}}}}}}

VELERO_SCHEDULE = {
    "type": "object", "required": ["metadata", "spec"],
    "properties": {"metadata": _meta, "spec": {
        "type": "object", "additionalProperties": False, "required": ["schedule", "template"],
        "properties": {
            "schedule": {"type": "string", "pattern": r"^(\S+\s+){4}\S+$"},
            "template": {"type": "object", "required": ["includedNamespaces"],
                         "properties": {"includedNamespaces": {"type": "array", "items": {"type": "string"}},
                                        # canonical metav1.Duration, as the API server stores it
                                        "ttl": {"type": "string", "pattern": "^[0-9]+h[0-9]+m[0-9]+s$"}}}}}}}

BY_KIND = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
    ("external-secrets.io/v1beta1", "ExternalSecret"): EXTERNAL_SECRET,
    ("velero.io/v1", "Schedule"): VELERO_SCHEDULE,
}
