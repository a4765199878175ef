{{/* Name of a component's Application: {resourcePrefix}-agent-platform-{component}. */}}
{{- define "agent-platform.appName" -}}
{{- $name := printf "%s-agent-platform-%s" .root.Values.global.resourcePrefix .component.name -}}
{{- if gt (len $name) 63 -}}
{{- fail (printf "Application name %q is %d characters; Kubernetes labels Argo CD sets from it allow 63: shorten global.resourcePrefix" $name (len $name)) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- define "agent-platform.labels" -}}
app.kubernetes.io/part-of: agent-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- /* Which bridge (one per resourcePrefix) rendered it: several can share one Argo CD. */}}
agent-platform.appmod.io/bridge: {{ printf "%s-agent-platform" .Values.global.resourcePrefix }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
