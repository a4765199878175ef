"""Project tools importable from the repository root (``python -m tools.localstack ...``).

The Go wrapper modules next to this file (k8s/, etcd/, kwok/, argocd/) are pinned sources for the
binaries that ``tools.localstack`` builds; this file only makes ``tools`` a Python package.
"""
