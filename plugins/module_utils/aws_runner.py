# -*- coding: utf-8 -*-
# Copyright: Contributors to the appmod.agent_platform collection
# Apache License 2.0 (see LICENSE)
"""The main() shared by the collection's AWS modules (eks_addon, eks_cluster_info,
eks_cluster_endpoint_access, eks_pod_identity_association, iam_oidc_provider).

A module keeps its argument_spec, a short ``converge(client, params, check_mode)`` that calls
the ``ensure_*`` logic of ``eks_api.py`` / ``iam_oidc.py`` and returns the exit_json arguments,
and the message that names its resource when AWS fails. ``run_aws_module`` does the rest.
"""

from __future__ import annotations

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.appmod.agent_platform.plugins.module_utils.eks_api import EksError


def run_aws_module(argument_spec, service, converge, error_msg, **module_kwargs):
    """Build the module and a boto3 client for ``service`` (a name, or a list of names for a dict of clients),
    run ``converge``, exit with what it returns.

    ``converge(client, params, check_mode)`` returns the dict for exit_json (``changed`` included).
    ``error_msg`` names the resource in an AWS error; it is formatted with the module's params, for
    example ``"Could not describe EKS cluster {name}"``. An EksError (a problem with the request itself,
    not an AWS error) fails with its own text. ``module_kwargs`` go to AnsibleAWSModule
    (``supports_check_mode``, ``required_if``, ...).
    """
    module = AnsibleAWSModule(argument_spec=argument_spec, **module_kwargs)
    # several services: converge gets {service: client}
    client = {name: module.client(name) for name in service} if isinstance(service, (list, tuple)) else module.client(service)
    try:
        result = converge(client, module.params, module.check_mode)
    except EksError as exc:
        module.fail_json(msg=str(exc))
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg=error_msg.format(**module.params))
    module.exit_json(**result)


def snake(resource):
    """An AWS resource dict with snake_case keys; tag keys kept as they are."""
    return camel_dict_to_snake_dict(resource, ignore_list=["tags"])


def resource_result(key, changed, resource, actions, convert=True):
    """exit_json arguments for an ``ensure_*`` outcome ``(changed, resource, actions)``.

    The resource goes under ``key`` (in snake_case unless ``convert`` is false) and is left out when None.
    """
    result = dict(changed=changed, actions=actions)
    if resource is not None:
        result[key] = snake(resource) if convert else resource
    return result
