"""Fixtures for tests/aws: a moto server on loopback and a runner for the collection's playbooks.

* ``moto`` (session): starts ``moto_server -H 127.0.0.1 -p <free port>`` from the venv (with AWS managed
  policies loaded, so that AmazonEKSClusterPolicy & co. can be attached), waits until it answers, and stops
  it afterwards. Every AWS call of these tests goes to it: the playbooks get the endpoint through the test
  inventory (``tests/aws/inventory/group_vars/all.yml`` -> ``aws_endpoint_url`` -> the playbooks'
  ``module_defaults``), and the environment also sets ``AWS_ENDPOINT_URL`` and dummy keys, so that even a
  call that missed the module_defaults cannot leave loopback with real credentials.
* ``aws_account`` (function): resets moto and creates a VPC with two subnets; returns the env for
  ``ansible-playbook`` and boto3 clients on moto.
* ``run_playbook``: runs a playbook with the test inventory and parses the PLAY RECAP.
"""
from __future__ import annotations

import pytest

from .moto_helpers import make_account, start_moto, stop_moto


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    server = start_moto(tmp_path_factory)
    yield server
    stop_moto(server)


@pytest.fixture
def aws_account(moto, tmp_path):
    return make_account(moto, tmp_path)
