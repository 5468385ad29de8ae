"""Social logins of identity pools (SupportedLoginProviders) with tokens from the built-in mock
providers (docs/IDENTITY_POOLS.md, "Social logins"). Each token comes from driving the mock's
endpoints over httpx as an app's SDK would (authorize with login_hint -> code -> the token
endpoint); boto3's cognito-identity client then calls GetId, GetOpenIdToken and
GetCredentialsForIdentity with it. Every refusal is NotAuthorizedException and creates no
identity."""
from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.factories import error, unique_name

REDIRECT = "https://app.example.test/callback"
AUTH = "arn:aws:iam::000000000000:role/Social_Auth"
# provider name -> (mock slug, client id, authorize path, token path, token field, subject)
MOCKS = {
    "accounts.google.com": ("google", "mock-google-client", "/authorize", "/token",
                            "id_token", "sub"),
    "appleid.apple.com": ("apple", "mock-apple-client", "/authorize", "/token",
                          "id_token", "sub"),
    "graph.facebook.com": ("facebook", "mock-facebook-client", "/dialog/oauth",
                           "/oauth/access_token", "access_token", "id"),
    "www.amazon.com": ("amazon", "mock-amazon-client", "/ap/oa", "/auth/o2/token",
                       "access_token", "user_id"),
}
ALL = {name: spec[1] for name, spec in MOCKS.items()}


def apple_client_secret(client_id: str) -> str:
    """Apple's client_secret: an ES256 JWT of the team's key (the mock checks its shape)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    return jwt.encode({"iss": "TEAM123456", "sub": client_id, "aud": "https://appleid.apple.com",
                       "iat": now, "exp": now + 600}, key, algorithm="ES256",
                      headers={"kid": "KEY1234567"})


def mock_token(http, provider: str, identity: dict) -> str:
    """The token an app gets from the mock for `identity` (login_hint claims)."""
    slug, client_id, authorize, token_path, field, _ = MOCKS[provider]
    root = f"/_emulator/idp/{slug}"
    answer = http.get(root + authorize, params={
        "client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "openid email", "state": "s", "login_hint": json.dumps(identity)})
    assert answer.status_code == 302, answer.text
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    secret = apple_client_secret(client_id) if slug == "apple" else "app-secret"
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": client_id, "client_secret": secret}
    got = http.get(root + token_path, params=form) if slug == "facebook" else \
        http.post(root + token_path, data=form)
    assert got.status_code == 200, got.text
    return got.json()[field]


@pytest.fixture
def social_pool(identity):
    """social_pool(providers=ALL) -> an identity pool with these SupportedLoginProviders and
    an authenticated role; deleted afterwards."""
    made = []

    def make(providers=None):
        pool_id = identity.create_identity_pool(
            IdentityPoolName=unique_name("social"), AllowUnauthenticatedIdentities=False,
            AllowClassicFlow=True, SupportedLoginProviders=providers or ALL)["IdentityPoolId"]
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH})
        made.append(pool_id)
        return pool_id
    yield make
    for pool_id in made:
        identity.delete_identity_pool(IdentityPoolId=pool_id)


def identities(identity, pool_id: str) -> list[dict]:
    return identity.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]


def refused(identity, pool_id: str, logins: dict) -> str:
    """GetId refused with NotAuthorizedException (its message), no identity made."""
    before = identities(identity, pool_id)
    with pytest.raises(ClientError) as caught:
        identity.get_id(IdentityPoolId=pool_id, Logins=logins)
    code, message = error(caught)
    assert code == "NotAuthorizedException", message
    assert identities(identity, pool_id) == before
    return message


@pytest.mark.parametrize("provider", list(MOCKS))
def test_a_mock_token_signs_in_and_the_same_user_keeps_the_identity(provider, social_pool,
                                                                    identity, http):
    pool_id = social_pool()
    person = {"sub": unique_name("person"), "email": "pat@example.com", "name": "Pat Doe"}
    first = identity.get_id(IdentityPoolId=pool_id,
                            Logins={provider: mock_token(http, provider, person)})["IdentityId"]
    # A new token of the same user (a later sign-in) finds the same identity.
    logins = {provider: mock_token(http, provider, person)}
    assert identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"] == first
    assert identity.describe_identity(IdentityId=first)["Logins"] == [provider]

    opened = identity.get_open_id_token(IdentityId=first, Logins=logins)
    assert opened["IdentityId"] == first
    amr = jwt.decode(opened["Token"], options={"verify_signature": False})["amr"]
    # The login is keyed by the provider's own user id (sub, Graph's id, Amazon's user_id).
    client_id = MOCKS[provider][1]
    assert amr == ["authenticated", provider, f"{provider}:{client_id}:{person['sub']}"]

    creds = identity.get_credentials_for_identity(IdentityId=first, Logins=logins)
    assert creds["IdentityId"] == first
    assert creds["Credentials"]["AccessKeyId"].startswith("ASIA")
    issued = http.get("/_emulator/credentials", params={"identityId": first}).json()
    assert [(c["RoleArn"], c["Providers"]) for c in issued["credentials"]] == \
        [(AUTH, [provider])]

    # Another user of the provider is another identity.
    other = {"sub": unique_name("other"), "email": "sam@example.com"}
    second = identity.get_id(IdentityPoolId=pool_id,
                             Logins={provider: mock_token(http, provider, other)})
    assert second["IdentityId"] != first
    assert len(identities(identity, pool_id)) == 2


@pytest.mark.parametrize("provider, other", [
    ("accounts.google.com", "appleid.apple.com"), ("appleid.apple.com", "accounts.google.com"),
    ("graph.facebook.com", "www.amazon.com"), ("www.amazon.com", "graph.facebook.com")])
def test_a_token_of_another_mock_is_refused(provider, other, social_pool, identity, http):
    pool_id = social_pool()
    token = mock_token(http, other, {"sub": "someone"})
    message = refused(identity, pool_id, {provider: token})
    assert "Invalid login token" in message


def test_a_google_id_token_from_the_generic_oidc_mock_is_refused(social_pool, identity, http):
    """Same key as the Google mock, same shape: only the issuer tells them apart."""
    pool_id = social_pool()
    answer = http.get("/_emulator/idp/oidc/authorize", params={
        "client_id": "mock-oidc-client", "redirect_uri": REDIRECT, "response_type": "code",
        "login_hint": json.dumps({"sub": "x", "aud": "mock-google-client"})})
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    token = http.post("/_emulator/idp/oidc/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": "mock-oidc-client", "client_secret": "s"}).json()["id_token"]
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "mock-google-client"
    assert refused(identity, pool_id, {"accounts.google.com": token}) == \
        "Invalid login token. Issuer doesn't match providerName"


@pytest.mark.parametrize("provider", list(MOCKS))
def test_an_expired_token_is_refused(provider, social_pool, identity, http, clock):
    pool_id = social_pool()
    token = mock_token(http, provider, {"sub": unique_name("late")})
    clock.advance(3601)     # ID tokens and the mocks' access tokens last an hour
    message = refused(identity, pool_id, {provider: token})
    if MOCKS[provider][4] == "id_token":
        assert message.startswith("Invalid login token. Token expired: ")
    else:
        assert message == f"Invalid login token. The {provider} access token is not valid."


@pytest.mark.parametrize("provider", ["accounts.google.com", "appleid.apple.com"])
def test_an_id_token_signed_with_another_key_is_refused(provider, social_pool, identity, http):
    pool_id = social_pool()
    genuine = mock_token(http, provider, {"sub": "victim"})
    header = jwt.get_unverified_header(genuine)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    claims["sub"] = "attacker"
    forged = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                        algorithm="RS256", headers={"kid": header["kid"]})
    assert refused(identity, pool_id, {provider: forged}) == \
        "Invalid login token. Couldn't verify signed token."


@pytest.mark.parametrize("provider", ["graph.facebook.com", "www.amazon.com"])
def test_a_made_up_access_token_is_refused(provider, social_pool, identity, http):
    pool_id = social_pool()
    genuine = mock_token(http, provider, {"sub": "victim"})
    assert refused(identity, pool_id, {provider: genuine[:-4] + "AAAA"}) == \
        f"Invalid login token. The {provider} access token is not valid."


@pytest.mark.parametrize("provider", ["accounts.google.com", "appleid.apple.com"])
def test_an_id_token_for_another_app_is_refused(provider, social_pool, identity, http):
    """The mock signs what the login_hint asks for, an `aud` of another app included: a
    genuinely signed token of the right issuer, meant for someone else."""
    pool_id = social_pool()
    token = mock_token(http, provider, {"sub": "x", "aud": "another-app"})
    assert refused(identity, pool_id, {provider: token}) == \
        "Invalid login token. Incorrect token audience."


def test_a_provider_the_pool_does_not_list_is_refused(social_pool, identity, http):
    pool_id = social_pool({"accounts.google.com": "mock-google-client"})
    token = mock_token(http, "graph.facebook.com", {"sub": "x"})
    assert refused(identity, pool_id, {"graph.facebook.com": token}) == \
        "Token is not from a supported provider of this identity pool."


@pytest.mark.parametrize("providers, name", [
    ({"accounts.google.com": "123-abc.apps.googleusercontent.com"}, "accounts.google.com"),
    ({"graph.facebook.com": "1234567890"}, "graph.facebook.com"),
    ({"api.twitter.com": "key;secret"}, "api.twitter.com")])
def test_a_real_providers_app_is_not_implemented(providers, name, social_pool, identity, http):
    pool_id = social_pool(providers)
    with pytest.raises(ClientError) as caught:
        identity.get_id(IdentityPoolId=pool_id, Logins={name: "a-token"})
    code, message = error(caught)
    assert code == "NotImplementedException"
    assert f"A {name} token cannot be checked by this Cognito emulator" in message
    if name != "api.twitter.com":
        assert MOCKS[name][1] in message     # says which client id the mock answers to
    assert identities(identity, pool_id) == []

