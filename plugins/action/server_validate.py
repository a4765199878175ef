"""Action plugin of appmod.agent_platform.server_validate (documentation: plugins/modules/server_validate.py).

Runs on the controller with the kubernetes client; the logic is plugins/plugin_utils/dryrun.py. The private
validator is the local default's control plane (tools/localstack of the project work tree), started and
stopped here.
"""
from __future__ import annotations

import io
import os
import sys
import time

import yaml

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import component_config
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction

# libyaml when present: the rendered manifests are megabytes.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RENDER_SPEC = dict(
    host=dict(type="str", required=True),
    releases=dict(type="list", elements="dict", required=True),
    rendered=dict(type="list", elements="dict", required=True),
    levels=dict(type="list", elements="raw", default=[]),
    level_names=dict(type="list", elements="str", default=[]),
    namespaces=dict(type="dict", default={}),
    objects=dict(type="list", elements="dict", default=[]),
)


def prepared(render):
    """A render as plugin_utils.dryrun.validate_render takes it: manifests parsed, each release's levels."""
    if len(render["releases"]) != len(render["rendered"]):
        raise ValueError("%s: %d releases but %d rendered results" % (render["host"], len(render["releases"]), len(render["rendered"])))
    releases = []
    for release, result in zip(render["releases"], render["rendered"]):
        releases.append({
            "component": release["component"],
            "release_namespace": release.get("release_namespace"),
            "manifests": [d for d in yaml.load_all(str(result.get("stdout") or ""), Loader=_LOADER) if d],
            "levels": [release.get("chart_defaults") or {}] + [
                component_config(level, release.get("values_key"), release.get("values_path") or "config")
                for level in render["levels"]],
        })
    return dict(render, releases=releases)


class ActionModule(ControllerAction):
    NAME = "server_validate"
    ARGUMENT_SPEC = dict(
        renders=dict(type="list", elements="dict", required=True, options=RENDER_SPEC),
        target=dict(type="str", choices=["cluster", "private"], default="cluster"),
        kubeconfig=dict(type="path"),
        project_root=dict(type="path"),
    )
    # YAML, kubeconfig, API and control-plane errors, named for the task
    ERRORS = (Exception,)

    def work(self, args):
        started = time.monotonic()
        renders = [prepared(r) for r in args["renders"]]
        if args["target"] == "private":
            result = self._private(args["project_root"], renders)
        else:
            from kubernetes import config

            api = config.new_client_from_config(
                config_file=args["kubeconfig"] or os.environ.get("K8S_AUTH_KUBECONFIG") or None)
            try:
                result = dryrun.validate_render(api, renders, private=False)
            finally:
                api.close()
        result["seconds"] = round(time.monotonic() - started, 2)
        names = (renders[0].get("level_names") if renders else None) or None
        result["messages"] = [dryrun.message(p, names) for p in result.get("problems", [])]
        if not result.get("skipped"):
            result["msg"] = "%d objects accepted by the %s in %.1f s; %d deferred to the sync; %d not checked" % (
                result["checked"] - len(result["problems"]), "private control plane" if args["target"] == "private"
                else "target API server", result["seconds"], len(result["deferred"]), len(result["unchecked"]))
        if result["messages"]:
            for noise in ("deferred", "unchecked", "problems"):  # the messages say it all
                result.pop(noise, None)
            result.update(failed=True, msg="The API server refuses what this run would apply; nothing was changed:\n"
                          + "\n".join(result["messages"]))
        return result

    def _private(self, project_root, renders):
        root = project_root or ""
        if not os.path.isfile(os.path.join(root, "tools", "localstack", "private.py")):
            return {"skipped": True, "skip_reason": "no private validator: %s is not the project work tree (tools/localstack)" % root}
        if root not in sys.path:
            sys.path.insert(0, root)
        from tools.localstack import builds, crds, gobuild, kube
        from tools.localstack.common import Log
        from tools.localstack.private import PrivateControlPlane

        if not all(gobuild.cached(spec) for spec in (builds.ETCD, builds.K8S)):
            return {"skipped": True, "skip_reason": "no private validator: the local default's etcd and kube-apiserver are "
                                                    "not built yet (make local-cluster builds them once)"}
        log = io.StringIO()
        # Argo CD's Application CRD only: a render holds no ApplicationSet, and each CRD costs the API server seconds.
        application_crd = [f for f in crds.crd_files() if f.name == "application-crd.yaml"]
        plane = PrivateControlPlane(crd_files=application_crd, label="validator", log=Log("validator", log))
        try:
            plane.up()
            api = plane.api()

            def wait_established(names):
                plane.cluster.sup.wait("CRDs Established", lambda: kube.crds_established(api, names), 60)

            result = dryrun.validate_render(api, renders, private=True, wait_established=wait_established)
        finally:
            left = plane.down()
        if left:
            raise RuntimeError("the private validator left behind: " + "; ".join(left))
        return result
