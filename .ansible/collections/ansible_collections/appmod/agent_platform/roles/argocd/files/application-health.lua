-- Health of argoproj.io/Application, as given in Argo CD's docs/operator-manual/health.md
-- ("Argocd App"). Argo CD removed this assessment in 1.8 (argo-cd#3781); without it an
-- app-of-apps parent moves to the next sync wave as soon as a child Application exists,
-- not when it is Healthy (argo-cd#16870, #5585, #8358). Installed as
-- argocd-cm resource.customizations.health.argoproj.io_Application by the argocd role
-- (cluster mode, Helm values configs.cm) and by scripts/argocd-local.sh (local mode).
hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
