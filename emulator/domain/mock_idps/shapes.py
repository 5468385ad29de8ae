"""What each mock says about an identity, in its provider's claim names: the ID token of the
OIDC shapes (Google, Apple, generic OIDC), the user-info answers (OIDC userinfo, Facebook's
Graph /me, Amazon's /user/profile) and Apple's `user` form field."""
from __future__ import annotations

import json

from . import Mock

ID_TOKEN_SECONDS = 3600


def _names(name: str | None) -> tuple[str | None, str | None]:
    if not name:
        return None, None
    first, _, last = name.partition(" ")
    return first, last or None


def _drop_none(claims: dict) -> dict:
    return {k: v for k, v in claims.items() if v is not None}


def profile(mock: Mock, ident: dict) -> dict:
    """The identity's claims as the provider names them (without the token claims)."""
    first, last = _names(ident["name"])
    email, verified = ident["email"], ident["email_verified"]
    if mock.slug == "facebook":
        claims = {"id": ident["sub"], "email": email, "name": ident["name"],
                  "first_name": first, "last_name": last}
    elif mock.slug == "amazon":
        claims = {"user_id": ident["sub"], "email": email, "name": ident["name"]}
    elif mock.slug == "apple":
        # Apple's ID token: email_verified and is_private_email as strings; no name (that
        # comes once, in the `user` form field).
        claims = {"sub": ident["sub"], "email": email,
                  "email_verified": None if verified is None else str(verified).lower(),
                  "is_private_email": "false" if email else None}
    else:  # google, oidc
        claims = {"sub": ident["sub"], "email": email, "email_verified": verified,
                  "name": ident["name"], "given_name": first, "family_name": last}
    return {**_drop_none(claims), **ident["extra"]}


def id_token_claims(mock: Mock, issuer: str, client_id: str, ident: dict, nonce: str | None,
                    now: float) -> dict:
    claims = {"iss": issuer, "aud": client_id, "iat": int(now),
              "exp": int(now) + ID_TOKEN_SECONDS, "auth_time": int(now), "nonce": nonce}
    if mock.slug == "google":
        claims["azp"] = client_id
    if mock.slug == "apple":
        claims["nonce_supported"] = True
    return _drop_none({**claims, **profile(mock, ident)})


def apple_user_field(ident: dict) -> str | None:
    """Apple's `user` form field (first sign-in only at Apple; every time here):
    {"name": {"firstName", "lastName"}, "email"}."""
    first, last = _names(ident["name"])
    if not (first or ident["email"]):
        return None
    return json.dumps(_drop_none({"name": _drop_none({"firstName": first, "lastName": last})
                                  or None, "email": ident["email"]}))


def selected(claims: dict, fields: str | None, always: str) -> dict:
    """Graph's ?fields=a,b: only those (and the id)."""
    if not fields:
        return {always: claims[always]}
    wanted = {f.strip() for f in fields.split(",") if f.strip()} | {always}
    return {k: v for k, v in claims.items() if k in wanted}
