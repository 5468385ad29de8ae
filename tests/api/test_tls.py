"""--tls: the HTTPS listener beside the HTTP one, its local CA, a certificate per server name
(SNI), routing by Host (the AWS names, the pools' domains), and an unmodified
aws-jwt-verify CognitoJwtVerifier verifying an emulator token with nothing but a DNS override
and the CA (docs/TLS.md)."""
import argparse
import json
import os
import socket
import ssl
import stat
import subprocess
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from cryptography import x509

from emulator.config import add_serve_arguments, settings_from
from tests.conftest import make_client
from tests.support.clients import NODE_DIR, requires
from tests.support.factories import (
    claims,
    create_user,
    delete_pool,
    password_client,
    password_sign_in,
    unique_name,
)
from tests.support.server import RunningServer, tls_on_port_443

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-tls-test"
CALLBACK = "https://app.example.com/callback"
AWS_NAMES = ["cognito-idp.us-east-1.amazonaws.com", "issuer-cognito-idp.us-east-1.amazonaws.com",
             "cognito-identity.us-east-1.amazonaws.com"]


@pytest.fixture(scope="module")
def tls_server():
    with RunningServer(["--in-memory", "--tls", "--tls-port", "0",
                        "--log-level", "warning"]) as running:
        yield running


@pytest.fixture(scope="module")
def ca(tls_server) -> str:
    """ca.pem as a client downloads it (GET /_emulator/ca.pem on the plain HTTP port)."""
    return tls_server.ca_file


@pytest.fixture(scope="module")
def tls_port(tls_server) -> int:
    return int(tls_server.tls_url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def cognito(tls_server):
    return make_client(tls_server.url)


@pytest.fixture
def pool(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique_name("tls"))["UserPool"]["Id"]
    yield pool_id
    delete_pool(cognito, pool_id)


def trust(cafile: str) -> ssl.SSLContext:
    """What a client that imported the emulator's CA verifies with."""
    return ssl.create_default_context(cafile=cafile)


def peer_names(port: int, server_name: str | None, cafile: str,
               check_hostname: bool = True) -> list[str]:
    """The subject alternative names of the certificate the listener presents for
    `server_name` (SNI; None sends none), verified against the CA file."""
    context = ssl.create_default_context(cafile=cafile)
    context.check_hostname = check_hostname and server_name is not None
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=server_name) as tls:
        der = tls.getpeercert(binary_form=True)
    cert = x509.load_der_x509_certificate(der)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(name.value) for name in san]


def by_name(method: str, port: int, name: str, path: str, cafile: str, **kwargs):
    """A request to the TLS listener on 127.0.0.1 as a client that resolved `name` there sends
    it: SNI and Host both say `name`, and the certificate must be valid for it."""
    with httpx.Client(verify=trust(cafile), timeout=30) as client:
        return client.request(method, f"https://127.0.0.1:{port}{path}",
                              headers={"Host": f"{name}:{port}", **kwargs.pop("headers", {})},
                              extensions={"sni_hostname": name}, **kwargs)


# --- the CA and the certificates -----------------------------------------------------------

def test_ca_is_served_and_plain_http_works_beside_tls(tls_server, ca, tls_port):
    served = httpx.get(tls_server.url + "/_emulator/ca.pem")
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/x-pem-file"
    assert served.content == Path(ca).read_bytes()
    cert = x509.load_pem_x509_certificate(served.content)
    assert cert.subject.rfc4514_string().startswith("CN=Cognito Emulator Local CA ")
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    # The same app on both listeners.
    assert httpx.get(tls_server.url + "/_emulator/health").json()["status"] == "ok"
    over_tls = httpx.get(tls_server.tls_url + "/_emulator/health", verify=trust(ca))
    assert over_tls.json()["status"] == "ok"
    assert httpx.get(f"https://localhost:{tls_port}/_emulator/health",
                     verify=trust(ca)).json()["status"] == "ok"


def test_ca_pem_is_not_found_without_tls(endpoint):
    """The session's server runs as scripts/serve does by default: plain HTTP only."""
    answer = httpx.get(endpoint + "/_emulator/ca.pem")
    assert answer.status_code == 404
    assert answer.json()["__type"] == "ResourceNotFoundException"
    assert "TLS is off: start the emulator with --tls" in answer.json()["message"]


def test_the_default_certificate_names_the_local_and_aws_hosts(ca, tls_port):
    """No SNI (a client that connects by IP address) and a name the emulator does not serve
    both get the default certificate."""
    default = ["localhost", "127.0.0.1", "::1", *AWS_NAMES]
    assert peer_names(tls_port, None, ca) == default
    assert peer_names(tls_port, "unknown.example.com", ca, check_hostname=False) == default
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        peer_names(tls_port, "unknown.example.com", ca)


@pytest.mark.parametrize("name", AWS_NAMES)
def test_the_aws_names_of_the_region_verify(ca, tls_port, name):
    """The emulator's region: the default certificate, verified for the name (SNI)."""
    assert name in peer_names(tls_port, name, ca)


@pytest.mark.parametrize("name", [name.replace("us-east-1", "eu-west-1") for name in AWS_NAMES])
def test_aws_names_of_other_regions_get_a_certificate_of_their_own(ca, tls_port, name):
    assert peer_names(tls_port, name, ca) == [name]


def test_domains_get_certificates_once_created(cognito, pool, ca, tls_port):
    prefix = unique_name("tls").lower()
    prefix_host = f"{prefix}.auth.us-east-1.amazoncognito.com"
    custom = f"{unique_name('login')}.example.com"
    # Before CreateUserPoolDomain: neither name is served; the default certificate is not
    # valid for them.
    for name in (prefix_host, custom):
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            peer_names(tls_port, name, ca)
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=pool)
    cognito.create_user_pool_domain(Domain=custom, UserPoolId=pool,
                                    CustomDomainConfig={"CertificateArn": CERT_ARN})
    assert peer_names(tls_port, prefix_host, ca) == [prefix_host]
    assert peer_names(tls_port, custom, ca) == [custom]
    assert peer_names(tls_port, f"{prefix}.auth.localhost", ca) == [f"{prefix}.auth.localhost"]


def test_the_ca_is_made_once_and_kept_in_the_data_dir(tmp_path):
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--tls", "--tls-port", "0", "--log-level", "warning"]
    with RunningServer(args) as first:
        assert first.ca_file == str(data / "tls" / "ca.pem")
        pem = Path(first.ca_file).read_bytes()
        assert stat.S_IMODE((data / "tls" / "ca-key.pem").stat().st_mode) == 0o600
    with RunningServer(args) as second:
        assert Path(second.ca_file).read_bytes() == pem
        # The new process's certificates chain to the CA a client saved the first time.
        saved = tmp_path / "saved-ca.pem"
        saved.write_bytes(pem)
        port = int(second.tls_url.rsplit(":", 1)[1])
        assert peer_names(port, "localhost", str(saved))[0] == "localhost"


def test_tls_settings_from_flags_and_environment(monkeypatch):
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    assert (settings_from(parser.parse_args([])).tls, settings_from(
        parser.parse_args([])).issuer_style) == (False, "local")
    s = settings_from(parser.parse_args(["--tls", "--tls-port", "8443"]))
    assert (s.tls, s.tls_port, s.issuer_style) == (True, 8443, "aws")
    # An issuer style given explicitly wins over what --tls implies.
    s = settings_from(parser.parse_args(["--tls", "--issuer-style", "local"]))
    assert (s.tls, s.issuer_style) == (True, "local")
    monkeypatch.setenv("COGNITO_EMULATOR_TLS", "1")
    monkeypatch.setenv("COGNITO_EMULATOR_TLS_PORT", "9443")
    s = settings_from(parser.parse_args([]))
    assert (s.tls, s.tls_port, s.issuer_style) == (True, 9443, "aws")


# --- clients over TLS, routing by Host ---------------------------------------------------

def _signed_in(cognito, pool_id: str) -> tuple[str, dict]:
    client_id = password_client(cognito, pool_id)["ClientId"]
    username = create_user(cognito, pool_id, unique_name("user"))
    return client_id, password_sign_in(cognito, client_id, username)["AuthenticationResult"]


def test_boto3_signs_in_over_https(tls_server, ca, tls_port, pool):
    https = boto3.client("cognito-idp", endpoint_url=f"https://localhost:{tls_port}",
                         region_name="us-east-1", aws_access_key_id="testing",
                         aws_secret_access_key="testing", verify=ca,
                         config=Config(retries={"max_attempts": 1}))
    client_id, tokens = _signed_in(https, pool)
    # --tls implies the aws issuer style: the issuer AWS's own tokens carry.
    assert claims(tokens["IdToken"])["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
    assert claims(tokens["AccessToken"])["client_id"] == client_id


def test_discovery_by_the_aws_host_matches_the_tokens(cognito, pool, ca, tls_port):
    prefix = unique_name("disc").lower()
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=pool)
    _, tokens = _signed_in(cognito, pool)
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
    host = "cognito-idp.us-east-1.amazonaws.com"
    doc = by_name("GET", tls_port, host, f"/{pool}/.well-known/openid-configuration", ca).json()
    assert doc["issuer"] == issuer == claims(tokens["IdToken"])["iss"]
    # The URLs stay on the names the client used: this host for the keys, the pool's
    # domain for the OAuth endpoints.
    assert doc["jwks_uri"] == f"https://{host}:{tls_port}/{pool}/.well-known/jwks.json"
    assert doc["authorization_endpoint"] == (
        f"https://{prefix}.auth.us-east-1.amazoncognito.com:{tls_port}/oauth2/authorize")
    keys = by_name("GET", tls_port, host, f"/{pool}/.well-known/jwks.json", ca).json()["keys"]
    assert claims(tokens["IdToken"]) and len(keys) == 2
    # By the plain address: the same issuer, the emulator's own URLs.
    plain = httpx.get(f"https://127.0.0.1:{tls_port}/{pool}/.well-known/openid-configuration",
                      verify=trust(ca)).json()
    assert plain["issuer"] == issuer
    assert plain["jwks_uri"].startswith("http://127.0.0.1:")


def test_issuer_configuration_updated_gives_the_issuer_host(cognito, ca, tls_port):
    pool_id = cognito.create_user_pool(PoolName=unique_name("updated"),
                                       IssuerConfiguration={"Type": "UPDATED"})["UserPool"]["Id"]
    try:
        _, tokens = _signed_in(cognito, pool_id)
        issuer = f"https://issuer-cognito-idp.us-east-1.amazonaws.com/{pool_id}"
        assert claims(tokens["IdToken"])["iss"] == issuer
        host = "issuer-cognito-idp.us-east-1.amazonaws.com"
        doc = by_name("GET", tls_port, host, f"/{pool_id}/.well-known/openid-configuration",
                      ca).json()
        assert doc["issuer"] == issuer
        assert doc["jwks_uri"] == f"https://{host}:{tls_port}/{pool_id}/.well-known/jwks.json"
    finally:
        delete_pool(cognito, pool_id)


def test_cognito_identity_host_serves_the_json_api(ca, tls_port):
    answer = by_name("POST", tls_port, "cognito-identity.us-east-1.amazonaws.com", "/", ca,
                     headers={"X-Amz-Target": "AWSCognitoIdentityService.GetId",
                              "Content-Type": "application/x-amz-json-1.1"},
                     content=json.dumps({"IdentityPoolId":
                                         "us-east-1:00000000-0000-0000-0000-000000000000"}))
    assert answer.status_code == 400
    assert answer.json()["__type"] == "ResourceNotFoundException"


def test_hosted_ui_by_its_prefix_domain_over_tls(cognito, pool, ca, tls_port):
    prefix = unique_name("ui").lower()
    cognito.create_user_pool_domain(Domain=prefix, UserPoolId=pool)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"], CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]
    host = f"{prefix}.auth.us-east-1.amazoncognito.com"
    answer = by_name("GET", tls_port, host, "/oauth2/authorize", ca,
                     params={"client_id": client_id, "response_type": "code",
                             "redirect_uri": CALLBACK, "scope": "openid"})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith("/login?")
    page = by_name("GET", tls_port, host, location, ca)
    assert page.status_code == 200
    assert 'name="signin"' in page.text


# --- aws-jwt-verify, unmodified, against the emulator ----------------------------------------

@requires("node_modules")
def test_cognito_jwt_verifier_default_fetcher_verifies_an_emulator_token(tmp_path):
    """CognitoJwtVerifier.create({userPoolId, tokenUse, clientId}) with no endpoint override:
    the library fetches https://cognito-idp.us-east-1.amazonaws.com/<pool>/.well-known/
    jwks.json (port 443) itself. Only DNS (a preloaded dns.lookup) and the trusted CA
    (NODE_EXTRA_CA_CERTS) are changed. The listener binds port 443 (root, as CI is) on an
    address of its own; a failure to bind fails the test."""
    server = tls_on_port_443(0)
    address = server.address
    with server:
        assert server.tls_url == f"https://{address}:443"
        cognito = make_client(server.url)
        pool_id = cognito.create_user_pool(PoolName=unique_name("jwt"))["UserPool"]["Id"]
        client_id, tokens = _signed_in(cognito, pool_id)
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": server.ca_file,
               "DNS_OVERRIDE_ADDRESS": address}
        out = subprocess.run(
            ["node", "--import", "./dns_override.mjs", "jwt_verify_default.mjs",
             json.dumps({"poolId": pool_id, "clientId": client_id,
                         "idToken": tokens["IdToken"]})],
            capture_output=True, text=True, timeout=60, cwd=NODE_DIR, env=env)
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["genuine"] == {
        "ok": True, "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        "sub": claims(tokens["IdToken"])["sub"],
        "username": claims(tokens["IdToken"])["cognito:username"]}
    assert result["tampered"]["ok"] is False
    assert result["tampered"]["error"] == "JwtInvalidSignatureError"
    # The keys came from the AWS host name, resolved by the override to the emulator.
    assert "cognito-idp.us-east-1.amazonaws.com" in result["lookups"]
