"""The local stack as one small Python tool: ``python -m tools.localstack <stack> <command>``.

Modules:
  supervisor  ONE process supervisor (pid files guarded against recycled pids, flock, logs, port clashes)
  gobuild     ONE Go build routine (build specs as data, version-keyed atomic cache, heartbeat)
  builds      the build specs: etcd, k8s, kwok, argocd-local
  cluster     the local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)
  argocd      Argo CD (application controller + repo server), redis, git daemon, publish
  mirror      the chart mirror (a directory as an HTTP Helm repository)
  private     private, throwaway control planes (tests, faults, render-time validation)
  apps        Argo CD Application helpers (tests, benchmarks)
  kube, pki, manifests, crds   API access, certificates, objects as data, Argo CD CRDs
"""
from .common import LocalStackError

__all__ = ["LocalStackError"]
