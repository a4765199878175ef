"""Fixtures of the AWS module tests: botocore-stubbed clients, no network."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber


def _stubbed(service):
    """(client, stub) for ``service``; the test fails if a queued response was never asked for."""
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture
def eks():
    yield from _stubbed("eks")


@pytest.fixture
def iam():
    yield from _stubbed("iam")
