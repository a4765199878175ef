"""The smoke suite (project issue 13): every component's real program started from what the charts
rendered as applied to the cluster, checked, stopped; a table for people; ``make smoke``.

Entry points (no subprocess of the CLI needed):

* :func:`run_all` - the whole suite: ``ok, components, text = run_all(kubeconfig, "agent-platform")``
* :func:`litellm_only` - stand-in + Jaeger + LiteLLM, with ``tamper(spec)`` to break what was read
* :class:`Smoke` and :mod:`tools.smoke.components` - the pieces (specs, runs, checks)
"""
from .report import Check, Component, render
from .stack import Smoke
from .suite import kagent_controller_only, litellm_only, preflight, run_all

__all__ = ["Check", "Component", "Smoke", "kagent_controller_only", "litellm_only", "preflight", "render", "run_all"]
