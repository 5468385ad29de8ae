"""Which CAs the emulator trusts when it calls out over HTTPS (emulator/trust.py): an issuer and
a SAML metadata URL served over HTTPS with a certificate of the test's own CA are reached
through `--trust-ca FILE`, and refused by an emulator that does not trust that CA."""
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from saml.idp import idp_metadata
from tests.support.oidc_flow import CALLBACK, authorize, fed_pool
from tests.support.oidc_rig import LocalCA
from tests.support.server import RunningServer


class HttpsIssuer:
    """An OIDC discovery document and SAML IdP metadata over HTTPS on 127.0.0.1."""

    def __init__(self, ca: LocalCA):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(ca.cert_file, ca.key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.metadata = idp_metadata(entity_id=f"{self.url}/saml", sso_url=f"{self.url}/sso",
                                     certificate_pem=ca.cert_file.read_text())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    body, kind = json.dumps({
                        "issuer": issuer.url, "authorization_endpoint": f"{issuer.url}/authorize",
                        "token_endpoint": f"{issuer.url}/token", "jwks_uri": f"{issuer.url}/jwks",
                        "userinfo_endpoint": f"{issuer.url}/userinfo"}).encode(), "application/json"
                elif path == "/metadata":
                    body, kind = issuer.metadata.encode(), "application/xml"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return LocalCA(tmp_path_factory.mktemp("trust-ca"))


@pytest.fixture(scope="module")
def issuer(ca):
    running = HttpsIssuer(ca)
    yield running
    running.close()


@pytest.fixture(scope="module", params=["trusting", "not trusting"])
def emulator(request, ca):
    # SSL_CERT_FILE emptied: only --trust-ca can bring the test's CA in.
    args = ["--in-memory", *(["--trust-ca", str(ca.ca_file)] if request.param == "trusting"
                             else [])]
    with RunningServer(args, env={"SSL_CERT_FILE": ""}) as running:
        yield request.param == "trusting", running


def _cognito(url: str):
    return boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_an_oidc_issuer_with_a_local_ca(emulator, issuer):
    trusting, running = emulator
    provider = {"ProviderName": "Corp", "ProviderType": "OIDC", "ProviderDetails": {
        "client_id": "corp-app", "client_secret": "s", "authorize_scopes": "openid email",
        "attributes_request_method": "GET", "oidc_issuer": issuer.url}}
    _, client_id = fed_pool(_cognito(running.url), mapping={"email": "email"},
                            providers=[provider])
    with httpx.Client(base_url=running.url, timeout=15) as http:
        answer = authorize(http, client_id, "Corp")
    location = answer.headers["location"]
    assert answer.status_code == 302
    if trusting:  # discovery fetched over HTTPS: off to the issuer's sign-in
        assert location.startswith(f"{issuer.url}/authorize?"), location
    else:         # the certificate refused: the app hears why, nobody is redirected there
        assert location.startswith(CALLBACK) and "error=" in location, location
        assert issuer.url not in location.split("error_description", 1)[0]


def test_a_saml_metadata_url_with_a_local_ca(emulator, issuer):
    trusting, running = emulator
    cognito = _cognito(running.url)
    pool_id = cognito.create_user_pool(PoolName="trust")["UserPool"]["Id"]
    params = {"UserPoolId": pool_id, "ProviderName": "CorpSaml", "ProviderType": "SAML",
              "ProviderDetails": {"MetadataURL": f"{issuer.url}/metadata"}}
    if trusting:
        created = cognito.create_identity_provider(**params)["IdentityProvider"]
        assert created["ProviderDetails"]["MetadataURL"] == f"{issuer.url}/metadata"
    else:
        with pytest.raises(ClientError) as refused:
            cognito.create_identity_provider(**params)
        assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
        assert refused.value.response["Error"]["Message"] == (
            f"Error retrieving metadata from {issuer.url}/metadata")


def test_trust_ca_names_a_missing_file(tmp_path):
    with pytest.raises(RuntimeError, match="--trust-ca .*: no such file"):
        RunningServer(["--in-memory", "--trust-ca", str(tmp_path / "missing.pem")])
