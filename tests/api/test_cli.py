"""The AWS CLI (installed in the venv) against the emulator: JSON output and error exits."""
import json
import os
import subprocess

import pytest

from tests.support.clients import AWS_CLI, requires

pytestmark = requires("awscli")


@pytest.fixture(scope="module")
def service_error() -> int:
    """The exit code when the service answered with an error: 254 in AWS CLI v2; v1 (what
    `pip install awscli` gives) uses 255 for every failure."""
    version = subprocess.run([str(AWS_CLI), "--version"], capture_output=True, text=True,
                             timeout=60)
    return 255 if (version.stdout + version.stderr).startswith("aws-cli/1.") else 254


@pytest.fixture(scope="module")
def aws(endpoint, tmp_path_factory):
    home = tmp_path_factory.mktemp("aws-home")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_CONFIG_FILE": str(home / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
           "AWS_PAGER": "", "HOME": str(home)}
    env.pop("AWS_PROFILE", None)

    def run(*args, region="us-east-1"):
        return subprocess.run([str(AWS_CLI), "cognito-idp", *args, "--endpoint-url", endpoint,
                               "--region", region, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)
    return run


def ok(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_create_describe_list_delete(aws, service_error):
    created = ok(aws("create-user-pool", "--pool-name", "demo"))["UserPool"]
    pool_id = created["Id"]
    try:
        assert pool_id.startswith("us-east-1_")
        assert created["Name"] == "demo"
        assert created["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
        assert isinstance(created["CreationDate"], (int, float, str))

        described = ok(aws("describe-user-pool", "--user-pool-id", pool_id))["UserPool"]
        assert described["Id"] == pool_id
        assert described["EstimatedNumberOfUsers"] == 0
        assert [a["Name"] for a in described["SchemaAttributes"]][0] == "sub"

        listed = ok(aws("list-user-pools", "--max-results", "10"))
        assert pool_id in [p["Id"] for p in listed["UserPools"]]

        client = ok(aws("create-user-pool-client", "--user-pool-id", pool_id,
                        "--client-name", "cli-app", "--generate-secret"))["UserPoolClient"]
        assert client["ClientSecret"]
        clients = ok(aws("list-user-pool-clients", "--user-pool-id", pool_id))
        assert [c["ClientId"] for c in clients["UserPoolClients"]] == [client["ClientId"]]

        ok(aws("tag-resource", "--resource-arn", created["Arn"], "--tags", "team=cli"))
        assert ok(aws("list-tags-for-resource", "--resource-arn",
                      created["Arn"]))["Tags"] == {"team": "cli"}
    finally:
        ok(aws("delete-user-pool", "--user-pool-id", pool_id))
    gone = aws("describe-user-pool", "--user-pool-id", pool_id)
    assert gone.returncode == service_error
    assert "ResourceNotFoundException" in gone.stderr


def test_unknown_pool_is_a_service_error(aws, service_error):
    result = aws("describe-user-pool", "--user-pool-id", "us-east-1_nonexist0")
    assert result.returncode == service_error
    assert "ResourceNotFoundException" in result.stderr
    assert "User pool us-east-1_nonexist0 does not exist." in result.stderr


def test_deletion_protection_error_reaches_the_cli(aws, service_error):
    pool_id = ok(aws("create-user-pool", "--pool-name", "protected",
                     "--deletion-protection", "ACTIVE"))["UserPool"]["Id"]
    refused = aws("delete-user-pool", "--user-pool-id", pool_id)
    assert refused.returncode == service_error
    assert "InvalidParameterException" in refused.stderr
    ok(aws("update-user-pool", "--user-pool-id", pool_id, "--deletion-protection", "INACTIVE"))
    ok(aws("delete-user-pool", "--user-pool-id", pool_id))


def test_region_flag_selects_the_pools_listed(aws):
    pool_id = ok(aws("create-user-pool", "--pool-name", "west",
                     region="us-west-2"))["UserPool"]["Id"]
    try:
        assert pool_id.startswith("us-west-2_")
        west = [p["Id"] for p in ok(aws("list-user-pools", "--max-results", "60",
                                        region="us-west-2"))["UserPools"]]
        east = [p["Id"] for p in ok(aws("list-user-pools", "--max-results", "60"))["UserPools"]]
        assert pool_id in west and pool_id not in east
    finally:
        ok(aws("delete-user-pool", "--user-pool-id", pool_id, region="us-west-2"))
