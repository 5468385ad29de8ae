"""The identity pools' OpenID token signing keys, issuer and JWKS.

Cognito signs the OpenID tokens of every identity pool (GetOpenIdToken,
GetOpenIdTokenForDeveloperIdentity) with per-region keys published in one global JWKS
(https://cognito-identity.amazonaws.com/.well-known/jwks_uri); their kids read like
"us-east-11" and the header is {"kid", "typ": "JWS", "alg": "RS512"}. Here: one RSA-2048
key per region, made on first use and stored (kind "identity_signing_key", scope "",
key = region: {kid, privateKeyPem, createdAt}) so tokens keep verifying across restarts.

Issuer: https://cognito-identity.amazonaws.com with the `aws` issuer style (as Cognito's,
unreachable offline: point the verifier at JWKS_PATH here), else
<base URL>/cognito-identity, whose /.well-known/openid-configuration and
/.well-known/jwks_uri this emulator serves (web/identity_wellknown.py).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...store import AlreadyExists

KIND = "identity_signing_key"
ALGORITHM = "RS512"
AWS_ISSUER = "https://cognito-identity.amazonaws.com"
PATH = "/cognito-identity"                     # the local issuer's path on the base URL
JWKS_PATH = PATH + "/.well-known/jwks_uri"
DISCOVERY_PATH = PATH + "/.well-known/openid-configuration"
_CACHE = "identity_signing_keys"


@dataclass(frozen=True)
class RegionKey:
    kid: str
    private: rsa.RSAPrivateKey
    public: rsa.RSAPublicKey
    jwk: dict


def issuer(settings) -> str:
    return AWS_ISSUER if settings.issuer_style == "aws" else settings.base_url + PATH


def _b64url_uint(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")) \
        .rstrip(b"=").decode()


def _load(record: dict) -> RegionKey:
    private = serialization.load_pem_private_key(record["privateKeyPem"].encode(), None,
                                                 unsafe_skip_rsa_key_validation=True)
    assert isinstance(private, rsa.RSAPrivateKey)
    public = private.public_key()
    numbers = public.public_numbers()
    jwk = {"kty": "RSA", "alg": ALGORITHM, "use": "sig", "kid": record["kid"],
           "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    return RegionKey(record["kid"], private, public, jwk)


def for_region(ctx, region: str) -> RegionKey:
    """The region's key, generated and stored on first use."""
    cache = ctx.emu.cache.setdefault(_CACHE, {})
    if region in cache:
        return cache[region]
    record = ctx.store.get(KIND, "", region)
    if record is None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        record = {"kid": f"{region}1", "privateKeyPem": pem, "createdAt": ctx.now()}
        try:
            ctx.store.insert(KIND, "", region, record)
        except AlreadyExists:  # another request won the race: use theirs
            record = ctx.store.get(KIND, "", region)
        # Not cached yet: the caller's transaction may still roll the new key back.
        return _load(record)
    cache[region] = _load(record)
    return cache[region]


def jwks(ctx) -> dict:
    """Every region's public key made so far (Cognito publishes one global set)."""
    return {"keys": [for_region(ctx, region).jwk
                     for region, _ in ctx.store.list(KIND, "")]}


def sign(ctx, region: str, claims: dict) -> str:
    key = for_region(ctx, region)
    return jwt.encode(claims, key.private, algorithm=ALGORITHM,
                      headers={"kid": key.kid, "typ": "JWS"})


def public_key(ctx, kid: str) -> rsa.RSAPublicKey | None:
    """The public key a token's kid names, None for a kid of no region here."""
    for region, record in ctx.store.list(KIND, ""):
        if record["kid"] == kid:
            return for_region(ctx, region).public
    return None


def discovery(settings) -> dict:
    """The OpenID discovery document of the identity-pool issuer (UNCONFIRMED members
    beyond issuer and jwks_uri: Cognito's lists these)."""
    return {"issuer": issuer(settings),
            "jwks_uri": settings.base_url + JWKS_PATH,
            "response_types_supported": ["code", "id_token", "token id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "claims_supported": ["sub", "aud", "iss", "exp", "iat", "amr"]}
