"""What provisioning tools read back (issue #17): Terraform's AWS provider, CloudFormation and
CDK create a resource, read it and compare; any member that comes back different, or not at
all, is drift. Each resource here is created with a maximal valid input (every member the
model allows: tests/support/maximal.py), read back and compared member by member
(`maximal.drifts` lists every differing path at once), updated with a second maximal input
and compared again, then updated with a minimal input: what AWS documents as reset goes back
to the default a fresh resource shows, what it keeps stays.

Expected values are what was sent, except where AWS documents a normalisation: NORMALISED.
"""
import re

import pytest

from tests.support.factories import delete_pool, unique_name
from tests.support.maximal import SHAPES, drifts, maximal

REGION = "us-east-1"

# What AWS documents the service does to a value between request and read, with the source.
NORMALISED = {
    "UserPoolType.Name": "PoolName is returned as Name (UserPoolType).",
    "UserPoolType.Id/Arn": "The id is <region>_<random>; Arn is derived: "
                           "arn:<partition>:cognito-idp:<region>:<account>:userpool/<id> "
                           "(UserPoolType.Arn; IAM service authorization reference).",
    "UserPoolType.SchemaAttributes": "Schema is returned as SchemaAttributes: every standard "
                                     "attribute, then the custom ones, whose names get the "
                                     "prefix custom: (dev:custom: when DeveloperOnlyAttribute); "
                                     "AddCustomAttributes and SchemaAttributeType.Name "
                                     "documentation.",
    "UserPoolType.EstimatedNumberOfUsers": "0 for a new pool.",
    "UserPoolClientType.ClientId": "generated (CreateUserPoolClient).",
    "UserPoolClientType.ClientType": "REGULAR: \"The app client wasn't created through dynamic "
                                     "client registration. For example, you created it with "
                                     "CreateUserPoolClient.\" (UserPoolClientType.ClientType).",
    "UserPoolClientType.ClientSecret": "the ClientSecret sent (CreateUserPoolClient); "
                                       "UpdateUserPoolClient never changes it.",
}


def assert_no_drift(shape: str, expected: dict, actual: dict) -> None:
    found = drifts(shape, expected, actual)
    assert not found, f"{len(found)} drift(s) in {shape}:\n  " + "\n  ".join(found)


def without(params: dict, *members: str) -> dict:
    return {k: v for k, v in params.items() if k not in members}


# --- user pools -----------------------------------------------------------------------------

CUSTOM_PREFIX = {False: "custom:", True: "dev:custom:"}


def expected_schema(standard: list[dict], sent: list[dict]) -> list[dict]:
    """SchemaAttributes for `sent`: the standard attributes as a fresh pool lists them with
    those the request names adjusted, then the custom ones, prefixed."""
    out = [dict(a) for a in standard]
    by_name = {a["Name"]: a for a in out}
    for entry in sent:
        if entry["Name"] in by_name:
            by_name[entry["Name"]].update(without(entry, "Name"))
        else:
            out.append({**entry,
                        "Name": CUSTOM_PREFIX[entry["DeveloperOnlyAttribute"]] + entry["Name"]})
    return out


def expected_pool(sent: dict, actual: dict, fresh: dict) -> dict:
    out = without(sent, "PoolName", "Schema", "UserPoolId")
    assert re.fullmatch(rf"{REGION}_[0-9A-Za-z]{{9}}", actual["Id"])
    out["Id"] = actual["Id"]
    assert re.fullmatch(rf"arn:aws:cognito-idp:{REGION}:\d{{12}}:userpool/{actual['Id']}",
                        actual["Arn"])
    out["Arn"] = actual["Arn"]
    out["Name"] = sent["PoolName"]
    out["CreationDate"], out["LastModifiedDate"] = actual["CreationDate"], \
        actual["LastModifiedDate"]
    out["EstimatedNumberOfUsers"] = 0
    return out


@pytest.fixture
def fresh_pool(cognito):
    """A pool made with nothing but a name: the defaults every reset goes back to."""
    pool = cognito.create_user_pool(PoolName=unique_name("fresh"))["UserPool"]
    yield pool
    delete_pool(cognito, pool["Id"])


@pytest.fixture
def maximal_pool(cognito, fresh_pool):
    sent = maximal("CreateUserPool", 0)
    created = cognito.create_user_pool(**sent)["UserPool"]
    yield sent, created
    delete_pool(cognito, created["Id"])


def test_pool_created_with_every_member_reads_back_as_sent(cognito, maximal_pool, fresh_pool):
    sent, created = maximal_pool
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    expected = expected_pool(sent, described, fresh_pool)
    expected["SchemaAttributes"] = expected_schema(fresh_pool["SchemaAttributes"],
                                                   sent["Schema"])
    assert_no_drift("UserPoolType", expected, described)
    assert_no_drift("UserPoolType", expected, created)  # Create answers with the same view


def test_pool_updated_with_every_member_reads_back_as_sent(cognito, maximal_pool, fresh_pool):
    sent, created = maximal_pool
    update = maximal("UpdateUserPool", 1, UserPoolId=created["Id"])
    cognito.update_user_pool(**update)
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    expected = expected_pool(update, described, fresh_pool)
    # Not members of UpdateUserPool: kept from the Create.
    expected["SchemaAttributes"] = expected_schema(fresh_pool["SchemaAttributes"],
                                                   sent["Schema"])
    expected["AliasAttributes"] = sent["AliasAttributes"]
    expected["UsernameConfiguration"] = sent["UsernameConfiguration"]
    assert described["CreationDate"] == created["CreationDate"]
    assert_no_drift("UserPoolType", expected, described)


# UpdateUserPool: "If you don't provide a value for an attribute, Amazon Cognito sets it to
# its default value." What it can't take (Schema, AliasAttributes, UsernameAttributes,
# UsernameConfiguration) and the pool's identity are kept; so are its name (an optional
# member: "The updated name of your user pool"), its tags and its feature plan (UNCONFIRMED:
# a rename, untagging or change of plan by omission would break every tool that updates one
# setting; Terraform always sends name and tags, so it can't tell).
POOL_KEPT_ON_UPDATE = ["Id", "Arn", "Name", "CreationDate", "SchemaAttributes",
                       "AliasAttributes", "UsernameAttributes", "UsernameConfiguration",
                       "UserPoolTags", "UserPoolTier", "EstimatedNumberOfUsers"]


def test_pool_updated_with_nothing_goes_back_to_defaults(cognito, maximal_pool, fresh_pool):
    sent, created = maximal_pool
    # PLUS features (threat protection) would outlive a reset to an ESSENTIALS default only
    # if the plan changed too; the plan is kept, so the reset must be valid in PLUS.
    cognito.update_user_pool(UserPoolId=created["Id"])
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    fresh = cognito.describe_user_pool(UserPoolId=fresh_pool["Id"])["UserPool"]
    expected = {k: v for k, v in fresh.items() if k not in POOL_KEPT_ON_UPDATE}
    expected.update({k: created[k] for k in POOL_KEPT_ON_UPDATE if k in created})
    expected["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("UserPoolType", expected, described)


# --- app clients ----------------------------------------------------------------------------

@pytest.fixture
def oauth_pool(cognito, maximal_pool):
    """The maximal pool with what a maximal client refers to: an identity provider and a
    resource server with a scope."""
    _, pool = maximal_pool
    provider = "Okta"
    cognito.create_identity_provider(
        UserPoolId=pool["Id"], ProviderName=provider, ProviderType="OIDC",
        ProviderDetails={"client_id": "okta-client", "client_secret": "okta-secret",
                         "attributes_request_method": "GET", "oidc_issuer":
                         "https://example.okta.com", "authorize_scopes": "openid email",
                         "authorize_url": "https://example.okta.com/oauth2/v1/authorize",
                         "token_url": "https://example.okta.com/oauth2/v1/token",
                         "attributes_url": "https://example.okta.com/oauth2/v1/userinfo",
                         "jwks_uri": "https://example.okta.com/oauth2/v1/keys"},
        AttributeMapping={"email": "email"})
    cognito.create_resource_server(UserPoolId=pool["Id"], Identifier="https://api.example.com",
                                   Name="api", Scopes=[{"ScopeName": "read",
                                                        "ScopeDescription": "read"}])
    return {"UserPoolId": pool["Id"], "provider": provider,
            "scope": "https://api.example.com/read"}


def expected_client(sent: dict, actual: dict) -> dict:
    out = without(sent, "GenerateSecret", "PublishSecretsInAWSSecretsManager")
    assert re.fullmatch(r"[a-z0-9]{26}", actual["ClientId"])
    out["ClientId"] = actual["ClientId"]
    out["ClientType"] = "REGULAR"
    out["CreationDate"], out["LastModifiedDate"] = actual["CreationDate"], \
        actual["LastModifiedDate"]
    return out


def test_client_created_and_updated_with_every_member_reads_back_as_sent(cognito, oauth_pool):
    sent = maximal("CreateUserPoolClient", 0, **oauth_pool)
    created = cognito.create_user_pool_client(**sent)["UserPoolClient"]
    described = cognito.describe_user_pool_client(
        UserPoolId=oauth_pool["UserPoolId"], ClientId=created["ClientId"])["UserPoolClient"]
    assert_no_drift("UserPoolClientType", expected_client(sent, described), described)
    assert_no_drift("UserPoolClientType", expected_client(sent, described), created)

    update = maximal("UpdateUserPoolClient", 1, ClientId=created["ClientId"], **oauth_pool)
    cognito.update_user_pool_client(**update)
    described = cognito.describe_user_pool_client(
        UserPoolId=oauth_pool["UserPoolId"], ClientId=created["ClientId"])["UserPoolClient"]
    expected = expected_client(update, described)
    expected["ClientSecret"] = sent["ClientSecret"]
    assert described["CreationDate"] == created["CreationDate"]
    assert_no_drift("UserPoolClientType", expected, described)


# UpdateUserPoolClient: "If you don't provide a value for an attribute, Amazon Cognito sets it
# to its default value." The name (optional: kept when not given, UNCONFIRMED), the id, the
# secret and the dates are the client's own.
CLIENT_KEPT_ON_UPDATE = ["UserPoolId", "ClientName", "ClientId", "ClientSecret", "ClientType",
                         "CreationDate"]


def test_client_updated_with_nothing_goes_back_to_defaults(cognito, oauth_pool):
    pool_id = oauth_pool["UserPoolId"]
    created = cognito.create_user_pool_client(
        **maximal("CreateUserPoolClient", 0, **oauth_pool))["UserPoolClient"]
    fresh = cognito.create_user_pool_client(UserPoolId=pool_id,
                                            ClientName="fresh")["UserPoolClient"]
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])
    described = cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"]
    expected = {k: v for k, v in fresh.items() if k not in CLIENT_KEPT_ON_UPDATE}
    expected.update({k: created[k] for k in CLIENT_KEPT_ON_UPDATE if k in created})
    expected["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("UserPoolClientType", expected, described)


def test_drifts_lists_every_differing_path_at_once():
    expected = {"ClientName": "a", "AllowedOAuthScopes": ["openid", "email"],
                "TokenValidityUnits": {"AccessToken": "hours"}, "ClientSecret": "s"}
    actual = {"ClientName": "a", "AllowedOAuthScopes": ["email", "openid"],
              "TokenValidityUnits": {"AccessToken": "minutes"}, "ClientType": "REGULAR"}
    assert drifts("UserPoolClientType", expected, actual) == [
        "ClientSecret: missing (expected 's')",
        "TokenValidityUnits.AccessToken: sent 'hours', got 'minutes'",
        "AllowedOAuthScopes[0]: sent 'openid', got 'email'",
        "AllowedOAuthScopes[1]: sent 'email', got 'openid'",
        "ClientType: unexpected 'REGULAR'"]
    assert SHAPES["UserPoolClientType"]["type"] == "structure"


# --- domains --------------------------------------------------------------------------------

def expected_domain(sent: dict, actual: dict, account: str) -> dict:
    out = dict(sent)
    out["AWSAccountId"] = account
    assert actual["Status"] == "ACTIVE"
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", actual["CloudFrontDistribution"])
    for generated in ("S3Bucket", "CloudFrontDistribution", "Version", "Status"):
        out[generated] = actual[generated]
    return out


def test_custom_domain_created_and_updated_with_every_member_reads_back(cognito, maximal_pool):
    _, pool = maximal_pool
    account = pool["Arn"].split(":")[4]
    name = f"{unique_name('auth')}.example.com"
    sent = maximal("CreateUserPoolDomain", 0, Domain=name, UserPoolId=pool["Id"])
    cognito.create_user_pool_domain(**sent)
    described = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert_no_drift("DomainDescriptionType", expected_domain(sent, described, account),
                    described)

    update = maximal("UpdateUserPoolDomain", 1, Domain=name, UserPoolId=pool["Id"])
    cognito.update_user_pool_domain(**update)
    described = cognito.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert_no_drift("DomainDescriptionType", expected_domain(update, described, account),
                    described)


# --- identity providers ---------------------------------------------------------------------

# Added by Cognito to what was sent (the API reference's DescribeIdentityProvider example for
# OIDC; the username mapping: COGNITO_REFERENCE, federation: the provider's user id claim).
OIDC_ADDED_DETAILS = {"attributes_url_add_attributes": "false"}
OIDC_ADDED_MAPPING = {"username": "sub"}


def expected_provider(sent: dict, actual: dict) -> dict:
    out = dict(sent)
    out["ProviderDetails"] = {**sent["ProviderDetails"], **OIDC_ADDED_DETAILS}
    out["AttributeMapping"] = {**OIDC_ADDED_MAPPING, **sent["AttributeMapping"]}
    out["CreationDate"], out["LastModifiedDate"] = actual["CreationDate"], \
        actual["LastModifiedDate"]
    return out


def test_identity_provider_created_and_updated_with_every_member_reads_back(cognito,
                                                                           maximal_pool):
    _, pool = maximal_pool
    ids = {"UserPoolId": pool["Id"], "ProviderName": "Corp"}
    sent = maximal("CreateIdentityProvider", 0, **ids)
    cognito.create_identity_provider(**sent)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    assert_no_drift("IdentityProviderType", expected_provider(sent, described), described)

    update = maximal("UpdateIdentityProvider", 1, **ids)
    cognito.update_identity_provider(**update)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    expected = expected_provider({**update, "ProviderType": "OIDC"}, described)
    assert_no_drift("IdentityProviderType", expected, described)


# --- resource servers -----------------------------------------------------------------------

def test_resource_server_round_trip_and_update_resets_scopes(cognito, maximal_pool):
    _, pool = maximal_pool
    ids = {"UserPoolId": pool["Id"], "Identifier": "https://orders.example.com"}
    sent = maximal("CreateResourceServer", 0, **ids)
    cognito.create_resource_server(**sent)
    described = cognito.describe_resource_server(**ids)["ResourceServer"]
    assert_no_drift("ResourceServerType", sent, described)

    update = maximal("UpdateResourceServer", 1, **ids)
    cognito.update_resource_server(**update)
    described = cognito.describe_resource_server(**ids)["ResourceServer"]
    assert_no_drift("ResourceServerType", update, described)

    # UpdateResourceServer: "If you don't provide a value for an attribute, it is set to the
    # default value": no scopes, as a server created without them shows.
    cognito.update_resource_server(**ids, Name="renamed")
    cognito.create_resource_server(UserPoolId=pool["Id"], Identifier="bare", Name="bare")
    bare = cognito.describe_resource_server(UserPoolId=pool["Id"],
                                            Identifier="bare")["ResourceServer"]
    described = cognito.describe_resource_server(**ids)["ResourceServer"]
    expected = {**without(bare, "Identifier", "Name"), **ids, "Name": "renamed"}
    assert_no_drift("ResourceServerType", expected, described)


# --- groups ---------------------------------------------------------------------------------

def test_group_round_trip_and_update_keeps_what_it_is_not_given(cognito, maximal_pool):
    _, pool = maximal_pool
    ids = {"UserPoolId": pool["Id"], "GroupName": unique_name("admins")}
    sent = maximal("CreateGroup", 0, **ids)
    created = cognito.create_group(**sent)["Group"]
    described = cognito.get_group(**ids)["Group"]
    dates = {"CreationDate": described["CreationDate"],
             "LastModifiedDate": described["LastModifiedDate"]}
    assert_no_drift("GroupType", {**sent, **dates}, described)
    assert_no_drift("GroupType", {**sent, **dates}, created)

    update = maximal("UpdateGroup", 1, **ids)
    cognito.update_group(**update)
    described = cognito.get_group(**ids)["Group"]
    dates["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("GroupType", {**update, **dates}, described)

    # UpdateGroup "updates any of the properties for precedence, IAM role, or description":
    # what it is not given is kept.
    cognito.update_group(**ids)
    described = cognito.get_group(**ids)["Group"]
    dates["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("GroupType", {**update, **dates}, described)
