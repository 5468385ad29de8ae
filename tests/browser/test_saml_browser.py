"""SAML federation end to end in Chromium, with pysaml2 as an independent identity provider
(tests/support/pysaml2_idp.py: it signs and encrypts with the xmlsec1 program, not with the
emulator's code).

The pool's SP metadata is imported into the IdP, the IdP's metadata into the pool
(CreateIdentityProvider), as an administrator would. Then a browser signs in
SP-initiated (/oauth2/authorize?identity_provider=...: a signed AuthnRequest, an encrypted
and signed response) and IdP-initiated (the IdP's launch posts an unsolicited response with
the documented RelayState), the app exchanges the code at /oauth2/token, and the tokens'
claims are checked; finally /logout runs SAML single logout at the IdP.
"""
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.support.factories import claims, delete_pool, unique_name
from tests.support.pysaml2_idp import EMAIL, GIVEN_NAME, SURNAME, Pysaml2Idp


@pytest.fixture(scope="module")
def idp(http_module_now):
    made = Pysaml2Idp(now=http_module_now)
    yield made
    made.close()


@pytest.fixture(scope="module")
def http_module_now(endpoint):
    return httpx.get(f"{endpoint}/_emulator/clock").json()["now"]


class Federation:
    """A pool federated with the pysaml2 IdP, and an app client that signs in through it."""

    def __init__(self, cognito, endpoint, idp, *, details: dict):
        self.cognito, self.endpoint, self.idp = cognito, endpoint, idp
        self.pool_id = cognito.create_user_pool(PoolName=unique_name("saml"))["UserPool"]["Id"]
        self.provider = "Pysaml2"
        cognito.create_identity_provider(
            UserPoolId=self.pool_id, ProviderName=self.provider, ProviderType="SAML",
            ProviderDetails={"MetadataFile": idp.metadata(), **details},
            AttributeMapping={"email": EMAIL, "given_name": GIVEN_NAME, "family_name": SURNAME})
        self.callback = f"{idp.base}/callback"
        self.client_id = cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="app", GenerateSecret=False,
            SupportedIdentityProviders=[self.provider], CallbackURLs=[self.callback],
            LogoutURLs=[f"{idp.base}/signed-out"], AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]["ClientId"]
        metadata = httpx.get(f"{endpoint}/_emulator/saml/{self.pool_id}/{self.provider}"
                             f"/metadata.xml")
        assert metadata.status_code == 200, metadata.text
        idp.trust(metadata.text)

    def authorize_url(self) -> str:
        return f"{self.endpoint}/oauth2/authorize?" + urlencode({
            "client_id": self.client_id, "response_type": "code", "scope": "openid email profile",
            "redirect_uri": self.callback, "identity_provider": self.provider, "state": "s1"})

    def relay_state(self) -> str:
        return urlencode({"identity_provider": self.provider, "client_id": self.client_id,
                          "redirect_uri": self.callback, "response_type": "code",
                          "scope": "openid email profile"})

    def tokens(self, code: str) -> dict:
        answer = httpx.post(f"{self.endpoint}/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": self.client_id, "code": code,
            "redirect_uri": self.callback})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def close(self):
        delete_pool(self.cognito, self.pool_id)


@pytest.fixture
def federation(cognito, endpoint, idp):
    made = []

    def make(**details):
        made.append(Federation(cognito, endpoint, idp, details=details))
        return made[-1]
    yield make
    for each in made:
        each.close()


def _code(page) -> dict:
    page.wait_for_selector("#done")
    return parse_qs(urlsplit(page.url).query)


def test_sp_initiated_signed_request_and_encrypted_assertion(federation, idp, page, cognito):
    fed = federation(EncryptedResponses="true", RequestSigningAlgorithm="rsa-sha256")
    with idp.encrypting():
        page.goto(fed.authorize_url())
        assert page.url.startswith(f"{idp.base}/sso?")      # the AuthnRequest went to the IdP
        query = parse_qs(urlsplit(page.url).query)
        assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
        page.fill("#user", "carol@example.com")
        page.click("#signin")
        arrived = _code(page)
    assert arrived["state"] == ["s1"]
    tokens = fed.tokens(arrived["code"][0])
    id_claims = claims(tokens["id_token"])
    assert id_claims["cognito:username"] == "Pysaml2_carol@example.com"
    assert id_claims["email"] == "carol@example.com"
    assert id_claims["given_name"] == "Carol" and id_claims["family_name"] == "Ng"
    [identity] = id_claims["identities"]
    assert identity["providerName"] == "Pysaml2" and identity["providerType"] == "SAML"
    assert identity["userId"] == "carol@example.com" and identity["issuer"] == idp.entity_id
    assert identity["primary"] == "true" and identity["dateCreated"].isdigit()  # strings
    access = claims(tokens["access_token"])
    assert access["client_id"] == fed.client_id and "openid" in access["scope"].split()
    user = cognito.admin_get_user(UserPoolId=fed.pool_id, Username="Pysaml2_carol@example.com")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"


def test_idp_initiated_with_relay_state(federation, idp, page, cognito):
    fed = federation(IDPInit="true", EncryptedResponses="true")
    with idp.encrypting():
        page.goto(f"{idp.base}/launch?" + urlencode({"user": "dave@example.com",
                                                      "relay": fed.relay_state()}))
        arrived = _code(page)
    id_claims = claims(fed.tokens(arrived["code"][0])["id_token"])
    assert id_claims["cognito:username"] == "Pysaml2_dave@example.com"
    assert id_claims["identities"][0]["providerName"] == "Pysaml2"
    # The same launch again is a new assertion: the user is signed in again, not duplicated.
    with idp.encrypting():
        page.goto(f"{idp.base}/launch?" + urlencode({"user": "dave@example.com",
                                                      "relay": fed.relay_state()}))
        _code(page)
    names = [u["Username"] for u in cognito.list_users(UserPoolId=fed.pool_id)["Users"]]
    assert names == ["Pysaml2_dave@example.com"]


def test_idp_initiated_refused_unless_enabled(federation, idp, page, cognito):
    fed = federation()
    page.goto(f"{idp.base}/launch?" + urlencode({"user": "dave@example.com",
                                                  "relay": fed.relay_state()}))
    page.get_by_text("IdP-initiated sign-in is not enabled").wait_for()
    assert urlsplit(page.url).path == "/saml2/idpresponse"
    assert cognito.list_users(UserPoolId=fed.pool_id)["Users"] == []


def test_single_logout_goes_through_the_idp(federation, idp, page):
    fed = federation(IDPSignout="true")
    page.goto(fed.authorize_url())
    page.fill("#user", "carol@example.com")
    page.click("#signin")
    _code(page)
    before = len(idp.logout_requests)
    page.goto(f"{fed.endpoint}/logout?" + urlencode({"client_id": fed.client_id,
                                                     "logout_uri": f"{idp.base}/signed-out"}))
    page.wait_for_selector("#out")
    assert idp.logout_requests[before:] == ["carol@example.com"]
    # The hosted-UI session is gone: without one, authorize shows the login page instead of
    # going straight back to the app.
    page.goto(fed.authorize_url().replace("&identity_provider=Pysaml2", ""))
    assert urlsplit(page.url).path == "/login"


# --- the built-in test IdP (/_emulator/idp) --------------------------------------------------

BUILTIN_PASSWORD = "TestIdP-Passw0rd!"
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


@pytest.fixture
def builtin(cognito, endpoint):
    """A pool federated with the built-in IdP the way docs/SAML.md walks through it: the
    IdP's metadata by URL into the pool, the pool's SP metadata into the IdP."""
    pool_id = cognito.create_user_pool(PoolName=unique_name("builtin"))["UserPool"]["Id"]
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="TestIdP", ProviderType="SAML",
        ProviderDetails={"MetadataURL": f"{endpoint}/_emulator/idp/metadata", "IDPInit": "true",
                         "EncryptedResponses": "true", "RequestSigningAlgorithm": "rsa-sha256"},
        AttributeMapping={"email": f"{CLAIMS}emailaddress", "given_name": f"{CLAIMS}givenname"})
    callback = "http://127.0.0.1:9/callback"   # nothing listens: the URL is what matters
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["TestIdP"],
        CallbackURLs=[callback], AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]["ClientId"]
    sp_metadata = httpx.get(f"{endpoint}/_emulator/saml/{pool_id}/TestIdP/metadata.xml").text
    registered = httpx.post(f"{endpoint}/_emulator/idp/service-providers",
                            params={"encrypt": "true", "sign": "both",
                                    "require_signed_requests": "true"}, content=sp_metadata)
    assert registered.status_code == 200, registered.text
    yield {"pool_id": pool_id, "client_id": client_id, "callback": callback}
    httpx.request("DELETE", f"{endpoint}/_emulator/idp/service-providers",
                  params={"entity_id": f"urn:amazon:cognito:sp:{pool_id}"})
    delete_pool(cognito, pool_id)


def _tokens(endpoint: str, fed: dict, code: str) -> dict:
    answer = httpx.post(f"{endpoint}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": fed["client_id"], "code": code,
        "redirect_uri": fed["callback"]})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_builtin_idp_sp_initiated(builtin, endpoint, page, cognito):
    fed = builtin
    with page.expect_request(lambda r: r.url.startswith(fed["callback"])) as arrived:
        page.goto(f"{endpoint}/oauth2/authorize?" + urlencode({
            "client_id": fed["client_id"], "response_type": "code", "scope": "openid email",
            "redirect_uri": fed["callback"], "identity_provider": "TestIdP"}))
        assert "/_emulator/idp/sso?" in page.url and "Signature=" in page.url
        page.fill("#username", "alice")
        page.fill("#password", BUILTIN_PASSWORD)
        page.click("button[type=submit]")
    code = parse_qs(urlsplit(arrived.value.url).query)["code"][0]
    id_claims = claims(_tokens(endpoint, fed, code)["id_token"])
    assert id_claims["cognito:username"] == "TestIdP_alice"
    assert id_claims["email"] == "alice@example.com"
    assert id_claims["identities"][0]["issuer"] == f"{endpoint}/_emulator/idp"


def test_builtin_idp_initiated_launch(builtin, endpoint, page):
    fed = builtin
    relay = urlencode({"identity_provider": "TestIdP", "client_id": fed["client_id"],
                       "redirect_uri": fed["callback"], "response_type": "code",
                       "scope": "openid email"})
    page.goto(f"{endpoint}/_emulator/idp/launch?" + urlencode({
        "sp": f"urn:amazon:cognito:sp:{fed['pool_id']}", "username": "bob"}))
    page.fill("#RelayState", relay)
    page.fill("#password", BUILTIN_PASSWORD)
    with page.expect_request(lambda r: r.url.startswith(fed["callback"])) as arrived:
        page.click("button[type=submit]")
    code = parse_qs(urlsplit(arrived.value.url).query)["code"][0]
    id_claims = claims(_tokens(endpoint, fed, code)["id_token"])
    assert id_claims["cognito:username"] == "TestIdP_bob"
    assert id_claims["email"] == "bob@example.com"


def test_corporate_email_on_the_login_page_finds_the_provider(builtin, endpoint, page, cognito):
    fed = builtin
    cognito.update_identity_provider(UserPoolId=fed["pool_id"], ProviderName="TestIdP",
                                     IdpIdentifiers=["example.com"])
    page.goto(f"{endpoint}/oauth2/authorize?" + urlencode({
        "client_id": fed["client_id"], "response_type": "code", "scope": "openid email",
        "redirect_uri": fed["callback"]}))
    assert urlsplit(page.url).path == "/login"
    page.fill("#corporate_email", "someone@nowhere.example")
    page.click("form[name=corporate] button[type=submit]")
    assert "No identity provider is set up for this email address." in page.inner_text("body")
    page.fill("#corporate_email", "alice@Example.com")
    page.click("form[name=corporate] button[type=submit]")
    assert "/_emulator/idp/sso?" in page.url
    page.fill("#username", "alice")
    page.fill("#password", BUILTIN_PASSWORD)
    with page.expect_request(lambda r: r.url.startswith(fed["callback"])) as arrived:
        page.click("button[type=submit]")
    code = parse_qs(urlsplit(arrived.value.url).query)["code"][0]
    assert claims(_tokens(endpoint, fed, code)["id_token"])["cognito:username"] == "TestIdP_alice"
