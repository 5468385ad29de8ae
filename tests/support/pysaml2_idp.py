"""pysaml2 as an independent SAML identity provider for end-to-end tests.

A real IdP on its own port (a thread with http.server), built on pysaml2's Server, which
signs and encrypts with the xmlsec1 program - none of the emulator's saml/ code is used to
make what it sends. It trusts one service provider: the pool, from the SP metadata the
emulator serves.

    GET  /metadata            its IdP metadata (import into CreateIdentityProvider)
    GET  /sso?SAMLRequest...  HTTP-Redirect AuthnRequest -> a login form (user name only)
    POST /sso                 -> an auto-posting form: SAMLResponse + RelayState to the ACS
    GET  /launch?user=&relay= IdP-initiated: an unsolicited response, auto-posted
    GET  /slo?SAMLRequest...  a LogoutRequest -> an auto-posting LogoutResponse to the SP
    GET  /callback            stands in for the application's redirect URI
"""
from __future__ import annotations

import contextlib
import html
import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from saml.certificates import new_key_pair

EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
SURNAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"

USERS = {
    "carol@example.com": {EMAIL: ["carol@example.com"], GIVEN_NAME: ["Carol"], SURNAME: ["Ng"]},
    "dave@example.com": {EMAIL: ["dave@example.com"], GIVEN_NAME: ["Dave"], SURNAME: ["Ito"]},
}


class Pysaml2Idp:
    def __init__(self, now: float):
        self._dir = tempfile.TemporaryDirectory(prefix="pysaml2-idp-")
        keys = new_key_pair("pysaml2 test IdP", now)
        self.key_file = os.path.join(self._dir.name, "idp.key")
        self.cert_file = os.path.join(self._dir.name, "idp.crt")
        with open(self.key_file, "w") as f:
            f.write(keys.private_key_pem)
        with open(self.cert_file, "w") as f:
            f.write(keys.certificate_pem)
        self.certificate_pem = keys.certificate_pem
        self.sign_response, self.sign_assertion, self.encrypt = True, True, False
        self.callbacks: list[dict] = []          # query strings the app's redirect URI got
        self.logout_requests: list[str] = []     # NameIDs of LogoutRequests received
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.entity_id = f"{self.base}/idp"
        self.sp_metadata: str | None = None
        self.server = self._make_server()
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    # -- configuration --------------------------------------------------------------------------
    def _config(self) -> IdPConfig:
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key_file, "cert_file": self.cert_file,
            "service": {"idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{self.base}/slo", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI,
                                       "attribute_restrictions": None}},
            }},
            "metadata": {"inline": [self.sp_metadata]} if self.sp_metadata else {},
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def _make_server(self) -> Server:
        return Server(config=self._config())

    def trust(self, sp_metadata: str) -> None:
        """Register the service provider (the pool's SP metadata)."""
        self.sp_metadata = sp_metadata
        self.server = self._make_server()

    @contextlib.contextmanager
    def encrypting(self):
        """Encrypt the assertions sent meanwhile (for the trusted SP's encryption cert)."""
        self.encrypt = True
        try:
            yield
        finally:
            self.encrypt = False

    def metadata(self) -> str:
        return str(entity_descriptor(self._config()))

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._dir.cleanup()

    # -- what the IdP sends ---------------------------------------------------------------------
    def _sp(self) -> tuple[str, str]:
        sp_entity_id = next(iter(self.server.metadata.keys()))
        acs = self.server.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)
        return sp_entity_id, acs[0]["location"]

    def response_form(self, user: str, *, in_response_to: str | None, relay_state: str) -> str:
        sp_entity_id, acs_url = self._sp()
        response = self.server.create_authn_response(
            identity=USERS[user], in_response_to=in_response_to, destination=acs_url,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_response=self.sign_response, sign_assertion=self.sign_assertion,
            encrypt_assertion=self.encrypt,
            encrypt_cert_assertion=self._sp_encryption_cert() if self.encrypt else None,
            encrypt_assertion_self_contained=False,
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        args = self.server.apply_binding(BINDING_HTTP_POST, str(response), acs_url, relay_state,
                                         response=True)
        return args["data"]

    def _sp_encryption_cert(self) -> str:
        sp_entity_id, _ = self._sp()
        certs = self.server.metadata.certs(sp_entity_id, "spsso", "encryption")
        return certs[0][1]


def _handler(idp: Pysaml2Idp):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _send(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/metadata":
                return self._send(200, idp.metadata())
            if url.path == "/sso":
                request = idp.server.parse_authn_request(query["SAMLRequest"],
                                                         BINDING_HTTP_REDIRECT)
                hidden = {"id": request.message.id, "relay": query.get("RelayState", "")}
                fields = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                                 for k, v in hidden.items())
                return self._send(200, f"""<!doctype html><title>pysaml2 IdP</title>
<form method="post" action="/sso">{fields}
<label>User <input name="user" id="user"></label><button id="signin">Sign in</button></form>""")
            if url.path == "/launch":
                return self._send(200, idp.response_form(query["user"], in_response_to=None,
                                                         relay_state=query.get("relay", "")))
            if url.path == "/slo":
                request = idp.server.parse_logout_request(query["SAMLRequest"],
                                                          BINDING_HTTP_REDIRECT)
                idp.logout_requests.append(request.message.name_id.text)
                response = idp.server.create_logout_response(
                    request.message, [BINDING_HTTP_POST], sign=True, sign_alg=SIG_RSA_SHA256,
                    digest_alg=DIGEST_SHA256)
                destination = idp.server.metadata.single_logout_service(
                    request.message.issuer.text, BINDING_HTTP_POST, "spsso")[0]["location"]
                args = idp.server.apply_binding(BINDING_HTTP_POST, str(response), destination,
                                                query.get("RelayState", ""), response=True)
                return self._send(200, args["data"])
            if url.path == "/callback":
                idp.callbacks.append(query)
                return self._send(200, "<!doctype html><title>App</title><p id=done>signed in")
            if url.path == "/signed-out":
                return self._send(200, "<!doctype html><title>App</title><p id=out>signed out")
            return self._send(404, "not found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/sso":
                return self._send(200, idp.response_form(form["user"], in_response_to=form["id"],
                                                         relay_state=form.get("relay", "")))
            return self._send(404, "not found")

    return Handler
