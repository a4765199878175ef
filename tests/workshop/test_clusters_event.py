"""A clusters-mode event on moto: 2 participants, each its own EKS cluster and IAM identities
(eks_bootstrap, aws_identity), roster, rerun without changes, teardown that leaves nothing of its own and
names what outlived a participant."""
from __future__ import annotations

import csv
import json

import pytest

from aws.moto_helpers import make_account, start_moto, stop_moto  # tests/aws's moto fixture code

from .workshop_helpers import event_file, run_event

pytestmark = [pytest.mark.aws, pytest.mark.slow]

EVENT = "ev2c"

# What tests/aws/inventory/group_vars/all.yml sets for moto, per participant.
MOTO_VARS = {
    "aws_endpoint_url": "{{ lookup('ansible.builtin.env', 'MOTO_ENDPOINT_URL') | default('http://127.0.0.1:9', true) }}",
    "aws_region": "us-east-1",
    "aws_access_key": "testing",
    "aws_secret_key": "testing",  # dummy moto credential
    "eks_bootstrap_subnet_ids": "{{ lookup('ansible.builtin.env', 'MOTO_SUBNET_IDS') | split(',') }}",
    "eks_bootstrap_endpoint_public_access": False,
    "eks_bootstrap_nodegroup_min_size": 1,
    "eks_bootstrap_nodegroup_desired_size": 1,
    "eks_bootstrap_nodegroup_max_size": 2,
    "eks_bootstrap_kubeconfig_path": "{{ lookup('ansible.builtin.env', 'WORKSHOP_KUBECONFIG_DIR') }}/{{ inventory_hostname }}.kubeconfig",
    "agent_platform_kubeconfig": "{{ lookup('ansible.builtin.env', 'WORKSHOP_KUBECONFIG_DIR') }}/{{ inventory_hostname }}.kubeconfig",
    "eks_bootstrap_addons": [],  # moto 5.2.5: no EKS add-on API
    "aws_identity_pod_identity_association": False,  # moto 5.2.5: no pod identity API
    "workshop_event_install_platform": False,  # moto has no Kubernetes API behind the clusters
    # moto 5.2.5 gives every EKS cluster the same OIDC issuer (ISSUER_TEMPLATE is drawn once at import),
    # so a second IAM OIDC provider for it is EntityAlreadyExists; real clusters have one issuer each.
    "eks_bootstrap_oidc_provider": "{{ workshop_event_participant == 'p01' }}",
}


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = start_moto(tmp_path_factory)
    yield server
    stop_moto(server)


def _ours(account):
    iam = account.client("iam")
    return {
        "clusters": sorted(c for c in account.client("eks").list_clusters()["clusters"] if c.startswith(EVENT + "-")),
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(EVENT + "-")),
        "policies": sorted(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]
                           if p["PolicyName"].startswith(EVENT + "-")),
    }


def test_clusters_event_on_moto(moto, tmp_path):
    account = make_account(moto, tmp_path)
    env = dict(account.env, WORKSHOP_KUBECONFIG_DIR=str(tmp_path / "kube"))
    event = event_file(tmp_path / "ev2c.yml", name=EVENT, mode="clusters", participants=2, vars=MOTO_VARS)
    args = ("-e", f"workshop_event_out_dir={tmp_path / 'out'}")

    # Node groups outside the event's cost limits stop the event before any cluster exists, naming the participant.
    capped = event_file(tmp_path / "capped.yml", name=EVENT, mode="clusters", participants=2, vars=MOTO_VARS,
                        cost_limits={"instance_types": ["t3.medium"], "max_nodes": 2})
    refused = run_event(capped, *args, env=env, timeout=600)
    assert refused.rc != 0
    assert ("p01: eks_bootstrap_nodegroup_instance_types: m5.large is not allowed by the event's "
            "cost_limits.instance_types (t3.medium)") in refused.output, refused.why()
    assert _ours(account) == {"clusters": [], "roles": [], "policies": []}

    first = run_event(event, *args, env=env, timeout=600)
    print(f"clusters event, 2 participants: {first.seconds:.0f}s")
    assert first.rc == 0, first.why()
    state = _ours(account)
    assert state["clusters"] == [f"{EVENT}-p01-agent-platform", f"{EVENT}-p02-agent-platform"]
    for p in ("p01", "p02"):
        assert {f"{EVENT}-{p}-EksClusterRole", f"{EVENT}-{p}-KagentRole"} <= set(state["roles"]), state
        assert (tmp_path / "kube" / f"{p}.kubeconfig").exists()
    rows = list(csv.DictReader((tmp_path / "out" / EVENT / "roster.csv").open()))
    assert rows[1]["cluster"] == f"EKS {EVENT}-p02-agent-platform (us-east-1)"
    assert "IAM role ev2c-p02-KagentRole" in rows[1]["credentials_stored_in"]
    assert rows[1]["limits"] == "none set"
    # No platform on moto: the participant's run decides its status (one record, no component).
    status = json.loads((tmp_path / "out" / EVENT / "status.json").read_text())
    assert status["participants"] == {"p01": "ready", "p02": "ready"} and rows[1]["readiness"] == "ready"

    again = run_event(event, *args, env=env, timeout=600)
    assert again.rc == 0, again.why()
    assert {h: c["changed"] for h, c in again.recap.items()} == {h: 0 for h in again.recap}, again.recap

    # Something the teardown does not know of, named after p02 (made by hand during the event, say).
    iam = account.client("iam")
    iam.create_role(RoleName=f"{EVENT}-p02-Stray", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    down = run_event(event, *args, "-e", "state=absent", env=env, timeout=600)
    assert down.rc == 0, down.why()
    assert f"AWS resources that outlived their participant: IAM role {EVENT}-p02-Stray" in down.stdout, down.stdout[-3000:]
    iam.delete_role(RoleName=f"{EVENT}-p02-Stray")
    assert _ours(account) == {"clusters": [], "roles": [], "policies": []}
    assert account.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
