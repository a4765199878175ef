# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)
"""IAM OpenID Connect provider logic for the iam_oidc_provider module.

Plain functions over a boto3 IAM client so that they can be unit-tested with
botocore's Stubber, without Ansible. AWS errors propagate as botocore
ClientError; the module turns them into fail_json_aws.
"""

from __future__ import annotations

def normalize_url(url):
    """IAM stores the issuer without scheme and without trailing slash."""
    url = (url or "").strip()
    for scheme in ("https://", "http://"):
        if url.lower().startswith(scheme):
            url = url[len(scheme):]
    return url.rstrip("/")


def _tags_to_dict(tags):
    return {t["Key"]: t["Value"] for t in tags or []}


def _dict_to_tags(tags):
    return [{"Key": k, "Value": str(v)} for k, v in sorted((tags or {}).items())]


def find_provider(client, url):
    """Return the provider registered for ``url`` as a plain dict, or None."""
    wanted = normalize_url(url)
    for entry in client.list_open_id_connect_providers().get("OpenIDConnectProviderList", []):
        arn = entry["Arn"]
        if arn.split(":oidc-provider/", 1)[-1] != wanted:
            continue
        raw = client.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        return {
            "arn": arn,
            "url": normalize_url(raw.get("Url", wanted)),
            "client_ids": sorted(raw.get("ClientIDList", [])),
            "thumbprints": sorted(t.lower() for t in raw.get("ThumbprintList", [])),
            "tags": _tags_to_dict(raw.get("Tags")),
        }
    return None


def ensure_present(client, url, client_ids, thumbprints=None, tags=None, purge_tags=True, check_mode=False):
    """Create or converge the provider. Returns (changed, provider, actions)."""
    url = normalize_url(url)
    client_ids = sorted(set(client_ids or []))
    thumbprints = sorted({t.lower() for t in thumbprints or []})
    tags = {k: str(v) for k, v in (tags or {}).items()}
    actions = []
    current = find_provider(client, url)

    if current is None:
        actions.append("create")
        if check_mode:
            return True, {"arn": None, "url": url, "client_ids": client_ids, "thumbprints": thumbprints, "tags": tags}, actions
        kwargs = {"Url": "https://" + url, "ClientIDList": client_ids}
        if thumbprints:
            kwargs["ThumbprintList"] = thumbprints
        if tags:
            kwargs["Tags"] = _dict_to_tags(tags)
        client.create_open_id_connect_provider(**kwargs)
        return True, find_provider(client, url), actions

    arn = current["arn"]
    add_ids = [c for c in client_ids if c not in current["client_ids"]]
    remove_ids = [c for c in current["client_ids"] if c not in client_ids]
    # An empty desired thumbprint list means "let IAM use its trusted CA library": leave it alone.
    update_thumbprints = bool(thumbprints) and thumbprints != current["thumbprints"]
    set_tags = {k: v for k, v in tags.items() if current["tags"].get(k) != v}
    unset_tags = sorted(k for k in current["tags"] if k not in tags) if purge_tags else []

    for cid in add_ids:
        actions.append("add_client_id:" + cid)
    for cid in remove_ids:
        actions.append("remove_client_id:" + cid)
    if update_thumbprints:
        actions.append("update_thumbprints")
    if set_tags:
        actions.append("tag")
    if unset_tags:
        actions.append("untag")
    if not actions:
        return False, current, actions
    if check_mode:
        desired = dict(current, client_ids=client_ids, tags=dict({k: v for k, v in current["tags"].items() if k not in unset_tags}, **set_tags))
        if update_thumbprints:
            desired["thumbprints"] = thumbprints
        return True, desired, actions

    for cid in add_ids:
        client.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=cid)
    for cid in remove_ids:
        client.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=cid)
    if update_thumbprints:
        client.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=thumbprints)
    if set_tags:
        client.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=_dict_to_tags(set_tags))
    if unset_tags:
        client.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=unset_tags)
    return True, find_provider(client, url), actions


def ensure_absent(client, url, check_mode=False):
    """Delete the provider if it exists. Returns (changed, provider_or_None, actions)."""
    current = find_provider(client, url)
    if current is None:
        return False, None, []
    if not check_mode:
        client.delete_open_id_connect_provider(OpenIDConnectProviderArn=current["arn"])
    return True, current, ["delete"]
