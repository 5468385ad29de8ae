"""Shared fixtures: one real emulator process per test session, boto3 pointed at it."""
import uuid

import boto3
import httpx
import pytest
from botocore.config import Config

from tests.support.server import RunningServer

REGION = "us-east-1"


@pytest.fixture(scope="session")
def server():
    with RunningServer(["--in-memory", "--log-level", "warning"]) as running:
        yield running


@pytest.fixture(scope="session")
def endpoint(server) -> str:
    return server.url


def make_client(endpoint: str, region: str = REGION):
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="session")
def cognito(endpoint):
    return make_client(endpoint)


@pytest.fixture
def http(endpoint):
    with httpx.Client(base_url=endpoint, timeout=30) as client:
        yield client


@pytest.fixture
def pool(cognito):
    """A fresh pool with defaults, deleted afterwards."""
    created = cognito.create_user_pool(PoolName=f"test-{uuid.uuid4().hex[:8]}")["UserPool"]
    yield created
    try:
        cognito.delete_user_pool(UserPoolId=created["Id"])
    except cognito.exceptions.ResourceNotFoundException:
        pass


@pytest.fixture
def pool_id(pool) -> str:
    return pool["Id"]


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    """An app client without a secret that allows every password flow."""
    return cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                           "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                           "ALLOW_CUSTOM_AUTH"])["UserPoolClient"]["ClientId"]


@pytest.fixture
def outbox(http):
    """outbox(**filters) -> list of messages the emulator 'sent'."""
    def read(**filters):
        return http.get("/_emulator/messages", params=filters).json()["messages"]
    return read


@pytest.fixture
def clock(http):
    """Pin/advance the server clock; always put back after the test."""
    class _Clock:
        def pin(self, at=None):
            return http.post("/_emulator/clock", json={"pin": at}).json()

        def advance(self, seconds):
            return http.post("/_emulator/clock", json={"advance": seconds}).json()

        def now(self):
            return http.get("/_emulator/clock").json()["now"]
    yield _Clock()
    http.post("/_emulator/clock", json={"reset": True})
