"""The HTTPS listener's certificates (`--tls`): a local CA and leaf certificates per name.

The CA is made on first start and kept beside the store (`<data-dir>/tls/ca.pem` and
`ca-key.pem`, mode 0600; a temporary directory when in memory), so a client that trusts it
once keeps trusting the emulator across restarts. It is an EC P-256 key with a self-signed
certificate (BasicConstraints CA, path length 0; KeyUsage certificate and CRL signing),
named "Cognito Emulator Local CA <random>" so that two data directories are told apart.

Leaf certificates are made in memory when a client first asks for a name (SNI), all on one
EC key of this process, and kept for the process's life:
- the default leaf (no SNI, an IP address, a name we don't serve): localhost, 127.0.0.1,
  ::1, the --public-url host, and the AWS service names of the emulator's region
  (`cognito-idp`, `issuer-cognito-idp`, `cognito-identity` `.<region>.amazonaws.com`);
- a leaf of its own for an AWS service name of any region, and for a name `known(name)`
  accepts (cli.py passes the domain index: `<prefix>.auth.<region>.amazoncognito.com`,
  `<prefix>.auth.localhost`, a custom domain). Only names we found are cached, so a domain
  created after a client's first attempt gets its certificate at the next handshake.

A pure module: it knows nothing of the store or the settings (cli.py wires it), and imports
only the standard library and `cryptography`.
"""
from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import re
import secrets
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger("emulator.tls")

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
CA_NAME = "Cognito Emulator Local CA"
CA_DAYS = 3650
# Leaves live as long as the process; 397 days keeps them inside what browsers and macOS
# accept from any CA.
LEAF_DAYS = 397
MAX_CACHED = 512  # per-name contexts kept; a client asking for endless names starts over

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
AWS_NAME = re.compile(rf"^(?:cognito-idp|issuer-cognito-idp|cognito-identity)\.{_REGION}"
                      r"\.amazonaws\.com$")


def aws_names(region: str) -> list[str]:
    """The AWS service host names the emulator answers for in one region."""
    return [f"cognito-idp.{region}.amazonaws.com", f"issuer-cognito-idp.{region}.amazonaws.com",
            f"cognito-identity.{region}.amazonaws.com"]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by the owner only."""
    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class LocalCA:
    """The emulator's certificate authority: `path` is the PEM clients are told to trust."""

    def __init__(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, path: Path):
        self.cert, self.key, self.path = cert, key, path

    @classmethod
    def load_or_create(cls, directory: str | os.PathLike) -> LocalCA:
        """The CA kept in `directory` (ca.pem + ca-key.pem), made there on first use."""
        folder = Path(directory)
        cert_path, key_path = folder / CA_FILE, folder / CA_KEY_FILE
        if cert_path.exists() and key_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise ValueError(f"{key_path}: not the EC key this emulator writes")
            return cls(cert, key, cert_path)
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cognito Emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{CA_NAME} {secrets.token_hex(4)}"),
        ])
        now = _now()
        public = key.public_key()
        cert = (x509.CertificateBuilder()
                .subject_name(name).issuer_name(name).public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, key_cert_sign=True, crl_sign=True,
                    content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, encipher_only=False, decipher_only=False),
                    critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                .sign(key, hashes.SHA256()))
        # The key first: a ca.pem without its key would be unusable at the next start.
        _write_private(key_path, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        os.chmod(cert_path, 0o644)  # public: clients read it
        return cls(cert, key, cert_path)

    def issue(self, names: Iterable[str], key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
        """A server certificate for `names` (host names or IP addresses) on `key`."""
        names = list(dict.fromkeys(names))
        sans: list[x509.GeneralName] = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        now = _now()
        public = key.public_key()
        return (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
                .issuer_name(self.cert.subject).public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=True, key_cert_sign=False, crl_sign=False,
                    content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, encipher_only=False, decipher_only=False),
                    critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.key.public_key()), critical=False)
                .sign(self.key, hashes.SHA256()))


class ServerCertificates:
    """The TLS listener's `ssl.SSLContext`: the default leaf, and an SNI callback that swaps
    in a per-name context for the names we serve (see the module docstring)."""

    def __init__(self, ca: LocalCA, default_names: Iterable[str],
                 known: Callable[[str], bool] = lambda name: False):
        self.ca = ca
        self.known = known
        self.default_names = list(dict.fromkeys(n.lower() for n in default_names if n))
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._key_pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        self._lock = threading.Lock()
        self._by_name: dict[str, ssl.SSLContext] = {}
        self.default = self._context(self.default_names)
        self.default.sni_callback = self._sni

    def context(self) -> ssl.SSLContext:
        return self.default

    def names_for(self, server_name: str | None) -> str | None:
        """The name a leaf of its own is made for, None for the default leaf."""
        if not server_name:
            return None
        name = server_name.strip().rstrip(".").lower()
        if name in self.default_names:
            return None
        if AWS_NAME.match(name):
            return name
        try:
            return name if self.known(name) else None
        except Exception:  # a store problem must not break the handshake: default leaf
            log.exception("looking up the TLS server name %s", name)
            return None

    def for_name(self, server_name: str | None) -> ssl.SSLContext:
        name = self.names_for(server_name)
        if name is None:
            return self.default
        with self._lock:
            found = self._by_name.get(name)
            if found is None:
                if len(self._by_name) >= MAX_CACHED:
                    self._by_name.clear()
                found = self._by_name[name] = self._context([name])
        return found

    def _sni(self, sslobj: ssl.SSLObject, server_name: str | None, _ctx) -> None:
        try:
            context = self.for_name(server_name)
        except Exception:  # never fail a handshake here: the default leaf will do
            log.exception("making a TLS certificate for %s", server_name)
            return None
        if context is not self.default:
            sslobj.context = context
        return None

    def _context(self, names: list[str]) -> ssl.SSLContext:
        cert = self.ca.issue(names, self._key)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        # load_cert_chain reads files only: a private temporary file, gone once loaded.
        with tempfile.NamedTemporaryFile(prefix="cognito-emulator-leaf-", suffix=".pem") as f:
            f.write(self._key_pem + cert.public_bytes(serialization.Encoding.PEM))
            f.flush()
            context.load_cert_chain(f.name)
        return context
