"""Identity pools (cognito-identity) through boto3: create, describe, update, delete, list;
roles and role mappings; principal tags; tags. docs/IDENTITY_POOLS.md says what is checked."""
import re
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.support.factories import error, unique_name
from tests.support.server import ROOT, RunningServer

ACCOUNT = "000000000000"   # the emulator's default account (dummy credentials)
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Cognito_Auth"
UNAUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Cognito_Unauth"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/login.example.com"
SAML = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp"
ID_RE = re.compile(r"^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def make_identity_pool(identity):
    made = []

    def make(**params):
        params.setdefault("IdentityPoolName", unique_name("ids"))
        params.setdefault("AllowUnauthenticatedIdentities", False)
        pool = identity.create_identity_pool(**params)
        made.append(pool["IdentityPoolId"])
        return pool
    yield make
    for pool_id in made:
        try:
            identity.delete_identity_pool(IdentityPoolId=pool_id)
        except identity.exceptions.ResourceNotFoundException:
            pass   # the test deleted it


@pytest.fixture
def user_pool_provider(cognito, pool):
    """{ProviderName, ClientId} of a real user pool and app client."""
    client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app")
    return {"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool['Id']}",
            "ClientId": client["UserPoolClient"]["ClientId"]}


def body(pool: dict) -> dict:
    return {k: v for k, v in pool.items() if k != "ResponseMetadata"}


def arn_of(pool_id: str) -> str:
    return f"arn:aws:cognito-identity:us-east-1:{ACCOUNT}:identitypool/{pool_id}"


# --- create, describe ---------------------------------------------------------------------------

def test_create_returns_the_pool_and_describe_reads_it_back(identity, make_identity_pool,
                                                            user_pool_provider):
    pool = make_identity_pool(
        AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
        SupportedLoginProviders={"graph.facebook.com": "7346241598935555",
                                 "accounts.google.com": "123.apps.googleusercontent.com"},
        DeveloperProviderName="login.example.app",
        OpenIdConnectProviderARNs=[OIDC], SamlProviderARNs=[SAML],
        CognitoIdentityProviders=[{**user_pool_provider, "ServerSideTokenCheck": True}],
        IdentityPoolTags={"team": "identity"})
    assert ID_RE.match(pool["IdentityPoolId"])
    assert pool["AllowClassicFlow"] is True
    assert pool["DeveloperProviderName"] == "login.example.app"
    assert pool["CognitoIdentityProviders"] == [{**user_pool_provider,
                                                 "ServerSideTokenCheck": True}]
    assert pool["IdentityPoolTags"] == {"team": "identity"}
    described = identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert body(described) == body(pool)


def test_defaults_of_a_minimal_pool(make_identity_pool, user_pool_provider):
    pool = make_identity_pool(CognitoIdentityProviders=[user_pool_provider])
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert pool["AllowClassicFlow"] is False
    assert pool["CognitoIdentityProviders"][0]["ServerSideTokenCheck"] is False
    assert "DeveloperProviderName" not in pool


def test_two_pools_may_share_a_name(make_identity_pool):
    name = unique_name("same")
    first = make_identity_pool(IdentityPoolName=name)
    second = make_identity_pool(IdentityPoolName=name)
    assert first["IdentityPoolId"] != second["IdentityPoolId"]


def test_describe_unknown_pool(identity):
    missing = "us-east-1:00000000-0000-4000-8000-000000000000"
    with pytest.raises(ClientError) as exc:
        identity.describe_identity_pool(IdentityPoolId=missing)
    assert error(exc) == ("ResourceNotFoundException", f"IdentityPool '{missing}' not found.")


def test_model_constraints_are_checked_by_the_server(identity):
    with pytest.raises(ClientError) as exc:
        identity.create_identity_pool(IdentityPoolName="bad/name",
                                      AllowUnauthenticatedIdentities=False)
    code, message = error(exc)
    # The identity-pool service keeps Coral's code (the user-pool one says InvalidParameter).
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'bad/name' at "
                              "'identityPoolName' failed to satisfy constraint: Member must "
                              "satisfy regular expression pattern: ")


@pytest.mark.parametrize("params, words", [
    ({"SupportedLoginProviders": {"login.example.com": "app"}}, "Invalid login provider"),
    ({"CognitoIdentityProviders": [{"ClientId": "abc"}]}, "Invalid Cognito Identity Provider"),
    ({"CognitoIdentityProviders": [{"ProviderName": "us-east-1_abc", "ClientId": "abc"}]},
     "Invalid Cognito Identity Provider"),
    ({"CognitoIdentityProviders": [{"ProviderName":
                                    "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc"}]},
     "Invalid Cognito Identity Provider"),
    ({"OpenIdConnectProviderARNs": [f"arn:aws:iam::{ACCOUNT}:saml-provider/x"]},
     "Invalid OpenIdConnectProviderARN"),
    ({"SamlProviderARNs": [OIDC]}, "Invalid SamlProviderARN"),
    ({"IdentityPoolTags": {"aws:team": "x"}}, "reserved"),
])
def test_create_refuses_bad_providers(identity, params, words):
    with pytest.raises(ClientError) as exc:
        identity.create_identity_pool(IdentityPoolName=unique_name("bad"),
                                      AllowUnauthenticatedIdentities=False, **params)
    code, message = error(exc)
    assert code == "InvalidParameterException"
    assert words in message


def test_every_documented_login_provider_is_accepted(make_identity_pool):
    names = ["graph.facebook.com", "accounts.google.com", "www.amazon.com",
             "appleid.apple.com", "api.twitter.com", "www.digits.com"]
    pool = make_identity_pool(SupportedLoginProviders={n: "app.id" for n in names})
    assert sorted(pool["SupportedLoginProviders"]) == sorted(names)


def test_tag_limit_is_50(identity, make_identity_pool):
    make_identity_pool(IdentityPoolTags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as exc:
        identity.create_identity_pool(IdentityPoolName=unique_name("bad"),
                                      AllowUnauthenticatedIdentities=False,
                                      IdentityPoolTags={f"k{i}": "v" for i in range(51)})
    assert error(exc)[0] == "LimitExceededException"


# --- update -------------------------------------------------------------------------------------

def test_update_replaces_the_pool_members_left_out_go_back_to_defaults(identity,
                                                                      make_identity_pool):
    pool = make_identity_pool(AllowClassicFlow=True, OpenIdConnectProviderARNs=[OIDC],
                              SupportedLoginProviders={"www.amazon.com": "amzn1.app"},
                              IdentityPoolTags={"team": "identity"})
    updated = identity.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"],
                                            IdentityPoolName="renamed",
                                            AllowUnauthenticatedIdentities=True)
    assert updated["IdentityPoolName"] == "renamed"
    assert updated["AllowUnauthenticatedIdentities"] is True
    assert updated["AllowClassicFlow"] is False
    assert updated["OpenIdConnectProviderARNs"] == []
    assert updated["SupportedLoginProviders"] == {}
    assert updated["IdentityPoolTags"] == {"team": "identity"}   # TagResource owns them
    described = identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert body(described) == body(updated)


def test_developer_provider_name_is_set_once(identity, make_identity_pool):
    pool = make_identity_pool()
    pool_id, name = pool["IdentityPoolId"], pool["IdentityPoolName"]
    first = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=name,
                                          AllowUnauthenticatedIdentities=False,
                                          DeveloperProviderName="login.example.app")
    assert first["DeveloperProviderName"] == "login.example.app"
    kept = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=name,
                                         AllowUnauthenticatedIdentities=False)
    assert kept["DeveloperProviderName"] == "login.example.app"
    same = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=name,
                                         AllowUnauthenticatedIdentities=False,
                                         DeveloperProviderName="login.example.app")
    assert same["DeveloperProviderName"] == "login.example.app"
    with pytest.raises(ClientError) as exc:
        identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName=name,
                                      AllowUnauthenticatedIdentities=False,
                                      DeveloperProviderName="login.other.app")
    code, message = error(exc)
    assert code == "InvalidParameterException"
    assert "cannot be changed" in message


def test_update_unknown_pool(identity):
    missing = "us-east-1:00000000-0000-4000-8000-000000000001"
    with pytest.raises(ClientError) as exc:
        identity.update_identity_pool(IdentityPoolId=missing, IdentityPoolName="x",
                                      AllowUnauthenticatedIdentities=False)
    assert error(exc)[0] == "ResourceNotFoundException"


def test_update_checks_providers_like_create(identity, make_identity_pool):
    pool = make_identity_pool()
    with pytest.raises(ClientError) as exc:
        identity.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"],
                                      IdentityPoolName=pool["IdentityPoolName"],
                                      AllowUnauthenticatedIdentities=False,
                                      SupportedLoginProviders={"example.com": "x"})
    assert error(exc)[0] == "InvalidParameterException"


# --- delete, list -------------------------------------------------------------------------------

def test_delete_removes_the_pool_its_roles_and_principal_tags(identity, make_identity_pool,
                                                             user_pool_provider):
    pool = make_identity_pool(CognitoIdentityProviders=[user_pool_provider])
    pool_id = pool["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": ROLE})
    identity.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=user_pool_provider["ProviderName"],
        PrincipalTags={"dept": "custom:dept"})
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    for call in (lambda: identity.describe_identity_pool(IdentityPoolId=pool_id),
                 lambda: identity.get_identity_pool_roles(IdentityPoolId=pool_id),
                 lambda: identity.delete_identity_pool(IdentityPoolId=pool_id)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "ResourceNotFoundException"


def test_list_pages_through_every_pool(identity, make_identity_pool):
    made = {make_identity_pool()["IdentityPoolId"] for _ in range(3)}
    seen, token, pages = {}, None, 0
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = identity.list_identity_pools(MaxResults=1, **kwargs)
        assert len(page["IdentityPools"]) <= 1
        seen.update({p["IdentityPoolId"]: p["IdentityPoolName"] for p in page["IdentityPools"]})
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert made <= set(seen)
    assert pages >= 3
    everything = identity.list_identity_pools(MaxResults=60)["IdentityPools"]
    assert made <= {p["IdentityPoolId"] for p in everything}
    assert set(everything[0]) == {"IdentityPoolId", "IdentityPoolName"}


@pytest.mark.parametrize("max_results", [0, 61])
def test_list_max_results_is_1_to_60(identity, max_results):
    unchecked = make_client(identity.meta.endpoint_url, service="cognito-identity",
                            validate=False)
    identity.list_identity_pools(MaxResults=60)
    with pytest.raises(ClientError) as exc:
        unchecked.list_identity_pools(MaxResults=max_results)
    code, message = error(exc)
    assert code == "ValidationException"  # the model's range (a constraint violation)
    assert "maxResults" in message


def test_list_refuses_a_token_it_did_not_issue(identity):
    with pytest.raises(ClientError) as exc:
        identity.list_identity_pools(MaxResults=5, NextToken="not-ours")
    assert error(exc)[0] == "InvalidParameterException"


# --- roles and role mappings --------------------------------------------------------------------

def test_roles_are_empty_until_set_then_replaced_whole(identity, make_identity_pool,
                                                       user_pool_provider):
    pool = make_identity_pool(CognitoIdentityProviders=[user_pool_provider],
                              SupportedLoginProviders={"accounts.google.com": "g.app"},
                              OpenIdConnectProviderARNs=[OIDC], SamlProviderARNs=[SAML])
    pool_id = pool["IdentityPoolId"]
    empty = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert empty["IdentityPoolId"] == pool_id
    assert not empty.get("Roles") and not empty.get("RoleMappings")

    provider_key = f"{user_pool_provider['ProviderName']}:{user_pool_provider['ClientId']}"
    mappings = {
        provider_key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"},
        "accounts.google.com": {
            "Type": "Rules", "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": {"Rules": [
                {"Claim": "hd", "MatchType": "Equals", "Value": "example.com",
                 "RoleARN": ROLE}]}},
        "login.example.com": {"Type": "Token", "AmbiguousRoleResolution": "Deny"},
        SAML: {"Type": "Token", "AmbiguousRoleResolution": "Deny"},
    }
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"authenticated": ROLE,
                                            "unauthenticated": UNAUTH_ROLE},
                                     RoleMappings=mappings)
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": ROLE, "unauthenticated": UNAUTH_ROLE}
    assert got["RoleMappings"] == mappings

    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": ROLE})
    again = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert again["Roles"] == {"authenticated": ROLE}
    assert not again.get("RoleMappings")


def rules(count: int) -> dict:
    return {"Rules": [{"Claim": "c", "MatchType": "StartsWith", "Value": str(i),
                       "RoleARN": ROLE} for i in range(count)]}


def test_25_rules_per_provider_but_not_26(identity, make_identity_pool):
    pool = make_identity_pool(SupportedLoginProviders={"graph.facebook.com": "fb"})
    pool_id = pool["IdentityPoolId"]
    mapping = {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={}, RoleMappings={
        "graph.facebook.com": {**mapping, "RulesConfiguration": rules(25)}})
    with pytest.raises(ClientError) as exc:
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={}, RoleMappings={
            "graph.facebook.com": {**mapping, "RulesConfiguration": rules(26)}})
    assert error(exc)[0] == "InvalidParameterException"


@pytest.mark.parametrize("provider, mapping, words", [
    ("example.org", {"Type": "Token", "AmbiguousRoleResolution": "Deny"},
     "(example.org) is not a valid RoleMapping ProviderName or is not a configured provider."),
    ("www.amazon.com", {"Type": "Token", "AmbiguousRoleResolution": "Deny"},
     "(www.amazon.com) is not a valid RoleMapping ProviderName"),
    ("graph.facebook.com", {"Type": "Token"}, "AmbiguousRoleResolution is required"),
    ("graph.facebook.com", {"Type": "Rules"}, "AmbiguousRoleResolution is required"),
    ("graph.facebook.com", {"Type": "Rules", "AmbiguousRoleResolution": "Deny"},
     "RulesConfiguration is required"),
    ("graph.facebook.com", {"Type": "Token", "AmbiguousRoleResolution": "Deny",
                            "RulesConfiguration": rules(1)}, "must not be set"),
    ("graph.facebook.com", {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                            "RulesConfiguration": {"Rules": [
                                {"Claim": "c", "MatchType": "Equals", "Value": "v",
                                 "RoleARN": "arn:aws:iam::000000000000:user/bob"}]}},
     "Invalid role ARN"),
])
def test_set_roles_refuses_bad_mappings(identity, make_identity_pool, provider, mapping, words):
    pool = make_identity_pool(SupportedLoginProviders={"graph.facebook.com": "fb"})
    with pytest.raises(ClientError) as exc:
        identity.set_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"],
                                         Roles={"authenticated": ROLE},
                                         RoleMappings={provider: mapping})
    code, message = error(exc)
    assert code == "InvalidParameterException"
    assert words in message
    assert not identity.get_identity_pool_roles(
        IdentityPoolId=pool["IdentityPoolId"]).get("Roles")   # nothing was written


def test_user_pool_mapping_key_needs_the_client_id(identity, make_identity_pool,
                                                  user_pool_provider):
    pool = make_identity_pool(CognitoIdentityProviders=[user_pool_provider])
    with pytest.raises(ClientError) as exc:
        identity.set_identity_pool_roles(
            IdentityPoolId=pool["IdentityPoolId"], Roles={},
            RoleMappings={user_pool_provider["ProviderName"]:
                          {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    assert error(exc)[0] == "InvalidParameterException"


@pytest.mark.parametrize("roles", [{"authenticated": "arn:aws:iam::000000000000:policy/p"},
                                   {"unauthenticated": "not-an-arn-at-all-000"}])
def test_set_roles_refuses_what_is_not_a_role_arn(identity, make_identity_pool, roles):
    pool = make_identity_pool()
    with pytest.raises(ClientError) as exc:
        identity.set_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"], Roles=roles)
    assert error(exc) == ("NotAuthorizedException",
                          f"Access to Role '{next(iter(roles.values()))}' is forbidden.")


def test_role_key_must_be_authenticated_or_unauthenticated(identity, make_identity_pool):
    pool = make_identity_pool()
    with pytest.raises(ClientError) as exc:
        identity.set_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"],
                                         Roles={"admin": ROLE})
    code, message = error(exc)
    assert code == "ValidationException"  # the model's pattern for the map's keys
    assert "'roles'" in message and "Map keys must satisfy constraint" in message


def test_roles_of_an_unknown_pool(identity):
    missing = "us-east-1:00000000-0000-4000-8000-000000000002"
    for call in (lambda: identity.get_identity_pool_roles(IdentityPoolId=missing),
                 lambda: identity.set_identity_pool_roles(IdentityPoolId=missing,
                                                          Roles={"authenticated": ROLE})):
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc)[0] == "ResourceNotFoundException"


# --- principal tags -----------------------------------------------------------------------------

def test_principal_tags_custom_then_defaults(identity, make_identity_pool, user_pool_provider):
    pool = make_identity_pool(CognitoIdentityProviders=[user_pool_provider])
    pool_id, provider = pool["IdentityPoolId"], user_pool_provider["ProviderName"]
    never = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id,
                                                     IdentityProviderName=provider)
    assert never["UseDefaults"] is False
    assert not never.get("PrincipalTags")

    out = identity.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=provider, UseDefaults=False,
        PrincipalTags={"dept": "custom:dept", "email": "email"})
    assert body(out) == {"IdentityPoolId": pool_id, "IdentityProviderName": provider,
                         "UseDefaults": False,
                         "PrincipalTags": {"dept": "custom:dept", "email": "email"}}
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id,
                                                   IdentityProviderName=provider)
    assert body(got) == body(out)

    identity.set_principal_tag_attribute_map(IdentityPoolId=pool_id,
                                             IdentityProviderName=provider, UseDefaults=True)
    defaults = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id,
                                                        IdentityProviderName=provider)
    assert defaults["UseDefaults"] is True
    assert defaults["PrincipalTags"] == {"username": "sub", "client": "aud"}


def test_amazon_default_user_claim_is_user_id(identity, make_identity_pool):
    pool = make_identity_pool(SupportedLoginProviders={"www.amazon.com": "amzn1.app"})
    out = identity.set_principal_tag_attribute_map(IdentityPoolId=pool["IdentityPoolId"],
                                                   IdentityProviderName="www.amazon.com",
                                                   UseDefaults=True)
    assert out["PrincipalTags"] == {"username": "user_id", "client": "aud"}


def test_principal_tags_for_an_oidc_provider_arn(identity, make_identity_pool):
    pool = make_identity_pool(OpenIdConnectProviderARNs=[OIDC])
    out = identity.set_principal_tag_attribute_map(IdentityPoolId=pool["IdentityPoolId"],
                                                   IdentityProviderName=OIDC,
                                                   PrincipalTags={"test": "value"})
    assert out["PrincipalTags"] == {"test": "value"}


def test_principal_tags_refuse_a_provider_the_pool_does_not_have(identity, make_identity_pool):
    pool = make_identity_pool(SupportedLoginProviders={"www.amazon.com": "amzn1.app"})
    for call in (identity.set_principal_tag_attribute_map,
                 identity.get_principal_tag_attribute_map):
        with pytest.raises(ClientError) as exc:
            call(IdentityPoolId=pool["IdentityPoolId"],
                 IdentityProviderName="accounts.google.com")
        code, message = error(exc)
        assert code == "InvalidParameterException"
        assert "not a configured identity provider" in message


def test_principal_tags_of_an_unknown_pool(identity):
    with pytest.raises(ClientError) as exc:
        identity.get_principal_tag_attribute_map(
            IdentityPoolId="us-east-1:00000000-0000-4000-8000-000000000003",
            IdentityProviderName="www.amazon.com")
    assert error(exc)[0] == "ResourceNotFoundException"


# --- tags ---------------------------------------------------------------------------------------

def test_tag_untag_list_and_describe(identity, make_identity_pool):
    pool = make_identity_pool(IdentityPoolTags={"team": "identity"})
    arn = arn_of(pool["IdentityPoolId"])
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity"}
    identity.tag_resource(ResourceArn=arn, Tags={"cost": "42", "env": ""})
    identity.tag_resource(ResourceArn=arn, Tags={"cost": "43"})
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "team": "identity", "cost": "43", "env": ""}
    identity.untag_resource(ResourceArn=arn, TagKeys=["cost", "not-there"])
    described = identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert described["IdentityPoolTags"] == {"team": "identity", "env": ""}


def test_tag_resource_keeps_the_50_tag_limit(identity, make_identity_pool):
    pool = make_identity_pool(IdentityPoolTags={f"k{i}": "v" for i in range(49)})
    arn = arn_of(pool["IdentityPoolId"])
    identity.tag_resource(ResourceArn=arn, Tags={"k49": "v"})
    with pytest.raises(ClientError) as exc:
        identity.tag_resource(ResourceArn=arn, Tags={"k50": "v"})
    assert error(exc)[0] == "LimitExceededException"
    assert len(identity.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 50


def test_tags_refuse_a_wrong_or_unknown_arn(identity, cognito, pool, make_identity_pool):
    missing = "us-east-1:00000000-0000-4000-8000-000000000004"
    with pytest.raises(ClientError) as exc:
        identity.list_tags_for_resource(ResourceArn=arn_of(missing))
    assert error(exc) == ("ResourceNotFoundException", f"IdentityPool '{missing}' not found.")

    mine = make_identity_pool()["IdentityPoolId"]
    other_account = arn_of(mine).replace(ACCOUNT, "111111111111")
    with pytest.raises(ClientError) as exc:
        identity.tag_resource(ResourceArn=other_account, Tags={"a": "b"})
    assert error(exc)[0] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as exc:   # a user pool's ARN is not for this service
        identity.untag_resource(ResourceArn=pool["Arn"], TagKeys=["a"])
    assert error(exc)[0] == "InvalidParameterException"


# --- seed file ----------------------------------------------------------------------------------

SEED = f"""
pools:
  - Id: us-east-1_IdSeed001
    PoolName: seeded-users
    Clients:
      - ClientId: idseedclient00000000000000
        ClientName: web
identity_pools:
  - Id: us-east-1:4a7e1c52-0000-4000-8000-000000000001
    IdentityPoolName: seeded
    AllowUnauthenticatedIdentities: true
    SupportedLoginProviders: {{accounts.google.com: g.apps.googleusercontent.com}}
    CognitoIdentityProviders:
      - UserPool: seeded-users
        Client: web
        ServerSideTokenCheck: true
    Roles: {{authenticated: {ROLE}, unauthenticated: {UNAUTH_ROLE}}}
    RoleMappings:
      - UserPool: us-east-1_IdSeed001
        Client: idseedclient00000000000000
        Type: Token
        AmbiguousRoleResolution: AuthenticatedRole
      - Provider: accounts.google.com
        Type: Rules
        AmbiguousRoleResolution: Deny
        RulesConfiguration:
          Rules: [{{Claim: hd, MatchType: Equals, Value: example.com, RoleARN: {ROLE}}}]
  - IdentityPoolName: no-fixed-id
    AllowUnauthenticatedIdentities: false
"""
SEEDED = "us-east-1:4a7e1c52-0000-4000-8000-000000000001"
SEEDED_PROVIDER = "cognito-idp.us-east-1.amazonaws.com/us-east-1_IdSeed001"


def seeded_client(url: str):
    return make_client(url, service="cognito-identity")


def test_seed_file_declares_identity_pools_with_roles_and_is_idempotent(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED)
    data = str(tmp_path / "data")
    for _ in range(2):  # the second start applies the seed again over the same data dir
        with RunningServer(["--data-dir", data, "--config", str(seed)]) as srv:
            c = seeded_client(srv.url)
            pool = c.describe_identity_pool(IdentityPoolId=SEEDED)
            assert pool["IdentityPoolName"] == "seeded"
            assert pool["CognitoIdentityProviders"] == [{
                "ProviderName": SEEDED_PROVIDER, "ClientId": "idseedclient00000000000000",
                "ServerSideTokenCheck": True}]
            roles = c.get_identity_pool_roles(IdentityPoolId=SEEDED)
            assert roles["Roles"] == {"authenticated": ROLE, "unauthenticated": UNAUTH_ROLE}
            assert roles["RoleMappings"][f"{SEEDED_PROVIDER}:idseedclient00000000000000"] == {
                "Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}
            assert roles["RoleMappings"]["accounts.google.com"]["Type"] == "Rules"
            names = sorted(p["IdentityPoolName"] for p in
                           c.list_identity_pools(MaxResults=60)["IdentityPools"])
            assert names == ["no-fixed-id", "seeded"]


@pytest.mark.parametrize("text, words", [
    ("identity_pools: 3", "'identity_pools' must be a list"),
    ("identity_pools:\n  - IdentityPoolName: x\n    AllowUnauthenticatedIdentities: false\n"
     "    CognitoIdentityProviders: [{UserPool: nowhere, Client: web}]\n",
     "no user pool 'nowhere'"),
    ("pools:\n  - PoolName: up\n    Clients: [{ClientName: web}]\n"
     "identity_pools:\n  - IdentityPoolName: x\n    AllowUnauthenticatedIdentities: false\n"
     "    CognitoIdentityProviders: [{UserPool: up, Client: mobile}]\n",
     "has no app client 'mobile'"),
    ("identity_pools:\n  - IdentityPoolName: 'bad/name'\n"
     "    AllowUnauthenticatedIdentities: false\n", "validation error"),
    ("identity_pools:\n  - IdentityPoolName: x\n    AllowUnauthenticatedIdentities: false\n"
     "    Roles: {authenticated: not-a-role-arn-at-all}\n",
     "Access to Role 'not-a-role-arn-at-all' is forbidden."),
])
def test_bad_identity_pool_seed_stops_start_with_a_clear_message(tmp_path, text, words):
    seed = tmp_path / "seed.yaml"
    seed.write_text(text)
    out = subprocess.run([sys.executable, "-m", "emulator", "serve", "--in-memory", "--port", "0",
                          "--config", str(seed)], capture_output=True, text=True, cwd=ROOT,
                         timeout=30)
    assert out.returncode == 1
    assert words in out.stderr and "Traceback" not in out.stderr
