"""pysaml2 as an independent SAML identity provider for tests: none of the emulator's saml/
code makes what it sends (pysaml2 signs and encrypts with the xmlsec1 program).

Pysaml2Producer is the IdP without HTTP: pysaml2's Server, configured as a deployment would
configure it, trusting the pools' SP metadata; the API tests (tests/support/saml_rig.py) post
what it makes themselves. It uses pysaml2's defaults everywhere but two settings a real IdP
sets too: RSA-SHA256 signatures (pysaml2's default is SHA-1, which the emulator refuses) and
an attribute map that sends each attribute under the name the test gives (pysaml2 would turn
`mail` into `urn:oid:0.9.2342.19200300.100.1.3`). Encryption is pysaml2's default: 3DES-CBC
content, RSA-OAEP key transport, and a self-contained Assertion that declares its own
namespace prefixes.

    producer = Pysaml2Producer(keys, entity_id=..., sso_url=..., slo_url=...)
    producer.trust(sp_metadata_xml)
    b64 = producer.authn_response(sp_entity_id=..., name_id=..., attributes={...},
                                  in_response_to=None, now=emulator_now, encrypt=True)

Pysaml2Idp serves a producer over HTTP on its own port (a thread with http.server), for the
browser tests:

    GET  /metadata            its IdP metadata (import into CreateIdentityProvider)
    GET  /sso?SAMLRequest...  HTTP-Redirect AuthnRequest -> a login form (user name only)
    POST /sso                 -> an auto-posting form: SAMLResponse + RelayState to the ACS
    GET  /launch?user=&relay= IdP-initiated: an unsolicited response, auto-posted
    GET  /slo?SAMLRequest...  a LogoutRequest -> an auto-posting LogoutResponse to the SP
    GET  /callback            stands in for the application's redirect URI
"""
from __future__ import annotations

import base64
import contextlib
import datetime as _datetime
import html
import os
import tempfile
import threading
import time as _time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import saml2.time_util
from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from saml.certificates import KeyPair, new_key_pair

EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
SURNAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"

USERS = {
    "carol@example.com": {EMAIL: ["carol@example.com"], GIVEN_NAME: ["Carol"], SURNAME: ["Ng"]},
    "dave@example.com": {EMAIL: ["dave@example.com"], GIVEN_NAME: ["Dave"], SURNAME: ["Ito"]},
}

# One attribute converter that knows no names: attributes go out under the given names.
_AS_GIVEN = '''MAP = {"identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
       "fro": {}, "to": {}}
'''
_clock_lock = threading.Lock()


@contextlib.contextmanager
def pysaml2_clock(now: float | None):
    """pysaml2 reads the wall clock (time.gmtime, datetime.now) for IssueInstant and
    NotOnOrAfter; tests pin or advance the emulator's clock. Meanwhile pysaml2's time module
    sees `now` instead (None: the real clock)."""
    if now is None:
        yield
        return

    class Clock:  # the attributes of `time` that saml2.time_util uses, `now` for the clock
        def __getattr__(self, name):
            return getattr(_time, name)

        def gmtime(self, seconds=None):
            return _time.gmtime(now if seconds is None else seconds)

        def time(self):
            return now

    class Datetime(_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return _datetime.datetime.fromtimestamp(now, tz)

    with _clock_lock:
        saved = saml2.time_util.time, saml2.time_util.datetime
        saml2.time_util.time, saml2.time_util.datetime = Clock(), Datetime
        try:
            yield
        finally:
            saml2.time_util.time, saml2.time_util.datetime = saved


class Pysaml2Producer:
    """A pysaml2 IdP (entity_id, keys, SSO and SLO URLs) that trusts the SPs given to trust()."""

    def __init__(self, keys: KeyPair, *, entity_id: str, sso_url: str, slo_url: str,
                 lifetime_minutes: int = 5):
        self.keys, self.entity_id = keys, entity_id
        self.lifetime_minutes = lifetime_minutes
        self.sso_url, self.slo_url = sso_url, slo_url
        self._dir = tempfile.TemporaryDirectory(prefix="pysaml2-idp-")
        folder = self._dir.name
        self.key_file, self.cert_file = os.path.join(folder, "idp.key"), os.path.join(folder,
                                                                                      "idp.crt")
        with open(self.key_file, "w") as f:
            f.write(keys.private_key_pem)
        with open(self.cert_file, "w") as f:
            f.write(keys.certificate_pem)
        self.attribute_maps = os.path.join(folder, "attributemaps")
        os.mkdir(self.attribute_maps)
        with open(os.path.join(self.attribute_maps, "as_given.py"), "w") as f:
            f.write(_AS_GIVEN)
        self.sp_metadata: list[str] = []
        self.server = Server(config=self._config())

    def _config(self) -> IdPConfig:
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key_file, "cert_file": self.cert_file,
            "attribute_map_dir": self.attribute_maps,
            "service": {"idp": {
                "endpoints": {
                    "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(self.slo_url, BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "signing_algorithm": SIG_RSA_SHA256, "digest_algorithm": DIGEST_SHA256,
                "policy": {"default": {"lifetime": {"minutes": self.lifetime_minutes},
                                       "attribute_restrictions": None}},
            }},
            "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def trust(self, sp_metadata: str) -> str:
        """Register a service provider (a pool's SP metadata; earlier ones stay trusted)
        -> its entity id."""
        self.sp_metadata.append(sp_metadata)
        self.server = Server(config=self._config())
        return etree.fromstring(sp_metadata.encode()).get("entityID")

    def metadata(self) -> str:
        return str(entity_descriptor(self._config()))

    def close(self) -> None:
        self._dir.cleanup()

    def acs_url(self, sp_entity_id: str) -> str:
        return self.server.metadata.assertion_consumer_service(
            sp_entity_id, BINDING_HTTP_POST)[0]["location"]

    def _encryption_certificate(self, sp_entity_id: str) -> str:
        return self.server.metadata.certs(sp_entity_id, "spsso", "encryption")[0][1]

    def authn_response(self, *, sp_entity_id: str, name_id: str, attributes: dict,
                       in_response_to: str | None, now: float | None = None,
                       destination: str | None = None, sign_response: bool = True,
                       sign_assertion: bool = True, encrypt: bool = False,
                       self_contained: bool = True) -> str:
        """A SAMLResponse (base64, the POST binding's form field) for a trusted SP, made at
        `now`; destination (Destination and Recipient) defaults to the SP's ACS."""
        with pysaml2_clock(now):
            response = self.server.create_authn_response(
                identity=attributes, in_response_to=in_response_to,
                destination=destination or self.acs_url(sp_entity_id),
                sp_entity_id=sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=name_id),
                authn={"class_ref": PASSWORD_CLASS},
                sign_response=sign_response, sign_assertion=sign_assertion,
                encrypt_assertion=encrypt,
                encrypt_cert_assertion=self._encryption_certificate(sp_entity_id)
                if encrypt else None,
                encrypt_assertion_self_contained=self_contained)
        return base64.b64encode(str(response).encode()).decode()

    def logout_response(self, request_query: dict, *, now: float | None = None,
                        status: str | None = None, sign: bool = True) -> tuple[str, str, str]:
        """Answer an HTTP-Redirect LogoutRequest (its query) -> (NameID it named, the SP's
        POST URL, the SAMLResponse form field); status None is Success."""
        with pysaml2_clock(now):
            request = self.server.parse_logout_request(request_query["SAMLRequest"],
                                                       BINDING_HTTP_REDIRECT)
            response = self.server.create_logout_response(
                request.message, [BINDING_HTTP_POST], sign=sign,
                status=None if status is None else
                samlp.Status(status_code=samlp.StatusCode(value=status)))
        destination = self.server.metadata.single_logout_service(
            request.message.issuer.text, BINDING_HTTP_POST, "spsso")[0]["location"]
        return (request.message.name_id.text, destination,
                base64.b64encode(str(response).encode()).decode())


class Pysaml2Idp:
    """A Pysaml2Producer on its own HTTP port, with a login form: the browser tests' IdP."""

    def __init__(self, now: float):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.entity_id = f"{self.base}/idp"
        self.producer = Pysaml2Producer(new_key_pair("pysaml2 test IdP", now),
                                        entity_id=self.entity_id, sso_url=f"{self.base}/sso",
                                        slo_url=f"{self.base}/slo")
        self.certificate_pem = self.producer.keys.certificate_pem
        self.encrypt = False
        self.callbacks: list[dict] = []          # query strings the app's redirect URI got
        self.logout_requests: list[str] = []     # NameIDs of LogoutRequests received
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def trust(self, sp_metadata: str) -> None:
        """Answer this SP from now on (the pool the test set up last)."""
        self.sp_entity_id = self.producer.trust(sp_metadata)

    @contextlib.contextmanager
    def encrypting(self):
        """Encrypt the assertions sent meanwhile (for the trusted SP's encryption cert)."""
        self.encrypt = True
        try:
            yield
        finally:
            self.encrypt = False

    def metadata(self) -> str:
        return self.producer.metadata()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self.producer.close()

    def response_form(self, user: str, *, in_response_to: str | None, relay_state: str) -> str:
        sp_entity_id = self.sp_entity_id
        b64 = self.producer.authn_response(sp_entity_id=sp_entity_id, name_id=user,
                                           attributes=USERS[user], in_response_to=in_response_to,
                                           encrypt=self.encrypt)
        return auto_post(self.producer.acs_url(sp_entity_id), b64, relay_state)


def auto_post(url: str, saml_response: str, relay_state: str) -> str:
    """The POST binding's page: a form that posts itself."""
    fields = {"SAMLResponse": saml_response, "RelayState": relay_state}
    inputs = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return (f'<!doctype html><title>pysaml2 IdP</title><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(url)}">{inputs}</form>')


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
                request = idp.producer.server.parse_authn_request(query["SAMLRequest"],
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
                name_id, destination, b64 = idp.producer.logout_response(query)
                idp.logout_requests.append(name_id)
                return self._send(200, auto_post(destination, b64, query.get("RelayState", "")))
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
