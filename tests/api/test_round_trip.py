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

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.factories import delete_pool, error, unique_name
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
    "DomainDescriptionType.AWSAccountId/S3Bucket/CloudFrontDistribution/Version/Status":
        "filled in by the service for every domain, prefix or custom (DomainDescriptionType).",
    "IdentityProviderType.ProviderDetails (SAML)": "ActiveEncryptionCertificate, "
        "SSORedirectBindingURI, SLORedirectBindingURI added from the metadata and the "
        "provider's key (API reference, DescribeIdentityProvider example for SAML).",
    "IdentityProviderType.ProviderDetails (social)": "attributes_url, "
        "attributes_url_add_attributes, authorize_url, oidc_issuer (Google, Apple), "
        "token_request_method, token_url added per type; Sign in with Apple's private_key "
        "not shown (API reference, CreateIdentityProvider ProviderDetails examples).",
    "IdentityProviderType.AttributeMapping (OIDC, social)": "username mapped to the "
        "provider's user id claim (federation docs; claim per type UNCONFIRMED).",
    "UICustomizationType.ImageUrl": "ImageFile is returned as ImageUrl, \"A URL path to the "
        "hosted logo image\"; CSSVersion and the dates are the service's "
        "(UICustomizationType).",
    "UICustomizationType.ClientId": "ALL for the pool-wide customization (SetUICustomization: "
        "\"Set the default configuration for all clients with a ClientId of ALL\").",
    "ManagedLoginBrandingType.ManagedLoginBrandingId": "generated, a version-4 UUID "
        "(ManagedLoginBrandingIdType pattern); ClientId is not a member of the output.",
    "ManagedLoginBrandingType (update)": "\"preserves existing style settings that you don't "
        "specify\" (UpdateManagedLoginBranding): Settings merged key by key, Assets by "
        "Category and ColorMode; UseCognitoProvidedValues \"reverts to default style "
        "options\".",
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

    # A custom domain's update must carry its certificate (hashicorp/terraform-provider-aws
    # #43252: "Cannot convert custom domain to prefix domain."); given only that, the update
    # keeps the version and the routing (UNCONFIRMED by the model).
    with pytest.raises(ClientError) as refused:
        cognito.update_user_pool_domain(Domain=name, UserPoolId=pool["Id"])
    assert error(refused) == ("InvalidParameterException",
                              "Cannot convert custom domain to prefix domain.")
    cognito.update_user_pool_domain(Domain=name, UserPoolId=pool["Id"],
                                    CustomDomainConfig=update["CustomDomainConfig"])
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

    # UpdateIdentityProvider documents no reset for what it is not given: kept (UNCONFIRMED;
    # the emulator merges, identity_providers.update).
    cognito.update_identity_provider(**ids)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    expected["LastModifiedDate"] = described["LastModifiedDate"]
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


# --- prefix domains -------------------------------------------------------------------------

def test_prefix_domain_created_and_updated_with_every_member_reads_back(cognito, maximal_pool):
    _, pool = maximal_pool
    account = pool["Arn"].split(":")[4]
    prefix = unique_name("rt").lower().replace("_", "-")[:60]
    ids = {"Domain": prefix, "UserPoolId": pool["Id"]}
    sent = maximal("CreateUserPoolDomain", 0, kind="prefix", **ids)
    cognito.create_user_pool_domain(**sent)
    described = cognito.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    assert_no_drift("DomainDescriptionType", expected_domain(sent, described, account),
                    described)

    update = maximal("UpdateUserPoolDomain", 1, kind="prefix", **ids)
    cognito.update_user_pool_domain(**update)
    described = cognito.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    assert_no_drift("DomainDescriptionType", expected_domain(update, described, account),
                    described)

    # UpdateUserPoolDomain documents no reset: it "updates the branding version ... It also
    # updates the SSL certificate". A minimal update keeps both (UNCONFIRMED by the model).
    cognito.update_user_pool_domain(**ids)
    described = cognito.describe_user_pool_domain(Domain=prefix)["DomainDescription"]
    assert_no_drift("DomainDescriptionType", expected_domain(update, described, account),
                    described)


# --- SAML and social identity providers -----------------------------------------------------

@pytest.fixture(scope="module")
def saml_metadata():
    import time

    from saml.certificates import new_key_pair
    from saml.idp import idp_metadata
    key = new_key_pair("round-trip-idp", time.time())
    return idp_metadata(entity_id="https://idp.example.com/entity",
                        sso_url="https://idp.example.com/sso",
                        certificate_pem=key.certificate_pem, slo_url="https://idp.example.com/slo")


# Added by Cognito to a SAML provider's ProviderDetails (the API reference's
# DescribeIdentityProvider example for SAML): the IdP's endpoints from its metadata and the
# certificate of the provider's encryption key. Checked for form here; their values come from
# the metadata and a key the service makes.
SAML_ADDED_DETAILS = ("ActiveEncryptionCertificate", "SSORedirectBindingURI",
                      "SLORedirectBindingURI")


def expected_saml_provider(sent: dict, actual: dict) -> dict:
    out = dict(sent)
    details = actual["ProviderDetails"]
    assert details["SSORedirectBindingURI"] == "https://idp.example.com/sso"
    assert details["SLORedirectBindingURI"] == "https://idp.example.com/slo"
    assert re.fullmatch(r"[A-Za-z0-9+/=]{200,}", details["ActiveEncryptionCertificate"])
    out["ProviderDetails"] = {**sent["ProviderDetails"],
                              **{k: details[k] for k in SAML_ADDED_DETAILS}}
    out["CreationDate"], out["LastModifiedDate"] = actual["CreationDate"], \
        actual["LastModifiedDate"]
    return out


def test_saml_provider_created_and_updated_with_every_member_reads_back(cognito, maximal_pool,
                                                                       saml_metadata):
    _, pool = maximal_pool
    ids = {"UserPoolId": pool["Id"], "ProviderName": "CorpSAML"}
    sent = maximal("CreateIdentityProvider", 0, kind="saml", metadata=saml_metadata, **ids)
    cognito.create_identity_provider(**sent)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    assert_no_drift("IdentityProviderType", expected_saml_provider(sent, described), described)

    update = maximal("UpdateIdentityProvider", 1, kind="saml", metadata=saml_metadata, **ids)
    cognito.update_identity_provider(**update)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    expected = expected_saml_provider({**update, "ProviderType": "SAML"}, described)
    assert_no_drift("IdentityProviderType", expected, described)

    # UpdateIdentityProvider documents no reset for what it is not given: kept (UNCONFIRMED).
    cognito.update_identity_provider(**ids)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    expected["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("IdentityProviderType", expected, described)


# Added by Cognito to what was sent, per type (the API reference's DescribeIdentityProvider
# examples for each social provider; Facebook's URLs carry the api_version sent). The
# username mapping: each provider's user id claim (federation docs; UNCONFIRMED per type).
SOCIAL_ADDED_DETAILS = {
    "Google": lambda d: {
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com", "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token"},
    "Facebook": lambda d: {
        "attributes_url": f"https://graph.facebook.com/{d['api_version']}/me?fields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": f"https://www.facebook.com/{d['api_version']}/dialog/oauth",
        "token_request_method": "GET",
        "token_url": f"https://graph.facebook.com/{d['api_version']}/oauth/access_token"},
    "LoginWithAmazon": lambda d: {
        "attributes_url": "https://api.amazon.com/user/profile",
        "attributes_url_add_attributes": "false", "authorize_url": "https://www.amazon.com/ap/oa",
        "token_request_method": "POST", "token_url": "https://api.amazon.com/auth/o2/token"},
    "SignInWithApple": lambda d: {
        "attributes_url_add_attributes": "false",
        "authorize_url": "https://appleid.apple.com/auth/authorize",
        "oidc_issuer": "https://appleid.apple.com", "token_request_method": "POST",
        "token_url": "https://appleid.apple.com/auth/token"},
}
SOCIAL_USERNAME = {"Google": "sub", "Facebook": "id", "LoginWithAmazon": "user_id",
                   "SignInWithApple": "sub"}
# Sign in with Apple's private_key is write-only: the describe example leaves it out.
SOCIAL_WRITE_ONLY = {"SignInWithApple": ("private_key",)}


def expected_social_provider(kind: str, sent: dict, actual: dict) -> dict:
    out = dict(sent)
    details = without(sent["ProviderDetails"], *SOCIAL_WRITE_ONLY.get(kind, ()))
    out["ProviderDetails"] = {**details, **SOCIAL_ADDED_DETAILS[kind](details)}
    out["AttributeMapping"] = {"username": SOCIAL_USERNAME[kind], **sent["AttributeMapping"]}
    out["CreationDate"], out["LastModifiedDate"] = actual["CreationDate"], \
        actual["LastModifiedDate"]
    return out


@pytest.mark.parametrize("kind", list(SOCIAL_ADDED_DETAILS))
def test_social_provider_created_and_updated_with_every_member_reads_back(cognito, maximal_pool,
                                                                         kind):
    _, pool = maximal_pool
    ids = {"UserPoolId": pool["Id"], "ProviderName": kind}
    sent = maximal("CreateIdentityProvider", 0, kind="social", **ids)
    cognito.create_identity_provider(**sent)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    assert_no_drift("IdentityProviderType", expected_social_provider(kind, sent, described),
                    described)

    update = maximal("UpdateIdentityProvider", 1, kind="social", **ids)
    cognito.update_identity_provider(**update)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    expected = expected_social_provider(kind, {**update, "ProviderType": kind}, described)
    assert_no_drift("IdentityProviderType", expected, described)

    cognito.update_identity_provider(**ids)  # kept, as for SAML (UNCONFIRMED)
    described = cognito.describe_identity_provider(**ids)["IdentityProvider"]
    expected["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("IdentityProviderType", expected, described)


# --- hosted UI (classic) customization ------------------------------------------------------

@pytest.fixture
def pool_with_domain(cognito, maximal_pool):
    """The maximal pool with a prefix domain ("Your user pool must have a domain") and a
    plain app client."""
    _, pool = maximal_pool
    prefix = unique_name("ui").lower().replace("_", "-")[:60]
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=pool["Id"])
    client = cognito.create_user_pool_client(UserPoolId=pool["Id"],
                                             ClientName="look")["UserPoolClient"]
    yield {"UserPoolId": pool["Id"], "ClientId": client["ClientId"], "domain": prefix}
    cognito.delete_user_pool_domain(Domain=prefix, UserPoolId=pool["Id"])


def expected_ui(sent: dict, actual: dict) -> dict:
    """UICustomizationType for `sent`: the CSS as sent; the image becomes ImageUrl, a URL where
    it is hosted (UICustomizationType.ImageUrl), fetched and compared by the caller; CSSVersion
    and the dates are the service's."""
    out = without(sent, "ImageFile")
    assert re.fullmatch(r"https?://\S+", actual["ImageUrl"])
    for generated in ("ImageUrl", "CSSVersion", "CreationDate", "LastModifiedDate"):
        out[generated] = actual[generated]
    return out


@pytest.mark.parametrize("scope", ["ALL", "client"])
def test_ui_customization_set_with_every_member_reads_back(cognito, pool_with_domain, scope):
    ids = {"UserPoolId": pool_with_domain["UserPoolId"]}
    if scope == "client":
        ids["ClientId"] = pool_with_domain["ClientId"]
    sent = maximal("SetUICustomization", 0, **ids)
    answer = cognito.set_ui_customization(**sent)["UICustomization"]
    got = cognito.get_ui_customization(**ids)["UICustomization"]
    expected = expected_ui({"ClientId": "ALL", **sent}, got)
    assert_no_drift("UICustomizationType", expected, got)
    assert_no_drift("UICustomizationType", expected, answer)
    # ImageUrl serves the image sent.
    fetched = httpx.get(got["ImageUrl"])
    assert (fetched.status_code, fetched.headers["content-type"]) == (200, "image/png")
    assert fetched.content == sent["ImageFile"]

    second = maximal("SetUICustomization", 1, **ids)
    cognito.set_ui_customization(**second)
    got = cognito.get_ui_customization(**ids)["UICustomization"]
    assert_no_drift("UICustomizationType", expected_ui({"ClientId": "ALL", **second}, got), got)

    # A Set replaces the customization: one with neither CSS nor image leaves none of its
    # own (UNCONFIRMED; GetUICustomization "returns an empty object if you haven't applied
    # hosted UI branding"), so the client shows the pool's ALL again, here none.
    cognito.set_ui_customization(**ids)
    got = cognito.get_ui_customization(**ids)["UICustomization"]
    assert_no_drift("UICustomizationType", {"UserPoolId": ids["UserPoolId"],
                                            "ClientId": ids.get("ClientId", "ALL")}, got)


# --- managed login branding -----------------------------------------------------------------

def expected_branding(sent: dict, actual: dict) -> dict:
    out = without(sent, "ClientId")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        actual["ManagedLoginBrandingId"])
    for generated in ("ManagedLoginBrandingId", "CreationDate", "LastModifiedDate"):
        out[generated] = actual[generated]
    return out


def test_managed_login_branding_round_trip_and_update_merges(cognito, pool_with_domain):
    ids = {"UserPoolId": pool_with_domain["UserPoolId"]}
    sent = maximal("CreateManagedLoginBranding", 0, ClientId=pool_with_domain["ClientId"],
                   **ids)
    created = cognito.create_managed_login_branding(**sent)["ManagedLoginBranding"]
    style = {"ManagedLoginBrandingId": created["ManagedLoginBrandingId"], **ids}
    described = cognito.describe_managed_login_branding(**style)["ManagedLoginBranding"]
    by_client = cognito.describe_managed_login_branding_by_client(
        ClientId=pool_with_domain["ClientId"], **ids)["ManagedLoginBranding"]
    expected = expected_branding(sent, described)
    for answer in (created, described, by_client):
        assert_no_drift("ManagedLoginBrandingType", expected, answer)

    # UpdateManagedLoginBranding "preserves existing style settings that you don't specify":
    # Settings merge key by key, Assets by category and colour mode.
    update = maximal("UpdateManagedLoginBranding", 1, **style)
    cognito.update_managed_login_branding(**update)
    described = cognito.describe_managed_login_branding(**style)["ManagedLoginBranding"]
    merged = {**expected, "LastModifiedDate": described["LastModifiedDate"],
              "Settings": {"components": {
                  "primaryButton": update["Settings"]["components"]["primaryButton"],
                  "pageBackground": update["Settings"]["components"]["pageBackground"]},
                  "categories": update["Settings"]["categories"]},
              "Assets": sent["Assets"] + update["Assets"]}
    assert_no_drift("ManagedLoginBrandingType", merged, described)
    cognito.update_managed_login_branding(**style)  # nothing specified: everything kept
    described = cognito.describe_managed_login_branding(**style)["ManagedLoginBranding"]
    merged["LastModifiedDate"] = described["LastModifiedDate"]
    assert_no_drift("ManagedLoginBrandingType", merged, described)

    # UseCognitoProvidedValues "reverts to default style options that are managed by Amazon
    # Cognito": no settings or assets of its own left.
    cognito.update_managed_login_branding(UseCognitoProvidedValues=True, **style)
    described = cognito.describe_managed_login_branding(**style)["ManagedLoginBranding"]
    reset = {**without(expected, "Settings"), "UseCognitoProvidedValues": True, "Assets": [],
             "LastModifiedDate": described["LastModifiedDate"]}
    assert_no_drift("ManagedLoginBrandingType", reset, described)


# --- threat protection (risk configuration) -------------------------------------------------

def expected_risk(sent: dict, actual: dict) -> dict:
    return {**sent, "LastModifiedDate": actual["LastModifiedDate"]}


@pytest.mark.parametrize("scope", ["pool", "client"])
def test_risk_configuration_set_with_every_member_reads_back_and_resets(cognito, maximal_pool,
                                                                        scope):
    _, pool = maximal_pool  # PLUS, threat protection ENFORCED
    ids = {"UserPoolId": pool["Id"]}
    if scope == "client":
        ids["ClientId"] = cognito.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="risky")["UserPoolClient"]["ClientId"]
    before = cognito.describe_risk_configuration(**ids)["RiskConfiguration"]
    for variant in (0, 1):
        sent = maximal("SetRiskConfiguration", variant, **ids)
        answer = cognito.set_risk_configuration(**sent)["RiskConfiguration"]
        got = cognito.describe_risk_configuration(**ids)["RiskConfiguration"]
        assert_no_drift("RiskConfigurationType", expected_risk(sent, got), got)
        assert_no_drift("RiskConfigurationType", expected_risk(sent, got), answer)

    # "To set the risk configuration for the user pool to defaults, send this request with
    # only the UserPoolId parameter. To reset the threat protection settings of an app client
    # to be inherited from the user pool, send UserPoolId and ClientId parameters only."
    cognito.set_risk_configuration(**ids)
    got = cognito.describe_risk_configuration(**ids)["RiskConfiguration"]
    assert_no_drift("RiskConfigurationType", before, got)


# --- log delivery ---------------------------------------------------------------------------

def test_log_delivery_set_with_every_member_reads_back_and_clears(cognito, maximal_pool):
    _, pool = maximal_pool  # PLUS: user auth events may be exported
    ids = {"UserPoolId": pool["Id"]}
    for variant in (0, 1):
        sent = maximal("SetLogDeliveryConfiguration", variant, **ids)
        answer = cognito.set_log_delivery_configuration(**sent)["LogDeliveryConfiguration"]
        got = cognito.get_log_delivery_configuration(**ids)["LogDeliveryConfiguration"]
        assert_no_drift("LogDeliveryConfigurationType", sent, got)
        assert_no_drift("LogDeliveryConfigurationType", sent, answer)
    # A Set replaces the whole list ("Sets up or modifies the logging configuration"): an
    # empty one leaves none.
    cognito.set_log_delivery_configuration(LogConfigurations=[], **ids)
    got = cognito.get_log_delivery_configuration(**ids)["LogDeliveryConfiguration"]
    assert_no_drift("LogDeliveryConfigurationType", {**ids, "LogConfigurations": []}, got)


# --- MFA configuration ----------------------------------------------------------------------

def test_mfa_config_set_with_every_member_reads_back_and_resets(cognito, maximal_pool,
                                                               fresh_pool):
    _, pool = maximal_pool  # PLUS: email MFA and passkeys as MFA are allowed
    ids = {"UserPoolId": pool["Id"]}
    for variant in (0, 1):
        sent = maximal("SetUserPoolMfaConfig", variant, rp_id=f"auth{variant}.example.com",
                       **ids)
        answer = without(cognito.set_user_pool_mfa_config(**sent), "ResponseMetadata")
        got = without(cognito.get_user_pool_mfa_config(**ids), "ResponseMetadata")
        expected = without(sent, "UserPoolId")
        assert_no_drift("GetUserPoolMfaConfigResponse", expected, got)
        assert_no_drift("SetUserPoolMfaConfigResponse", expected, answer)

    # A factor left out is off, its messages back to the default ("If this parameter isn't
    # provided, your user pool sends a default message"): what a pool made with a name shows.
    # The passkey settings are the pool's, not a factor's: the model documents no reset when
    # WebAuthnConfiguration is left out, so they are kept (UNCONFIRMED).
    cognito.set_user_pool_mfa_config(MfaConfiguration="OFF", **ids)
    got = without(cognito.get_user_pool_mfa_config(**ids), "ResponseMetadata")
    fresh = without(cognito.get_user_pool_mfa_config(UserPoolId=fresh_pool["Id"]),
                    "ResponseMetadata")
    expected = {**fresh, "WebAuthnConfiguration": sent["WebAuthnConfiguration"]}
    assert_no_drift("GetUserPoolMfaConfigResponse", expected, got)
