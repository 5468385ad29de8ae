"""The end of every browser sign-in (the hosted pages, SAML and the other federated front
ends): the code (or the implicit tokens) for the app, and the hosted-UI session that lets the
next authorize request skip the login page.
"""
from __future__ import annotations

from starlette.requests import Request

from ..auth import oauth_codes, tokens
from ..domain import user_sessions, users
from . import sessions
from .authorize_request import AuthRequest
from .http import with_params


def finish(ctx, areq: AuthRequest, user: dict, auth_time: float, *,
           new_session: bool = True, federated: dict | None = None) -> tuple[str, str | None]:
    """The user is signed in: (redirect URL with the code or the implicit tokens, the
    hosted-UI session cookie value - None when an existing session was reused: it keeps
    its expiry, one hour after the sign-in). Call inside the request's transaction.
    federated: what single logout needs of a SAML sign-in (saml_sso)."""
    if areq.response_type == "code":
        code = oauth_codes.issue(ctx, areq.pool, areq.client, user=user,
                                 redirect_uri=areq.redirect_uri, scopes=areq.scopes,
                                 nonce=areq.nonce, challenge=areq.code_challenge,
                                 challenge_method=areq.code_challenge_method,
                                 auth_time=auth_time)
        url = with_params(areq.redirect_uri, {"code": code, "state": areq.state})
    else:  # implicit: tokens in the fragment, never a refresh token
        result = tokens.issue(ctx, areq.pool, areq.client, user, auth_time=auth_time,
                              scopes=areq.scopes, refresh=False,
                              id_token="openid" in areq.scopes, nonce=areq.nonce,
                              source="HostedAuth")
        url = with_params(areq.redirect_uri, {
            "id_token": result.get("IdToken"), "access_token": result["AccessToken"],
            "token_type": "bearer", "expires_in": result["ExpiresIn"], "state": areq.state},
            fragment=True)
    if not new_session:
        return url, None
    session_id = user_sessions.start_sso(ctx, areq.pool, areq.client, user)
    cookie = sessions.encode(ctx.emu, pool_id=areq.pool["Id"], user=user, auth_time=auth_time,
                             now=ctx.now(), saml=federated, session_id=session_id,
                             lifetime=user_sessions.sso_lifetime_seconds(ctx.store,
                                                                         areq.pool["Id"]))
    return url, cookie


def session_user(ctx, request: Request, pool: dict,
                 client: dict | None = None) -> tuple[dict, int] | None:
    """(user, auth_time) of a live hosted-UI session cookie for this pool, if the user can
    still sign in - and, for `client`, within that client's SSO reuse window (session
    tracking's MaxValidityMinutes, from the last fresh authentication)."""
    session = sessions.decode(ctx.emu, request.cookies.get(sessions.cookie_name(pool["Id"])),
                              pool_id=pool["Id"], now=ctx.now())
    if session is None:
        return None
    if client is not None and ctx.now() >= session["authTime"] + \
            user_sessions.sso_reuse_seconds(ctx.store, pool["Id"], client["ClientId"]):
        return None
    user = users.get(ctx.store, pool, session["username"])
    if user is None or user["Attributes"].get("sub") != session["sub"] \
            or not user.get("Enabled", True) \
            or user["UserStatus"] not in ("CONFIRMED", "EXTERNAL_PROVIDER"):
        return None
    return user, session["authTime"]
