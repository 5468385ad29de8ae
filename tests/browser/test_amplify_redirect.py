"""Amplify JS v6's signInWithRedirect in Chromium over HTTPS with the AWS-form domain, the way
a web app runs it against AWS: `loginWith.oauth.domain` is
`<prefix>.auth.us-east-1.amazoncognito.com`, and no endpoint is overridden anywhere.

The emulator runs with `--tls` and its TLS listener on port 443 of an address of its own in
127.0.0.0/8 (root, as CI is; as tests/api/test_tls.py does). Chromium resolves the AWS names
to that address (`--host-resolver-rules`) and trusts the listener's key
(`--ignore-certificate-errors-spki-list`, docs/TLS.md's browser recipe). The app
(tests/node/amplify_app, bundled here with esbuild into a temporary directory) is served on
http://localhost:<port>/, a callback URL Cognito allows over plain HTTP.

The hosted login form is filled, Amplify exchanges the code at /oauth2/token (a cross-origin
POST, so CORS), the page shows the tokens' claims (the access token's `username` among them),
and signOut() goes through /logout to redirectSignOut."""
import base64
import hashlib
import http.server
import json
import socket
import ssl
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.conftest import make_client
from tests.support.clients import CHROMIUM, NODE_DIR, requires
from tests.support.factories import PASSWORD, create_user, delete_pool, unique_name
from tests.support.server import tls_on_port_443

from .conftest import FLAGS

pytestmark = requires("chromium", "node_modules")
APP = NODE_DIR / "amplify_app"
SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]


@pytest.fixture(scope="module")
def emulator():
    server = tls_on_port_443(7)
    with server:
        yield server


def spki_hash(address: str, server_name: str) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of the certificate the listener presents for
    `server_name`: what --ignore-certificate-errors-spki-list takes."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((address, 443), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=server_name) as tls:
        der = tls.getpeercert(binary_form=True)
    key = x509.load_der_x509_certificate(der).public_key()
    spki = key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """tests/node/amplify_app/app.js bundled for the browser by esbuild (npm)."""
    out = tmp_path_factory.mktemp("amplify-app") / "app.js"
    built = subprocess.run(
        ["node_modules/.bin/esbuild", str(APP / "app.js"), "--bundle", "--format=iife",
         "--platform=browser", "--log-level=warning", f"--outfile={out}"],
        capture_output=True, text=True, timeout=120, cwd=NODE_DIR)
    assert built.returncode == 0, built.stderr
    return out


class _AppPages(http.server.BaseHTTPRequestHandler):
    """The app's origin: /app.js (the bundle), /config.js (window.AMPLIFY_APP), and the page
    itself at every other path (/, /signed-out); each path asked for is recorded."""

    def do_GET(self):  # noqa: N802 - the standard library's name
        path = urlsplit(self.path).path
        self.server.arrived.append(self.path)
        if path == "/app.js":
            body, kind = self.server.bundle.read_bytes(), "text/javascript"
        elif path == "/config.js":
            body = f"window.AMPLIFY_APP = {json.dumps(self.server.config)};".encode()
            kind = "text/javascript"
        else:
            body, kind = (APP / "index.html").read_bytes(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def app_pages(bundle):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AppPages)
    server.arrived, server.bundle, server.config = [], bundle, {}
    server.origin = f"http://localhost:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(emulator, app_pages):
    """A pool with an AWS-form domain prefix and a hosted-UI client whose callback and
    sign-out URLs are the app's; the app configured for it."""
    cognito = make_client(emulator.url)
    pool_id = cognito.create_user_pool(PoolName=unique_name("amplify"))["UserPool"]["Id"]
    prefix = unique_name("amp").lower()
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=pool_id)
    redirect = app_pages.origin + "/"
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=SCOPES, CallbackURLs=[redirect],
        LogoutURLs=[redirect + "signed-out"], SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    domain = f"{prefix}.auth.us-east-1.amazoncognito.com"
    app_pages.config = {"userPoolId": pool_id, "userPoolClientId": client_id,
                        "domain": domain, "redirect": redirect}
    yield {"cognito": cognito, "pool_id": pool_id, "client_id": client_id, "domain": domain,
           "redirect": redirect}
    delete_pool(cognito, pool_id)


@pytest.fixture
def browser_page(chromium, emulator, site):
    """Chromium as a user's: the AWS names resolve to the emulator, and the listener's key is
    trusted (its certificates chain to the emulator's CA, which this browser doesn't know)."""
    rules = (f"MAP *.amazoncognito.com {emulator.address}, "
             f"MAP cognito-idp.us-east-1.amazonaws.com {emulator.address}")
    spki = spki_hash(emulator.address, site["domain"])
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*FLAGS, f"--host-resolver-rules={rules}",
              f"--ignore-certificate-errors-spki-list={spki}"])
    context = browser.new_context()
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()
    browser.close()


def app_state(page) -> dict:
    return json.loads(page.inner_text("#state"))


def wait_for_state(page, signed_in: bool) -> dict:
    page.wait_for_function(
        "want => { const t = document.getElementById('state').textContent;"
        " return t && JSON.parse(t).signedIn === want; }", arg=signed_in)
    return app_state(page)


def test_sign_in_with_redirect_and_sign_out(site, browser_page, app_pages, emulator):
    page = browser_page
    username = create_user(site["cognito"], site["pool_id"], unique_name("amp"), attributes=[
        {"Name": "email", "Value": f"{unique_name('amp')}@example.com"},
        {"Name": "email_verified", "Value": "true"}])
    requests, answers, failed = [], {}, []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    page.on("response", lambda r: answers.setdefault((r.request.method, r.url), r.status))
    page.on("requestfailed", lambda r: failed.append((r.method, r.url, r.failure)))
    page.goto(site["redirect"])
    assert wait_for_state(page, False)["access"] is None

    page.click("#sign-in")
    page.wait_for_url(f"https://{site['domain']}/login?*")
    authorize = next(url for method, url in requests if "/oauth2/authorize" in url)
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert urlsplit(authorize).netloc == site["domain"]
    assert query["code_challenge_method"] == "S256" and query["redirect_uri"] == site["redirect"]
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[name=signin] button[type=submit]")

    state = wait_for_state(page, True)
    assert "error" not in state, state
    # The code exchange: a cross-origin POST from the app's origin, answered (CORS).
    assert answers[("POST", f"https://{site['domain']}/oauth2/token")] == 200
    access, id_claims = state["access"], state["id"]
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{site['pool_id']}"
    assert access["username"] == username and access["token_use"] == "access"
    assert access["iss"] == id_claims["iss"] == issuer
    assert access["client_id"] == site["client_id"]
    assert sorted(access["scope"].split()) == sorted(SCOPES)
    assert id_claims["cognito:username"] == username and id_claims["aud"] == site["client_id"]
    assert id_claims["email_verified"] is True
    assert "signInWithRedirect" in state["events"] and "signedIn" in state["events"]

    page.click("#sign-out")
    page.wait_for_url(site["redirect"] + "signed-out")
    logout = next(url for method, url in requests if urlsplit(url).path == "/logout")
    assert urlsplit(logout).netloc == site["domain"]
    assert parse_qs(urlsplit(logout).query) == {
        "client_id": [site["client_id"]], "logout_uri": [site["redirect"] + "signed-out"]}
    after = wait_for_state(page, False)
    assert after["access"] is None and "error" not in after
    # signOut() revoked the sign-in's refresh token first (RevokeToken at the AWS API host):
    # the access token the page held is refused from then on.
    assert answers[("POST", "https://cognito-idp.us-east-1.amazonaws.com/")] == 200
    with pytest.raises(site["cognito"].exceptions.NotAuthorizedException) as caught:
        site["cognito"].get_user(AccessToken=state["accessToken"])
    assert caught.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert failed == []

    # /logout ended the hosted UI's session too: the next sign-in asks for the password again.
    page.click("#sign-in")
    page.wait_for_url(f"https://{site['domain']}/login?*")
    assert page.is_visible("form[name=signin]")
