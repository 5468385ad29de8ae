"""Accounts and regions kept apart (api/scope.py): boto3 clients with different access key
ids (a 12-digit key is the account, anything else the default 000000000000) and regions,
against one emulator. A pool of one account or region is not listed, described, changed or
deleted from another (the same ResourceNotFoundException as a missing pool); ids and ARNs
carry region and account; unsigned calls by ClientId or IdentityPoolId work from anywhere;
the seed file names both."""
import secrets
import subprocess
import sys

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import (
    PASSWORD,
    claims,
    create_user,
    delete_pool,
    error,
    password_client,
    password_sign_in,
    unique_name,
)
from tests.support.server import ROOT, RunningServer

DEFAULT_ACCOUNT = "000000000000"


def new_account() -> str:
    """A 12-digit account no other test uses (tests own their data)."""
    return "9" + "".join(secrets.choice("0123456789") for _ in range(11))


@pytest.fixture
def accounts(endpoint):
    """clients(account, region, service) -> a boto3 client signing with that account's key."""
    def clients(account: str, region: str = "us-east-1", service: str = "cognito-idp"):
        return make_client(endpoint, region, service=service, access_key=account)
    return clients


@pytest.fixture
def user_pools(accounts):
    """make(account, region) -> (client, pool); every pool deleted afterwards by its owner."""
    made = []

    def make(account: str, region: str = "us-east-1", **params):
        client = accounts(account, region)
        pool = client.create_user_pool(PoolName=unique_name("tenant"), **params)["UserPool"]
        made.append((client, pool["Id"]))
        return client, pool
    yield make
    for client, pool_id in made:
        delete_pool(client, pool_id)


def listed(client) -> list[str]:
    """Every pool id ListUserPools pages through, one pool a page (the filter and the
    paging together)."""
    ids, token = [], None
    while True:
        page = client.list_user_pools(MaxResults=1, **({"NextToken": token} if token else {}))
        ids += [p["Id"] for p in page["UserPools"]]
        token = page.get("NextToken")
        if not token:
            return ids


def not_found(call, **params) -> str:
    with pytest.raises(ClientError) as exc:
        call(**params)
    code, message = error(exc)
    assert code == "ResourceNotFoundException"
    return message


# --- user pools -----------------------------------------------------------------------------

def test_ids_and_arns_carry_the_account_and_region(user_pools):
    account = new_account()
    _, east = user_pools(account)
    _, west = user_pools(account, "eu-west-1")
    _, default = user_pools("testing")            # not 12 digits: the default account
    assert east["Id"].startswith("us-east-1_") and west["Id"].startswith("eu-west-1_")
    assert east["Arn"] == f"arn:aws:cognito-idp:us-east-1:{account}:userpool/{east['Id']}"
    assert west["Arn"] == f"arn:aws:cognito-idp:eu-west-1:{account}:userpool/{west['Id']}"
    assert default["Arn"] == (f"arn:aws:cognito-idp:us-east-1:{DEFAULT_ACCOUNT}:userpool/"
                              f"{default['Id']}")


def test_an_account_lists_only_its_own_pools_in_each_region(user_pools, accounts):
    a, b = new_account(), new_account()
    a_pools = {user_pools(a)[1]["Id"] for _ in range(3)}
    b_pool = user_pools(b)[1]["Id"]
    a_west = user_pools(a, "eu-west-1")[1]["Id"]
    assert set(listed(accounts(a))) == a_pools
    assert listed(accounts(b)) == [b_pool]
    assert listed(accounts(a, "eu-west-1")) == [a_west]
    default = listed(accounts("AKIAEXAMPLEKEY"))  # the default account's (the suite's)
    assert not (a_pools | {b_pool, a_west}) & set(default)


def test_another_account_cannot_describe_update_or_delete_a_pool(user_pools, accounts):
    owner, pool = user_pools(new_account())
    pool_id = pool["Id"]
    password_client(owner, pool_id)
    for other in (accounts(new_account()), accounts("testing")):
        # the very answer a pool that doesn't exist gets
        assert not_found(other.describe_user_pool, UserPoolId=pool_id) == \
            f"User pool {pool_id} does not exist."
        not_found(other.update_user_pool, UserPoolId=pool_id, MfaConfiguration="OFF")
        not_found(other.list_user_pool_clients, UserPoolId=pool_id, MaxResults=10)
        not_found(other.admin_create_user, UserPoolId=pool_id, Username="mallory",
                  MessageAction="SUPPRESS")
        not_found(other.create_user_pool_domain, UserPoolId=pool_id,
                  Domain=unique_name("foreign"))
        not_found(other.tag_resource, ResourceArn=pool["Arn"], Tags={"team": "b"})
        not_found(other.delete_user_pool, UserPoolId=pool_id)
    missing = pool_id[:-1] + ("x" if pool_id[-1] != "x" else "y")
    assert not_found(accounts("testing").describe_user_pool, UserPoolId=missing) == \
        f"User pool {missing} does not exist."
    # untouched, and still its owner's
    assert owner.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == pool["Name"]
    assert owner.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {}
    assert owner.list_users(UserPoolId=pool_id)["Users"] == []


def test_the_same_account_in_another_region_cannot_see_a_pool(user_pools, accounts):
    account = new_account()
    _, pool = user_pools(account)
    west = accounts(account, "eu-west-1")
    not_found(west.describe_user_pool, UserPoolId=pool["Id"])
    not_found(west.delete_user_pool, UserPoolId=pool["Id"])
    assert pool["Id"] not in listed(west)


def test_unsigned_calls_by_client_id_work_from_any_account_and_region(user_pools, accounts):
    owner, pool = user_pools(new_account())
    client_id = password_client(owner, pool["Id"])["ClientId"]
    create_user(owner, pool["Id"], "alice")
    # Any client will do: InitiateAuth and SignUp carry no signature, the client id finds
    # the pool (as the real service resolves it).
    elsewhere = accounts(new_account(), "eu-west-1")
    tokens = password_sign_in(elsewhere, client_id, "alice")["AuthenticationResult"]
    assert claims(tokens["IdToken"])["iss"].endswith(f"/{pool['Id']}")
    assert elsewhere.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    elsewhere.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD)
    assert owner.admin_get_user(UserPoolId=pool["Id"], Username="bob")["UserStatus"] == \
        "UNCONFIRMED"
    # a signed call by that client id alone still belongs to the owner
    assert not_found(elsewhere.describe_user_pool_client, UserPoolId=pool["Id"],
                     ClientId=client_id) == f"User pool {pool['Id']} does not exist."


# --- identity pools -------------------------------------------------------------------------

@pytest.fixture
def identity_pools(accounts):
    made = []

    def make(account: str, region: str = "us-east-1", **params):
        client = accounts(account, region, "cognito-identity")
        params.setdefault("AllowUnauthenticatedIdentities", True)
        pool = client.create_identity_pool(IdentityPoolName=unique_name("ids"), **params)
        made.append((client, pool["IdentityPoolId"]))
        return client, pool
    yield make
    for client, pool_id in made:
        try:
            client.delete_identity_pool(IdentityPoolId=pool_id)
        except client.exceptions.ResourceNotFoundException:
            pass   # the test deleted it


def identity_listed(client) -> list[str]:
    ids, token = [], None
    while True:
        page = client.list_identity_pools(MaxResults=1, **({"NextToken": token} if token else {}))
        ids += [p["IdentityPoolId"] for p in page["IdentityPools"]]
        token = page.get("NextToken")
        if not token:
            return ids


def test_identity_pools_are_kept_apart_by_account_and_region(identity_pools, accounts):
    a = new_account()
    owner, pool = identity_pools(a)
    pool_id = pool["IdentityPoolId"]
    second = identity_pools(a)[1]["IdentityPoolId"]
    west = identity_pools(a, "eu-west-1")[1]["IdentityPoolId"]
    assert pool_id.startswith("us-east-1:") and west.startswith("eu-west-1:")
    assert set(identity_listed(owner)) == {pool_id, second}
    assert identity_listed(accounts(a, "eu-west-1", "cognito-identity")) == [west]
    arn = f"arn:aws:cognito-identity:us-east-1:{a}:identitypool/{pool_id}"
    owner.tag_resource(ResourceArn=arn, Tags={"team": "a"})
    assert owner.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "a"}

    b = new_account()
    for other in (accounts(b, service="cognito-identity"),
                  accounts("testing", service="cognito-identity"),
                  accounts(a, "eu-west-1", "cognito-identity")):
        assert pool_id not in identity_listed(other)
        assert not_found(other.describe_identity_pool, IdentityPoolId=pool_id) == \
            f"IdentityPool '{pool_id}' not found."
        not_found(other.update_identity_pool, IdentityPoolId=pool_id,
                  IdentityPoolName="taken", AllowUnauthenticatedIdentities=False)
        not_found(other.get_identity_pool_roles, IdentityPoolId=pool_id)
        not_found(other.list_identities, IdentityPoolId=pool_id, MaxResults=10)
        not_found(other.list_tags_for_resource, ResourceArn=arn)
        not_found(other.delete_identity_pool, IdentityPoolId=pool_id)
    # the same pool id under the caller's own account in the ARN is no way round it
    b_client = accounts(b, service="cognito-identity")
    not_found(b_client.tag_resource, Tags={"team": "b"},
              ResourceArn=f"arn:aws:cognito-identity:us-east-1:{b}:identitypool/{pool_id}")
    assert owner.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolName"] == \
        pool["IdentityPoolName"]


def test_identities_are_reached_unsigned_from_anywhere_but_described_by_the_owner_only(
        identity_pools, accounts):
    a = new_account()
    owner, pool = identity_pools(a, AllowClassicFlow=True)
    owner.set_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"],
                                  Roles={"unauthenticated": f"arn:aws:iam::{a}:role/Guest"})
    # GetId and GetCredentialsForIdentity carry no signature: any client reaches the pool
    elsewhere = accounts(new_account(), "eu-west-1", "cognito-identity")
    identity_id = elsewhere.get_id(IdentityPoolId=pool["IdentityPoolId"])["IdentityId"]
    assert identity_id.startswith("us-east-1:")
    creds = elsewhere.get_credentials_for_identity(IdentityId=identity_id)
    assert creds["IdentityId"] == identity_id and creds["Credentials"]["AccessKeyId"]
    token = elsewhere.get_open_id_token(IdentityId=identity_id)["Token"]
    assert claims(token)["aud"] == pool["IdentityPoolId"]
    # the call acted in the pool's account: the token's identity-pool ARN names it
    assert claims(token)["https://cognito-identity.amazonaws.com/identity-pool-arn"] == \
        f"arn:aws:cognito-identity:us-east-1:{a}:identitypool/{pool['IdentityPoolId']}"
    # signed calls by IdentityId belong to the owner
    assert owner.describe_identity(IdentityId=identity_id)["IdentityId"] == identity_id
    signed = accounts(new_account(), service="cognito-identity")
    assert not_found(signed.describe_identity, IdentityId=identity_id) == \
        f"Identity '{identity_id}' not found."
    unprocessed = signed.delete_identities(IdentityIdsToDelete=[identity_id])
    assert [u["IdentityId"] for u in unprocessed["UnprocessedIdentityIds"]] == [identity_id]
    assert owner.describe_identity(IdentityId=identity_id)["IdentityId"] == identity_id


# --- the seed file --------------------------------------------------------------------------

SEED = """
account: '111111111111'
region: eu-west-1
pools:
  - PoolName: team-a
    Clients:
      - ClientId: tenantaclient000000000000a
        ClientName: web
        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    Users:
      - Username: alice
        Password: Passw0rd!
  - Id: us-east-1_TeamB0001
    PoolName: team-b
    account: '222222222222'
identity_pools:
  - IdentityPoolName: team-a-ids
    AllowUnauthenticatedIdentities: true
    CognitoIdentityProviders:
      - {UserPool: team-a, Client: web}
  - Id: us-east-1:4a7e1c52-0000-4000-8000-0000000000b2
    IdentityPoolName: team-b-ids
    AllowUnauthenticatedIdentities: false
    account: '222222222222'
"""


def test_the_seed_file_names_account_and_region(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED)
    with RunningServer(["--in-memory", "--config", str(seed)]) as srv:
        a_west = make_client(srv.url, "eu-west-1", access_key="111111111111")
        b_east = make_client(srv.url, access_key="222222222222")
        default = make_client(srv.url)
        [team_a] = a_west.list_user_pools(MaxResults=10)["UserPools"]
        assert team_a["Id"].startswith("eu-west-1_") and team_a["Name"] == "team-a"
        assert a_west.describe_user_pool(UserPoolId=team_a["Id"])["UserPool"]["Arn"] == \
            f"arn:aws:cognito-idp:eu-west-1:111111111111:userpool/{team_a['Id']}"
        assert [p["Id"] for p in b_east.list_user_pools(MaxResults=10)["UserPools"]] == \
            ["us-east-1_TeamB0001"]
        assert default.list_user_pools(MaxResults=10)["UserPools"] == []
        not_found(default.describe_user_pool, UserPoolId="us-east-1_TeamB0001")
        assert password_sign_in(default, "tenantaclient000000000000a", "alice")[
            "AuthenticationResult"]["IdToken"]

        ids_a = make_client(srv.url, "eu-west-1", service="cognito-identity",
                            access_key="111111111111")
        [pool_a] = ids_a.list_identity_pools(MaxResults=10)["IdentityPools"]
        assert pool_a["IdentityPoolId"].startswith("eu-west-1:")
        ids_b = make_client(srv.url, service="cognito-identity", access_key="222222222222")
        assert ids_b.list_identity_pools(MaxResults=10)["IdentityPools"] == [
            {"IdentityPoolId": "us-east-1:4a7e1c52-0000-4000-8000-0000000000b2",
             "IdentityPoolName": "team-b-ids"}]
        default_ids = make_client(srv.url, service="cognito-identity")
        assert default_ids.list_identity_pools(MaxResults=10)["IdentityPools"] == []

        # the seed again after a reset: the same owners
        httpx.post(f"{srv.url}/_emulator/reset").raise_for_status()
        assert [p["Name"] for p in a_west.list_user_pools(MaxResults=10)["UserPools"]] == \
            ["team-a"]
        assert default.list_user_pools(MaxResults=10)["UserPools"] == []


@pytest.mark.parametrize("text, words", [
    ("account: '12345'\npools: []\n", "not a 12-digit AWS account id"),
    ("pools:\n  - PoolName: x\n    region: Europe\n", "not a region name"),
    ("pools:\n  - Id: us-east-1_Mismatch1\n    PoolName: x\n    region: eu-west-1\n",
     "beside an Id of region us-east-1"),
])
def test_a_bad_account_or_region_in_the_seed_file_stops_start(tmp_path, text, words):
    seed = tmp_path / "seed.yaml"
    seed.write_text(text)
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port", "0",
                          "--config", str(seed)], capture_output=True, text=True, cwd=ROOT,
                         timeout=30)
    assert out.returncode == 1
    assert words in out.stderr and "Traceback" not in out.stderr
