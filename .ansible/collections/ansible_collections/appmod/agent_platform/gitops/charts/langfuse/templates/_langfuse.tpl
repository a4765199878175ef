{{- define "langfuse.pgHost" -}}
{{- if .Values.postgres.enabled -}}{{ include "ap.name" . }}-postgres{{- else -}}{{ required "postgres.externalHost is required when postgres.enabled is false" .Values.postgres.externalHost }}{{- end -}}
{{- end -}}
{{- define "langfuse.pgPort" -}}
{{- if .Values.postgres.enabled -}}5432{{- else -}}{{ .Values.postgres.externalPort | default 5432 }}{{- end -}}
{{- end -}}
{{- define "langfuse.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
