"""openid-client (npm, panva) as an app's relying party against the emulator's hosted UI, the
way a web app runs it against AWS: discovery on the pool's issuer
(https://cognito-idp.us-east-1.amazonaws.com/<poolId>), authorization code with PKCE (S256),
state and nonce, the code exchanged at the pool domain's /oauth2/token and the ID token
validated by openid-client's own checks (signature against the JWKS, issuer, audience,
expiry, nonce), then userinfo and a refresh. No `allowInsecureRequests`: the emulator runs
with --tls on port 443 of an address of the test's own (tests/support/oidc_rig.py).

Chromium completes the hosted login page; the app's callback page is answered by the test
(Playwright's routing), which hands the URL to openid-client."""
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import make_client
from tests.support.clients import requires
from tests.support.factories import PASSWORD, create_user, delete_pool, unique_name
from tests.support.oidc_rig import (
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


@pytest.fixture(scope="module")
def emulator():
    with emulator_on_443(11) as server:
        yield server


@pytest.fixture
def site(emulator):
    """A pool with an AWS-form domain prefix, a confidential hosted-UI client, one user."""
    cognito = make_client(emulator.url)
    pool_id = cognito.create_user_pool(PoolName=unique_name("rp"))["UserPool"]["Id"]
    prefix = unique_name("rp").lower()
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=pool_id)
    app = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=SCOPES, CallbackURLs=[REDIRECT],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]
    email = f"{unique_name('rp')}@example.com"
    username = create_user(cognito, pool_id, unique_name("rp"), attributes=[
        {"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": "Rita Party"}])
    yield {"cognito": cognito, "pool_id": pool_id, "client": app, "username": username,
           "email": email, "domain": f"{prefix}.auth.us-east-1.amazoncognito.com",
           "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"}
    delete_pool(cognito, pool_id)


@pytest.fixture(scope="module")
def tls_chromium(chromium, emulator):
    browser = tls_browser(chromium, emulator.address,
                          [spki_of_listener(emulator.address, 443, "localhost")])
    yield browser
    browser.close()


@pytest.fixture
def browser_page(tls_chromium):
    page = new_page(tls_chromium)
    yield page
    page.context.close()


@pytest.fixture
def app(emulator, site):
    party = RelyingParty(emulator, issuer=site["issuer"],
                         client_id=site["client"]["ClientId"],
                         client_secret=site["client"]["ClientSecret"], redirect_uri=REDIRECT,
                         scope=" ".join(SCOPES))
    yield party
    party.close()


def hosted_login(page, site, app) -> str:
    """Chromium from the app's authorization URL through the hosted login form back to the
    app's callback; the callback URL the browser arrived at."""
    arrived = catch_callback(page, REDIRECT)
    page.goto(app.authorization_url)
    page.wait_for_url(f"https://{site['domain']}/login?*")
    page.fill("#username", site["username"])
    page.fill("#password", PASSWORD)
    page.click("form[name=signin] button[type=submit]")
    page.wait_for_selector("#back")
    assert len(arrived) == 1
    return arrived[0]


def test_code_pkce_state_nonce_userinfo_and_refresh(site, browser_page, app):
    request = urlsplit(app.authorization_url)
    query = {k: v[0] for k, v in parse_qs(request.query).items()}
    # Discovery sent the app to the pool's domain, with every protection asked for.
    assert request.netloc == site["domain"] and request.path == "/oauth2/authorize"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] == app.state and query["nonce"]
    assert query["client_id"] == site["client"]["ClientId"]

    callback = hosted_login(browser_page, site, app)
    assert parse_qs(urlsplit(callback).query)["state"] == [app.state]
    result = app.finish(callback)
    assert "error" not in result, result

    claims = result["claims"]
    assert claims["iss"] == site["issuer"] and claims["aud"] == site["client"]["ClientId"]
    assert claims["nonce"] == query["nonce"] and claims["token_use"] == "id"
    assert claims["cognito:username"] == site["username"]
    assert claims["email"] == site["email"] and claims["email_verified"] is True
    assert claims["name"] == "Rita Party"
    # (oauth4webapi, under openid-client, lower-cases token_type)
    assert result["token_type"] == "bearer" and result["expires_in"] == 3600
    assert result["token_endpoint"] == f"https://{site['domain']}/oauth2/token"
    # userinfo: openid-client checked its `sub` against the ID token's.
    assert result["userinfo"]["sub"] == claims["sub"]
    assert result["userinfo"]["email"] == site["email"]
    assert result["userinfo"]["username"] == site["username"]
    # The refresh: a new ID token for the same subject, checked by openid-client the same way.
    refreshed = result["refreshed_claims"]
    assert refreshed["sub"] == claims["sub"] and refreshed["iss"] == site["issuer"]
    assert refreshed["aud"] == site["client"]["ClientId"]
    assert result["refreshed_access_token"] != result["access_token"]
    # The AWS names really went through the DNS override (nothing was pointed elsewhere).
    assert "cognito-idp.us-east-1.amazonaws.com" in result["dns_lookups"]
    assert site["domain"] in result["dns_lookups"]
    # Without aws.cognito.signin.user.admin the access token is not one for the user API.
    with pytest.raises(site["cognito"].exceptions.NotAuthorizedException) as refused:
        site["cognito"].get_user(AccessToken=result["access_token"])
    assert refused.value.response["Error"]["Message"] == (
        "Access Token does not have required scopes")


def test_a_callback_with_another_state_is_refused_by_the_app(site, browser_page, app):
    """openid-client's state check is live: the same genuine code with its state altered."""
    callback = hosted_login(browser_page, site, app)
    forged = callback.replace(f"state={app.state}", "state=someone-elses")
    assert forged != callback
    result = app.finish(forged)
    assert result["code"] == "OAUTH_INVALID_RESPONSE", result
    assert result["cause"] == 'unexpected "state" response parameter value', result
