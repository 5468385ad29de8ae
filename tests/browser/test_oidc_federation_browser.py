"""OIDC and social federation end to end in Chromium, the app's side done by openid-client
(npm) and, for the outside issuer, the provider's side by the npm `oidc-provider`: none of
the emulator's code makes, signs or checks what crosses the wire on either side of it.

The emulator runs with --tls on port 443 of an address of the test's own, so the app uses the
AWS names unchanged (tests/support/oidc_rig.py). The app's authorization URL opens the hosted
login page; Chromium clicks the provider's button, signs in at the provider and comes back
through /oauth2/idpresponse to the app's callback, which openid-client finishes (its own ID
token checks, userinfo, refresh).

- The outside issuer: oidc-provider over HTTPS with a certificate from a CA this test makes
  (`LocalCA`), trusted by the emulator through SSL_CERT_FILE, with the package's defaults
  where they fit a Cognito pool (see `outside_issuer`). Its own login and consent pages are
  filled in Chromium.
- The built-in mock providers (/_emulator/idp/<slug>/..., one per ProviderType), selected by
  their well-known client ids: the mock's sign-in page is filled in Chromium.

Each checks the tokens' mapped attributes and `identities` claim, the user seen through
AdminGetUser / ListUsers, and a sign-in after AdminLinkProviderForUser landing on the
native user."""
from __future__ import annotations

import json
import ssl
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import make_client
from tests.support.clients import requires
from tests.support.factories import attrs_of, create_user, delete_pool, unique_name
from tests.support.oidc_rig import (
    LocalCA,
    OidcProvider,
    RelyingParty,
    catch_callback,
    emulator_on_443,
    new_page,
    spki_of_listener,
    tls_browser,
)

pytestmark = requires("chromium", "node_modules")
REDIRECT = "https://app.example.com/callback"
SCOPES = ["openid", "email", "profile"]
CORP = "CorpOIDC"
CORP_SECRET = "corp-secret-0123456789abcdef0123456789"


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("federation-ca"))


@pytest.fixture(scope="module")
def emulator(ca):
    """The emulator trusts the test's CA and nothing else (SSL_CERT_FILE replaces the system
    roots for Python's default context and httpx): nothing here needs any other."""
    with emulator_on_443(12, env={"SSL_CERT_FILE": str(ca.ca_file)}) as server:
        yield server


@pytest.fixture(scope="module")
def cognito(emulator):
    return make_client(emulator.url)


class Site:
    """A pool with an AWS-form domain prefix and a custom `department` attribute, and a
    confidential app client whose callback is the app's; identity providers are added by
    the test before `client()` is made."""

    def __init__(self, cognito):
        self.cognito = cognito
        self.pool_id = cognito.create_user_pool(
            PoolName=unique_name("fed"),
            Schema=[{"Name": "department", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
        prefix = unique_name("fed").lower()
        cognito.create_user_pool_domain(Domain=prefix, UserPoolId=self.pool_id)
        self.domain = f"{prefix}.auth.us-east-1.amazoncognito.com"
        self.issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{self.pool_id}"
        self.app: dict = {}

    def provider(self, name: str, kind: str, details: dict, mapping: dict) -> None:
        self.cognito.create_identity_provider(
            UserPoolId=self.pool_id, ProviderName=name, ProviderType=kind,
            ProviderDetails=details, AttributeMapping=mapping)

    def client(self, providers: list[str]) -> None:
        self.app = self.cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="web", GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=SCOPES, CallbackURLs=[REDIRECT],
            SupportedIdentityProviders=["COGNITO", *providers])["UserPoolClient"]

    def user(self, username: str) -> dict:
        return self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)


@pytest.fixture
def site(cognito):
    made = Site(cognito)
    yield made
    delete_pool(cognito, made.pool_id)


@pytest.fixture(scope="module")
def browser(chromium, emulator, ca):
    """Chromium with the AWS names on the emulator, trusting its key and the key of the
    outside issuer's certificate (nothing else)."""
    made = tls_browser(chromium, emulator.address,
                       [spki_of_listener(emulator.address, 443, "localhost"), ca.spki])
    yield made
    made.close()


def sign_in(browser, emulator, site: Site, at_provider, *, button: str | None = None,
            authorize: dict | None = None) -> tuple[dict, list]:
    """The app (openid-client) starts a sign-in; Chromium, in a context of its own (so no
    earlier hosted-UI or provider session), clicks `button` on the hosted login page unless
    the app named the provider itself (`authorize`), runs `at_provider(page)` at the provider
    and comes back to the app's callback. -> (what openid-client made of it, the URLs the
    browser asked for)."""
    app = RelyingParty(emulator, issuer=site.issuer, client_id=site.app["ClientId"],
                       client_secret=site.app["ClientSecret"], redirect_uri=REDIRECT,
                       scope=" ".join(SCOPES), authorize=authorize)
    page = new_page(browser)
    try:
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url))
        arrived = catch_callback(page, REDIRECT)
        page.goto(app.authorization_url)
        if button is not None:
            page.wait_for_url(f"https://{site.domain}/login?*")
            page.click(f"a:has-text('{button}')")
        try:
            at_provider(page)
            page.wait_for_selector("#back")
        except Exception as exc:          # say where the browser was stuck, and on what page
            raise AssertionError(f"stuck at {page.url}:\n{page.inner_text('body')[:800]}"
                                 f"\nasked: {asked}") from exc
        assert len(arrived) == 1, arrived
        result = app.finish(arrived[0])
    finally:
        app.close()
        page.context.close()
    assert "error" not in result, result
    return result, asked


def identities_of(claims: dict) -> list[dict]:
    """The ID token's `identities` claim (an array of objects, as Cognito sends it)."""
    value = claims["identities"]
    return json.loads(value) if isinstance(value, str) else value


def check_identity(identities: list[dict], provider: str, kind: str, user_id: str, *,
                   token: bool = True, primary: bool = True) -> None:
    """One `identities` entry for `user_id` at `provider`. In an ID token every field is a
    string ("primary": "true", "dateCreated": "1642699117273"); the user attribute holds a
    boolean and a number (COGNITO_REFERENCE.md, ID token claims)."""
    assert len(identities) == 1, identities
    found = identities[0]
    assert found["providerName"] == provider and found["providerType"] == kind
    assert found["userId"] == user_id
    if token:
        assert found["primary"] == str(primary).lower() and found["dateCreated"].isdigit()
    else:
        assert found["primary"] is primary and isinstance(found["dateCreated"], int)


def test_the_redirect_uri_sent_to_a_provider_is_https_on_the_pool_domain(emulator, site):
    """Reached over https at the pool's domain, /oauth2/authorize sends the provider
    redirect_uri=https://<domain>/oauth2/idpresponse, as Cognito does: the scheme the request
    came by, not the one of the emulator's plain-HTTP base URL (every sign-in below needs it:
    the provider sends the browser there)."""
    name, details, mapping, _ = MOCKS["OIDC"]
    site.provider(name, "OIDC", details, mapping)
    site.client([name])
    trust = ssl.create_default_context(cafile=emulator.ca_file)
    with httpx.Client(verify=trust, timeout=30) as client:
        answer = client.get(f"https://{emulator.address}/oauth2/authorize", params={
            "client_id": site.app["ClientId"], "response_type": "code", "redirect_uri": REDIRECT,
            "scope": "openid", "identity_provider": name},
            headers={"Host": site.domain}, extensions={"sni_hostname": site.domain})
    assert answer.status_code == 302, answer.text
    sent = parse_qs(urlsplit(answer.headers["location"]).query)
    assert sent["redirect_uri"] == [f"https://{site.domain}/oauth2/idpresponse"]


# --- an outside issuer: oidc-provider over HTTPS ----------------------------------------------

@pytest.fixture
def outside_issuer(ca, site):
    """oidc-provider for this site: one confidential client (the package's default
    token_endpoint_auth_method, client_secret_basic) whose redirect URI is the pool domain's
    /oauth2/idpresponse. Package defaults kept: conformIdTokenClaims (email, name, department
    reach the relying party only through userinfo), PKCE optional for a confidential client
    (used when sent), the development login and consent pages, response types and grant
    types (code, authorization_code), public subjects. Changed: the `claims` table (the
    default defines only `sub`: email and profile claims would not exist), the accounts
    (findAccount), the signing key and cookie keys (the defaults are published development
    keys), and HTTPS (the package leaves TLS to the server it is mounted in)."""
    client = {"client_id": "cognito-pool", "client_secret": CORP_SECRET,
              "redirect_uris": [f"https://{site.domain}/oauth2/idpresponse"]}
    provider = OidcProvider(ca.cert_file, ca.key_file, [client], mount="/realms/corp")
    yield provider
    provider.close()


def corp_provider(site: Site, issuer: str) -> None:
    site.provider(CORP, "OIDC", {
        "client_id": "cognito-pool", "client_secret": CORP_SECRET,
        "authorize_scopes": "openid email profile", "oidc_issuer": issuer,
        "attributes_request_method": "GET"},
        {"email": "email", "email_verified": "email_verified", "name": "name",
         "custom:department": "department"})


def at_oidc_provider(login: str):
    """Chromium at oidc-provider's own development pages: login (any password), consent."""
    def steps(page):
        page.wait_for_selector("input[name=login]")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", "any password")
        page.click("button.login-submit")
        page.wait_for_selector("input[name=prompt][value=consent]", state="attached")
        page.click("button.login-submit")
    return steps


def test_outside_issuer_through_the_hosted_page(browser, emulator, site, outside_issuer):
    corp_provider(site, outside_issuer.issuer)
    site.client([CORP])
    result, asked = sign_in(browser, emulator, site, at_oidc_provider("alice"), button=CORP)

    # The emulator went to the provider as a relying party: its discovery document's
    # authorization endpoint, with state, nonce and PKCE, and redirect_uri on the pool domain.
    to_provider = next(url for url in asked if url.startswith(outside_issuer.issuer + "/auth"))
    sent = {k: v[0] for k, v in parse_qs(urlsplit(to_provider).query).items()}
    assert sent["client_id"] == "cognito-pool" and sent["response_type"] == "code"
    assert sent["redirect_uri"] == f"https://{site.domain}/oauth2/idpresponse"
    assert sent["scope"] == "openid email profile"
    assert sent["state"] and sent["nonce"] and sent["code_challenge_method"] == "S256"
    assert any(url.startswith(f"https://{site.domain}/oauth2/idpresponse?") for url in asked)

    claims = result["claims"]
    assert claims["cognito:username"] == f"{CORP}_alice"
    # Mapped from oidc-provider's userinfo (its ID token carries only `sub` by default).
    assert claims["email"] == "alice@example.com" and claims["name"] == "Alice Example"
    assert claims["custom:department"] == "sales"
    check_identity(identities_of(claims), CORP, "OIDC", "alice")
    assert result["userinfo"]["email"] == "alice@example.com"
    assert result["refreshed_claims"]["cognito:username"] == f"{CORP}_alice"

    user = site.user(f"{CORP}_alice")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attrs = attrs_of(user)
    assert attrs["email"] == "alice@example.com" and attrs["custom:department"] == "sales"
    check_identity(json.loads(attrs["identities"]), CORP, "OIDC", "alice", token=False)


def test_outside_issuer_named_by_the_app_and_a_linked_user(browser, emulator, site,
                                                           outside_issuer, cognito):
    """identity_provider= from the app skips the hosted page; after AdminLinkProviderForUser
    the provider's `bob` signs in as the native user."""
    corp_provider(site, outside_issuer.issuer)
    site.client([CORP])
    native = create_user(cognito, site.pool_id, unique_name("native"), attributes=[
        {"Name": "email", "Value": "bob.native@example.com"},
        {"Name": "email_verified", "Value": "true"}])
    cognito.admin_link_provider_for_user(
        UserPoolId=site.pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": native},
        SourceUser={"ProviderName": CORP, "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "bob"})
    result, asked = sign_in(browser, emulator, site, at_oidc_provider("bob"),
                            authorize={"identity_provider": CORP})
    assert not any(urlsplit(url).path == "/login" and site.domain in url for url in asked)

    claims = result["claims"]
    assert claims["cognito:username"] == native
    assert claims["sub"] == attrs_of(site.user(native))["sub"]
    # A linked identity is not the user's primary one (UNCONFIRMED, as domain/federation.py).
    check_identity(identities_of(claims), CORP, "OIDC", "bob", primary=False)
    # No separate federated user was made.
    listed = cognito.list_users(UserPoolId=site.pool_id)["Users"]
    assert [u["Username"] for u in listed] == [native]


# --- the built-in mock providers ---------------------------------------------------------------

def apple_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


# ProviderType -> (ProviderName, ProviderDetails, AttributeMapping, what the mapping gives
# for the identity MOCK_IDENTITY: {pool attribute: value})
MOCK_IDENTITY = {"email": "mock.person@example.com", "name": "Mock Person",
                 "extra": {"department": "ops"}}
MOCKS = {
    "Google": ("Google", {"client_id": "mock-google-client", "client_secret": "s",
                          "authorize_scopes": "openid email profile"},
               {"email": "email", "email_verified": "email_verified", "name": "name",
                "custom:department": "department"},
               {"email": "mock.person@example.com", "name": "Mock Person",
                "custom:department": "ops"}),
    "Facebook": ("Facebook", {"client_id": "mock-facebook-client", "client_secret": "s",
                              "authorize_scopes": "public_profile,email"},
                 {"email": "email", "name": "name"},
                 {"email": "mock.person@example.com", "name": "Mock Person"}),
    "LoginWithAmazon": ("LoginWithAmazon", {"client_id": "mock-amazon-client",
                                            "client_secret": "s",
                                            "authorize_scopes": "profile"},
                        {"email": "email", "name": "name"},
                        {"email": "mock.person@example.com", "name": "Mock Person"}),
    "SignInWithApple": ("SignInWithApple", {"client_id": "mock-apple-client",
                                            "team_id": "TEAM123456", "key_id": "KEY1234567",
                                            "authorize_scopes": "email name"},
                        {"email": "email", "given_name": "firstName",
                         "family_name": "lastName"},
                        {"email": "mock.person@example.com", "given_name": "Mock",
                         "family_name": "Person"}),
    "OIDC": ("MockCorp", {"client_id": "mock-oidc-client", "client_secret": "s",
                          "authorize_scopes": "openid email profile",
                          "oidc_issuer": "https://mock.invalid",
                          "attributes_request_method": "GET"},
             {"email": "email", "name": "name", "custom:department": "department"},
             {"email": "mock.person@example.com", "name": "Mock Person",
              "custom:department": "ops"}),
}


def at_mock(sub: str, identity: dict):
    """Chromium at a mock provider's sign-in page: the identity typed in."""
    def steps(page):
        page.wait_for_selector("form[name=mock-signin]")
        assert "/_emulator/idp/" in page.url
        page.fill("#sub", sub)
        page.fill("#email", identity["email"])
        page.fill("#name", identity["name"])
        page.fill("#extra", json.dumps(identity["extra"]))
        page.click("form[name=mock-signin] button[value=submit]")
    return steps


@pytest.mark.parametrize("kind", list(MOCKS))
def test_mock_provider_sign_in_and_linked_sign_in(browser, emulator, site, cognito, kind):
    name, details, mapping, expected = MOCKS[kind]
    if kind == "SignInWithApple":
        details = {**details, "private_key": apple_key()}
    site.provider(name, kind, details, mapping)
    site.client([name])
    sub = unique_name("mocksub")

    result, asked = sign_in(browser, emulator, site, at_mock(sub, MOCK_IDENTITY), button=name)
    slug = {"SignInWithApple": "apple", "LoginWithAmazon": "amazon"}.get(kind, kind.lower())
    assert any(f"/_emulator/idp/{slug}/" in url for url in asked)
    claims = result["claims"]
    username = f"{name}_{sub}"
    assert claims["cognito:username"] == username
    for attribute, value in expected.items():
        assert claims[attribute] == value, (attribute, claims)
    check_identity(identities_of(claims), name, kind, sub)
    listed = cognito.list_users(UserPoolId=site.pool_id,
                                Filter=f'username = "{username}"')["Users"]
    assert len(listed) == 1 and listed[0]["UserStatus"] == "EXTERNAL_PROVIDER"
    attrs = attrs_of(listed[0])
    for attribute, value in expected.items():
        assert attrs[attribute] == value, (attribute, attrs)
    check_identity(json.loads(attrs["identities"]), name, kind, sub, token=False)

    # A second identity at the provider, linked first to a native user: it signs in as them.
    native = create_user(cognito, site.pool_id, unique_name("native"))
    linked_sub = unique_name("linked")
    cognito.admin_link_provider_for_user(
        UserPoolId=site.pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": native},
        SourceUser={"ProviderName": name, "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": linked_sub})
    result, _ = sign_in(browser, emulator, site, at_mock(linked_sub, MOCK_IDENTITY),
                        button=name)
    assert result["claims"]["cognito:username"] == native
    check_identity(identities_of(result["claims"]), name, kind, linked_sub, primary=False)
    usernames = {u["Username"] for u in cognito.list_users(UserPoolId=site.pool_id)["Users"]}
    assert usernames == {username, native}
