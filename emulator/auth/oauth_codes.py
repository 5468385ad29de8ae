"""Authorization codes of the code grant (/oauth2/authorize -> /oauth2/token).

A code is single use and lives 5 minutes (DG authorization endpoint). It is bound to the
app client, the exact redirect_uri of the authorize request, the PKCE challenge, the
granted scopes and the nonce. Only its SHA-256 is stored (kind "oauth_code", scope = pool
id), like refresh tokens and auth sessions.

Record: {clientId, redirectUri, scopes, nonce, challenge, challengeMethod, username, sub,
         authTime, createdAt, expiresAt}
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from ..errors import CognitoError
from ..store.base import expiry_index

KIND = "oauth_code"
VALIDITY_SECONDS = 5 * 60
PKCE_METHODS = ("S256", "plain")


class GrantError(CognitoError):
    """An OAuth error of the token endpoint (`code` is the OAuth error code). Raised with
    commit=True when the code must stay used up although the request fails."""

    def __init__(self, error: str, description: str = "", status: int = 400, *,
                 commit: bool = False):
        super().__init__(error, description or error, status, commit=commit)


def _key(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def issue(ctx, pool: dict, client: dict, *, user: dict, redirect_uri: str, scopes: list[str],
          nonce: str | None, challenge: str | None, challenge_method: str | None,
          auth_time: float) -> str:
    """Store a new code and return it. The documented sample code looks like a UUID."""
    code = str(uuid.uuid4())
    now = ctx.now()
    # Filed under its expiry: codes never redeemed go with the sweep (emulator/sweep.py).
    ctx.store.put(KIND, pool["Id"], _key(code), {
        "clientId": client["ClientId"], "redirectUri": redirect_uri, "scopes": list(scopes),
        "nonce": nonce, "challenge": challenge, "challengeMethod": challenge_method,
        "username": user["Username"], "sub": user["Attributes"]["sub"],
        "authTime": int(auth_time), "createdAt": now, "expiresAt": now + VALIDITY_SECONDS},
        index=expiry_index(now + VALIDITY_SECONDS))
    return code


def pkce_matches(challenge: str, method: str | None, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:  # plain
        expected = verifier
    return hmac.compare_digest(expected.encode(), challenge.encode())


def redeem(ctx, pool: dict, client: dict, code: str, *, redirect_uri: str,
           verifier: str | None) -> dict:
    """The code's record, after every check. The code is used up by the first attempt of
    its own client, right or wrong (the error commits), so a stolen code can't be tried
    again with other verifiers. Errors: invalid_grant (unknown, used, expired, another
    client's, redirect_uri or PKCE mismatch), invalid_request (a PKCE code without
    code_verifier)."""
    key = _key(code)
    record = ctx.store.get(KIND, pool["Id"], key)
    if record is None or record["clientId"] != client["ClientId"]:
        raise GrantError("invalid_grant", "Invalid authorization code.")
    ctx.store.delete(KIND, pool["Id"], key)
    if ctx.now() >= record["expiresAt"]:
        raise GrantError("invalid_grant", "Authorization code has expired.", commit=True)
    if redirect_uri != record["redirectUri"]:
        raise GrantError("invalid_grant", "redirect_uri does not match.", commit=True)
    if record.get("challenge"):
        if not verifier:
            # A missing parameter reads as invalid_request; Cognito's choice is UNCONFIRMED.
            raise GrantError("invalid_request", "code_verifier is required.", commit=True)
        if not pkce_matches(record["challenge"], record.get("challengeMethod"), verifier):
            raise GrantError("invalid_grant", "code_verifier does not match.", commit=True)
    # A code_verifier sent for a code issued without a challenge is ignored (UNCONFIRMED;
    # OAuth 2.1 would refuse it).
    return record
