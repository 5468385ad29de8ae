"""The mocks' state in the emulator store (kind "mock_idp", scope ""): the signing key, the
codes and the access tokens. Below web/ so that auth/identity_logins.py can check the mocks'
tokens as identity-pool logins (their signing key, their access-token records)."""
from __future__ import annotations

import json
import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...store import AlreadyExists
from ...store.base import expiry_index

KIND = "mock_idp"
CODE_SECONDS = 300
TOKEN_SECONDS = 3600


def signing_key(store) -> tuple[str, object]:
    """(kid, private key): one RSA key for every mock, made on first use and kept."""
    with store.transaction():
        record = store.get(KIND, "", "key")
        if record is None:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
            record = {"pem": pem, "kid": "mock-" + secrets.token_hex(8)}
            try:
                store.insert(KIND, "", "key", record)
            except AlreadyExists:
                record = store.get(KIND, "", "key")
    return record["kid"], serialization.load_pem_private_key(record["pem"].encode(), None)


def public_key(store, kid: str):
    """The mocks' public key when `kid` names it; None otherwise (or before any mock signed,
    so checking a token never makes the key)."""
    record = store.get(KIND, "", "key")
    if record is None or record["kid"] != kid:
        return None
    return serialization.load_pem_private_key(record["pem"].encode(), None).public_key()


def jwks(store) -> dict:
    kid, private = signing_key(store)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


def sign(store, claims: dict) -> str:
    kid, private = signing_key(store)
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})


def _take(store, key: str, now: float, *, single_use: bool) -> dict | None:
    with store.transaction():
        record = store.get(KIND, "", key)
        if record is not None and single_use:
            store.delete(KIND, "", key)
    if record is None or now >= record["expiresAt"]:
        return None
    return record


def _keep(store, key: str, now: float, seconds: float, grant: dict) -> None:
    """A grant under `key` until now + seconds, filed for the sweep (one put: atomic)."""
    store.put(KIND, "", key, {**grant, "expiresAt": now + seconds},
              index=expiry_index(now + seconds))


def new_code(store, now: float, grant: dict) -> str:
    code = secrets.token_urlsafe(24)
    _keep(store, f"code/{code}", now, CODE_SECONDS, grant)
    return code


def take_code(store, code: str, now: float) -> dict | None:
    """The grant of a code, used up (a second use finds nothing)."""
    return _take(store, f"code/{code}", now, single_use=True) if code else None


def new_access_token(store, now: float, grant: dict) -> str:
    token = secrets.token_urlsafe(32)
    _keep(store, f"token/{token}", now, TOKEN_SECONDS, grant)
    return token


def read_access_token(store, token: str, now: float) -> dict | None:
    return _take(store, f"token/{token}", now, single_use=False) if token else None
