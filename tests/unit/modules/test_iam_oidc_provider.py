"""iam_oidc_provider logic (plugins/module_utils/iam_oidc.py) against botocore's Stubber: no network."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.appmod.agent_platform.plugins.module_utils import iam_oidc

ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
ARN = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"
OTHER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def _listed(stub, *arns):
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": a} for a in arns]}, {})


def _got(stub, client_ids=("sts.amazonaws.com",), thumbprints=(), tags=None):
    stub.add_response(
        "get_open_id_connect_provider",
        {"Url": ISSUER, "ClientIDList": list(client_ids), "ThumbprintList": list(thumbprints),
         "CreateDate": datetime.datetime(2026, 1, 1), "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]},
        {"OpenIDConnectProviderArn": ARN},
    )


@pytest.mark.parametrize("url", [ISSUER, f"https://{ISSUER}", f"https://{ISSUER}/", f"  {ISSUER}/ "])
def test_normalize_url(url):
    assert iam_oidc.normalize_url(url) == ISSUER


def test_create_when_missing(iam):
    client, stub = iam
    _listed(stub, OTHER)
    stub.add_response(
        "create_open_id_connect_provider", {"OpenIDConnectProviderArn": ARN},
        {"Url": f"https://{ISSUER}", "ClientIDList": ["sts.amazonaws.com"], "Tags": [{"Key": "team", "Value": "platform"}]},
    )
    _listed(stub, OTHER, ARN)
    _got(stub, tags={"team": "platform"})
    changed, provider, actions = iam_oidc.ensure_present(client, f"https://{ISSUER}", ["sts.amazonaws.com"], tags={"team": "platform"})
    assert changed and actions == ["create"]
    assert provider == {"arn": ARN, "url": ISSUER, "client_ids": ["sts.amazonaws.com"], "thumbprints": [], "tags": {"team": "platform"}}


def test_create_sends_thumbprints_when_given(iam):
    client, stub = iam
    _listed(stub)
    stub.add_response(
        "create_open_id_connect_provider", {"OpenIDConnectProviderArn": ARN},
        {"Url": f"https://{ISSUER}", "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]},
    )
    _listed(stub, ARN)
    _got(stub, thumbprints=["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"])
    changed, provider, _ = iam_oidc.ensure_present(client, ISSUER, ["sts.amazonaws.com"], ["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"])
    assert changed and provider["thumbprints"] == ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]


def test_check_mode_creates_nothing(iam):
    client, stub = iam
    _listed(stub)
    changed, provider, actions = iam_oidc.ensure_present(client, ISSUER, ["sts.amazonaws.com"], check_mode=True)
    assert changed and actions == ["create"] and provider["arn"] is None


def test_unchanged_provider_is_left_alone(iam):
    client, stub = iam
    _listed(stub, OTHER, ARN)
    _got(stub, thumbprints=["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], tags={"team": "platform"})
    changed, provider, actions = iam_oidc.ensure_present(client, ISSUER, ["sts.amazonaws.com"], [], {"team": "platform"})
    assert not changed and actions == [] and provider["arn"] == ARN


def test_converges_client_ids_thumbprints_and_tags(iam):
    client, stub = iam
    _listed(stub, ARN)
    _got(stub, client_ids=["old-audience", "sts.amazonaws.com"], thumbprints=["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], tags={"stale": "x", "team": "a"})
    stub.add_response("add_client_id_to_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN, "ClientID": "new-audience"})
    stub.add_response("remove_client_id_from_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN, "ClientID": "old-audience"})
    stub.add_response("update_open_id_connect_provider_thumbprint", {}, {"OpenIDConnectProviderArn": ARN, "ThumbprintList": ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]})
    stub.add_response("tag_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN, "Tags": [{"Key": "team", "Value": "b"}]})
    stub.add_response("untag_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN, "TagKeys": ["stale"]})
    _listed(stub, ARN)
    _got(stub, client_ids=["new-audience", "sts.amazonaws.com"], thumbprints=["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"], tags={"team": "b"})
    changed, provider, actions = iam_oidc.ensure_present(
        client, ISSUER, ["sts.amazonaws.com", "new-audience"], ["BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"], {"team": "b"}, purge_tags=True)
    assert changed
    assert actions == ["add_client_id:new-audience", "remove_client_id:old-audience", "update_thumbprints", "tag", "untag"]
    assert provider["client_ids"] == ["new-audience", "sts.amazonaws.com"]


def test_no_purge_keeps_foreign_tags(iam):
    client, stub = iam
    _listed(stub, ARN)
    _got(stub, tags={"foreign": "x"})
    changed, _, actions = iam_oidc.ensure_present(client, ISSUER, ["sts.amazonaws.com"], tags={}, purge_tags=False)
    assert not changed and actions == []


def test_delete(iam):
    client, stub = iam
    _listed(stub, ARN)
    _got(stub)
    stub.add_response("delete_open_id_connect_provider", {}, {"OpenIDConnectProviderArn": ARN})
    changed, provider, actions = iam_oidc.ensure_absent(client, f"https://{ISSUER}/")
    assert changed and actions == ["delete"] and provider["arn"] == ARN


def test_delete_check_mode_and_missing(iam):
    client, stub = iam
    _listed(stub, ARN)
    _got(stub)
    assert iam_oidc.ensure_absent(client, ISSUER, check_mode=True)[0] is True
    _listed(stub, OTHER)
    assert iam_oidc.ensure_absent(client, ISSUER) == (False, None, [])
