"""The hosted pages in a real browser: Chromium driven by Playwright signs in with the
authorization code flow and PKCE, signs up with the emailed code, sees a wrong password
refused, and is signed in again by its session cookie. The pages are opened on the pool's
domain host, <prefix>.auth.localhost:<port>, which Chromium resolves to loopback.

The app's redirect_uri is a small HTTP server on 127.0.0.1 that records what the browser
brings back. Chromium is the Debian package (/usr/bin/chromium); nothing is downloaded.
"""
import base64
import hashlib
import http.server
import secrets
import threading
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.support.factories import claims, delete_pool, unique_name

PASSWORD = "Passw0rd!x1"


# --- the app's side: a redirect target that records what arrives ---------------------------

class _Callback(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        self.server.arrived.append(self.path)
        body = b"<!DOCTYPE html><title>app</title><p id='app'>Signed in</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def app_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    server.arrived = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Site:
    def __init__(self, cognito, endpoint, app_server):
        self.cognito = cognito
        self.callback = f"http://127.0.0.1:{app_server.server_address[1]}/callback"
        self.arrived = app_server.arrived
        self.pool_id = cognito.create_user_pool(
            PoolName=unique_name("browser"), AutoVerifiedAttributes=["email"],
            UsernameAttributes=["email"])["UserPool"]["Id"]
        self.domain = f"web-{uuid.uuid4().hex[:10]}"
        cognito.create_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        self.base = f"http://{self.domain}.auth.localhost:{urlsplit(endpoint).port}"
        self.client_id = cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[self.callback], SupportedIdentityProviders=["COGNITO"],
        )["UserPoolClient"]["ClientId"]

    def user(self, email: str) -> str:
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=email, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email},
                            {"Name": "email_verified", "Value": "true"}])
        self.cognito.admin_set_user_password(UserPoolId=self.pool_id, Username=email,
                                             Password=PASSWORD, Permanent=True)
        return email

    def authorize_url(self, **extra) -> str:
        params = {"client_id": self.client_id, "response_type": "code",
                  "redirect_uri": self.callback, "scope": "openid email", "state": "st"}
        params.update(extra)
        return f"{self.base}/oauth2/authorize?{urlencode(params)}"

    def back_at_app(self, page) -> dict:
        page.wait_for_url(f"{self.callback}?*")
        return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}

    def close(self):
        self.cognito.delete_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        delete_pool(self.cognito, self.pool_id)


@pytest.fixture
def site(cognito, endpoint, app_server):
    made = Site(cognito, endpoint, app_server)
    yield made
    made.close()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[name=signin] button[type=submit]")


# --- the tests --------------------------------------------------------------------------

def test_code_flow_with_pkce_through_the_login_page(site, page, http):
    email = site.user(f"ann-{uuid.uuid4().hex[:6]}@example.com")
    verifier, challenge = pkce()
    page.goto(site.authorize_url(code_challenge=challenge, code_challenge_method="S256",
                                 nonce="n-1"))
    assert urlsplit(page.url).path == "/login"
    assert page.title() == "Sign in"
    assert page.inner_text("label[for=username]") == "Email"
    sign_in(page, email)
    back = site.back_at_app(page)
    assert back["state"] == "st"
    assert page.inner_text("#app") == "Signed in"

    tokens = http.post("/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": site.client_id, "code": back["code"],
        "redirect_uri": site.callback, "code_verifier": verifier}).json()
    id_claims = claims(tokens["id_token"])
    assert id_claims["email"] == email and id_claims["nonce"] == "n-1"
    assert claims(tokens["access_token"])["scope"] == "openid email"


def test_wrong_password_is_shown(site, page):
    email = site.user(f"bob-{uuid.uuid4().hex[:6]}@example.com")
    page.goto(site.authorize_url())
    sign_in(page, email, "Not-the-passw0rd")
    assert page.inner_text("#error") == "Incorrect username or password."
    assert page.input_value("#username") == email   # kept for the next try
    assert page.input_value("#password") == ""
    page.fill("#password", PASSWORD)
    page.click("form[name=signin] button[type=submit]")
    assert "code" in site.back_at_app(page)


def test_sign_up_and_confirmation(site, page, outbox):
    from playwright.sync_api import expect  # here: without Playwright the test skips loudly

    email = f"cat-{uuid.uuid4().hex[:6]}@example.com"
    page.goto(site.authorize_url())
    page.click("text=Need an account? Sign up")
    assert urlsplit(page.url).path == "/signup"
    page.fill("#username", email)
    page.fill("#password", PASSWORD)
    page.click("form[name=signup] button[type=submit]")
    # The click only starts the navigation: expect() waits for the next page.
    expect(page).to_have_title("Confirm your account")
    assert "We have sent a code by email to c***@e***" in page.inner_text("#message")

    code = outbox(poolId=site.pool_id, purpose="SIGN_UP")[-1]["code"]
    page.fill("input[name=code]", code)
    page.click("form[name=confirm] button[value=submit]")
    # The confirmation page had a #message of its own: wait for the sign-in page's.
    expect(page.locator("#message")).to_have_text("Your account is confirmed. Sign in.")
    page.fill("#password", PASSWORD)
    page.click("form[name=signin] button[type=submit]")
    assert "code" in site.back_at_app(page)


def test_session_cookie_is_reused_by_a_second_authorize(site, page):
    email = site.user(f"dan-{uuid.uuid4().hex[:6]}@example.com")
    page.goto(site.authorize_url(state="first"))
    sign_in(page, email)
    assert site.back_at_app(page)["state"] == "first"

    cookie = next(c for c in page.context.cookies() if c["name"] == f"cognito-{site.pool_id}")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert cookie["domain"] == f"{site.domain}.auth.localhost"
    assert 3500 < cookie["expires"] - time.time() <= 3600

    visited = []
    page.on("request", lambda request: visited.append(urlsplit(request.url).path))
    page.goto(site.authorize_url(state="second"))
    back = site.back_at_app(page)
    assert back["state"] == "second" and back["code"]
    assert "/login" not in visited        # straight back to the app, no login page


def test_script_in_parameters_does_not_run(site, page):
    script = "<script>window.__pwned = 1</script>"
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site.authorize_url(state=script, login_hint='"><img src=x onerror=alert(1)>'))
    assert page.title() == "Sign in"
    assert page.evaluate("window.__pwned") is None
    assert page.input_value("#username") == '"><img src=x onerror=alert(1)>'
    sign_in(page, "<script>alert(2)</script>", "whatever")
    assert page.inner_text("#error") == "User does not exist."
    assert page.evaluate("window.__pwned") is None and dialogs == []
