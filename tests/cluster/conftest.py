"""tests/cluster: the shared rendering fixtures (tests/rendering.py)."""
from rendering import manifests, releases, rendered_sets  # noqa: F401  (fixtures)
