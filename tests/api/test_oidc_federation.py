"""Sign-in through OIDC and social providers against the built-in mocks (web/mock_idps/), over
HTTP with httpx one redirect at a time (tests/support/oidc_flow.py): each provider type end to
end (mapped attributes and `identities` in the tokens, the user in AdminGetUser / ListUsers),
AdminLinkProviderForUser, the provider's own error, the mock's page and its refusals. The
attack cases, against a hostile issuer of the test's own, are in test_oidc_attacks.py."""
import json

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.factories import attrs_of, claims, delete_pool
from tests.support.oidc_flow import CALLBACK, authorize, callback, fed_pool, follow, redeem, sign_in


def _apple_key() -> str:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()


# ProviderType -> (CreateIdentityProvider request, AttributeMapping in its claim names)
PROVIDERS = {
    "Google": ({"ProviderName": "Google", "ProviderType": "Google", "ProviderDetails": {
        "client_id": "mock-google-client", "client_secret": "s",
        "authorize_scopes": "openid email profile"}},
        {"email": "email", "email_verified": "email_verified", "name": "name"}),
    "SignInWithApple": ({"ProviderName": "SignInWithApple", "ProviderType": "SignInWithApple",
                         "ProviderDetails": {"client_id": "mock-apple-client", "team_id": "T1",
                                             "key_id": "K1", "private_key": _apple_key(),
                                             "authorize_scopes": "email name"}},
                        {"email": "email", "email_verified": "email_verified", "name": "name"}),
    "Facebook": ({"ProviderName": "Facebook", "ProviderType": "Facebook", "ProviderDetails": {
        "client_id": "mock-facebook-client", "client_secret": "s",
        "authorize_scopes": "public_profile,email"}},
        {"email": "email", "name": "name"}),
    "LoginWithAmazon": ({"ProviderName": "LoginWithAmazon", "ProviderType": "LoginWithAmazon",
                         "ProviderDetails": {"client_id": "mock-amazon-client",
                                             "client_secret": "s",
                                             "authorize_scopes": "profile"}},
                        {"email": "email", "name": "name"}),
    "OIDC": ({"ProviderName": "Corp", "ProviderType": "OIDC", "ProviderDetails": {
        "client_id": "mock-oidc-client", "client_secret": "s",
        "attributes_request_method": "GET", "oidc_issuer": "https://mock.invalid",
        "authorize_scopes": "openid email profile"}},
        {"email": "email", "email_verified": "email_verified", "name": "name",
         "custom:team": "team"}),
}


@pytest.fixture
def federated(cognito):
    """federated(kind, **pool params) -> (pool id, client id, provider name)."""
    made = []

    def make(kind: str, **pool_params):
        request, mapping = PROVIDERS[kind]
        pool_id, client_id = fed_pool(cognito, mapping=mapping, providers=[request],
                                      Schema=[{"Name": "team", "AttributeDataType": "String",
                                               "Mutable": True}], **pool_params)
        made.append(pool_id)
        return pool_id, client_id, request["ProviderName"]
    yield make
    for pool_id in made:
        delete_pool(cognito, pool_id)


@pytest.mark.parametrize("kind", list(PROVIDERS))
def test_each_mock_signs_in_end_to_end(kind, federated, cognito, http):
    pool_id, client_id, name = federated(kind)
    hint = {"sub": "u-123", "email": "ada@example.com", "email_verified": True,
            "name": "Ada Lovelace", "team": "engines"}
    got = sign_in(http, client_id, name, hint)
    assert got["state"] == "app-state"
    tokens = redeem(http, client_id, got["code"])
    id_claims = claims(tokens["id_token"])
    username = f"{name}_u-123"
    assert id_claims["cognito:username"] == username
    assert id_claims["email"] == "ada@example.com"
    assert id_claims["name"] == "Ada Lovelace"
    identity = id_claims["identities"][0]
    assert (identity["userId"], identity["providerName"], identity["providerType"]) == \
        ("u-123", name, PROVIDERS[kind][0]["ProviderType"])
    if kind in ("Google", "SignInWithApple", "OIDC"):
        assert id_claims["email_verified"] is True
    if kind == "OIDC":
        assert id_claims["custom:team"] == "engines"
        assert identity["issuer"].endswith("/_emulator/idp/oidc")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs_of(user)["email"] == "ada@example.com"
    listed = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Username"] for u in listed] == [username]


def test_later_sign_in_refreshes_the_mapped_attributes(federated, cognito, http):
    pool_id, client_id, name = federated("Google")
    sign_in(http, client_id, name, {"sub": "7", "email": "a@example.com", "name": "A"})
    sign_in(http, client_id, name, {"sub": "7", "email": "a@example.com", "name": "B"})
    users = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert len(users) == 1 and attrs_of(users[0])["name"] == "B"


def test_linked_identity_signs_in_as_the_native_user(federated, cognito, http):
    pool_id, client_id, name = federated("Google")
    native = cognito.admin_create_user(UserPoolId=pool_id, Username="alice",
                                       MessageAction="SUPPRESS")["User"]
    cognito.admin_link_provider_for_user(
        UserPoolId=pool_id, DestinationUser={"ProviderName": "Cognito",
                                             "ProviderAttributeValue": "alice"},
        SourceUser={"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "g-42"})
    got = sign_in(http, client_id, name, {"sub": "g-42", "email": "alice@example.com"})
    id_claims = claims(redeem(http, client_id, got["code"])["id_token"])
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["sub"] == attrs_of(native)["sub"]
    assert [u["Username"] for u in cognito.list_users(UserPoolId=pool_id)["Users"]] == ["alice"]


def test_the_mock_page_then_the_form(federated, http):
    _, client_id, name = federated("OIDC")
    page = follow(http, authorize(http, client_id, name))
    assert page.status_code == 200 and 'name="extra"' in page.text
    action = page.url.path
    hidden = dict(__import__("re").findall(r'type="hidden" name="([^"]+)" value="([^"]*)"',
                                           page.text))
    from html import unescape
    form = {k: unescape(v) for k, v in hidden.items()}
    refused = http.post(action, data={**form, "sub": "x", "extra": "[1]"})
    assert refused.status_code == 400 and "JSON object" in refused.text
    answer = http.post(action, data={**form, "sub": "p-1", "email": "<b>@example.com",
                                     "email_verified": "false", "name": "P",
                                     "extra": json.dumps({"team": "t"})})
    got = callback(follow(http, answer))
    id_claims = claims(redeem(http, client_id, got["code"])["id_token"])
    assert id_claims["cognito:username"] == "Corp_p-1"
    assert id_claims["email_verified"] is False


def test_the_providers_error_goes_back_to_the_app(federated, http, cognito):
    pool_id, client_id, name = federated("Facebook")
    page = follow(http, authorize(http, client_id, name))
    import re
    from html import unescape
    hidden = {k: unescape(v) for k, v in
              re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)}
    got = callback(follow(http, http.post(page.url.path, data={**hidden, "action": "cancel"})))
    assert got["error"] == "access_denied" and got["state"] == "app-state"
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []


def test_mock_refuses_a_foreign_client_id_and_a_reused_code(federated, http, endpoint):
    refused = http.get("/_emulator/idp/google/authorize", params={
        "client_id": "someone-else", "redirect_uri": CALLBACK, "response_type": "code"})
    assert refused.status_code == 400
    first = http.get("/_emulator/idp/google/authorize", params={
        "client_id": "mock-google-client", "redirect_uri": CALLBACK, "response_type": "code",
        "login_hint": "z@example.com"})
    code = httpx.URL(first.headers["location"]).params["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": "mock-google-client", "client_secret": "s"}
    assert http.post("/_emulator/idp/google/token", data=form).status_code == 200
    again = http.post("/_emulator/idp/google/token", data=form)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert http.get("/_emulator/idp/nope/authorize").status_code == 404


def test_hosted_page_shows_a_button_per_provider(federated, http):
    _, client_id, name = federated("Google")
    page = http.get("/login", params={"client_id": client_id, "redirect_uri": CALLBACK,
                                      "response_type": "code", "scope": "openid"})
    assert "Sign in with Google" in page.text and "identity_provider=Google" in page.text
