"""/oauth2/userInfo (reference 7.3): the user's claims for a bearer access token with the
openid scope, narrowed by the token's other scopes and the client's ReadAttributes.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...auth import tokens
from ...domain import clients, users
from ...errors import CognitoError
from ..errors import BearerError
from ..http import JSON_TYPE, NO_STORE, web_context

# Attributes per scope (DG userinfo endpoint). "openid" alone: everything the client reads.
PROFILE_ATTRIBUTES = ("name", "family_name", "given_name", "middle_name", "nickname",
                      "preferred_username", "profile", "picture", "website", "gender",
                      "birthdate", "zoneinfo", "locale", "updated_at", "address")
SCOPE_ATTRIBUTES = {"email": ("email", "email_verified"),
                    "phone": ("phone_number", "phone_number_verified")}


def userinfo_claims(client: dict | None, user: dict, scopes: list[str]) -> dict:
    """sub, username and the attributes the token's scopes reach, limited to what the app
    client may read. Values stay strings ("true" for *_verified) as in the DG sample."""
    readable = client.get("ReadAttributes") if client else None
    attrs = {k: v for k, v in user["Attributes"].items()
             if not k.startswith("_") and (readable is None or k in readable or k == "sub")}
    narrowing = [s for s in scopes if s in SCOPE_ATTRIBUTES or s == "profile"]
    if narrowing:
        wanted: set[str] = set()
        for scope in narrowing:
            if scope == "profile":
                wanted |= set(PROFILE_ATTRIBUTES) | {k for k in attrs if k.startswith("custom:")}
            else:
                wanted |= set(SCOPE_ATTRIBUTES[scope])
        attrs = {k: v for k, v in attrs.items() if k in wanted or k == "sub"}
    out = {"sub": user["Attributes"]["sub"]}
    out.update({k: v for k, v in attrs.items() if k != "sub"})
    out["username"] = user["Username"]
    return out


def _bearer_error(status: int, error: str, description: str) -> JSONResponse:
    header = f'Bearer error="{error}", error_description="{description}"'
    return JSONResponse({"error": error, "error_description": description}, status,
                        headers={"WWW-Authenticate": header, **NO_STORE}, media_type=JSON_TYPE)


_EXPIRED = ("Access token is expired, disabled, or deleted, or the user has globally "
            "signed out.")


def _userinfo(ctx, access_token: str) -> dict:
    try:
        pool, claims = tokens.verify_access(ctx, access_token)
    except CognitoError:
        raise BearerError("invalid_token", _EXPIRED, 401) from None
    if "openid" not in str(claims.get("scope", "")).split():
        raise BearerError("invalid_token", "Access token does not contain openid scope", 401)
    sub, origin = claims.get("sub"), claims.get("origin_jti")
    # The sign-in's session record (tokens.py): gone after RevokeToken or global sign-out.
    if not origin or ctx.store.get(tokens.SESSION_KIND, pool["Id"], f"{sub}/{origin}") is None:
        raise BearerError("invalid_token", _EXPIRED, 401)
    user = users.get(ctx.store, pool, str(claims.get("username", "")))
    if user is None or user["Attributes"].get("sub") != sub or not user.get("Enabled", True):
        raise BearerError("invalid_token", _EXPIRED, 401)
    client = clients.get(ctx.store, pool["Id"], str(claims.get("client_id", "")))
    return userinfo_claims(client, user, str(claims.get("scope", "")).split())


async def userinfo(request: Request):
    """GET (or POST) /oauth2/userInfo with Authorization: Bearer <access token>."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        return _bearer_error(400, "invalid_request", "Bad OAuth2 request at UserInfo Endpoint")
    ctx = web_context(request, "/oauth2/userInfo")
    try:
        body = _userinfo(ctx, header[7:].strip())  # reads only: no transaction
    except BearerError as err:
        return _bearer_error(err.status, err.error, err.description or "")
    return JSONResponse(body, headers=NO_STORE, media_type=JSON_TYPE)
