{{/*
Shared helpers. This file is identical in every chart of appmod.agent_platform under
gitops/charts/<component> (tests/charts checks that): the charts stay self-contained (no library chart to pull or
vendor), and one rule (names, labels, restricted security context, canonical quantities)
has one spelling.
*/}}

{{/* Component name: the chart name. Resource names are NOT prefixed with
global.resourcePrefix: the seed wires components by short Service names
(http://litellm:4000, jaeger-collector:14268), so the prefix is a label only. */}}
{{- define "ap.name" -}}
{{- .Chart.Name -}}
{{- end -}}

{{- define "ap.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels common to every object. Call with (dict "ctx" $ "component" "web"). */}}
{{- define "ap.labels" -}}
{{- $ctx := .ctx -}}
helm.sh/chart: {{ include "ap.chart" $ctx }}
app.kubernetes.io/managed-by: {{ $ctx.Release.Service }}
app.kubernetes.io/part-of: agent-platform
app.kubernetes.io/version: {{ $ctx.Chart.AppVersion | quote }}
agent-platform.appmod.io/prefix: {{ (($ctx.Values.global).resourcePrefix | default "peeks") | quote }}
{{ include "ap.selectorLabels" . }}
{{- end -}}

{{/* Selector labels: stable (Deployment selectors are immutable). `app` is kept because the
seed selects on it (ServiceMonitor `app: kagent`, `kubectl get pods -l app=kagent`). */}}
{{- define "ap.selectorLabels" -}}
{{- $ctx := .ctx -}}
{{- $component := .component | default "main" -}}
app: {{ .app | default (include "ap.name" $ctx) }}
app.kubernetes.io/name: {{ include "ap.name" $ctx }}
app.kubernetes.io/instance: {{ $ctx.Release.Name }}
app.kubernetes.io/component: {{ $component }}
{{- end -}}

{{/* Pod-level security context: Pod Security Standard "restricted".
Call with (dict "uid" 65532 "gid" 65532 "fsGroup" 65532); values.podSecurityContext overrides
uid/gid/fsGroup only, and values.schema.json keeps them non-zero. */}}
{{- define "ap.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid | default .uid }}
{{- if .fsGroup }}
fsGroup: {{ .fsGroup }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context (restricted). Call with (dict "readOnly" true). */}}
{{- define "ap.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: {{ .readOnly }}
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pinned image reference. Belt and braces with values.schema.json: refuse latest/empty. */}}
{{- define "ap.image" -}}
{{- $repo := required "image.repository is required" .repository -}}
{{- $tag := toString (required (printf "image.tag is required for %s (pin a version)" $repo) .tag) -}}
{{- if or (eq $tag "latest") (eq $tag "") -}}
{{- fail (printf "image.tag for %s must be a pinned version, not %q" $repo $tag) -}}
{{- end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/* CPU quantity in Kubernetes' canonical form, so Argo CD selfHeal does not fight the
API server (GITOPS-NOTES, sample-open-agentic-platform 649933d): "1000m" -> "1",
"0.5" -> "500m", 2 -> "2". */}}
{{- define "ap.cpu" -}}
{{- $v := toString . -}}
{{- if hasSuffix "m" $v -}}
{{- $n := trimSuffix "m" $v | atoi -}}
{{- if and (gt $n 0) (eq (mod $n 1000) 0) -}}{{ div $n 1000 }}{{- else -}}{{ $v }}{{- end -}}
{{- else if contains "." $v -}}
{{- $milli := round (mulf (float64 $v) 1000.0) 0 | int -}}
{{- if eq (mod $milli 1000) 0 -}}{{ div $milli 1000 }}{{- else -}}{{ $milli }}m{{- end -}}
{{- else -}}
{{- $v -}}
{{- end -}}
{{- end -}}

{{/* Memory quantity in canonical form for the binary suffixes: "1024Mi" -> "1Gi",
"2097152Ki" -> "2Gi". Other forms pass through unchanged. */}}
{{- define "ap.memory" -}}
{{- $v := toString . -}}
{{- $units := list "Ki" "Mi" "Gi" "Ti" "Pi" -}}
{{- $out := $v -}}
{{- range $i, $u := $units -}}
{{- if and (hasSuffix $u $out) (lt $i 4) -}}
{{- $n := trimSuffix $u $out | atoi -}}
{{- if and (gt $n 0) (eq (mod $n 1024) 0) -}}
{{- $out = printf "%d%s" (div $n 1024) (index $units (add1 $i)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $out -}}
{{- end -}}

{{/* requests and limits, both required, canonical form. Call with the resources map. */}}
{{- define "ap.resources" -}}
{{- $r := required "resources are required (requests and limits)" . -}}
{{- $req := required "resources.requests is required" $r.requests -}}
{{- $lim := required "resources.limits is required" $r.limits -}}
requests:
  cpu: {{ include "ap.cpu" (required "resources.requests.cpu is required" $req.cpu) | quote }}
  memory: {{ include "ap.memory" (required "resources.requests.memory is required" $req.memory) | quote }}
limits:
  cpu: {{ include "ap.cpu" (required "resources.limits.cpu is required" $lim.cpu) | quote }}
  memory: {{ include "ap.memory" (required "resources.limits.memory is required" $lim.memory) | quote }}
{{- end -}}

{{/* AWS region: the component's own `region` if set, else global.awsRegion. */}}
{{- define "ap.region" -}}
{{- .Values.region | default ((.Values.global).awsRegion) | default "us-east-1" -}}
{{- end -}}

{{/* NetworkPolicy peers and rules reused by every chart. */}}
{{- define "ap.np.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end -}}

{{/* HTTPS egress to anywhere (AWS APIs, Bedrock, provider APIs, the EKS API endpoint).
The seed's `namespaceSelector: {}` on 443 only matches in-cluster pods and would block AWS:
an ipBlock is needed for off-cluster endpoints. Call with .Values.networkPolicy. */}}
{{- define "ap.np.httpsEgress" -}}
- to:
    {{- range .egressCIDRs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    {{- range .httpsPorts }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}

{{/* Egress from application pods to the Jaeger collector (same namespace). */}}
{{- define "ap.np.jaegerEgress" -}}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: jaeger
  ports:
    - protocol: TCP
      port: 14268
    - protocol: TCP
      port: 9411
    - protocol: TCP
      port: 4317
    - protocol: TCP
      port: 4318
{{- end -}}

{{/* Namespaces allowed in (seed: argocd and backstage), by the immutable
kubernetes.io/metadata.name label (the seed's `name` label is not set by Kubernetes). */}}
{{- define "ap.np.allowedNamespaces" -}}
{{- range .allowedNamespaces }}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ . }}
{{- end }}
{{- end -}}

{{/* Default-deny for the pods this chart protects: its own release, or the upstream releases it
adds glue to (networkPolicy.releases). No rule is listed, so only the explicit allow policies
open flows. */}}
{{- define "ap.np.defaultDeny" -}}
{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "ap.name" . }}-default-deny
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "ap.labels" (dict "ctx" . "component" "network-policy") | nindent 4 }}
spec:
  podSelector:
    matchExpressions:
      - key: app.kubernetes.io/instance
        operator: In
        values:
          {{- toYaml (.Values.networkPolicy.releases | default (list .Release.Name)) | nindent 10 }}
  policyTypes:
    - Ingress
    - Egress
{{- end }}
{{- end -}}

{{/* Egress to the Kubernetes API server (controllers, operators). The EKS endpoint is off the pod
network, so an ipBlock; call with .Values.networkPolicy (egressCIDRs, apiServerPorts). */}}
{{- define "ap.np.apiServerEgress" -}}
- to:
    {{- range .egressCIDRs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    {{- range .apiServerPorts | default (list 443 6443) }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}

{{/* Ingress from Prometheus' namespace to the listed metrics ports, when monitoring is on.
Call with (dict "np" .Values.networkPolicy "ports" (list 8443)). */}}
{{- define "ap.np.metricsIngress" -}}
- from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .np.metricsNamespace }}
  ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}

{{/* PodCrashLooping, the seed's alert, scoped to some pods of the release's namespace.
Call with (dict "ctx" $ "component" "kagent" "pods" "kagent-.*"). */}}
{{- define "ap.alert.crashLooping" -}}
- alert: PodCrashLooping
  expr: |
    rate(kube_pod_container_status_restarts_total{namespace="{{ .ctx.Release.Namespace }}", pod=~"{{ .pods }}"}[15m]) > 0
  for: 5m
  labels:
    severity: critical
    component: {{ .component }}
  annotations:
    summary: "Pod is crash looping"
    description: {{ `"Pod {{ $labels.pod }} is restarting"` }}
{{- end -}}
