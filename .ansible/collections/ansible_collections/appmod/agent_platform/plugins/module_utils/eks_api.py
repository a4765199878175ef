# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)
"""EKS logic behind the collection's EKS modules (cluster info, endpoint access,
add-ons, pod identity associations).

Plain functions over a boto3 EKS client so that they can be unit-tested with
botocore's Stubber. Every ``ensure_*`` function returns ``(changed, resource, actions)``
and never calls a mutating API in check mode. AWS errors propagate as botocore
ClientError; the modules turn them into fail_json_aws.
"""

from __future__ import annotations

import json

try:
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover - AnsibleAWSModule reports missing botocore
    ClientError = Exception


class EksError(Exception):
    """A problem with the request itself (not an AWS error)."""


def _not_found(exc):
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException"


def _wait(client, waiter, **kwargs):
    client.get_waiter(waiter).wait(WaiterConfig={"Delay": 15, "MaxAttempts": 80}, **kwargs)


# --------------------------------------------------------------------------- clusters
def describe_cluster(client, name):
    """The cluster description, or None if there is no such cluster."""
    try:
        return client.describe_cluster(name=name)["cluster"]
    except ClientError as exc:
        if _not_found(exc):
            return None
        raise


def list_nodegroups(client, cluster_name):
    names = []
    kwargs = {"clusterName": cluster_name}
    while True:
        page = client.list_nodegroups(**kwargs)
        names.extend(page.get("nodegroups", []))
        if not page.get("nextToken"):
            return sorted(names)
        kwargs["nextToken"] = page["nextToken"]


def cluster_info(client, name, include_nodegroups=True):
    """Everything later roles need about a cluster, in one dict."""
    cluster = describe_cluster(client, name)
    if cluster is None:
        return {"exists": False, "cluster": {}, "nodegroups": [], "oidc_issuer": "", "region": ""}
    issuer = cluster.get("identity", {}).get("oidc", {}).get("issuer", "")
    return {
        "exists": True,
        "cluster": cluster,
        "nodegroups": list_nodegroups(client, name) if include_nodegroups else [],
        "oidc_issuer": issuer,
        "region": cluster.get("arn", "::::").split(":")[3],
    }


def endpoint_access_changes(cluster, public_access=None, private_access=None, public_access_cidrs=None):
    """The resourcesVpcConfig keys that differ from the wanted endpoint access (None = unmanaged)."""
    current = cluster.get("resourcesVpcConfig", {})
    changes = {}
    if public_access is not None and bool(current.get("endpointPublicAccess")) != public_access:
        changes["endpointPublicAccess"] = public_access
    if private_access is not None and bool(current.get("endpointPrivateAccess")) != private_access:
        changes["endpointPrivateAccess"] = private_access
    if public_access_cidrs is not None and sorted(current.get("publicAccessCidrs") or []) != sorted(public_access_cidrs):
        changes["publicAccessCidrs"] = sorted(public_access_cidrs)
    return changes


def ensure_endpoint_access(client, name, public_access=None, private_access=None, public_access_cidrs=None,
                           check_mode=False, wait=False):
    if public_access is False and private_access is False:
        raise EksError("endpoint_public_access and endpoint_private_access cannot both be false: the API server would be unreachable")
    cluster = describe_cluster(client, name)
    if cluster is None:
        if check_mode:
            # The cluster itself would be created earlier in the same run.
            return True, {}, ["cluster_missing"]
        raise EksError("EKS cluster '%s' does not exist" % name)
    changes = endpoint_access_changes(cluster, public_access, private_access, public_access_cidrs)
    if not changes:
        return False, cluster, []
    actions = ["update_cluster_config:" + ",".join(sorted(changes))]
    # Send every managed endpoint setting, not only the changed ones: the request then states the
    # whole wanted endpoint access (and backends that replace resourcesVpcConfig keep all of it).
    request = {}
    if public_access is not None:
        request["endpointPublicAccess"] = public_access
    if private_access is not None:
        request["endpointPrivateAccess"] = private_access
    if public_access_cidrs is not None:
        request["publicAccessCidrs"] = sorted(public_access_cidrs)
    if check_mode:
        desired = dict(cluster)
        desired["resourcesVpcConfig"] = dict(cluster.get("resourcesVpcConfig", {}), **request)
        return True, desired, actions
    client.update_cluster_config(name=name, resourcesVpcConfig=request)
    if wait:
        _wait(client, "cluster_active", name=name)
    return True, describe_cluster(client, name), actions


# --------------------------------------------------------------------------- add-ons
def describe_addon(client, cluster_name, addon_name):
    try:
        return client.describe_addon(clusterName=cluster_name, addonName=addon_name)["addon"]
    except ClientError as exc:
        if _not_found(exc):
            return None
        raise


def _config_text(configuration_values):
    if configuration_values in (None, "", {}):
        return None
    if isinstance(configuration_values, (dict, list)):
        return json.dumps(configuration_values, sort_keys=True)
    return str(configuration_values)


def _same_config(current, wanted):
    if wanted is None:
        return True
    try:
        return json.loads(current or "{}") == json.loads(wanted)
    except ValueError:
        return (current or "") == wanted


def ensure_addon_present(client, cluster_name, addon_name, addon_version=None, service_account_role_arn=None,
                         configuration_values=None, resolve_conflicts="OVERWRITE", tags=None,
                         check_mode=False, wait=False):
    config = _config_text(configuration_values)
    current = describe_addon(client, cluster_name, addon_name)
    if current is None:
        kwargs = {"clusterName": cluster_name, "addonName": addon_name, "resolveConflicts": resolve_conflicts}
        if addon_version:
            kwargs["addonVersion"] = addon_version
        if service_account_role_arn:
            kwargs["serviceAccountRoleArn"] = service_account_role_arn
        if config:
            kwargs["configurationValues"] = config
        if tags:
            kwargs["tags"] = {k: str(v) for k, v in tags.items()}
        if check_mode:
            return True, {"addonName": addon_name, "clusterName": cluster_name}, ["create"]
        client.create_addon(**kwargs)
        if wait:
            _wait(client, "addon_active", clusterName=cluster_name, addonName=addon_name)
        return True, describe_addon(client, cluster_name, addon_name), ["create"]

    update = {}
    if addon_version and current.get("addonVersion") != addon_version:
        update["addonVersion"] = addon_version
    if service_account_role_arn is not None and (current.get("serviceAccountRoleArn") or "") != service_account_role_arn:
        update["serviceAccountRoleArn"] = service_account_role_arn
    if not _same_config(current.get("configurationValues"), config):
        update["configurationValues"] = config
    actions = ["update:" + ",".join(sorted(update))] if update else []
    wanted_tags = {k: str(v) for k, v in (tags or {}).items()}
    add_tags = {k: v for k, v in wanted_tags.items() if current.get("tags", {}).get(k) != v}
    if add_tags:
        actions.append("tag")
    if not actions:
        return False, current, []
    if check_mode:
        return True, dict(current, **update), actions
    if update:
        client.update_addon(clusterName=cluster_name, addonName=addon_name, resolveConflicts=resolve_conflicts, **update)
    if add_tags:
        client.tag_resource(resourceArn=current["addonArn"], tags=add_tags)
    if wait and update:
        _wait(client, "addon_active", clusterName=cluster_name, addonName=addon_name)
    return True, describe_addon(client, cluster_name, addon_name), actions


def ensure_addon_absent(client, cluster_name, addon_name, preserve=False, check_mode=False, wait=False):
    current = describe_addon(client, cluster_name, addon_name)
    if current is None:
        return False, None, []
    if not check_mode:
        client.delete_addon(clusterName=cluster_name, addonName=addon_name, preserve=preserve)
        if wait:
            _wait(client, "addon_deleted", clusterName=cluster_name, addonName=addon_name)
    return True, current, ["delete"]


# --------------------------------------------------------------------------- pod identity associations
def find_pod_identity_association(client, cluster_name, namespace, service_account):
    try:
        found = client.list_pod_identity_associations(
            clusterName=cluster_name, namespace=namespace, serviceAccount=service_account
        ).get("associations", [])
    except ClientError as exc:
        if _not_found(exc):
            return None
        raise
    if not found:
        return None
    return client.describe_pod_identity_association(
        clusterName=cluster_name, associationId=found[0]["associationId"]
    )["association"]


def ensure_pod_identity_association_present(client, cluster_name, namespace, service_account, role_arn,
                                            tags=None, purge_tags=True, check_mode=False):
    if not role_arn:
        raise EksError("role_arn is required when state=present")
    wanted_tags = {k: str(v) for k, v in (tags or {}).items()}
    current = find_pod_identity_association(client, cluster_name, namespace, service_account)
    if current is None:
        if check_mode:
            return True, {"clusterName": cluster_name, "namespace": namespace, "serviceAccount": service_account,
                          "roleArn": role_arn, "tags": wanted_tags}, ["create"]
        kwargs = {"clusterName": cluster_name, "namespace": namespace, "serviceAccount": service_account, "roleArn": role_arn}
        if wanted_tags:
            kwargs["tags"] = wanted_tags
        return True, client.create_pod_identity_association(**kwargs)["association"], ["create"]

    actions = []
    if current.get("roleArn") != role_arn:
        actions.append("update_role_arn")
    current_tags = current.get("tags", {}) or {}
    add_tags = {k: v for k, v in wanted_tags.items() if current_tags.get(k) != v}
    drop_tags = sorted(k for k in current_tags if k not in wanted_tags) if purge_tags else []
    if add_tags:
        actions.append("tag")
    if drop_tags:
        actions.append("untag")
    if not actions:
        return False, current, []
    if check_mode:
        return True, dict(current, roleArn=role_arn), actions
    if "update_role_arn" in actions:
        client.update_pod_identity_association(clusterName=cluster_name, associationId=current["associationId"], roleArn=role_arn)
    if add_tags:
        client.tag_resource(resourceArn=current["associationArn"], tags=add_tags)
    if drop_tags:
        client.untag_resource(resourceArn=current["associationArn"], tagKeys=drop_tags)
    return True, client.describe_pod_identity_association(
        clusterName=cluster_name, associationId=current["associationId"])["association"], actions


def ensure_pod_identity_association_absent(client, cluster_name, namespace, service_account, check_mode=False):
    current = find_pod_identity_association(client, cluster_name, namespace, service_account)
    if current is None:
        return False, None, []
    if not check_mode:
        client.delete_pod_identity_association(clusterName=cluster_name, associationId=current["associationId"])
    return True, current, ["delete"]
