"""The user-pool domain's OAuth 2.0 / OIDC endpoints and hosted pages, driven over HTTP
like a browser would (a cookie-keeping httpx client that reads and submits the HTML
forms): /oauth2/authorize, /login and the other pages, /oauth2/token, /oauth2/userInfo,
/oauth2/revoke, /logout, the Host-based pool lookup. The real browser (Chromium) and an
OIDC client library (authlib) drive the same endpoints in tests/browser and
test_oauth_authlib.py."""
import base64
import hashlib
import html
import json
import secrets
import textwrap
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conftest import make_client
from tests.support import totp
from tests.support.factories import claims, delete_pool, unique_name
from tests.support.server import RunningServer

PASSWORD = "Passw0rd!x1"
CALLBACK = "http://localhost:3000/callback"
SIGNED_OUT = "http://localhost:3000/signed-out"
API = "https://api.example.com"
READ, WRITE = f"{API}/read", f"{API}/write"
SCRIPT = "<script>alert(1)</script>"


# --- a small "browser": keeps cookies, reads forms, follows nothing by itself ----------------

class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action"), "fields": {}}
            self.forms[attrs.get("name") or f"form{len(self.forms)}"] = self._current
        elif tag == "input" and self._current is not None and attrs.get("name"):
            if attrs.get("type") != "radio" or "checked" in attrs:
                self._current["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_of(page: httpx.Response) -> dict[str, dict]:
    parser = _Forms()
    parser.feed(page.text)
    return parser.forms


def error_text(page: httpx.Response) -> str | None:
    start = page.text.find('id="error">')
    if start < 0:
        return None
    start += len('id="error">')
    return html.unescape(page.text[start:page.text.index("</div>", start)])


class Browser:
    def __init__(self, endpoint: str, host: str | None = None):
        self.http = httpx.Client(base_url=endpoint, timeout=30,
                                 headers={"Host": host} if host else {})

    def get(self, url: str, **params) -> httpx.Response:
        return self.http.get(url, params=params or None)

    def submit(self, page: httpx.Response, form: str, **values) -> httpx.Response:
        found = forms_of(page)[form]
        return self.http.post(found["action"], data={**found["fields"], **values})

    def authorize(self, **params) -> httpx.Response:
        return self.get("/oauth2/authorize", **params)

    def login_page(self, **params) -> httpx.Response:
        answer = self.authorize(**params)
        assert answer.status_code == 302, answer.text
        assert answer.headers["location"].startswith("/login?")
        page = self.get(answer.headers["location"])
        assert page.status_code == 200
        return page

    def sign_in(self, username: str, password: str = PASSWORD, **params) -> httpx.Response:
        return self.submit(self.login_page(**params), "signin", username=username,
                           password=password)

    def close(self):
        self.http.close()


def query_of(location: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def fragment_of(location: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_params(client_id: str, **extra) -> dict:
    params = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK,
              "state": "st-1", "scope": "openid email"}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


# --- fixtures -----------------------------------------------------------------------------

@pytest.fixture
def browser(endpoint):
    made = Browser(endpoint)
    yield made
    made.close()


class Setup:
    """A pool with a prefix domain, a resource server and a confirmed user."""

    def __init__(self, cognito, http):
        self.cognito, self.http = cognito, http
        self.pool_id = cognito.create_user_pool(
            PoolName=unique_name("oauth"), AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        self.domain = f"login-{uuid.uuid4().hex[:10]}"
        cognito.create_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        cognito.create_resource_server(UserPoolId=self.pool_id, Identifier=API, Name="api",
                                       Scopes=[{"ScopeName": "read", "ScopeDescription": "r"},
                                               {"ScopeName": "write", "ScopeDescription": "w"}])

    def client(self, **params) -> dict:
        settings = {"ClientName": "web", "AllowedOAuthFlowsUserPoolClient": True,
                    "AllowedOAuthFlows": ["code", "implicit"],
                    "AllowedOAuthScopes": ["openid", "email", "profile", "phone", READ],
                    "CallbackURLs": [CALLBACK], "LogoutURLs": [SIGNED_OUT],
                    "SupportedIdentityProviders": ["COGNITO"],
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}
        settings.update(params)
        return self.cognito.create_user_pool_client(UserPoolId=self.pool_id,
                                                    **settings)["UserPoolClient"]

    def machine_client(self, **params) -> dict:
        settings = {"ClientName": "m2m", "GenerateSecret": True,
                    "AllowedOAuthFlowsUserPoolClient": True,
                    "AllowedOAuthFlows": ["client_credentials"],
                    "AllowedOAuthScopes": [READ, WRITE]}
        settings.update(params)
        return self.cognito.create_user_pool_client(UserPoolId=self.pool_id,
                                                    **settings)["UserPoolClient"]

    def user(self, username="alice", password=PASSWORD, **attributes) -> str:
        """A CONFIRMED user with a permanent password and a verified email."""
        attributes.setdefault("email", f"{username}@example.com")
        attributes.setdefault("email_verified", "true")
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
        self.cognito.admin_set_user_password(UserPoolId=self.pool_id, Username=username,
                                             Password=password, Permanent=True)
        return username

    def token(self, **data) -> httpx.Response:
        auth = data.pop("auth", None)
        return self.http.post("/oauth2/token", data=data, auth=auth)

    def exchange(self, client_id: str, code: str, verifier: str | None = None,
                 redirect_uri: str = CALLBACK) -> httpx.Response:
        return self.token(grant_type="authorization_code", client_id=client_id, code=code,
                          redirect_uri=redirect_uri, code_verifier=verifier)

    def close(self):
        try:
            self.cognito.delete_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        except self.cognito.exceptions.ClientError:
            pass
        delete_pool(self.cognito, self.pool_id)


@pytest.fixture
def setup(cognito, http):
    made = Setup(cognito, http)
    yield made
    made.close()


def code_of(answer: httpx.Response) -> str:
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    return query_of(location)["code"]


# --- the code flow --------------------------------------------------------------------------

def test_authorize_sends_the_browser_to_the_login_page(setup, browser):
    client_id = setup.client()["ClientId"]
    answer = browser.authorize(**authorize_params(client_id, nonce="n-1"))
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith("/login?")
    assert query_of(location) == {"client_id": client_id, "response_type": "code",
                                  "redirect_uri": CALLBACK, "state": "st-1",
                                  "scope": "openid email", "nonce": "n-1"}
    page = browser.get(location)
    assert page.headers["content-type"].startswith("text/html")
    form = forms_of(page)["signin"]
    assert set(form["fields"]) == {"_csrf", "username", "password"}
    assert form["fields"]["_csrf"]
    assert "XSRF-TOKEN" in page.cookies


def test_code_flow_with_pkce_s256(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("alice", given_name="Alice")
    verifier, challenge = pkce()
    answer = browser.sign_in("alice", **authorize_params(
        client_id, scope="openid email profile " + READ, nonce="nonce-1",
        code_challenge=challenge, code_challenge_method="S256"))
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    assert query_of(answer.headers["location"])["state"] == "st-1"
    code = code_of(answer)
    assert len(code) == 36  # UUID-shaped, like the documented sample

    tokens = setup.exchange(client_id, code, verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["content-type"] == "application/json;charset=UTF-8"
    assert tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert set(body) == {"id_token", "access_token", "refresh_token", "expires_in",
                         "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    id_claims, access = claims(body["id_token"]), claims(body["access_token"])
    assert id_claims["aud"] == client_id and id_claims["token_use"] == "id"
    assert id_claims["nonce"] == "nonce-1"
    assert id_claims["cognito:username"] == "alice" and id_claims["email"] == "alice@example.com"
    assert access["token_use"] == "access" and access["client_id"] == client_id
    assert access["scope"].split() == ["openid", "email", "profile", READ]
    assert access["username"] == "alice"

    info = setup.http.get("/oauth2/userInfo",
                          headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200
    assert info.json() == {"sub": id_claims["sub"], "email": "alice@example.com",
                           "email_verified": "true", "given_name": "Alice",
                           "username": "alice"}


def test_code_flow_with_pkce_plain_and_without_pkce(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("bob")
    verifier = secrets.token_urlsafe(48)
    code = code_of(browser.sign_in("bob", **authorize_params(
        client_id, code_challenge=verifier, code_challenge_method="plain")))
    assert setup.exchange(client_id, code, verifier).status_code == 200
    # Without PKCE (a confidential web app would do this) the code alone is enough.
    code = code_of(browser.sign_in("bob", **authorize_params(client_id, prompt="login")))
    assert setup.exchange(client_id, code).status_code == 200


def test_openid_decides_whether_there_is_an_id_token(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("carol")
    code = code_of(browser.sign_in("carol", **authorize_params(client_id, scope=READ)))
    body = setup.exchange(client_id, code).json()
    assert "id_token" not in body and "refresh_token" in body
    assert claims(body["access_token"])["scope"] == READ


def test_default_scopes_are_all_of_the_clients(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("dave")
    code = code_of(browser.sign_in("dave", **authorize_params(client_id, scope=None)))
    access = claims(setup.exchange(client_id, code).json()["access_token"])
    assert sorted(access["scope"].split()) == sorted(["openid", "email", "profile", "phone",
                                                      READ])


def test_unknown_and_unauthorized_scopes_are_ignored(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("erin")
    code = code_of(browser.sign_in("erin", **authorize_params(
        client_id, scope=f"openid nonsense {WRITE} email")))
    access = claims(setup.exchange(client_id, code).json()["access_token"])
    assert access["scope"] == "openid email"


def test_wrong_password_is_shown_and_counted(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("frank")
    page = browser.sign_in("frank", "wrong-Passw0rd!", **authorize_params(client_id))
    assert page.status_code == 200
    assert error_text(page) == "Incorrect username or password."
    # The page keeps the username and the authorize request; signing in still works.
    assert forms_of(page)["signin"]["fields"]["username"] == "frank"
    answer = browser.submit(page, "signin", password=PASSWORD)
    assert code_of(answer)
    unknown = browser.sign_in("nobody", **authorize_params(client_id, prompt="login"))
    assert error_text(unknown) == "User does not exist."


def test_refresh_token_grant(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("gina")
    code = code_of(browser.sign_in("gina", **authorize_params(client_id)))
    first = setup.exchange(client_id, code).json()
    again = setup.token(grant_type="refresh_token", client_id=client_id,
                        refresh_token=first["refresh_token"])
    assert again.status_code == 200, again.text
    body = again.json()
    assert set(body) == {"id_token", "access_token", "expires_in", "token_type"}
    assert claims(body["id_token"])["auth_time"] == claims(first["id_token"])["auth_time"]
    refused = setup.token(grant_type="refresh_token", client_id=client_id,
                          refresh_token=first["refresh_token"] + "x")
    assert (refused.status_code, refused.json()) == (400, {"error": "invalid_grant"})
    missing = setup.token(grant_type="refresh_token", client_id=client_id)
    assert missing.json() == {"error": "invalid_request"}


def test_api_refresh_tokens_work_at_the_token_endpoint(setup, cognito):
    client_id = setup.client()["ClientId"]
    setup.user("hank")
    api = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "hank", "PASSWORD": PASSWORD})
    refreshed = setup.token(grant_type="refresh_token", client_id=client_id,
                            refresh_token=api["AuthenticationResult"]["RefreshToken"])
    assert refreshed.status_code == 200 and "access_token" in refreshed.json()


# --- refusals at /oauth2/authorize ----------------------------------------------------------

def test_redirect_uri_mismatch_shows_an_error_page(setup, browser):
    client_id = setup.client()["ClientId"]
    for uri in ("http://localhost:3000/other", CALLBACK + "/", CALLBACK.upper(), None):
        answer = browser.authorize(**authorize_params(client_id, redirect_uri=uri))
        assert answer.status_code == 400
        assert "location" not in answer.headers
        assert "redirect_mismatch" in answer.text


def test_unknown_client_shows_an_error_page(browser):
    answer = browser.authorize(**authorize_params("nosuchclient123456789"))
    assert answer.status_code == 400 and "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("extra, error", [
    ({"response_type": None}, "invalid_request"),
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"code_challenge_method": "S256"}, "invalid_request"),
    ({"code_challenge": "x" * 43}, "invalid_request"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "S512"}, "invalid_request"),
    ({"scope": "phone"}, "invalid_scope"),          # needs openid: nothing is left
    ({"scope": WRITE}, "invalid_scope"),            # not the client's
    ({"prompt": "none"}, "login_required"),         # no session yet
    ({"identity_provider": "Google"}, "invalid_request"),
])
def test_authorize_errors_go_back_to_the_app(setup, browser, extra, error):
    client_id = setup.client()["ClientId"]
    answer = browser.authorize(**authorize_params(client_id, **extra))
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    assert query_of(location)["error"] == error
    assert query_of(location)["state"] == "st-1"


def test_client_not_allowed_the_flow(setup, browser):
    implicit_only = setup.client(AllowedOAuthFlows=["implicit"])["ClientId"]
    answer = browser.authorize(**authorize_params(implicit_only))
    assert query_of(answer.headers["location"])["error"] == "unauthorized_client"
    oauth_off = setup.client(AllowedOAuthFlowsUserPoolClient=False)["ClientId"]
    answer = browser.authorize(**authorize_params(oauth_off, response_type="token"))
    assert query_of(answer.headers["location"])["error"] == "unauthorized_client"


# --- refusals at /oauth2/token --------------------------------------------------------------

def test_a_code_is_single_use(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("ivan")
    code = code_of(browser.sign_in("ivan", **authorize_params(client_id)))
    assert setup.exchange(client_id, code).status_code == 200
    reused = setup.exchange(client_id, code)
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})


def test_pkce_verifier_mismatch_uses_the_code_up(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("judy")
    verifier, challenge = pkce()
    code = code_of(browser.sign_in("judy", **authorize_params(
        client_id, code_challenge=challenge, code_challenge_method="S256")))
    wrong = setup.exchange(client_id, code, verifier[:-1] + ("A" if verifier[-1] != "A" else "B"))
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})
    # A stolen code can't be tried again with other verifiers.
    assert setup.exchange(client_id, code, verifier).json() == {"error": "invalid_grant"}


def test_pkce_code_needs_its_verifier(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("kate")
    _, challenge = pkce()
    code = code_of(browser.sign_in("kate", **authorize_params(
        client_id, code_challenge=challenge, code_challenge_method="S256")))
    assert setup.exchange(client_id, code).json() == {"error": "invalid_request"}


def test_code_expires_after_five_minutes(setup, browser, clock):
    client_id = setup.client()["ClientId"]
    setup.user("liam")
    clock.pin()
    fresh = code_of(browser.sign_in("liam", **authorize_params(client_id)))
    stale = code_of(browser.authorize(**authorize_params(client_id)))  # the session's
    clock.advance(299)
    assert setup.exchange(client_id, fresh).status_code == 200
    clock.advance(2)
    assert setup.exchange(client_id, stale).json() == {"error": "invalid_grant"}


def test_code_is_bound_to_redirect_uri_and_client(setup, browser):
    first = setup.client()["ClientId"]
    second = setup.client(CallbackURLs=[CALLBACK, "http://localhost:3000/two"])["ClientId"]
    setup.user("mia")
    code = code_of(browser.sign_in("mia", **authorize_params(first)))
    assert setup.exchange(second, code).json() == {"error": "invalid_grant"}
    # Another client's attempt doesn't use the code up; a wrong redirect_uri does.
    other_uri = setup.exchange(first, code, redirect_uri="http://localhost:3000/two")
    assert other_uri.json() == {"error": "invalid_grant"}
    assert setup.exchange(first, code).json() == {"error": "invalid_grant"}


def test_token_endpoint_request_errors(setup):
    client_id = setup.client()["ClientId"]
    assert setup.token(client_id=client_id).json() == {"error": "invalid_request"}
    unsupported = setup.token(grant_type="password", client_id=client_id)
    assert (unsupported.status_code, unsupported.json()) == \
        (400, {"error": "unsupported_grant_type"})
    no_code = setup.token(grant_type="authorization_code", client_id=client_id,
                          redirect_uri=CALLBACK)
    assert no_code.json() == {"error": "invalid_request"}
    unknown_code = setup.exchange(client_id, str(uuid.uuid4()))
    assert unknown_code.json() == {"error": "invalid_grant"}
    as_json = setup.http.post("/oauth2/token", json={"grant_type": "authorization_code"})
    assert as_json.json() == {"error": "invalid_request"}
    twice = setup.http.post("/oauth2/token", content=f"grant_type=refresh_token&client_id="
                                                    f"{client_id}&client_id={client_id}",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert twice.json() == {"error": "invalid_request"}


def test_client_authentication(setup):
    machine = setup.machine_client()
    cid, secret = machine["ClientId"], machine["ClientSecret"]
    for auth, data in (((cid, "wrong"), {}), (None, {"client_id": cid}),
                       (None, {"client_id": cid, "client_secret": "wrong"}),
                       (("unknownclient", secret), {}), (None, {})):
        answer = setup.token(grant_type="client_credentials", auth=auth, **data)
        assert (answer.status_code, answer.json()) == (401, {"error": "invalid_client"}), data
    both = setup.token(grant_type="client_credentials", auth=(cid, secret), client_secret=secret)
    assert both.json() == {"error": "invalid_request"}
    mangled = setup.http.post("/oauth2/token", data={"grant_type": "client_credentials"},
                              headers={"Authorization": "Basic !!!"})
    assert mangled.status_code == 401 and mangled.headers["www-authenticate"].startswith("Basic")
    # A public client sending a secret it doesn't have.
    public = setup.client()["ClientId"]
    assert setup.token(grant_type="refresh_token", client_id=public, client_secret="x",
                       refresh_token="r").json() == {"error": "invalid_client"}


def test_grant_not_allowed_for_the_client(setup, browser):
    web = setup.client()["ClientId"]
    refused = setup.token(grant_type="client_credentials", client_id=web)
    assert (refused.status_code, refused.json()) == (400, {"error": "unauthorized_client"})
    machine = setup.machine_client()
    refused = setup.token(grant_type="authorization_code", code="x", redirect_uri=CALLBACK,
                          auth=(machine["ClientId"], machine["ClientSecret"]))
    assert refused.json() == {"error": "unauthorized_client"}


# --- client_credentials ---------------------------------------------------------------------

def test_client_credentials_with_custom_scopes(setup, http):
    machine = setup.machine_client()
    cid, secret = machine["ClientId"], machine["ClientSecret"]
    basic = setup.token(grant_type="client_credentials", scope=READ, auth=(cid, secret))
    assert basic.status_code == 200, basic.text
    body = basic.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    access = claims(body["access_token"])
    assert access["scope"] == READ and access["client_id"] == cid and access["sub"] == cid
    assert access["token_use"] == "access" and "username" not in access
    posted = setup.token(grant_type="client_credentials", client_id=cid, client_secret=secret)
    assert sorted(claims(posted.json()["access_token"])["scope"].split()) == [READ, WRITE]
    for scope in (f"{API}/admin", "openid", f"{READ} {API}/admin"):
        refused = setup.token(grant_type="client_credentials", scope=scope, auth=(cid, secret))
        assert (refused.status_code, refused.json()) == (400, {"error": "invalid_scope"}), scope
    # The token verifies against the pool's JWKS (aws-jwt-verify: test_oauth_authlib.py).
    kids = [k["kid"] for k in http.get(f"/{setup.pool_id}/.well-known/jwks.json")
            .json()["keys"]]
    header = claims("x." + body["access_token"].split(".")[0] + ".x")
    assert header["kid"] == kids[1] and header["alg"] == "RS256"


# --- implicit flow --------------------------------------------------------------------------

def test_implicit_flow_returns_tokens_in_the_fragment(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("nina")
    answer = browser.sign_in("nina", **authorize_params(client_id, response_type="token",
                                                        nonce="n-2"))
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "#")
    got = fragment_of(location)
    assert set(got) == {"id_token", "access_token", "token_type", "expires_in", "state"}
    assert got["token_type"] == "bearer" and got["expires_in"] == "3600"
    assert got["state"] == "st-1" and claims(got["id_token"])["nonce"] == "n-2"
    no_openid = browser.authorize(**authorize_params(client_id, response_type="token",
                                                     scope=READ))
    assert set(fragment_of(no_openid.headers["location"])) == \
        {"access_token", "token_type", "expires_in", "state"}


# --- the session cookie ---------------------------------------------------------------------

def test_session_cookie_skips_the_login_page(setup, browser, endpoint, clock):
    client_id = setup.client()["ClientId"]
    other_app = setup.client(ClientName="other")["ClientId"]
    setup.user("olga")
    clock.pin()
    first = browser.sign_in("olga", **authorize_params(client_id))
    cookie = first.headers["set-cookie"]
    assert f"cognito-{setup.pool_id}=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=3600" in cookie
    auth_time = claims(setup.exchange(client_id, code_of(first)).json()["id_token"])["auth_time"]

    clock.advance(600)
    again = browser.authorize(**authorize_params(other_app, state="s2"))  # another client too
    assert query_of(again.headers["location"])["state"] == "s2"
    tokens = setup.exchange(other_app, code_of(again)).json()
    assert claims(tokens["id_token"])["auth_time"] == auth_time
    assert code_of(browser.authorize(**authorize_params(client_id, prompt="none")))
    forced = browser.authorize(**authorize_params(client_id, prompt="login"))
    assert forced.headers["location"].startswith("/login?")

    # Another browser has no session; an hour later this one hasn't either.
    stranger = Browser(endpoint)
    assert stranger.authorize(**authorize_params(client_id)).headers["location"] \
        .startswith("/login?")
    stranger.close()
    clock.advance(3001)
    expired = browser.authorize(**authorize_params(client_id, prompt="none"))
    assert query_of(expired.headers["location"]).get("error") == "login_required", \
        expired.headers["location"]


def test_session_ends_for_a_disabled_user(setup, browser, cognito):
    client_id = setup.client()["ClientId"]
    setup.user("pete")
    assert code_of(browser.sign_in("pete", **authorize_params(client_id)))
    cognito.admin_disable_user(UserPoolId=setup.pool_id, Username="pete")
    answer = browser.authorize(**authorize_params(client_id))
    assert answer.headers["location"].startswith("/login?")


def test_logout(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("quinn")
    assert code_of(browser.sign_in("quinn", **authorize_params(client_id)))
    bad = browser.get("/logout", client_id=client_id, logout_uri="http://localhost:3000/evil")
    assert bad.status_code == 400 and "location" not in bad.headers
    out = browser.get("/logout", client_id=client_id, logout_uri=SIGNED_OUT)
    assert out.status_code == 302 and out.headers["location"] == SIGNED_OUT
    assert f'cognito-{setup.pool_id}=""' in out.headers["set-cookie"]
    assert browser.authorize(**authorize_params(client_id)).headers["location"] \
        .startswith("/login?")

    code_of(browser.sign_in("quinn", **authorize_params(client_id, prompt="login")))
    relogin = browser.get("/logout", client_id=client_id, redirect_uri=CALLBACK,
                          response_type="code", state="s3")
    assert relogin.status_code == 302
    location = relogin.headers["location"]
    assert location.startswith("/login?") and query_of(location)["state"] == "s3"
    assert browser.get(location).status_code == 200  # the login page, not a code
    assert browser.get("/logout", client_id=client_id).status_code == 400


# --- userInfo and revocation ------------------------------------------------------------------

def test_userinfo_refusals(setup, cognito, http):
    client_id = setup.client()["ClientId"]
    setup.user("rosa")
    missing = http.get("/oauth2/userInfo")
    assert missing.status_code == 400
    assert missing.headers["www-authenticate"] == \
        'Bearer error="invalid_request", error_description="Bad OAuth2 request at UserInfo ' \
        'Endpoint"'
    garbage = http.get("/oauth2/userInfo", headers={"Authorization": "Bearer abc.def.ghi"})
    assert garbage.status_code == 401
    assert garbage.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    api = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "rosa", "PASSWORD": PASSWORD})
    no_openid = http.get("/oauth2/userInfo", headers={
        "Authorization": f"Bearer {api['AuthenticationResult']['AccessToken']}"})
    assert no_openid.status_code == 401
    assert no_openid.json()["error_description"] == "Access token does not contain openid scope"


def test_userinfo_scopes(setup, browser, http):
    client_id = setup.client()["ClientId"]
    setup.user("sam", phone_number="+15555550100", phone_number_verified="true",
               given_name="Sam")

    def info(scope):
        code = code_of(browser.sign_in("sam", **authorize_params(client_id, scope=scope,
                                                                 prompt="login")))
        token = setup.exchange(client_id, code).json()["access_token"]
        return http.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {token}"}).json()

    everything = info("openid")
    assert {"email", "phone_number", "given_name", "email_verified"} <= set(everything)
    assert set(info("openid phone")) == {"sub", "username", "phone_number",
                                         "phone_number_verified"}
    assert set(info("openid profile")) == {"sub", "username", "given_name"}


def test_revoke(setup, browser, http):
    client_id = setup.client()["ClientId"]
    setup.user("tara")
    body = setup.exchange(client_id, code_of(browser.sign_in(
        "tara", **authorize_params(client_id)))).json()
    access = {"Authorization": f"Bearer {body['access_token']}"}
    assert http.get("/oauth2/userInfo", headers=access).status_code == 200
    wrong_type = http.post("/oauth2/revoke", data={"token": body["access_token"],
                                                   "client_id": client_id})
    assert wrong_type.json() == {"error": "unsupported_token_type"}
    assert http.post("/oauth2/revoke", data={"client_id": client_id}).json() == \
        {"error": "invalid_request"}
    unknown_client = http.post("/oauth2/revoke", data={"token": body["refresh_token"],
                                                       "client_id": "nope"})
    assert (unknown_client.status_code, unknown_client.json()) == \
        (401, {"error": "invalid_client"})
    done = http.post("/oauth2/revoke", data={"token": body["refresh_token"],
                                             "client_id": client_id})
    assert (done.status_code, done.content) == (200, b"")
    assert http.post("/oauth2/revoke", data={"token": body["refresh_token"],
                                             "client_id": client_id}).status_code == 200
    refreshed = setup.token(grant_type="refresh_token", client_id=client_id,
                            refresh_token=body["refresh_token"])
    assert refreshed.json() == {"error": "invalid_grant"}
    assert http.get("/oauth2/userInfo", headers=access).status_code == 401


# --- the Host header names the pool --------------------------------------------------------

def test_pool_found_by_its_domain_host(setup, endpoint):
    client_id = setup.client()["ClientId"]
    setup.user("uma")
    port = urlsplit(endpoint).port
    on_domain = Browser(endpoint, host=f"{setup.domain}.auth.localhost:{port}")
    assert code_of(on_domain.sign_in("uma", **authorize_params(client_id)))
    unknown = Browser(endpoint, host=f"nosuch-{uuid.uuid4().hex[:8]}.auth.localhost:{port}")
    assert unknown.authorize(**authorize_params(client_id)).status_code == 404
    # A client of another pool is not served on this pool's domain.
    other_pool = setup.cognito.create_user_pool(PoolName=unique_name("other"))["UserPool"]["Id"]
    try:
        other = setup.cognito.create_user_pool_client(
            UserPoolId=other_pool, ClientName="x", AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
            CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]
        refused = on_domain.authorize(**authorize_params(other["ClientId"], scope="openid"))
        assert refused.status_code == 400 and "location" not in refused.headers
    finally:
        delete_pool(setup.cognito, other_pool)
        on_domain.close()
        unknown.close()


# --- escaping and CSRF ------------------------------------------------------------------------

def test_script_in_any_parameter_comes_back_escaped(setup, browser):
    client_id = setup.client()["ClientId"]
    setup.user("vera")
    page = browser.login_page(**authorize_params(client_id, state=SCRIPT, nonce=SCRIPT,
                                                 login_hint=SCRIPT, lang=SCRIPT))
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    failed = browser.submit(page, "signin", username=SCRIPT, password="x")
    assert SCRIPT not in failed.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in failed.text
    for path in ("/signup", "/forgotpassword", "/confirmuser", "/confirmforgotpassword"):
        shown = browser.get(path, username=SCRIPT, **authorize_params(client_id, state=SCRIPT))
        assert shown.status_code == 200 and SCRIPT not in shown.text, path
    bad_uri = browser.authorize(**authorize_params(client_id, redirect_uri=SCRIPT))
    assert SCRIPT not in bad_uri.text
    # Echoed back to the app, state is URL-encoded as it should be.
    answer = browser.submit(page, "signin", username="vera", password=PASSWORD)
    assert query_of(answer.headers["location"])["state"] == SCRIPT
    assert "<" not in answer.headers["location"]


def test_forms_need_their_csrf_token(setup, browser, endpoint):
    client_id = setup.client()["ClientId"]
    setup.user("wade")
    page = browser.login_page(**authorize_params(client_id))
    action = forms_of(page)["signin"]["action"]
    missing = browser.http.post(action, data={"username": "wade", "password": PASSWORD})
    assert missing.status_code == 403
    forged = browser.http.post(action, data={"username": "wade", "password": PASSWORD,
                                             "_csrf": "forged"})
    assert forged.status_code == 403
    # A token from one browser is worthless in another (it is bound to the XSRF cookie).
    token = forms_of(page)["signin"]["fields"]["_csrf"]
    other = Browser(endpoint)
    other.login_page(**authorize_params(client_id))
    assert other.http.post(action, data={"username": "wade", "password": PASSWORD,
                                         "_csrf": token}).status_code == 403
    other.close()


# --- the other hosted pages ---------------------------------------------------------------

def test_sign_up_and_confirm_through_the_pages(setup, browser, outbox):
    client_id = setup.client()["ClientId"]
    page = browser.login_page(**authorize_params(client_id))
    signup_page = browser.get(forms_of(page)["signin"]["action"].replace("/login", "/signup"))
    assert set(forms_of(signup_page)["signup"]["fields"]) == \
        {"_csrf", "username", "attr:email", "password"}
    weak = browser.submit(signup_page, "signup", username="xena", password="short",
                          **{"attr:email": "xena@example.com"})
    assert error_text(weak).startswith("Password did not conform with policy")
    confirm = browser.submit(weak, "signup", username="xena", password=PASSWORD,
                             **{"attr:email": "xena@example.com"})
    assert "We have sent a code by email to x***@e***" in html.unescape(confirm.text)
    wrong = browser.submit(confirm, "confirm", code="000000")
    assert error_text(wrong) == "Invalid verification code provided, please try again."
    code = outbox(poolId=setup.pool_id, username="xena")[-1]["code"]
    login = browser.submit(wrong, "confirm", code=code)
    assert "Your account is confirmed" in login.text
    answer = browser.submit(login, "signin", password=PASSWORD)
    assert code_of(answer)


def test_unconfirmed_user_is_sent_to_the_confirmation_page(setup, browser, cognito, outbox):
    client_id = setup.client()["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="yuri", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "yuri@example.com"}])
    page = browser.sign_in("yuri", **authorize_params(client_id))
    assert error_text(page) == "User is not confirmed."
    resent = browser.submit(page, "confirm", action="resend")
    assert "We have sent a new code" in resent.text
    codes = [m["code"] for m in outbox(poolId=setup.pool_id, username="yuri")]
    assert len(codes) == 2
    login = browser.submit(resent, "confirm", code=codes[-1])
    assert code_of(browser.submit(login, "signin", password=PASSWORD))


def test_forgot_password_through_the_pages(setup, browser, outbox):
    client_id = setup.client()["ClientId"]
    setup.user("zoe")
    page = browser.login_page(**authorize_params(client_id))
    forgot = browser.get(forms_of(page)["signin"]["action"].replace("/login", "/forgotpassword"))
    confirm = browser.submit(forgot, "forgot", username="zoe")
    assert "We have sent a password reset code by email" in confirm.text
    code = outbox(poolId=setup.pool_id, username="zoe")[-1]["code"]
    mismatch = browser.submit(confirm, "confirmforgot", code=code, password="New-Passw0rd!",
                              confirm_password="Other-Passw0rd!")
    assert error_text(mismatch) == "The passwords don't match."
    login = browser.submit(mismatch, "confirmforgot", code=code, password="New-Passw0rd!",
                           confirm_password="New-Passw0rd!")
    assert "Your password has been reset" in login.text
    assert error_text(browser.submit(login, "signin", password=PASSWORD)) == \
        "Incorrect username or password."
    page = browser.login_page(**authorize_params(client_id))
    assert code_of(browser.submit(page, "signin", username="zoe", password="New-Passw0rd!"))


def test_new_password_required(setup, browser, cognito):
    client_id = setup.client()["ClientId"]
    cognito.admin_create_user(UserPoolId=setup.pool_id, Username="adam",
                              TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "adam@example.com"}])
    page = browser.sign_in("adam", "Temp-Passw0rd!", **authorize_params(client_id))
    assert set(forms_of(page)["newpassword"]["fields"]) >= {"session", "new_password",
                                                            "confirm_password"}
    weak = browser.submit(page, "newpassword", new_password="weak", confirm_password="weak")
    assert error_text(weak).startswith("Password did not conform with policy")
    done = browser.submit(weak, "newpassword", new_password="Fresh-Passw0rd!",
                          confirm_password="Fresh-Passw0rd!")
    assert code_of(done)
    user = cognito.admin_get_user(UserPoolId=setup.pool_id, Username="adam")
    assert user["UserStatus"] == "CONFIRMED"


def test_sms_mfa_through_the_pages(setup, browser, cognito, outbox):
    client_id = setup.client()["ClientId"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=setup.pool_id, MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsConfiguration": {
            "SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x"}})
    setup.user("beth", phone_number="+15555550111", phone_number_verified="true")
    cognito.admin_set_user_mfa_preference(UserPoolId=setup.pool_id, Username="beth",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    page = browser.sign_in("beth", **authorize_params(client_id))
    assert "We sent a code to +*******0111" in page.text
    wrong = browser.submit(page, "mfa", code="000000")
    assert error_text(wrong) == "Invalid code or auth state for the user."
    code = [m for m in outbox(poolId=setup.pool_id, username="beth")
            if m["medium"] == "SMS"][-1]["code"]
    assert code_of(browser.submit(wrong, "mfa", code=code))


def test_authenticator_app_set_up_during_sign_in(setup, browser, cognito, clock):
    client_id = setup.client()["ClientId"]
    cognito.set_user_pool_mfa_config(UserPoolId=setup.pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    setup.user("cleo")
    now = clock.pin()["now"]
    page = browser.sign_in("cleo", **authorize_params(client_id))
    fields = forms_of(page)["mfasetup"]["fields"]
    secret = fields["secret"]
    assert f'<code id="secret-code">{secret}</code>' in page.text
    assert "otpauth://totp/" in page.text
    wrong = browser.submit(page, "mfasetup", code="000000")
    assert error_text(wrong) == "Code mismatch"
    assert code_of(browser.submit(wrong, "mfasetup", code=totp.code(secret, now)))
    user = cognito.admin_get_user(UserPoolId=setup.pool_id, Username="cleo")
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    # Next time the app's code is asked for.
    clock.advance(60)
    again = browser.sign_in("cleo", **authorize_params(client_id, prompt="login"))
    assert "Enter the code from your authenticator app." in again.text
    assert code_of(browser.submit(again, "mfa", code=totp.code(secret, now + 60)))


def test_choosing_between_two_factors(setup, browser, cognito, clock, outbox):
    client_id = setup.client()["ClientId"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=setup.pool_id, MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        SmsMfaConfiguration={"SmsConfiguration": {
            "SnsCallerArn": "arn:aws:iam::000000000000:role/sns", "ExternalId": "x"}})
    setup.user("dina", phone_number="+15555550122", phone_number_verified="true")
    access = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "dina", "PASSWORD": PASSWORD}
                                   )["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    now = clock.pin()["now"]
    cognito.verify_software_token(AccessToken=access, UserCode=totp.code(secret, now))
    cognito.admin_set_user_mfa_preference(UserPoolId=setup.pool_id, Username="dina",
                                          SMSMfaSettings={"Enabled": True},
                                          SoftwareTokenMfaSettings={"Enabled": True})
    clock.advance(60)
    page = browser.sign_in("dina", **authorize_params(client_id))
    assert 'value="SMS_MFA"' in page.text and 'value="SOFTWARE_TOKEN_MFA"' in page.text
    sms = browser.submit(page, "selectmfa", answer="SMS_MFA")
    assert "We sent a code to +*******0122" in sms.text
    code = [m for m in outbox(poolId=setup.pool_id, username="dina")
            if m["medium"] == "SMS"][-1]["code"]
    assert code_of(browser.submit(sms, "mfa", code=code))


def test_confidential_client_pages_send_the_secret_hash(setup, browser, outbox):
    client_id = setup.client(GenerateSecret=True)["ClientId"]
    setup.user("eric")
    page = browser.login_page(**authorize_params(client_id))
    forgot = browser.get(forms_of(page)["signin"]["action"].replace("/login", "/forgotpassword"))
    confirm = browser.submit(forgot, "forgot", username="eric")
    code = outbox(poolId=setup.pool_id, username="eric")[-1]["code"]
    login = browser.submit(confirm, "confirmforgot", code=code, password="New-Passw0rd!",
                           confirm_password="New-Passw0rd!")
    assert code_of(browser.submit(login, "signin", password="New-Passw0rd!"))


def test_branding_css_and_logo_style_the_pages(setup, browser, cognito):
    client_id = setup.client()["ClientId"]
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+h"
                           "HgAHggJ/PchI7wAAAABJRU5ErkJggg==")
    cognito.set_ui_customization(UserPoolId=setup.pool_id, ClientId=client_id,
                                 CSS=".submitButton-customizable { background-color: red; }",
                                 ImageFile=png)
    page = browser.login_page(**authorize_params(client_id))
    assert ".submitButton-customizable { background-color: red; }" in page.text
    assert 'class="submitButton-customizable"' in page.text
    assert "data:image/png;base64," in page.text


def test_discovery_points_at_the_endpoints(setup, http, endpoint):
    doc = http.get(f"/{setup.pool_id}/.well-known/openid-configuration").json()
    for key, path in (("authorization_endpoint", "/oauth2/authorize"),
                      ("token_endpoint", "/oauth2/token"),
                      ("userinfo_endpoint", "/oauth2/userInfo"),
                      ("revocation_endpoint", "/oauth2/revoke"),
                      ("end_session_endpoint", "/logout")):
        assert doc[key] == endpoint + path


# --- triggers: the pages run the API's sign-in code -----------------------------------------

LAMBDAS = Path(__file__).resolve().parents[1] / "lambdas"


def test_hosted_sign_in_runs_the_triggers(tmp_path):
    """PreAuthentication and PostAuthentication fire at the sign-in, as for InitiateAuth;
    pre token generation fires once, when the code is redeemed, with
    TokenGeneration_HostedAuth."""
    events = tmp_path / "events.jsonl"
    events.touch()
    config = tmp_path / "emulator.yaml"
    source = LAMBDAS / "triggers_py.py"
    config.write_text("functions:\n" + textwrap.indent(
        "".join(f"{n}: {source}:{n}\n" for n in ("pre_authentication", "post_authentication",
                                                  "pre_token")), "  "))
    arn = "arn:aws:lambda:us-east-1:000000000000:function:{}".format
    with RunningServer(["--in-memory", "--log-level", "warning", "--config", str(config)],
                       env={"COGNITO_TEST_EVENTS_FILE": str(events)}) as srv:
        cognito = make_client(srv.url)
        pool_id = cognito.create_user_pool(PoolName="trig", LambdaConfig={
            "PreAuthentication": arn("pre_authentication"),
            "PostAuthentication": arn("post_authentication"),
            "PreTokenGeneration": arn("pre_token")})["UserPool"]["Id"]
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            setup = Setup.__new__(Setup)
            setup.cognito, setup.http, setup.pool_id = cognito, http, pool_id
            client_id = setup.client(AllowedOAuthScopes=["openid", "email"])["ClientId"]
            setup.user("dora")
            browser = Browser(srv.url)
            code = code_of(browser.sign_in("dora", **authorize_params(client_id)))
            sources = [json.loads(line)["triggerSource"] for line in
                       events.read_text().splitlines()]
            assert sources == ["PreAuthentication_Authentication",
                               "PostAuthentication_Authentication"]
            body = setup.exchange(client_id, code).json()
            sources = [json.loads(line)["triggerSource"] for line in
                       events.read_text().splitlines()]
            assert sources[2:] == ["TokenGeneration_HostedAuth"]
            assert claims(body["id_token"])["tier"] == "gold"  # the function's claim
            browser.close()
