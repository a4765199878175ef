"""Helpers for tests/aws: moto server lifecycle, a fresh account, playbook runs and state snapshots."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import Run, run_timed  # tests/ is the import root (no __init__.py)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
INVENTORY = Path(__file__).resolve().parent / "inventory"
DATA = Path(__file__).resolve().parent / "data"
REGION = "us-east-1"
PREFIX = "apt"  # agent_platform_resource_prefix in the test inventory
CLUSTER = f"{PREFIX}-agent-platform"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _no_proxy_opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Moto:
    url: str
    proc: subprocess.Popen

    def reset(self) -> None:
        req = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        _no_proxy_opener().open(req, timeout=30).read()

    def client(self, service: str):
        import boto3

        return boto3.client(
            service, endpoint_url=self.url, region_name=REGION,
            aws_access_key_id="testing", aws_secret_access_key="testing",  # dummy moto credentials
        )


def start_moto(tmp_path_factory):
    binary = VENV_BIN / "moto_server"
    if not binary.exists():
        pytest.skip("moto_server is missing from .venv: run `bash scripts/setup.sh`")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            _no_proxy_opener().open(url + "/moto-api/", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"moto_server did not come up on {url}: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
    return Moto(url=url, proc=proc)


def stop_moto(moto: Moto) -> None:
    moto.proc.terminate()
    try:
        moto.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        moto.proc.kill()
        moto.proc.wait()


@dataclass
class Account:
    moto: Moto
    subnet_ids: list[str]
    kubeconfig: Path
    env: dict = field(default_factory=dict)

    def client(self, service: str):
        return self.moto.client(service)


def make_account(moto: Moto, workdir: Path) -> Account:
    """Fresh moto state with a VPC and two subnets in different AZs."""
    moto.reset()
    ec2 = moto.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    kubeconfig = workdir / "kube" / "config"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy")}
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-tmp"),
        ANSIBLE_PIPELINING="1",  # local connection: ~20% faster runs, same behaviour
        MOTO_ENDPOINT_URL=moto.url,
        MOTO_SUBNET_IDS=",".join(subnets),
        MOTO_KUBECONFIG=str(kubeconfig),
        # Belt and braces: anything boto3 does without the module_defaults still lands on moto.
        AWS_ENDPOINT_URL=moto.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # dummy moto credential
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    assert env["MOTO_ENDPOINT_URL"].startswith("http://127.0.0.1:"), "tests may only talk to loopback"
    return Account(moto=moto, subnet_ids=subnets, kubeconfig=kubeconfig, env=env)


def run_playbook(account: Account, playbook: str | Path, *args: str, timeout: int = 180) -> Run:
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(INVENTORY), str(ROOT / playbook), *args]
    return run_timed(cmd, account.env, timeout)


def ours(names, prefix: str = PREFIX):
    return sorted(n for n in names if n.startswith(prefix + "-"))


def snapshot(account: Account) -> dict:
    """Everything of ours that exists in moto right now."""
    iam = account.client("iam")
    return {
        "clusters": account.client("eks").list_clusters()["clusters"],
        "roles": ours(r["RoleName"] for r in iam.list_roles()["Roles"]),
        "policies": ours(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]),
        "oidc_providers": [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]],
        "parameters": [p["Name"] for p in account.client("ssm").describe_parameters()["Parameters"]
                       if p["Name"].startswith(f"/{PREFIX}/")],
    }


EMPTY = {"clusters": [], "roles": [], "policies": [], "oidc_providers": [], "parameters": []}


def load_json(path: Path):
    return json.loads(Path(path).read_text())
