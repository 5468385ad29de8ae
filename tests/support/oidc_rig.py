"""The OIDC rigs of the browser tests, none of them the emulator's code:

- `RelyingParty`: the app, openid-client (npm) in tests/node/openid_client_rp.mjs, against the
  emulator over HTTPS by the AWS names (`--tls` on port 443 of an address of the test's own,
  its CA in NODE_EXTRA_CA_CERTS, DNS by tests/node/dns_override.mjs).
- `LocalCA` and `OidcProvider`: an outside issuer, the npm `oidc-provider` over HTTPS with a
  certificate from a CA this module makes with `cryptography`; the emulator trusts it through
  SSL_CERT_FILE, as docs/FEDERATION.md tells a user to.
- `tls_browser`: Chromium resolving the AWS names to the emulator and trusting exactly the
  listed keys (--ignore-certificate-errors-spki-list), as docs/TLS.md's browser recipe does.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .clients import CHROMIUM, NODE_DIR
from .server import RunningServer, own_loopback_address

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--no-first-run"]


def emulator_on_443(tag: int, env: dict | None = None) -> RunningServer:
    """An in-memory emulator with --tls on port 443 of own_loopback_address(tag) (root, as CI
    has: tests/support/server.tls_on_port_443, plus an environment, for SSL_CERT_FILE)."""
    import pytest

    address = own_loopback_address(tag)
    try:
        server = RunningServer(["--in-memory", "--host", address, "--tls", "--tls-port", "443",
                                "--log-level", "warning"], env=env)
    except RuntimeError as exc:
        pytest.fail(f"the TLS listener must bind {address}:443 (run as root, as CI does): {exc}")
    server.address = address
    return server


def spki_of_certificate(cert: x509.Certificate) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)): what --ignore-certificate-errors-spki-list takes."""
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def spki_of_listener(address: str, port: int, server_name: str) -> str:
    """The SPKI hash of the certificate a TLS listener presents for `server_name`."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((address, port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=server_name) as tls:
        der = tls.getpeercert(binary_form=True)
    return spki_of_certificate(x509.load_der_x509_certificate(der))


def tls_browser(playwright_browser, address: str, spki: list[str]):
    """A Chromium of its own (the shared one has no resolver rules) where the AWS names resolve
    to `address` and the listed keys are trusted (every certificate of one emulator process
    shares one key). Close it when done; `new_page` gives each sign-in fresh cookies."""
    rules = (f"MAP *.amazoncognito.com {address}, "
             f"MAP cognito-idp.us-east-1.amazonaws.com {address}")
    return playwright_browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*BROWSER_FLAGS, f"--host-resolver-rules={rules}",
              f"--ignore-certificate-errors-spki-list={','.join(spki)}"])


def new_page(browser):
    """A page in a context of its own: no cookies (no hosted-UI or provider session) from
    an earlier sign-in. Closing the page's context is the caller's (page.context.close())."""
    context = browser.new_context()
    context.set_default_timeout(20_000)
    return context.new_page()


def catch_callback(page, redirect_uri: str) -> list[str]:
    """The app's callback page, answered by the test: every URL the browser is sent to under
    `redirect_uri` is recorded in the returned list (the app then finishes the sign-in)."""
    arrived: list[str] = []

    def answer(route):
        arrived.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p id=back>back at the app</p>")
    page.route(redirect_uri + "*", answer)
    return arrived


class RelyingParty:
    """openid-client as the app: `authorization_url` once started, then `finish(callback)`
    -> what tests/node/openid_client_rp.mjs printed (claims, userinfo, refreshed claims, or
    {"error", "code"} when one of its checks refused)."""

    def __init__(self, emulator: RunningServer, *, issuer: str, client_id: str,
                 client_secret: str, redirect_uri: str, scope: str = "openid email profile",
                 authorize: dict | None = None):
        options = {"issuer": issuer, "client_id": client_id, "client_secret": client_secret,
                   "redirect_uri": redirect_uri, "scope": scope, "authorize": authorize or {}}
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": emulator.ca_file,
               "DNS_OVERRIDE_ADDRESS": emulator.address}
        self.proc = subprocess.Popen(
            ["node", "--import", "./dns_override.mjs", "openid_client_rp.mjs",
             json.dumps(options)], cwd=NODE_DIR, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = self.proc.stdout.readline()
        if not first:
            raise AssertionError("openid-client did not start: " + self._stderr())
        started = json.loads(first)
        self.authorization_url, self.state = started["authorization_url"], started["state"]

    def _stderr(self) -> str:
        self.proc.kill()
        return self.proc.communicate(timeout=10)[1]

    def finish(self, callback_url: str) -> dict:
        out, err = self.proc.communicate(callback_url + "\n", timeout=60)
        assert self.proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)


# --- an outside issuer over HTTPS --------------------------------------------------------------

class LocalCA:
    """A certificate authority of the test's own (P-256), and one server certificate it signs
    for 127.0.0.1 and localhost; all written as PEM files under `folder`."""

    def __init__(self, folder: Path, name: str = "Federation test CA"):
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
              .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5))
              .not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                           False), critical=True)
              .sign(ca_key, hashes.SHA256()))
        key = ec.generate_private_key(ec.SECP256R1())
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
        self.ca_file = folder / "ca.pem"
        self.cert_file = folder / "server.pem"
        self.key_file = folder / "server-key.pem"
        self.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.cert_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        self.key_file.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))

    @property
    def spki(self) -> str:
        return spki_of_certificate(self.certificate)


class OidcProvider:
    """tests/node/oidc_provider.mjs over HTTPS with a PEM certificate and key (`LocalCA`'s
    cert_file and key_file) and the package's default ID token claims ("defaults"); `host`
    names the issuer (default 127.0.0.1). `issuer` once it listens; `close()` ends it."""

    def __init__(self, cert_file: Path, key_file: Path, clients: list[dict], mount: str = "",
                 host: str | None = None):
        options = {"mount": mount, "clients": clients, "defaults": True,
                   "tls": {"cert": str(cert_file), "key": str(key_file)}}
        if host:
            options["host"] = host
        # Its warnings (development interactions, ...) go to a file: a pipe nobody reads
        # could fill up and stop it.
        self.log = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(["node", "oidc_provider.mjs", json.dumps(options)],
                                     cwd=NODE_DIR, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        first = self.proc.stdout.readline()
        if not first:
            self.close()
            self.log.seek(0)
            raise AssertionError("oidc-provider did not start: " + self.log.read())
        self.issuer = json.loads(first)["issuer"]

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
