"""playbooks/eks-bootstrap.yml and eks-teardown.yml against moto in server mode.

One module-scoped lifecycle (check -> bootstrap -> bootstrap -> read -> teardown) feeds most tests;
the rest each start from a freshly reset moto account.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import botocore.exceptions
import pytest
import yaml

from .moto_helpers import CLUSTER, DATA, EMPTY, INVENTORY, PREFIX, ROOT, VENV_BIN, load_json, make_account, run_playbook, snapshot

pytestmark = pytest.mark.aws

BOOTSTRAP = "playbooks/eks-bootstrap.yml"
TEARDOWN = "playbooks/eks-teardown.yml"
READ = "tests/aws/playbooks/read-infra-parameters.yml"
SEED_POLICIES = {
    f"{PREFIX}-KagentBedrockPolicy": DATA / "seed-kagent-policy.json",
    f"{PREFIX}-TofuControllerPolicy": DATA / "seed-tofu-controller-policy.json",
}


def _details(account) -> dict:
    iam, eks, ssm = account.client("iam"), account.client("eks"), account.client("ssm")
    policies = {}
    for pol in iam.list_policies(Scope="Local")["Policies"]:
        doc = iam.get_policy_version(PolicyArn=pol["Arn"], VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        policies[pol["PolicyName"]] = json.loads(doc) if isinstance(doc, str) else doc
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        trust = role["AssumeRolePolicyDocument"]
        roles[name] = {
            "trust": json.loads(trust) if isinstance(trust, str) else trust,
            "attached": sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]),
            "inline": iam.list_role_policies(RoleName=name)["PolicyNames"],
        }
    providers = [
        dict(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"]), Arn=p["Arn"])
        for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    ]
    cluster = eks.describe_cluster(name=CLUSTER)["cluster"]
    nodegroups = {n: eks.describe_nodegroup(clusterName=CLUSTER, nodegroupName=n)["nodegroup"]
                  for n in eks.list_nodegroups(clusterName=CLUSTER)["nodegroups"]}
    params = {p["Name"]: p["Value"] for p in ssm.get_parameters_by_path(Path=f"/{PREFIX}/", Recursive=True)["Parameters"]}
    return dict(policies=policies, roles=roles, providers=providers, cluster=cluster, nodegroups=nodegroups, parameters=params)


@pytest.fixture(scope="module")
def lifecycle(moto, tmp_path_factory):
    work = tmp_path_factory.mktemp("lifecycle")
    account = make_account(moto, work)
    check = run_playbook(account, BOOTSTRAP, "--check")
    after_check = snapshot(account)
    kubeconfig_after_check = account.kubeconfig.exists()
    first = run_playbook(account, BOOTSTRAP)
    assert first.rc == 0, first.output[-4000:]
    second = run_playbook(account, BOOTSTRAP)
    before_teardown_check = snapshot(account)
    teardown_check = run_playbook(account, TEARDOWN, "--check")
    after_teardown_check = snapshot(account)
    details = _details(account)
    kubeconfig = yaml.safe_load(account.kubeconfig.read_text()) if account.kubeconfig.exists() else None
    kubeconfig_mode = account.kubeconfig.stat().st_mode & 0o777 if account.kubeconfig.exists() else None
    facts_file = work / "facts.json"
    read = run_playbook(account, READ, "-e", f"facts_file={facts_file}")
    facts = load_json(facts_file) if facts_file.exists() else None
    teardown = run_playbook(account, TEARDOWN)
    after_teardown = snapshot(account)
    teardown_again = run_playbook(account, TEARDOWN)
    for label, run in (("check", check), ("bootstrap 1", first), ("bootstrap 2", second), ("teardown --check", teardown_check),
                       ("read", read), ("teardown", teardown), ("teardown 2", teardown_again)):
        print(f"{label}: rc={run.rc} {run.seconds:.1f}s {run.recap.get('localhost')}")
    return SimpleNamespace(
        check=check, after_check=after_check, kubeconfig_after_check=kubeconfig_after_check,
        first=first, second=second, teardown_check=teardown_check,
        before_teardown_check=before_teardown_check, after_teardown_check=after_teardown_check, teardown_again=teardown_again, details=details, kubeconfig=kubeconfig, kubeconfig_mode=kubeconfig_mode,
        read=read, facts=facts, teardown=teardown, after_teardown=after_teardown,
        kubeconfig_after_teardown=account.kubeconfig.exists(),
    )


# --------------------------------------------------------------------------- check mode
def test_check_mode_reports_changes_and_creates_nothing(lifecycle):
    assert lifecycle.check.rc == 0, lifecycle.check.output[-4000:]
    assert lifecycle.check.recap["localhost"]["changed"] > 0
    assert lifecycle.after_check == EMPTY
    assert not lifecycle.kubeconfig_after_check


# --------------------------------------------------------------------------- idempotence
def test_bootstrap_twice_second_run_changes_nothing(lifecycle):
    assert lifecycle.first.recap["localhost"]["changed"] > 0
    assert lifecycle.second.rc == 0, lifecycle.second.output[-4000:]
    assert lifecycle.second.recap["localhost"]["failed"] == 0
    assert lifecycle.second.recap["localhost"]["changed"] == 0, re.findall(r"changed: \[localhost\].*", lifecycle.second.stdout)


# --------------------------------------------------------------------------- IAM documents
def test_policy_files_equal_the_seed():
    files = ROOT / "roles" / "aws_identity" / "files"
    assert load_json(files / "kagent-policy.json") == load_json(DATA / "seed-kagent-policy.json")
    assert load_json(files / "tofu-controller-policy.json") == load_json(DATA / "seed-tofu-controller-policy.json")


def test_every_customer_policy_equals_the_seed(lifecycle):
    policies = lifecycle.details["policies"]
    assert sorted(policies) == sorted(SEED_POLICIES)
    for name, reference in SEED_POLICIES.items():
        assert policies[name] == load_json(reference), name


def _actions(document) -> list[str]:
    out = []
    for statement in document["Statement"]:
        action = statement.get("Action", [])
        out.extend([action] if isinstance(action, str) else action)
    return out


def test_no_wildcard_action_anywhere(lifecycle):
    documents = list(lifecycle.details["policies"].values())
    documents += [r["trust"] for r in lifecycle.details["roles"].values()]
    documents += [load_json(p) for p in (ROOT / "roles").glob("*/files/*.json")]
    assert documents
    for document in documents:
        assert not [a for a in _actions(document) if "*" in a], document


def test_irsa_trust_is_scoped_to_one_service_account(lifecycle):
    d = lifecycle.details
    issuer = d["cluster"]["identity"]["oidc"]["issuer"].removeprefix("https://")
    [provider] = d["providers"]
    assert provider["Url"].removeprefix("https://") == issuer
    assert provider["ClientIDList"] == ["sts.amazonaws.com"]
    expected = {
        f"{PREFIX}-KagentRole": ("agent-platform", "kagent", f"{PREFIX}-KagentBedrockPolicy"),
        f"{PREFIX}-TofuControllerRole": ("flux-system", "tofu-controller", f"{PREFIX}-TofuControllerPolicy"),
    }
    for role, (namespace, service_account, policy) in expected.items():
        trust = d["roles"][role]["trust"]
        assert trust == {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": provider["Arn"]},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    f"{issuer}:aud": "sts.amazonaws.com",
                }},
            }],
        }, role
        assert [a.rsplit("/", 1)[-1] for a in d["roles"][role]["attached"]] == [policy]
        assert d["roles"][role]["inline"] == []


def test_agent_core_pod_identity_role(lifecycle):
    role = lifecycle.details["roles"][f"{PREFIX}-AgentCoreRole"]
    assert role["trust"] == {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }],
    }
    assert role["attached"] == [] and role["inline"] == []


# --------------------------------------------------------------------------- cluster
def test_cluster_node_group_and_roles(lifecycle):
    d = lifecycle.details
    cluster = d["cluster"]
    assert cluster["version"] == "1.33"
    assert cluster["roleArn"].endswith(f":role/{PREFIX}-EksClusterRole")
    assert cluster["resourcesVpcConfig"]["endpointPublicAccess"] is False
    assert cluster["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["tags"]["agent-platform/resource-prefix"] == PREFIX
    [(name, nodegroup)] = d["nodegroups"].items()
    assert name == f"{CLUSTER}-default"
    assert nodegroup["nodeRole"].endswith(f":role/{PREFIX}-EksNodeRole")
    assert nodegroup["scalingConfig"] == {"minSize": 1, "maxSize": 2, "desiredSize": 1}
    assert nodegroup["amiType"] == "BOTTLEROCKET_x86_64"
    assert d["roles"][f"{PREFIX}-EksClusterRole"]["attached"] == ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]
    assert d["roles"][f"{PREFIX}-EksNodeRole"]["attached"] == sorted(
        f"arn:aws:iam::aws:policy/{p}"
        for p in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
    )


def test_kubeconfig_uses_aws_eks_get_token(lifecycle):
    cluster = lifecycle.details["cluster"]
    kc = lifecycle.kubeconfig
    assert kc is not None and lifecycle.kubeconfig_mode == 0o600
    assert kc["current-context"] == cluster["arn"]
    [entry] = kc["clusters"]
    assert entry["cluster"] == {"server": cluster["endpoint"], "certificate-authority-data": cluster["certificateAuthority"]["data"]}
    [user] = kc["users"]
    exec_ = user["user"]["exec"]
    assert exec_["command"] == "aws"
    assert exec_["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_["args"] == ["--region", "us-east-1", "eks", "get-token", "--cluster-name", CLUSTER, "--output", "json"]
    assert "token" not in user["user"]


# --------------------------------------------------------------------------- infrastructure parameters
def test_infra_parameters_stored_and_read_back(lifecycle):
    assert lifecycle.details["parameters"] == {
        f"/{PREFIX}/agent-platform/workshop-type": "agent-platform",
        f"/{PREFIX}/agent-platform/enable-agent-platform": "true",
    }
    assert lifecycle.read.rc == 0, lifecycle.read.output[-3000:]
    assert lifecycle.facts == {"workshop_type": "agent-platform", "enable_agent_platform": True}


def test_read_leaves_facts_undefined_when_parameters_are_absent(aws_account, tmp_path):
    facts_file = tmp_path / "facts.json"
    run = run_playbook(aws_account, READ, "-e", f"facts_file={facts_file}")
    assert run.rc == 0, run.output[-3000:]
    assert load_json(facts_file) == {"workshop_type": "UNDEFINED", "enable_agent_platform": "UNDEFINED"}


@pytest.mark.parametrize(("value", "stored", "fact"), [(True, "true", True), ("false", "false", False)])
def test_yaml_boolean_is_stored_as_the_cloudformation_string(aws_account, tmp_path, value, stored, fact):
    extra = json.dumps({"infra_parameters_enable_agent_platform_value": value, "infra_parameters_workshop_type_value": "platform-engineering"})
    run = run_playbook(aws_account, "tests/aws/playbooks/store-infra-parameters.yml", "-e", extra)
    assert run.rc == 0, run.output[-3000:]
    ssm = aws_account.client("ssm")
    assert ssm.get_parameter(Name=f"/{PREFIX}/agent-platform/enable-agent-platform")["Parameter"]["Value"] == stored
    facts_file = tmp_path / "facts.json"
    assert run_playbook(aws_account, READ, "-e", f"facts_file={facts_file}").rc == 0
    assert load_json(facts_file) == {"workshop_type": "platform-engineering", "enable_agent_platform": fact}


def test_read_rejects_an_invalid_stored_value(aws_account, tmp_path):
    aws_account.client("ssm").put_parameter(Name=f"/{PREFIX}/agent-platform/workshop-type", Value="gaming", Type="String")
    run = run_playbook(aws_account, READ, "-e", f"facts_file={tmp_path / 'facts.json'}")
    assert run.rc != 0
    assert f"/{PREFIX}/agent-platform/workshop-type (WorkshopType)" in run.output


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("infra_parameters_workshop_type_value=workshop", "infra_parameters_workshop_type_value"),
        ("infra_parameters_enable_agent_platform_value=yes", "EnableAgentPlatform"),
    ],
)
def test_invalid_parameter_fails_before_any_change(aws_account, extra, named):
    run = run_playbook(aws_account, BOOTSTRAP, "-e", extra)
    assert run.rc != 0
    assert named in run.output
    assert run.recap["localhost"]["changed"] == 0
    assert snapshot(aws_account) == EMPTY


# --------------------------------------------------------------------------- teardown
def test_teardown_leaves_nothing_of_ours(lifecycle):
    assert lifecycle.teardown.rc == 0, lifecycle.teardown.output[-4000:]
    assert lifecycle.after_teardown == EMPTY
    assert not lifecycle.kubeconfig_after_teardown


def test_teardown_check_mode_deletes_nothing(lifecycle):
    assert lifecycle.teardown_check.rc == 0, lifecycle.teardown_check.output[-4000:]
    assert lifecycle.teardown_check.recap["localhost"]["changed"] > 0
    assert lifecycle.before_teardown_check["clusters"] == [CLUSTER]
    assert lifecycle.after_teardown_check == lifecycle.before_teardown_check


def test_second_teardown_changes_nothing(lifecycle):
    assert lifecycle.teardown_again.rc == 0, lifecycle.teardown_again.output[-4000:]
    assert lifecycle.teardown_again.recap["localhost"]["changed"] == 0


# --------------------------------------------------------------------------- adoption
def test_adopt_existing_cluster_creates_no_cluster_resources(aws_account):
    iam, eks = aws_account.client("iam"), aws_account.client("eks")
    role = iam.create_role(RoleName="preexisting-cluster-role", AssumeRolePolicyDocument=json.dumps(
        load_json(ROOT / "roles" / "eks_bootstrap" / "files" / "cluster-trust-policy.json")))["Role"]["Arn"]
    cluster = eks.create_cluster(name=CLUSTER, roleArn=role, version="1.32",
                                 resourcesVpcConfig={"subnetIds": aws_account.subnet_ids})["cluster"]
    run = run_playbook(aws_account, BOOTSTRAP, "-e", "eks_bootstrap_adopt_existing=true")
    assert run.rc == 0, run.output[-4000:]
    assert eks.list_clusters()["clusters"] == [CLUSTER]
    assert eks.list_nodegroups(clusterName=CLUSTER)["nodegroups"] == []
    assert eks.describe_cluster(name=CLUSTER)["cluster"]["version"] == "1.32"  # untouched
    roles = snapshot(aws_account)["roles"]
    assert f"{PREFIX}-EksClusterRole" not in roles and f"{PREFIX}-EksNodeRole" not in roles
    assert f"{PREFIX}-KagentRole" in roles  # identities are still created for the adopted cluster
    kc = yaml.safe_load(aws_account.kubeconfig.read_text())
    assert kc["clusters"][0]["cluster"]["server"] == cluster["endpoint"]


def test_adopt_missing_cluster_fails_without_creating_one(aws_account):
    run = run_playbook(aws_account, BOOTSTRAP, "-e", "eks_bootstrap_adopt_existing=true")
    assert run.rc != 0
    assert "eks_bootstrap_adopt_existing is true but EKS cluster" in run.output
    state = snapshot(aws_account)
    assert state["clusters"] == [] and state["roles"] == [] and state["oidc_providers"] == []


# --------------------------------------------------------------------------- APIs moto does not have
def _probe(account, call) -> None:
    """Skip with the reason when moto does not implement the API (HTTP 404)."""
    try:
        call(account.client("eks"))
    except botocore.exceptions.ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404 and exc.response.get("Error", {}).get("Code") in ("404", "NotFound"):
            return True
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return False
        raise
    return False


def _adhoc(account, module: str, args: str) -> subprocess.CompletedProcess:
    env = account.env
    connection = f"endpoint_url={env['MOTO_ENDPOINT_URL']} region=us-east-1 access_key=testing secret_key=testing"
    return subprocess.run(
        [str(VENV_BIN / "ansible"), "localhost", "-i", str(INVENTORY), "-m", module, "-a", f"{args} {connection}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_pod_identity_association_against_moto(aws_account):
    if _probe(aws_account, lambda eks: eks.list_pod_identity_associations(clusterName=CLUSTER)):
        pytest.skip("moto 5.2.5 has no EKS pod identity API (HTTP 404)")
    run = _adhoc(aws_account, "appmod.agent_platform.eks_pod_identity_association",
                 f"cluster_name={CLUSTER} namespace=agent-platform service_account=agent-core state=absent")
    assert run.returncode == 0, run.stdout + run.stderr


def test_addon_against_moto(aws_account):
    if _probe(aws_account, lambda eks: eks.list_addons(clusterName=CLUSTER)):
        pytest.skip("moto 5.2.5 has no EKS add-on API (HTTP 404)")
    run = _adhoc(aws_account, "appmod.agent_platform.eks_addon", f"cluster_name={CLUSTER} name=coredns state=absent")
    assert run.returncode == 0, run.stdout + run.stderr


def test_seed_reference_copies_match_the_design_doc():
    seed = Path("/work/shared/seed/agent-platform-design.md")
    if not seed.exists():
        pytest.skip("seed design document not available on this machine")
    text = seed.read_text()
    section = text[text.index("## Security Considerations"):text.index("### Network Policies")]
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", section, re.S)]
    assert blocks == [load_json(DATA / "seed-kagent-policy.json"), load_json(DATA / "seed-tofu-controller-policy.json")]
