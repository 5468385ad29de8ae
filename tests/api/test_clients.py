"""App clients and client secrets through boto3 and the real server."""
import base64
import hashlib
import hmac
import re

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import error

DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
MISSING_POOL = "us-east-1_nonexist0"
MISSING_CLIENT = "nonexistentclientid0000000"


def create(cognito, pool_id, **params):
    params.setdefault("ClientName", "app")
    return cognito.create_user_pool_client(UserPoolId=pool_id, **params)["UserPoolClient"]


def describe(cognito, pool_id, client_id):
    return cognito.describe_user_pool_client(UserPoolId=pool_id,
                                             ClientId=client_id)["UserPoolClient"]


# --- create / describe ----------------------------------------------------------------------

def test_defaults_of_a_new_client(cognito, pool_id):
    client = create(cognito, pool_id, ClientName="web")
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert client["UserPoolId"] == pool_id and client["ClientName"] == "web"
    assert client["RefreshTokenValidity"] == 30
    assert client["AccessTokenValidity"] == 60
    assert client["IdTokenValidity"] == 60
    assert client["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes",
                                            "RefreshToken": "days"}
    assert client["ExplicitAuthFlows"] == DEFAULT_FLOWS
    assert client["PreventUserExistenceErrors"] == "LEGACY"
    assert client["EnableTokenRevocation"] is True
    assert client["EnablePropagateAdditionalUserContextData"] is False
    assert client["AuthSessionValidity"] == 3
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert client["CreationDate"] == client["LastModifiedDate"]
    for absent in ("ClientSecret", "ReadAttributes", "WriteAttributes", "CallbackURLs",
                   "AllowedOAuthFlows", "RefreshTokenRotation"):
        assert absent not in client
    assert describe(cognito, pool_id, client["ClientId"]) == client


def test_settings_are_stored_as_given(cognito, pool_id):
    client = create(
        cognito, pool_id, ClientName="full",
        RefreshTokenValidity=10, AccessTokenValidity=30, IdTokenValidity=45,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes",
                            "RefreshToken": "days"},
        ReadAttributes=["email", "email_verified", "phone_number"],
        WriteAttributes=["email", "phone_number"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=["https://example.com/cb", "myapp://cb"],
        LogoutURLs=["https://example.com/out"], DefaultRedirectURI="https://example.com/cb",
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True, PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False, EnablePropagateAdditionalUserContextData=True,
        AuthSessionValidity=7,
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10})
    again = describe(cognito, pool_id, client["ClientId"])
    assert again == client
    assert again["ReadAttributes"] == ["email", "email_verified", "phone_number"]
    assert again["WriteAttributes"] == ["email", "phone_number"]
    assert again["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert again["CallbackURLs"] == ["https://example.com/cb", "myapp://cb"]
    assert again["AllowedOAuthFlows"] == ["code"]
    assert again["AllowedOAuthScopes"] == ["openid", "email"]
    assert again["AllowedOAuthFlowsUserPoolClient"] is True
    assert again["PreventUserExistenceErrors"] == "ENABLED"
    assert again["EnableTokenRevocation"] is False
    assert again["EnablePropagateAdditionalUserContextData"] is True
    assert again["AuthSessionValidity"] == 7
    assert again["RefreshTokenRotation"] == {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    assert (again["RefreshTokenValidity"], again["AccessTokenValidity"],
            again["IdTokenValidity"]) == (10, 30, 45)


def test_validity_without_unit_uses_the_documented_default_unit(cognito, pool_id):
    client = create(cognito, pool_id, AccessTokenValidity=2, IdTokenValidity=24,
                    RefreshTokenValidity=90)
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours",
                                            "RefreshToken": "days"}
    assert (client["AccessTokenValidity"], client["IdTokenValidity"],
            client["RefreshTokenValidity"]) == (2, 24, 90)
    only_access = create(cognito, pool_id, AccessTokenValidity=3)
    assert only_access["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "minutes",
                                                 "RefreshToken": "days"}
    assert only_access["IdTokenValidity"] == 60


def test_zero_refresh_validity_means_default(cognito, pool_id):
    client = create(cognito, pool_id, RefreshTokenValidity=0)
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"]["RefreshToken"] == "days"


@pytest.mark.parametrize("params", [
    {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
    {"AccessTokenValidity": 25},                                  # hours by default
    {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
    {"IdTokenValidity": 299, "TokenValidityUnits": {"IdToken": "seconds"}},
    {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    {"RefreshTokenValidity": 3651},                               # days by default
])
def test_token_validity_out_of_range(cognito, pool_id, params):
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, **params)
    assert error(exc) == ("InvalidParameterException", "Invalid range for token validity.")


RANGE = "Invalid range for token validity."
# 86401 s is past the model's own maximum (86400) for IdTokenValidity: refused before the range
MODEL_MAX = ("1 validation error detected: Value '86401' at 'idTokenValidity' failed to satisfy "
             "constraint: Member must have value less than or equal to 86400")


@pytest.mark.parametrize("token,unit,limit,beyond,refusal", [
    ("AccessToken", "minutes", 5, 4, RANGE),
    ("AccessToken", "days", 1, 2, RANGE),
    ("IdToken", "seconds", 86400, 86401, MODEL_MAX),
    ("RefreshToken", "minutes", 60, 59, RANGE),
    ("RefreshToken", None, 3650, 3651, RANGE),                    # days by default
])
def test_token_validity_limits_are_inclusive(cognito, pool_id, token, unit, limit, beyond,
                                             refusal):
    units = {"TokenValidityUnits": {token: unit}} if unit else {}
    # one step past the limit is refused, the limit itself is kept as given
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, **{f"{token}Validity": beyond}, **units)
    assert error(exc) == ("InvalidParameterException", refusal)
    client_id = create(cognito, pool_id, **{f"{token}Validity": limit}, **units)["ClientId"]
    stored = describe(cognito, pool_id, client_id)
    assert stored[f"{token}Validity"] == limit
    assert stored["TokenValidityUnits"][token] == (unit or "days")


def test_legacy_and_allow_flows_cannot_mix(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, ExplicitAuthFlows=["USER_PASSWORD_AUTH",
                                                    "ALLOW_REFRESH_TOKEN_AUTH"])
    assert error(exc)[0] == "InvalidParameterException"
    legacy = create(cognito, pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH",
                                                         "USER_PASSWORD_AUTH"])
    assert legacy["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]


def test_unknown_flow_value_is_refused_by_the_model(unchecked, pool_id):
    with pytest.raises(ClientError) as exc:
        unchecked.create_user_pool_client(UserPoolId=pool_id, ClientName="x",
                                          ExplicitAuthFlows=["ALLOW_EVERYTHING"])
    assert error(exc)[0] == "InvalidParameterException"


def test_read_and_write_attributes_must_exist_in_the_schema(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, ReadAttributes=["email", "custom:nope"])
    assert error(exc) == ("InvalidParameterException",
                          "Invalid read attributes specified while creating a client")
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, WriteAttributes=["shoe_size"])
    assert error(exc) == ("InvalidParameterException",
                          "Invalid write attributes specified while creating a client")
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "tenant", "AttributeDataType": "String"}])
    client = create(cognito, pool_id, ReadAttributes=["custom:tenant"],
                    WriteAttributes=["custom:tenant"])
    assert client["ReadAttributes"] == ["custom:tenant"]
    assert cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]  # one exists


def test_client_credentials_rules(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, AllowedOAuthFlows=["client_credentials"],
               AllowedOAuthScopes=["api/read"], AllowedOAuthFlowsUserPoolClient=True)
    assert error(exc)[0] == "InvalidOAuthFlowException"
    with pytest.raises(ClientError) as exc:
        create(cognito, pool_id, GenerateSecret=True,
               AllowedOAuthFlows=["client_credentials", "code"],
               AllowedOAuthFlowsUserPoolClient=True)
    assert error(exc)[0] == "InvalidOAuthFlowException"
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="api",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}])
    machine = create(cognito, pool_id, GenerateSecret=True,
                     AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"],
                     AllowedOAuthFlowsUserPoolClient=True)
    assert machine["AllowedOAuthFlows"] == ["client_credentials"]


def test_create_in_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        create(cognito, MISSING_POOL)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool {MISSING_POOL} does not exist.")


def test_describe_unknown_client_and_pool(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        describe(cognito, pool_id, MISSING_CLIENT)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool client {MISSING_CLIENT} does not exist.")
    with pytest.raises(ClientError) as exc:
        describe(cognito, MISSING_POOL, MISSING_CLIENT)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool {MISSING_POOL} does not exist.")


def test_client_of_another_pool_is_not_found(cognito, pool_id, client_id):
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    try:
        with pytest.raises(ClientError) as exc:
            describe(cognito, other, client_id)
        assert error(exc) == ("ResourceNotFoundException",
                              f"User pool client {client_id} does not exist.")
    finally:
        cognito.delete_user_pool(UserPoolId=other)


# --- update ---------------------------------------------------------------------------------

def test_update_resets_omitted_settings(cognito, pool_id, clock):
    start = clock.pin()["now"]
    client = create(cognito, pool_id, ClientName="before", GenerateSecret=True,
                    AccessTokenValidity=2, ReadAttributes=["email"],
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                    PreventUserExistenceErrors="ENABLED", EnableTokenRevocation=False,
                    CallbackURLs=["https://example.com"], AuthSessionValidity=10)
    clock.advance(30)
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"],
        IdTokenValidity=5, TokenValidityUnits={"IdToken": "minutes"},
    )["UserPoolClient"]
    assert updated["ClientName"] == "before"            # kept when not given
    assert updated["ClientSecret"] == client["ClientSecret"]  # secrets never change
    assert updated["IdTokenValidity"] == 5
    assert updated["AccessTokenValidity"] == 60         # back to the defaults
    assert updated["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes",
                                             "RefreshToken": "days"}
    assert updated["ExplicitAuthFlows"] == DEFAULT_FLOWS
    assert updated["PreventUserExistenceErrors"] == "LEGACY"
    assert updated["EnableTokenRevocation"] is True
    assert updated["AuthSessionValidity"] == 3
    for absent in ("ReadAttributes", "CallbackURLs"):
        assert absent not in updated
    assert updated["CreationDate"].timestamp() == pytest.approx(start)
    assert updated["LastModifiedDate"].timestamp() == pytest.approx(start + 30)
    assert describe(cognito, pool_id, client["ClientId"]) == updated


def test_update_renames_and_validates(cognito, pool_id, client_id):
    renamed = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                              ClientName="renamed")["UserPoolClient"]
    assert renamed["ClientName"] == "renamed"
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                        WriteAttributes=["nope"])
    assert error(exc) == ("InvalidParameterException",
                          "Invalid write attributes specified while updating a client")
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                        AccessTokenValidity=2,
                                        TokenValidityUnits={"AccessToken": "days"})
    assert error(exc) == ("InvalidParameterException", "Invalid range for token validity.")
    assert describe(cognito, pool_id, client_id)["ClientName"] == "renamed"


def test_update_unknown_client(cognito, pool_id):
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=MISSING_CLIENT)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool client {MISSING_CLIENT} does not exist.")


def test_update_public_client_cannot_take_client_credentials(cognito, pool_id, client_id):
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                        AllowedOAuthFlows=["client_credentials"],
                                        AllowedOAuthFlowsUserPoolClient=True)
    assert error(exc)[0] == "InvalidOAuthFlowException"


# --- delete / list --------------------------------------------------------------------------

def test_delete_client(cognito, pool_id, client_id):
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(ClientError) as exc:
        describe(cognito, pool_id, client_id)
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool client {client_id} does not exist.")


def test_delete_client_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool_client(UserPoolId=MISSING_POOL, ClientId=MISSING_CLIENT)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_list_clients_pages(cognito, pool_id):
    made = sorted(create(cognito, pool_id, ClientName=f"c{i}")["ClientId"] for i in range(5))
    first = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2)
    assert len(first["UserPoolClients"]) == 2 and first["NextToken"]
    seen, token = [c["ClientId"] for c in first["UserPoolClients"]], first["NextToken"]
    while token:
        page = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2, NextToken=token)
        seen += [c["ClientId"] for c in page["UserPoolClients"]]
        token = page.get("NextToken")
    assert seen == made
    entry = first["UserPoolClients"][0]
    assert set(entry) == {"ClientId", "UserPoolId", "ClientName"}
    assert entry["UserPoolId"] == pool_id
    everything = cognito.list_user_pool_clients(UserPoolId=pool_id)
    assert [c["ClientId"] for c in everything["UserPoolClients"]] == made
    assert "NextToken" not in everything
    paginated = [c["ClientId"] for page in cognito.get_paginator("list_user_pool_clients")
                 .paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 3})
                 for c in page["UserPoolClients"]]
    assert paginated == made


def test_list_clients_of_unknown_pool(cognito):
    with pytest.raises(ClientError) as exc:
        cognito.list_user_pool_clients(UserPoolId=MISSING_POOL)
    assert error(exc) == ("ResourceNotFoundException",
                          f"User pool {MISSING_POOL} does not exist.")


@pytest.mark.parametrize("max_results,limit", [(0, 1), (61, 60)])
def test_list_clients_max_results_range(unchecked, pool_id, max_results, limit):
    with pytest.raises(ClientError) as exc:
        unchecked.list_user_pool_clients(UserPoolId=pool_id, MaxResults=max_results)
    assert error(exc)[0] == "InvalidParameterException"
    side = "greater" if max_results < limit else "less"
    assert error(exc)[1] == (f"1 validation error detected: Value '{max_results}' at "
                             "'maxResults' failed to satisfy constraint: Member must have value "
                             f"{side} than or equal to {limit}")
    for n in range(2):  # two clients: a page of one shows the limit is applied, not ignored
        create(unchecked, pool_id, ClientName=f"c{n}")
    listed = unchecked.list_user_pool_clients(UserPoolId=pool_id, MaxResults=limit)
    assert len(listed["UserPoolClients"]) == min(limit, 2)
    assert ("NextToken" in listed) is (limit == 1)


# --- secrets --------------------------------------------------------------------------------

def test_generate_secret(cognito, pool_id):
    client = create(cognito, pool_id, GenerateSecret=True)
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"])
    assert describe(cognito, pool_id, client["ClientId"])["ClientSecret"] == client["ClientSecret"]
    secrets = cognito.list_user_pool_client_secrets(UserPoolId=pool_id,
                                                    ClientId=client["ClientId"])
    assert len(secrets["ClientSecrets"]) == 1
    only = secrets["ClientSecrets"][0]
    assert set(only) == {"ClientSecretId", "ClientSecretCreateDate"}
    assert only["ClientSecretId"].startswith(client["ClientId"] + "--")
    assert "NextToken" not in secrets


def test_given_client_secret_is_used(cognito, pool_id):
    value = "MyOwnSecretValue_1234567890abc"
    client = create(cognito, pool_id, GenerateSecret=True, ClientSecret=value)
    assert client["ClientSecret"] == value


def test_public_client_lists_no_secrets(cognito, pool_id, client_id):
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
    assert listed["ClientSecrets"] == []
    with pytest.raises(ClientError) as exc:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    assert error(exc)[0] == "InvalidParameterException"


def test_secret_rotation(cognito, pool_id, clock):
    clock.pin()
    client = create(cognito, pool_id, GenerateSecret=True)
    cid, first_secret = client["ClientId"], client["ClientSecret"]
    first_id = cognito.list_user_pool_client_secrets(
        UserPoolId=pool_id, ClientId=cid)["ClientSecrets"][0]["ClientSecretId"]

    clock.advance(10)
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id,
                                                ClientId=cid)["ClientSecretDescriptor"]
    assert re.fullmatch(r"[a-z0-9]{51}", added["ClientSecretValue"])
    assert added["ClientSecretValue"] != first_secret
    assert added["ClientSecretId"] != first_id and added["ClientSecretId"].startswith(cid + "--")

    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=cid)
    assert [s["ClientSecretId"] for s in listed["ClientSecrets"]] == [first_id,
                                                                       added["ClientSecretId"]]
    assert all("ClientSecretValue" not in s for s in listed["ClientSecrets"])
    dates = [s["ClientSecretCreateDate"].timestamp() for s in listed["ClientSecrets"]]
    assert dates[1] - dates[0] == pytest.approx(10)

    # a third active secret is over the limit
    with pytest.raises(ClientError) as exc:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid)
    assert error(exc)[0] == "LimitExceededException"

    # retire the first secret: it no longer lists, the new one becomes ClientSecret
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid,
                                           ClientSecretId=first_id)
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=cid)
    assert [s["ClientSecretId"] for s in listed["ClientSecrets"]] == [added["ClientSecretId"]]
    assert describe(cognito, pool_id, cid)["ClientSecret"] == added["ClientSecretValue"]

    # deleting it again: unknown; deleting the last one: refused
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid,
                                               ClientSecretId=first_id)
    assert error(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid,
                                               ClientSecretId=added["ClientSecretId"])
    assert error(exc)[0] == "InvalidParameterException"

    # a secret of our own: the response doesn't echo the value
    own = cognito.add_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=cid,
        ClientSecret="AnotherOwnSecret_0987654321xyz")["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in own
    assert set(own) == {"ClientSecretId", "ClientSecretCreateDate"}
    assert len(cognito.list_user_pool_client_secrets(
        UserPoolId=pool_id, ClientId=cid)["ClientSecrets"]) == 2


def test_both_active_secrets_authenticate(cognito, pool_id):
    client = create(cognito, pool_id, GenerateSecret=True,
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    cid = client["ClientId"]
    second = cognito.add_user_pool_client_secret(
        UserPoolId=pool_id, ClientId=cid)["ClientSecretDescriptor"]["ClientSecretValue"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="rotator",
                              MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="rotator",
                                    Password="Passw0rd!", Permanent=True)

    def sign_in(secret):
        digest = hmac.new(secret.encode(), ("rotator" + cid).encode(), hashlib.sha256).digest()
        return cognito.initiate_auth(
            ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "rotator", "PASSWORD": "Passw0rd!",
                            "SECRET_HASH": base64.b64encode(digest).decode()})

    assert sign_in(client["ClientSecret"])["AuthenticationResult"]["AccessToken"]
    assert sign_in(second)["AuthenticationResult"]["AccessToken"]
    first_id = cognito.list_user_pool_client_secrets(
        UserPoolId=pool_id, ClientId=cid)["ClientSecrets"][0]["ClientSecretId"]
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=cid,
                                           ClientSecretId=first_id)
    with pytest.raises(ClientError) as exc:
        sign_in(client["ClientSecret"])
    assert error(exc) == ("NotAuthorizedException",
                          f"Unable to verify secret hash for client {cid}")
    assert sign_in(second)["AuthenticationResult"]["AccessToken"]


def test_secret_operations_on_unknown_client(cognito, pool_id):
    for call in (
            lambda: cognito.add_user_pool_client_secret(UserPoolId=pool_id,
                                                        ClientId=MISSING_CLIENT),
            lambda: cognito.list_user_pool_client_secrets(UserPoolId=pool_id,
                                                          ClientId=MISSING_CLIENT),
            lambda: cognito.delete_user_pool_client_secret(UserPoolId=pool_id,
                                                           ClientId=MISSING_CLIENT,
                                                           ClientSecretId="x--1")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == ("ResourceNotFoundException",
                              f"User pool client {MISSING_CLIENT} does not exist.")
