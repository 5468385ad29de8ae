"""examples/oidc-federation (docs/FEDERATION.md, "docker compose with Keycloak") without docker:
make-certs.sh makes the CA and the issuer's certificate with openssl, the npm `oidc-provider`
stands in for Keycloak with that certificate, the realm's client and the realm's user, the
emulator trusts the CA through SSL_CERT_FILE as the compose file sets it, and setup.sh
(the AWS CLI) configures the pool. A sign-in then follows the URL setup.sh prints, through the
hosted page's "Sign in with Keycloak" and the issuer's login and consent pages (httpx following
the redirects as a browser would), to the app's callback; the code becomes tokens.

The compose file itself can't run here (no docker): its settings are checked against the
files they name."""
from __future__ import annotations

import html
import json
import os
import re
import ssl
import subprocess
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from tests.support.clients import AWS_CLI, requires
from tests.support.factories import claims
from tests.support.oidc_rig import OidcProvider
from tests.support.server import ROOT, RunningServer

EXAMPLE = ROOT / "examples" / "oidc-federation"
REALM = json.loads((EXAMPLE / "realm-demo.json").read_text())
CALLBACK = "http://localhost:3000/callback"


def compose() -> dict:
    return yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())["services"]


def test_the_compose_file_agrees_with_the_realm_and_setup():
    services = compose()
    cognito, keycloak = services["cognito"], services["keycloak"]
    public = cognito["environment"]["COGNITO_EMULATOR_PUBLIC_URL"]
    assert REALM["clients"][0]["redirectUris"] == [f"{public}/oauth2/idpresponse"]
    assert cognito["environment"]["SSL_CERT_FILE"] == "/certs/ca.pem"
    assert "./certs:/certs:ro" in cognito["volumes"]
    assert keycloak["environment"]["KC_HTTPS_CERTIFICATE_FILE"] == "/certs/keycloak.pem"
    assert keycloak["environment"]["KC_HTTPS_CERTIFICATE_KEY_FILE"] == "/certs/keycloak-key.pem"
    assert "--hostname=https://keycloak:8443" in keycloak["command"]
    setup = (EXAMPLE / "setup.sh").read_text()
    assert "ISSUER=${ISSUER:-https://keycloak:8443/realms/" + REALM["realm"] + "}" in setup
    client = REALM["clients"][0]
    assert f"client_id={client['clientId']},client_secret={client['secret']}," in setup


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example-certs")
    made = subprocess.run(["sh", str(EXAMPLE / "make-certs.sh"), str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    return folder


def follow(browser: httpx.Client, response: httpx.Response, stop: str) -> str:
    """Redirects, the issuer's login (the realm user's name) and consent pages, until a
    redirect to `stop`; that URL."""
    for _ in range(20):
        location = response.headers.get("location")
        if location and location.startswith(stop):
            return location
        if location:
            response = browser.get(response.url.join(location))
        elif 'name="login"' in response.text:
            response = browser.post(response.url, data={
                "prompt": "login", "login": REALM["users"][0]["username"],
                "password": REALM["users"][0]["credentials"][0]["value"]})
        else:
            assert 'value="consent"' in response.text, response.text[:500]
            response = browser.post(response.url, data={"prompt": "consent"})
    raise AssertionError(f"never reached {stop}")


@requires("node_modules", "awscli", "openssl")
def test_setup_and_a_sign_in_with_a_stand_in_issuer(certs):
    client = REALM["clients"][0]
    with RunningServer(["--in-memory", "--log-level", "warning"],
                       env={"SSL_CERT_FILE": str(certs / "ca.pem")}) as emulator:
        # The realm's client, its redirect URI on this emulator's URL (the compose file's
        # public URL plays that part there). The certificate names localhost and keycloak.
        issuer = OidcProvider(certs / "keycloak.pem", certs / "keycloak-key.pem", [{
            "client_id": client["clientId"], "client_secret": client["secret"],
            "redirect_uris": [f"{emulator.url}/oauth2/idpresponse"]}],
            mount=f"/realms/{REALM['realm']}", host="localhost")
        try:
            env = {**os.environ, "E": emulator.url, "ISSUER": issuer.issuer,
                   "CALLBACK": CALLBACK, "PATH": f"{AWS_CLI.parent}:{os.environ['PATH']}"}
            setup = subprocess.run(["sh", str(EXAMPLE / "setup.sh")], env=env,
                                   capture_output=True, text=True, timeout=120)
            assert setup.returncode == 0, setup.stderr
            start = re.search(r"^Open: (\S+)$", setup.stdout, re.M).group(1)
            app_client = parse_qs(urlsplit(start).query)["client_id"][0]

            trust = ssl.create_default_context(cafile=str(certs / "ca.pem"))
            with httpx.Client(verify=trust, timeout=15) as browser:
                login = browser.get(start, follow_redirects=True)
                assert login.status_code == 200, login.text[:300]
                button = re.search(r'href="([^"]+)"[^>]*>\s*Sign in with Keycloak', login.text)
                assert button, login.text[:1000]
                back = follow(browser, browser.get(login.url.join(html.unescape(button[1]))),
                              CALLBACK)
            code = parse_qs(urlsplit(back).query)["code"][0]
            tokens = httpx.post(f"{emulator.url}/oauth2/token", data={
                "grant_type": "authorization_code", "client_id": app_client, "code": code,
                "redirect_uri": CALLBACK})
            assert tokens.status_code == 200, tokens.text
        finally:
            issuer.close()
    user = REALM["users"][0]
    id_claims = claims(tokens.json()["id_token"])
    assert id_claims["cognito:username"] == f"Keycloak_{user['username']}"
    assert id_claims["email"] == user["email"]
    assert id_claims["identities"][0]["providerName"] == "Keycloak"
