"""Attacks on OIDC federation, each refused with no user created or changed (checked with
ListUsers / AdminGetUser). The provider is a hostile issuer of this module's own (http.server
on loopback, tokens made with PyJWT and cryptography), not the emulator's mock, so the relying
party's checks (web/oidc_rp.py) are tested against an outside producer. The emulator accepts an
http:// issuer on a loopback host only (emulator-only allowance)."""
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.factories import attrs_of, claims, delete_pool
from tests.support.oidc_flow import authorize, callback, fed_pool, redeem

CLIENT_ID = "hostile-rp-client"


class HostileIssuer:
    """An OIDC issuer whose token endpoint answers `self.forge(nonce)`'s id_token."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.claims: dict = {}
        self.mode = "good"
        self.nonce: str | None = None
        self.old_nonce: str | None = None

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body: dict, status: int = 200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    return self._json(issuer.discovery())
                if path == "/jwks":
                    return self._json(issuer.jwks())
                if path == "/userinfo":
                    return self._json({"sub": issuer.claims.get("sub")})
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token" or form.get("code") != "the-code":
                    return self._json({"error": "invalid_grant"}, 400)
                return self._json({"access_token": "at", "token_type": "Bearer",
                                   "id_token": issuer.forge()})
        return Handler

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "userinfo_endpoint": self.issuer + "/userinfo",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"]}

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def forge(self) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 600,
                "nonce": self.nonce, **self.claims}
        mode = self.mode
        if mode == "wrong_iss":
            body["iss"] = "http://127.0.0.1:1/evil"
        elif mode == "wrong_aud":
            body["aud"] = "someone-else"
        elif mode == "expired":
            body.update(iat=now - 7200, exp=now - 3600)
        elif mode == "replayed_nonce":
            body["nonce"] = self.old_nonce
        if mode == "other_key":
            return jwt.encode(body, self.other_key, algorithm="RS256", headers={"kid": "k1"})
        if mode == "alg_none":
            return _unsigned(body, {"alg": "none", "kid": "k1"}) + ""
        if mode == "hs256_public_key":
            secret = self.key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            return _hmac_signed(body, secret)
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "k1"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(body: dict, header: dict) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}."


def _hmac_signed(body: dict, secret: bytes) -> str:
    """HS256 keyed with the issuer's public key PEM (the algorithm-confusion attack); made by
    hand because PyJWT refuses to use a PEM as an HMAC secret."""
    signing_input = (f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'k1'}).encode())}."
                     f"{_b64(json.dumps(body).encode())}")
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


@pytest.fixture(scope="module")
def hostile():
    issuer = HostileIssuer()
    thread = threading.Thread(target=issuer.server.serve_forever, daemon=True)
    thread.start()
    yield issuer
    issuer.server.shutdown()
    issuer.server.server_close()


@pytest.fixture
def rig(cognito, hostile):
    """(pool id, client id): provider "Evil" (the hostile issuer, mapping email and
    email_verified) plus a native user alice with a verified email; the mode reset to good."""
    hostile.mode, hostile.claims = "good", {"sub": "evil-1", "email": "mallory@example.com",
                                            "email_verified": True}
    pool_id, client_id = fed_pool(cognito, mapping={"email": "email",
                                                    "email_verified": "email_verified"},
                                  providers=[{"ProviderName": "Evil", "ProviderType": "OIDC",
                                              "ProviderDetails": {
                                                  "client_id": CLIENT_ID, "client_secret": "s",
                                                  "attributes_request_method": "GET",
                                                  "oidc_issuer": hostile.issuer,
                                                  "authorize_scopes": "openid email"}}])
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
    yield pool_id, client_id
    delete_pool(cognito, pool_id)


def start(http: httpx.Client, client_id: str, hostile: HostileIssuer,
          provider: str = "Evil") -> str:
    """/oauth2/authorize -> the hostile issuer's authorize URL; its state (the nonce kept)."""
    first = authorize(http, client_id, provider)
    assert first.status_code == 302, first.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(first.headers["location"]).query).items()}
    assert first.headers["location"].startswith(hostile.issuer + "/authorize")
    hostile.old_nonce, hostile.nonce = hostile.nonce, query["nonce"]
    return query["state"]


def respond(http: httpx.Client, state: str, code: str = "the-code") -> httpx.Response:
    return http.get("/oauth2/idpresponse", params={"code": code, "state": state})


def snapshot(cognito, pool_id: str) -> list:
    users = cognito.list_users(UserPoolId=pool_id)["Users"]
    return sorted((u["Username"], sorted(attrs_of(u).items()), u["UserLastModifiedDate"])
                  for u in users)


def test_the_rig_signs_in_when_nothing_is_forged(rig, hostile, cognito, http):
    pool_id, client_id = rig
    got = callback(respond(http, start(http, client_id, hostile)))
    assert claims(redeem(http, client_id, got["code"])["id_token"])["cognito:username"] == \
        "Evil_evil-1"


@pytest.mark.parametrize("mode, reason", [
    ("other_key", "signature"), ("alg_none", "alg none"), ("hs256_public_key", "alg HS256"),
    ("wrong_iss", "issuer"), ("wrong_aud", "audience"), ("expired", "expired"),
    ("replayed_nonce", "nonce")])
def test_forged_id_tokens_are_refused(mode, reason, rig, hostile, cognito, http):
    pool_id, client_id = rig
    before = snapshot(cognito, pool_id)
    if mode == "replayed_nonce":   # a nonce of an earlier sign-in
        start(http, client_id, hostile)
    state = start(http, client_id, hostile)
    hostile.mode = mode
    got = callback(respond(http, state))
    assert got["error"] == "invalid_request" and "code" not in got
    assert reason.split()[-1].lower() in got["error_description"].lower()
    assert snapshot(cognito, pool_id) == before


def test_state_mismatch_is_refused(rig, hostile, cognito, http):
    pool_id, client_id = rig
    before = snapshot(cognito, pool_id)
    start(http, client_id, hostile)
    answer = respond(http, "a-state-we-never-sent")
    assert answer.status_code == 400 and "Start again" in answer.text
    assert snapshot(cognito, pool_id) == before


def test_replayed_code_at_idpresponse_is_refused(rig, hostile, cognito, http):
    pool_id, client_id = rig
    state = start(http, client_id, hostile)
    assert "code" in callback(respond(http, state))
    after_first = snapshot(cognito, pool_id)
    again = respond(http, state)
    assert again.status_code == 400 and "already answered" in again.text
    assert snapshot(cognito, pool_id) == after_first


def test_unverified_email_never_takes_over_a_verified_one(rig, hostile, cognito, http):
    pool_id, client_id = rig
    # The admin linked the provider's users by email to native users.
    cognito.admin_link_provider_for_user(
        UserPoolId=pool_id, DestinationUser={"ProviderName": "Cognito",
                                             "ProviderAttributeValue": "alice"},
        SourceUser={"ProviderName": "Evil", "ProviderAttributeName": "email",
                    "ProviderAttributeValue": "alice@example.com"})
    before = snapshot(cognito, pool_id)
    hostile.claims = {"sub": "evil-2", "email": "alice@example.com", "email_verified": False}
    got = callback(respond(http, start(http, client_id, hostile)))
    assert got["error"] == "invalid_request" and "not verified" in got["error_description"]
    assert snapshot(cognito, pool_id) == before


def test_unverified_email_does_not_overwrite_a_linked_users_verified_email(rig, hostile,
                                                                           cognito, http):
    pool_id, client_id = rig
    cognito.admin_link_provider_for_user(
        UserPoolId=pool_id, DestinationUser={"ProviderName": "Cognito",
                                             "ProviderAttributeValue": "alice"},
        SourceUser={"ProviderName": "Evil", "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "evil-3"})
    hostile.claims = {"sub": "evil-3", "email": "mallory@example.com", "email_verified": False}
    got = callback(respond(http, start(http, client_id, hostile)))
    assert "code" in got
    alice = attrs_of(cognito.admin_get_user(UserPoolId=pool_id, Username="alice"))
    assert (alice["email"], alice["email_verified"]) == ("alice@example.com", "true")


def test_a_provider_the_client_does_not_support_is_refused(cognito, hostile, http):
    pool_id, client_id = fed_pool(cognito, mapping={"email": "email"}, supported=["COGNITO"],
                                  providers=[{"ProviderName": "Evil", "ProviderType": "OIDC",
                                              "ProviderDetails": {
                                                  "client_id": CLIENT_ID, "client_secret": "s",
                                                  "attributes_request_method": "GET",
                                                  "oidc_issuer": hostile.issuer,
                                                  "authorize_scopes": "openid"}}])
    try:
        got = callback(authorize(http, client_id, "Evil"))
        assert got["error"] == "invalid_request" and "not a supported" in \
            got["error_description"]
        assert cognito.list_users(UserPoolId=pool_id)["Users"] == []
    finally:
        delete_pool(cognito, pool_id)
