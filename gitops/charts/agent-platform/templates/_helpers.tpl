{{/* Name of a component's Application: {resourcePrefix}-agent-platform-{component}. */}}
{{- define "agent-platform.appName" -}}
{{- $name := printf "%s-agent-platform-%s" .root.Values.global.resourcePrefix .name -}}
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

{{/* catalogue.yaml, the one list of components and upstream charts (as YAML, for fromYaml). */}}
{{- define "agent-platform.catalogue" -}}
{{- .Files.Get "catalogue.yaml" -}}
{{- end -}}

{{/* The charts the selected profile pins: the profile's own entries over the default profile's. */}}
{{- define "agent-platform.profileCharts" -}}
{{- $profiles := (include "agent-platform.catalogue" . | fromYaml).profiles -}}
{{- $name := (.Values.catalogue).profile | default "default" | toString -}}
{{- if not (hasKey $profiles $name) -}}
{{- fail (printf "catalogue.profile %q: no such profile in catalogue.yaml (profiles: %s)" $name (keys $profiles | sortAlpha | join ", ")) -}}
{{- end -}}
{{- $charts := deepCopy ((get $profiles $name).charts | default dict) -}}
{{- range $chart, $pin := $profiles.default.charts -}}
{{- if not (hasKey $charts $chart) -}}{{- $_ := set $charts $chart $pin -}}{{- end -}}
{{- end -}}
{{- toYaml $charts -}}
{{- end -}}

{{/* Helm repository of an upstream chart as Argo CD spells it: the mirror when one is set; an OCI
     registry without its oci:// scheme (Argo CD's Helm-OCI form, with a repository Secret that
     says enableOCI, written by the agent_platform role). */}}
{{- define "agent-platform.chartRepo" -}}
{{- $mirror := ((.root.Values.chartMirror).url | default "") | toString -}}
{{- if $mirror -}}
{{- $mirror -}}
{{- else -}}
{{- trimPrefix "oci://" (toString .chart.repository) -}}
{{- end -}}
{{- end -}}
