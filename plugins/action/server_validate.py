"""Action plugin of appmod.agent_platform.server_validate (documentation: plugins/modules/server_validate.py).

Runs on the controller with the kubernetes client; the logic is plugins/plugin_utils/dryrun.py. The private
validator is the local default's control plane (tools/localstack of the project work tree) run by a background
server process (tools/localstack/validator.py): ``state: started`` starts it early so it comes up while the run
renders, ``validated`` attaches to it (or starts one) and stops it, ``stopped`` stops one a failed run left.
"""
from __future__ import annotations

import os
import sys
import time

from ansible_collections.appmod.agent_platform.plugins.plugin_utils import dryrun, helm_template, k8s_read
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.bridge import component_config
from ansible_collections.appmod.agent_platform.plugins.plugin_utils.controller_action import ControllerAction

RENDER_SPEC = dict(
    host=dict(type="str", required=True),
    releases=dict(type="list", elements="dict", required=True),
    rendered=dict(type="list", elements="dict"),
    levels=dict(type="list", elements="raw", default=[]),
    level_names=dict(type="list", elements="str", default=[]),
    namespaces=dict(type="dict", default={}),
    objects=dict(type="list", elements="dict", default=[]),
    manifest_files=dict(type="list", elements="path", default=[]),
)


def prepared(render, known=None, seen=None):
    """A render as plugin_utils.dryrun.validate_render takes it: manifests parsed (``known``, ``seen``: see
    dryrun.manifest_documents), each release's levels."""
    if len(render["releases"]) != len(render["rendered"]):
        raise ValueError("%s: %d releases but %d rendered results" % (render["host"], len(render["releases"]), len(render["rendered"])))
    releases = []
    for release, result in zip(render["releases"], render["rendered"]):
        releases.append({
            "component": release["component"],
            "release_namespace": release.get("release_namespace"),
            "manifests": dryrun.manifest_documents(helm_template.output_of(result), known, seen),
            "levels": [release.get("chart_defaults") or {}] + [
                component_config(level, release.get("values_key"), release.get("values_path") or "config")
                for level in render["levels"]],
        })
    prerequisites = []
    for path in render.get("manifest_files") or []:
        with open(path, encoding="utf-8") as f:
            prerequisites += dryrun.manifest_documents(f.read(), known, seen)
    return dict(render, releases=releases, prerequisites=prerequisites)


class ActionModule(ControllerAction):
    NAME = "server_validate"
    ARGUMENT_SPEC = dict(
        renders=dict(type="list", elements="dict", default=[], options=RENDER_SPEC),
        target=dict(type="str", choices=["cluster", "private"], default="cluster"),
        kubeconfig=dict(type="path"),
        project_root=dict(type="path"),
        state=dict(type="str", choices=["validated", "started", "stopped", "remembered"], default="validated"),
        rendered_var=dict(type="str"),
        plane=dict(type="path"),
        accepted_cache=dict(type="path"),
        render_digest=dict(type="str"),
    )
    # YAML, kubeconfig, API and control-plane errors, named for the task
    ERRORS = (Exception,)

    def work(self, args):
        started = time.monotonic()
        if args["state"] == "remembered":
            return self._remember(args)
        if args["state"] != "validated":
            return self._lifecycle(args)
        renders = [self._with_rendered(r, args["rendered_var"]) for r in args["renders"]]
        if args["target"] == "private":
            result = self._private(args["project_root"], renders, args["plane"])
        else:
            api = k8s_read.api_client(args["kubeconfig"])
            try:
                result = self._on_target(api, renders, args["accepted_cache"])
            finally:
                api.close()
        result["seconds"] = round(time.monotonic() - started, 2)
        names = (renders[0].get("level_names") if renders else None) or None
        result["messages"] = [dryrun.message(p, names) for p in result.get("problems", [])]
        if "accepted_before" in result:
            result["msg"] = ("the target API server accepted this very render at %s, and its CRDs, admission "
                             "policies and namespaces are unchanged since: not sent again" % time.strftime(
                                 "%Y-%m-%d %H:%M:%S", time.localtime(result["accepted_before"])))
        elif not result.get("skipped"):
            result["msg"] = "%d objects accepted by the %s in %.1f s; %d deferred to the sync; %d not checked" % (
                result["checked"] - len(result["problems"]), "private control plane" if args["target"] == "private"
                else "target API server", result["seconds"], len(result["deferred"]), len(result["unchecked"]))
            if "preloaded" in result:
                result["msg"] += "; %d CRDs held from the last run (warm start)" % result["preloaded"]
        if result["messages"]:
            for noise in ("deferred", "unchecked", "problems"):  # the messages say it all
                result.pop(noise, None)
            result.update(failed=True, msg="The API server refuses what this run would apply; nothing was changed:\n"
                          + "\n".join(result["messages"]))
        return result

    @staticmethod
    def _on_target(api, renders, accepted_cache):
        """The target's verdict; the same render judged by the same CRDs, admission policies and namespaces was
        accepted before (``accepted_cache``): not sent again (a rerun's dry run is seconds of API server work)."""
        digest = dryrun.render_digest(renders)
        key = None
        if accepted_cache:
            key = dryrun.accepted_key(api.configuration.host, digest, dryrun.cluster_judges(api))
            when = dryrun.accepted_before(accepted_cache, key)
            if when is not None:
                return {"problems": [], "checked": 0, "deferred": [], "unchecked": [], "accepted_before": when,
                        "render_digest": digest}
        result = dryrun.validate_render(api, [prepared(r) for r in renders], private=False)
        if key and not result["problems"]:
            dryrun.remember_accepted(accepted_cache, key)
        return dict(result, render_digest=digest)

    @staticmethod
    def _remember(args):
        """After a converge the target took for real (every object applied, every Application Synced and
        Healthy): the render is accepted with the CRDs, policies and namespaces the run left behind."""
        if not (args["accepted_cache"] and args["render_digest"]):
            raise ValueError("state=remembered needs accepted_cache and render_digest")
        api = k8s_read.api_client(args["kubeconfig"])
        try:
            dryrun.remember_accepted(args["accepted_cache"], dryrun.accepted_key(
                api.configuration.host, args["render_digest"], dryrun.cluster_judges(api)))
        finally:
            api.close()
        return {"msg": "render %s remembered as accepted by %s" % (args["render_digest"][:12], "the target API server")}

    def _with_rendered(self, render, rendered_var):
        """A render whose ``rendered`` is left out is read from its host's ``rendered_var`` as registered, not
        templated: Helm's output is megabytes, and templating it into the task's arguments costs seconds."""
        if render.get("rendered") is not None:
            return render
        if not rendered_var:
            raise ValueError("%s: no rendered results (give renders[].rendered or rendered_var)" % render["host"])
        registered = self.task_vars["hostvars"].raw_get(render["host"]).get(rendered_var)
        if not isinstance(registered, dict) or not isinstance(registered.get("results"), list):
            raise ValueError("%s: %s holds no helm_template_batch results" % (render["host"], rendered_var))
        return dict(render, rendered=registered["results"])

    @staticmethod
    def _tools(project_root):
        """tools.localstack.validator of the project work tree, or the reason there is no private validator."""
        root = project_root or ""
        if not os.path.isfile(os.path.join(root, "tools", "localstack", "validator.py")):
            return None, "no private validator: %s is not the project work tree (tools/localstack)" % root
        if root not in sys.path:
            sys.path.insert(0, root)
        from tools.localstack import builds, gobuild, validator

        if not all(gobuild.cached(spec) for spec in (builds.ETCD, builds.K8S)):
            return None, ("no private validator: the local default's etcd and kube-apiserver are not built yet "
                          "(make local-cluster builds them once)")
        return validator, None

    def _lifecycle(self, args):
        if args["state"] == "stopped":
            if not args["plane"] or not os.path.isdir(args["plane"]):
                return {"msg": "no private validator running"}
            tools, _ = self._tools(args["project_root"])
            if tools is None:  # pragma: no cover - it was started from there
                return {"msg": "no private validator running"}
            tools.BackgroundValidator(args["plane"]).stop()
            return {"msg": "private validator stopped"}
        tools, reason = self._tools(args["project_root"])
        if tools is None:
            return {"skipped": True, "skip_reason": reason, "plane": ""}
        # It lives no longer than ansible-playbook, this worker's parent, whatever happens to the run.
        plane = tools.BackgroundValidator.start(watch_pid=os.getppid(), root=args["project_root"])
        return {"plane": str(plane.dir), "msg": "private validator starting in the background (%s)" % plane.dir}

    def _private(self, project_root, renders, plane_dir):
        tools, reason = self._tools(project_root)
        if tools is None:
            return {"skipped": True, "skip_reason": reason}
        from kubernetes import config

        # The CRDs the last validation parsed are not parsed again (megabytes of YAML).
        known, seen = tools.load_warm_texts(), {}
        for i, render in enumerate(renders):
            renders[i] = prepared(render, known, seen)
            known.update(seen)
        if plane_dir and os.path.isdir(plane_dir):
            plane = tools.BackgroundValidator(plane_dir)
        else:
            plane = tools.BackgroundValidator.start(watch_pid=os.getppid(), root=project_root)
        try:
            ready = plane.attach()
            api = config.new_client_from_config(config_file=ready["kubeconfig"])
            try:
                # Argo CD's Application CRD is the plane's own; any other CRD must be the render's.
                result = dryrun.validate_render(api, renders, private=True, preloaded=ready["preloaded"],
                                                keep_crds=["applications.argoproj.io"])
            finally:
                api.close()
        finally:
            plane.stop()
        # The next run's plane holds these when it starts (a head start; dryrun applies what differs).
        tools.save_warm(seen)
        result["preloaded"] = len(ready["preloaded"])
        return result
