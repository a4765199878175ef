{{- define "kagentcrds.annotations" -}}
{{- if .Values.keep }}
# Helm never deletes these on uninstall; Argo CD never deletes or prunes them.
helm.sh/resource-policy: keep
argocd.argoproj.io/sync-options: Delete=false,Prune=false
{{- end }}
# Install before the kagent controller (wave -4 in the seed) when applied as one sync.
argocd.argoproj.io/sync-wave: "-4"
{{- end -}}
