"""The kagent chart's Role `agent-platform-developer`, bound to a test user, checked with
`kubectl auth can-i --as` against the real API server (RBAC authorizer)."""
from __future__ import annotations

import copy
import json

import pytest

from .conftest import kubectl

pytestmark = [pytest.mark.cluster, pytest.mark.helm]

USER = "sec-test-developer"
ALLOWED = [(v, "agents.kagent.dev") for v in ("get", "list", "watch", "create", "update", "patch")] + [("get", "pods/log")]
DENIED = [("delete", "agents.kagent.dev"), ("get", "secrets"), ("create", "pods"), ("list", "secrets"),
          ("deletecollection", "agents.kagent.dev"), ("create", "rolebindings.rbac.authorization.k8s.io")]


def test_developer_role(rendered, shared_kubeconfig, own_namespace):
    _, objects, _ = rendered
    roles = [o for _, o in objects if o["kind"] == "Role" and o["metadata"]["name"] == "agent-platform-developer"]
    assert len(roles) == 1, "the kagent chart renders the Role agent-platform-developer once"
    ns = own_namespace("sec-rbac")
    role = copy.deepcopy(roles[0])
    role["metadata"] = {"name": role["metadata"]["name"], "namespace": ns}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "sec-test-developer", "namespace": ns},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role["metadata"]["name"]},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": USER}]}
    for obj in (role, binding):
        proc = kubectl(shared_kubeconfig, "apply", "-f", "-", stdin=json.dumps(obj))
        assert proc.returncode == 0, proc.stderr
    wrong = []
    for expected, cases in (("yes", ALLOWED), ("no", DENIED)):
        for verb, resource in cases:
            proc = kubectl(shared_kubeconfig, "auth", "can-i", verb, resource, "--as", USER, "-n", ns)
            answer = proc.stdout.strip()
            print("can-i %-16s %-28s -> %s" % (verb, resource, answer))
            if answer != expected:
                wrong.append("%s %s: %s (expected %s)" % (verb, resource, answer, expected))
    # the binding is what grants: the same user in another namespace gets nothing
    other = kubectl(shared_kubeconfig, "auth", "can-i", "get", "agents.kagent.dev", "--as", USER, "-n", "default")
    assert other.stdout.strip() == "no"
    assert not wrong, wrong
