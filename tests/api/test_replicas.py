"""Multi-Region replication (domain/replicas.py): Create/Update/Delete/ListUserPoolReplicas
with boto3 clients of one account in the primary's Region, the replica's and a third one. The
replica shares the pool's id, has its own ARN and tags, reads the primary's users, groups and
clients from its Region (and from no other), follows every change made at the primary, signs
users in only while ACTIVE, and refuses writes with OperationNotEnabledException."""
import secrets

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import PASSWORD, create_user, delete_pool, error, unique_name

PRIMARY, SECONDARY, THIRD = "us-east-1", "eu-west-1", "ap-southeast-2"


@pytest.fixture
def regions(endpoint):
    """region -> a boto3 client of one fresh account (12 digits: the account) there."""
    account = "7" + "".join(secrets.choice("0123456789") for _ in range(11))
    return lambda region: make_client(endpoint, region, access_key=account)


def mrk_key(account: str) -> dict:
    """A KeyConfiguration with a multi-Region customer managed key (what replication needs)."""
    return {"KeyType": "CUSTOMER_MANAGED_KEY",
            "KmsKeyArn": f"arn:aws:kms:{PRIMARY}:{account}:key/mrk-{secrets.token_hex(16)}"}


@pytest.fixture
def primary(regions):
    """(client in the primary Region, pool ready for replication); deleted afterwards."""
    client = regions(PRIMARY)
    made = []

    def make(multi_region_key: bool = True, **params):
        if multi_region_key:
            params.setdefault("KeyConfiguration", mrk_key("123456789012"))
        pool = client.create_user_pool(PoolName=unique_name("mrr"), **params)["UserPool"]
        made.append(pool["Id"])
        return pool
    yield client, make
    for pool_id in made:
        delete_pool(client, pool_id)


def refused(call, code: str, **params) -> str:
    with pytest.raises(ClientError) as exc:
        call(**params)
    got, message = error(exc)
    assert got == code, message
    return message


def all_replicas(client, pool_id: str) -> list[dict]:
    """Every entry ListUserPoolReplicas pages through, and the number of pages."""
    entries, token, pages = [], None, 0
    while True:
        page = client.list_user_pool_replicas(UserPoolId=pool_id,
                                              **({"NextToken": token} if token else {}))
        entries += page["UserPoolReplicas"]
        pages += 1
        token = page.get("NextToken")
        if not token:
            return entries, pages


# --- CreateUserPoolReplica ---------------------------------------------------------------------

def test_create_makes_an_inactive_secondary_with_the_same_id(primary):
    client, make = primary
    pool = make()
    account = pool["Arn"].split(":")[4]
    answer = client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY,
                                             UserPoolTags={"site": "dr"})["UserPoolReplica"]
    replica_arn = f"arn:aws:cognito-idp:{SECONDARY}:{account}:userpool/{pool['Id']}"
    assert answer == {"RegionName": SECONDARY, "Status": "CREATING", "Role": "SECONDARY",
                      "UserPoolArn": replica_arn}
    entries, _ = all_replicas(client, pool["Id"])
    assert entries == [
        {"RegionName": PRIMARY, "Status": "ACTIVE", "Role": "PRIMARY", "UserPoolArn": pool["Arn"]},
        {"RegionName": SECONDARY, "Status": "INACTIVE", "Role": "SECONDARY",
         "UserPoolArn": replica_arn}]


def test_create_refusals(primary, regions):
    client, make = primary
    pool = make()
    refused(client.create_user_pool_replica, "InvalidParameterException",
            UserPoolId=pool["Id"], RegionName=PRIMARY)
    refused(client.create_user_pool_replica, "InvalidParameterException",
            UserPoolId=pool["Id"], RegionName="mars-north")
    refused(client.create_user_pool_replica, "InvalidParameterException",
            UserPoolId=pool["Id"], RegionName=SECONDARY, UserPoolTags={"aws:x": "y"})
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    refused(client.create_user_pool_replica, "InvalidParameterException",
            UserPoolId=pool["Id"], RegionName=SECONDARY)
    # made in the primary Region only; another Region of the account without a replica
    # doesn't see the pool at all
    refused(regions(SECONDARY).create_user_pool_replica, "OperationNotEnabledException",
            UserPoolId=pool["Id"], RegionName=THIRD)
    refused(regions(THIRD).create_user_pool_replica, "ResourceNotFoundException",
            UserPoolId=pool["Id"], RegionName="eu-central-1")
    refused(client.create_user_pool_replica, "ResourceNotFoundException",
            UserPoolId=pool["Id"][:-1] + ("x" if pool["Id"][-1] != "x" else "y"),
            RegionName=SECONDARY)


def test_create_needs_a_feature_plan_and_a_multi_region_key(primary):
    client, make = primary
    lite = make(UserPoolTier="LITE")
    message = refused(client.create_user_pool_replica, "FeatureUnavailableInTierException",
                      UserPoolId=lite["Id"], RegionName=SECONDARY)
    assert "Essentials or Plus" in message
    single_region = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    for params in ({}, {"KeyConfiguration": {"KeyType": "AWS_OWNED_KEY"}},
                   {"KeyConfiguration": {"KeyType": "CUSTOMER_MANAGED_KEY",
                                         "KmsKeyArn": single_region}}):
        pool = make(multi_region_key=False, **params)
        refused(client.create_user_pool_replica, "InvalidParameterException",
                UserPoolId=pool["Id"], RegionName=SECONDARY)
    plus = make(UserPoolTier="PLUS")
    assert client.create_user_pool_replica(UserPoolId=plus["Id"], RegionName=SECONDARY)


def test_at_most_five_secondaries(primary):
    client, make = primary
    pool = make()
    for region in ("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "us-west-2"):
        client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=region)
    refused(client.create_user_pool_replica, "LimitExceededException",
            UserPoolId=pool["Id"], RegionName="us-west-1")


# --- ListUserPoolReplicas ----------------------------------------------------------------------

def test_list_pages_through_the_primary_and_secondaries(primary, regions):
    client, make = primary
    pool = make()
    assert all_replicas(client, pool["Id"]) == (
        [{"RegionName": PRIMARY, "Status": "ACTIVE", "Role": "PRIMARY",
          "UserPoolArn": pool["Arn"]}], 1)
    for region in ("eu-west-1", "ap-northeast-1", "eu-central-1"):
        client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=region)
    entries, pages = all_replicas(client, pool["Id"])
    assert [(e["RegionName"], e["Role"]) for e in entries] == [
        (PRIMARY, "PRIMARY"), ("ap-northeast-1", "SECONDARY"), ("eu-central-1", "SECONDARY"),
        ("eu-west-1", "SECONDARY")]
    assert pages == 2
    # the same list from a replica's Region; none from a Region without one
    assert all_replicas(regions("eu-west-1"), pool["Id"])[0] == entries
    refused(regions(THIRD).list_user_pool_replicas, "ResourceNotFoundException",
            UserPoolId=pool["Id"])


# --- the replica's Region -------------------------------------------------------------------

def test_the_replica_reads_the_primary_from_its_region_only(primary, regions):
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY,
                                    UserPoolTags={"site": "dr"})
    create_user(client, pool["Id"], "alice")
    client.create_group(UserPoolId=pool["Id"], GroupName="staff")
    client.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="staff")
    app = client.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app")
    app_id = app["UserPoolClient"]["ClientId"]

    west = regions(SECONDARY)
    described = west.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["Id"] == pool["Id"] and described["Name"] == pool["Name"]
    assert described["Arn"] == pool["Arn"].replace(f":{PRIMARY}:", f":{SECONDARY}:")
    assert described["UserPoolTags"] == {"site": "dr"}      # its own tags
    assert described["EstimatedNumberOfUsers"] == 1
    assert west.admin_get_user(UserPoolId=pool["Id"], Username="alice")["UserStatus"] == \
        "CONFIRMED"
    assert [u["Username"] for u in west.list_users(UserPoolId=pool["Id"])["Users"]] == ["alice"]
    assert [g["GroupName"] for g in west.list_groups(UserPoolId=pool["Id"])["Groups"]] == \
        ["staff"]
    assert [u["Username"] for u in west.list_users_in_group(
        UserPoolId=pool["Id"], GroupName="staff")["Users"]] == ["alice"]
    assert west.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=app_id)[
        "UserPoolClient"]["ClientName"] == "app"
    # the primary keeps its own ARN and tags
    assert client.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"] == pool["Arn"]

    third = regions(THIRD)
    refused(third.describe_user_pool, "ResourceNotFoundException", UserPoolId=pool["Id"])
    refused(third.list_users, "ResourceNotFoundException", UserPoolId=pool["Id"])
    # nor another account in the replica's Region
    other = make_client(west.meta.endpoint_url, SECONDARY, access_key="AKIAOTHERACCOUNT")
    refused(other.describe_user_pool, "ResourceNotFoundException", UserPoolId=pool["Id"])


def test_a_change_at_the_primary_is_seen_at_the_replica(primary, regions):
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    west = regions(SECONDARY)
    assert west.list_users(UserPoolId=pool["Id"])["Users"] == []
    create_user(client, pool["Id"], "bob")
    client.admin_update_user_attributes(
        UserPoolId=pool["Id"], Username="bob",
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    client.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF",
                            KeyConfiguration=pool["KeyConfiguration"],
                            UserPoolTags={"team": "a"})
    attrs = {a["Name"]: a["Value"] for a in west.admin_get_user(
        UserPoolId=pool["Id"], Username="bob")["UserAttributes"]}
    assert attrs["email"] == "bob@example.com"
    described = west.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["LastModifiedDate"] == \
        client.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["LastModifiedDate"]
    assert described["UserPoolTags"] == {}          # tags are kept apart
    client.admin_delete_user(UserPoolId=pool["Id"], Username="bob")
    refused(west.admin_get_user, "UserNotFoundException", UserPoolId=pool["Id"],
            Username="bob")


def test_writes_at_the_replica_are_refused(primary, regions):
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    create_user(client, pool["Id"], "carol")
    west = regions(SECONDARY)
    for call, params in [
            (west.admin_create_user, {"Username": "dave", "MessageAction": "SUPPRESS"}),
            (west.admin_update_user_attributes,
             {"Username": "carol", "UserAttributes": [{"Name": "name", "Value": "C"}]}),
            (west.admin_delete_user, {"Username": "carol"}),
            (west.create_group, {"GroupName": "ops"}),
            (west.create_user_pool_client, {"ClientName": "west"}),
            (west.update_user_pool, {"MfaConfiguration": "OFF"}),
            (west.delete_user_pool, {})]:
        message = refused(call, "OperationNotEnabledException", UserPoolId=pool["Id"], **params)
        assert f"primary Region, {PRIMARY}" in message
    assert [u["Username"] for u in client.list_users(UserPoolId=pool["Id"])["Users"]] == \
        ["carol"]


def test_sign_in_at_the_replica_only_while_active(primary, regions):
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    app_id = client.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="admin",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    create_user(client, pool["Id"], "erin")
    west = regions(SECONDARY)
    sign_in = {"UserPoolId": pool["Id"], "ClientId": app_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "erin", "PASSWORD": PASSWORD}}
    assert "INACTIVE" in refused(west.admin_initiate_auth, "OperationNotEnabledException",
                                 **sign_in)
    # activated from the replica's own Region
    assert west.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY,
                                         Status="ACTIVE")["UserPoolReplica"]["Status"] == \
        "ACTIVE"
    tokens = west.admin_initiate_auth(**sign_in)["AuthenticationResult"]
    assert tokens["AccessToken"]
    # deactivated again from the primary's
    client.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY,
                                    Status="INACTIVE")
    refused(west.admin_initiate_auth, "OperationNotEnabledException", **sign_in)


# --- UpdateUserPoolReplica / DeleteUserPoolReplica -----------------------------------------

def test_update_refusals(primary, regions):
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    refused(client.update_user_pool_replica, "InvalidParameterException",
            UserPoolId=pool["Id"], RegionName=PRIMARY, Status="INACTIVE")
    refused(client.update_user_pool_replica, "ResourceNotFoundException",
            UserPoolId=pool["Id"], RegionName=THIRD, Status="ACTIVE")
    refused(regions(THIRD).update_user_pool_replica, "ResourceNotFoundException",
            UserPoolId=pool["Id"], RegionName=SECONDARY, Status="ACTIVE")


def test_delete_only_an_inactive_secondary_from_the_primary_region(primary, regions):
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    west = regions(SECONDARY)
    refused(west.delete_user_pool_replica, "OperationNotEnabledException",
            UserPoolId=pool["Id"], RegionName=SECONDARY)
    client.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY,
                                    Status="ACTIVE")
    assert "INACTIVE" in refused(client.delete_user_pool_replica, "InvalidParameterException",
                                 UserPoolId=pool["Id"], RegionName=SECONDARY)
    refused(client.delete_user_pool_replica, "InvalidParameterException",
            UserPoolId=pool["Id"], RegionName=PRIMARY)
    refused(client.delete_user_pool_replica, "ResourceNotFoundException",
            UserPoolId=pool["Id"], RegionName=THIRD)
    client.update_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY,
                                    Status="INACTIVE")
    gone = client.delete_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    assert gone["UserPoolReplica"]["Status"] == "DELETING"
    assert [e["RegionName"] for e in all_replicas(client, pool["Id"])[0]] == [PRIMARY]
    refused(west.describe_user_pool, "ResourceNotFoundException", UserPoolId=pool["Id"])
    refused(client.delete_user_pool_replica, "ResourceNotFoundException",
            UserPoolId=pool["Id"], RegionName=SECONDARY)


def test_deleting_the_primary_deletes_its_replicas(primary, regions):
    """UNCONFIRMED in the docs: DeleteUserPool of a primary takes its replicas with it."""
    client, make = primary
    pool = make()
    client.create_user_pool_replica(UserPoolId=pool["Id"], RegionName=SECONDARY)
    client.delete_user_pool(UserPoolId=pool["Id"])
    refused(regions(SECONDARY).describe_user_pool, "ResourceNotFoundException",
            UserPoolId=pool["Id"])
    refused(client.list_user_pool_replicas, "ResourceNotFoundException", UserPoolId=pool["Id"])
