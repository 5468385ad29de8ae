"""Which certificate authorities the emulator trusts when it calls out over HTTPS: OIDC and
social providers (web/oidc_rp.py), SAML metadata URLs, identity-pool OIDC issuers and client
metadata documents (domain/identity_providers.fetch_metadata).

    context() -> ssl.SSLContext    the system CAs, plus SSL_CERT_FILE, plus --trust-ca FILE

OpenSSL alone reads SSL_CERT_FILE *instead of* the system bundle; here both count, so a
provider with a local CA works next to the public ones. `--trust-ca FILE`
(COGNITO_EMULATOR_TRUST_CA) adds a PEM file without touching the environment of the whole
process (Lambda workers, boto3). Trust is process-wide, as SSL_CERT_FILE is: the emulator
sets it when it starts (service.Emulator), and in one process the last one started wins.

A pure module: standard library only.
"""
from __future__ import annotations

import os
import ssl
import threading

_lock = threading.Lock()
_extra: str | None = None
_contexts: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def configure(extra_ca_file: str | None) -> None:
    """--trust-ca: a PEM file of CA certificates trusted on top of the others (None: none)."""
    global _extra
    with _lock:
        _extra = extra_ca_file or None


def context() -> ssl.SSLContext:
    """A client context that checks certificates and host names against the system CAs,
    SSL_CERT_FILE and the --trust-ca file (built once per combination)."""
    with _lock:
        key = (os.environ.get("SSL_CERT_FILE") or None, _extra)
        found = _contexts.get(key)
        if found is None:
            found = ssl.create_default_context()
            system = ssl.get_default_verify_paths().openssl_cafile
            for cafile in (system, *key):
                if cafile and os.path.isfile(cafile):
                    found.load_verify_locations(cafile=cafile)
            _contexts[key] = found
        return found
