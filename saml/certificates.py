"""Key pairs and X.509 certificates for SAML signing and encryption (cryptography library)."""
import base64
import datetime
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    private_key_pem: str
    certificate_pem: str


def new_key_pair(common_name: str, now: float, days: int = 3650) -> KeyPair:
    """A fresh RSA-2048 key and a self-signed certificate valid from `now` for `days` days."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime.fromtimestamp(int(now), datetime.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return KeyPair(
        private_key_pem=key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode("ascii"),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))


def certificate_body(pem: str) -> str:
    """Base64 DER of a PEM certificate on one line, without the BEGIN/END lines."""
    body = re.sub(r"-----(BEGIN|END) CERTIFICATE-----", "", pem)
    return "".join(body.split())


def pem_from_body(body: str) -> str:
    """PEM text for a base64 DER certificate body (whitespace in `body` is ignored)."""
    body = "".join(body.split())
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def load_certificate(pem: str) -> x509.Certificate:
    """Parse a PEM (or bare base64 body) certificate; ValueError when it is not one."""
    if "-----BEGIN" not in pem:
        pem = pem_from_body(pem)
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def certificate_expiry(pem: str) -> float:
    """The certificate's notAfter as epoch seconds."""
    return load_certificate(pem).not_valid_after_utc.timestamp()


def der_b64(body_or_pem: str) -> bytes:
    """DER bytes of a certificate given as PEM or base64 body."""
    return base64.b64decode(certificate_body(body_or_pem))
