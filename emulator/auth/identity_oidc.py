"""ID tokens of an outside OpenID Connect provider (an IAM OIDC provider of the config file's
`iam:` section) as an identity-pool login, checked as Cognito checks them.

The Logins key is the issuer without `https://` (`login.example.com/realms/x`); the value is
the provider's ID token. Checked, in this order: a JWT at all; `iss` equal to the registered
URL; the signature, by a key of the issuer's JWKS (`<url>/.well-known/openid-configuration`
-> `jwks_uri`, fetched with a short timeout and cached; an unknown `kid` fetches again, at
most every 10 s); `aud` (or `azp`) one of the provider's client_ids (IAM's ClientIDList);
`exp` and `iat` on the emulator clock. The claims then go to role resolution like a user
pool's (Rules mappings keyed by the provider name).
"""
from __future__ import annotations

import json
import threading
import time

import jwt
from jwt.types import Options

from ..domain.identity_providers import fetch_metadata
from ..errors import CognitoError, not_authorized

CACHE_SECONDS = 600        # keys kept this long (wall clock) before they are fetched again
REFETCH_SECONDS = 10       # an unknown kid fetches again at most this often
FETCH_TIMEOUT = 5.0
FETCH_LIMIT = 512 * 1024
SKEW = 300                 # iat this far in the future is still accepted (UNCONFIRMED)
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
              "ES512"]
_SIGNATURE_ONLY: Options = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                            "verify_iat": False, "verify_aud": False, "verify_iss": False}
_MALFORMED = (jwt.PyJWTError, ValueError, TypeError)

# Wordings shared with the user-pool checks of auth/identity_logins.py. Seen from the real
# service (GitHub issues of amazon-cognito-identity-js #40, #91, #7, #153, #68).
NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."
BAD_SIGNATURE = "Invalid login token. Couldn't verify signed token."
WRONG_ISSUER = "Invalid login token. Issuer doesn't match providerName"
NO_AUD = "Invalid login token. Missing a required claim: aud"
WRONG_AUDIENCE = "Invalid login token. Incorrect token audience."          # UNCONFIRMED
NOT_YET = "Invalid login token. Token is not valid yet."                    # UNCONFIRMED

_cache: dict[str, tuple[float, dict]] = {}   # issuer url -> (fetched at, JWKS)
_lock = threading.Lock()


def unverified(token) -> tuple[dict, dict]:
    """(header, claims) of a JWT before any check, to find its issuer and key;
    NotAuthorizedException (not an OpenID token) when it is not one."""
    if not isinstance(token, str):
        raise not_authorized(NOT_OIDC)
    try:
        decoded = jwt.decode_complete(token, options={"verify_signature": False})
    except _MALFORMED:
        raise not_authorized(NOT_OIDC) from None
    return decoded["header"], decoded["payload"]


def verify(ctx, provider: dict, token) -> dict:
    """The ID token's claims once every check passed; NotAuthorizedException with the
    service's wording otherwise, ExternalServiceException when the issuer's keys can't be
    fetched."""
    header, claims = unverified(token)
    url = provider["url"]
    if not isinstance(claims.get("iss"), str) or claims["iss"].rstrip("/") != url:
        raise not_authorized(WRONG_ISSUER)
    key = _key(ctx, url, header)
    try:
        claims = jwt.decode(token, key, algorithms=ALGORITHMS, options=_SIGNATURE_ONLY)
    except _MALFORMED:
        raise not_authorized(BAD_SIGNATURE) from None
    _check_audience(claims, provider["client_ids"])
    now = ctx.now()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not _number(exp):
        raise not_authorized(NOT_OIDC)
    if now >= exp:
        # Cognito: "Invalid login token. Token expired: <now> >= <exp>" (epoch seconds).
        raise not_authorized(f"Invalid login token. Token expired: {int(now)} >= {exp}")
    if _number(iat) and iat > now + SKEW:
        raise not_authorized(NOT_YET)
    return claims


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_audience(claims: dict, client_ids: list[str]) -> None:
    aud = claims.get("aud")
    if not aud:
        raise not_authorized(NO_AUD)
    audiences = aud if isinstance(aud, list) else [aud]
    if not any(a in client_ids for a in audiences) and claims.get("azp") not in client_ids:
        raise not_authorized(WRONG_AUDIENCE)


def _key(ctx, url: str, header: dict):
    """The issuer's public key the token's header names (kid; the only key when there is no
    kid). An unknown kid fetches the JWKS again (keys rotate), at most every 10 s."""
    kid = header.get("kid")
    fetched_at, jwks = _jwks(ctx, url, refresh=False)
    key = _pick(jwks, kid)
    if key is None and time.monotonic() - fetched_at > REFETCH_SECONDS:
        _, jwks = _jwks(ctx, url, refresh=True)
        key = _pick(jwks, kid)
    if key is None:
        raise not_authorized(BAD_SIGNATURE)
    return key


def _pick(jwks: dict, kid):
    keys = [k for k in jwks.get("keys") or [] if isinstance(k, dict)
            and k.get("use", "sig") == "sig"]
    if kid is not None:
        keys = [k for k in keys if k.get("kid") == kid]
    if len(keys) != 1:
        return None
    try:
        return jwt.PyJWK.from_dict(keys[0]).key
    except _MALFORMED:
        return None


def _jwks(ctx, url: str, *, refresh: bool) -> tuple[float, dict]:
    with _lock:
        cached = _cache.get(url)
    if cached and not refresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached
    with ctx.store.suspended():  # other requests go on while the issuer answers
        discovery = _get_json(f"{url}/.well-known/openid-configuration")
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise _unreachable(url, "its discovery document has no jwks_uri")
        jwks = _get_json(jwks_uri)
    entry = (time.monotonic(), jwks)
    with _lock:
        _cache[url] = entry
    return entry


def _get_json(address: str) -> dict:
    try:
        body = fetch_metadata(address, timeout=FETCH_TIMEOUT, limit=FETCH_LIMIT)
        document = json.loads(body)
    except (CognitoError, ValueError):
        raise _unreachable(address, "no JSON document could be fetched") from None
    if not isinstance(document, dict):
        raise _unreachable(address, "the answer is not a JSON object")
    return document


def _unreachable(address: str, why: str) -> CognitoError:
    # The model's ExternalServiceException: "a dependent service ... is not responding".
    # Wording ours.
    return CognitoError("ExternalServiceException",
                        f"The OpenID Connect provider's keys could not be read from {address}: "
                        f"{why}.")
