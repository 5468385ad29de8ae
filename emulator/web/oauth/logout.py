"""/logout (reference 7.5): clear the hosted-UI session and go to one of the client's sign-out
URLs (or sign in again); a session that came through an external identity provider with
single logout goes through the provider first (STARTERS).
"""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from ...api import calls
from .. import saml_sso, sessions
from ..authorize_request import find_client
from ..errors import PageError, error_page
from ..http import host_pool, redirect, web_context

# fn(ctx, pool, session, then) -> the provider's logout URL, or None when the session isn't
# theirs. The first that answers wins.
STARTERS = [saml_sso.start_logout]


async def logout(request: Request):
    """GET /logout: client_id + logout_uri (one of LogoutURLs) -> clear the session cookie,
    back to logout_uri; or client_id + redirect_uri + response_type [+ scope, state] ->
    clear it and sign in again (/login with those parameters)."""
    params = dict(request.query_params)
    store = request.app.state.emu.store
    try:
        pool, client = find_client(store, params.get("client_id"), host_pool(request))
    except PageError as err:
        return error_page(err)
    logout_uri = params.get("logout_uri")
    if logout_uri:
        if logout_uri not in (client.get("LogoutURLs") or []):
            return error_page(PageError("The logout_uri is not one of the app client's sign-out "
                                        "URLs."))
        then = logout_uri
    elif params.get("redirect_uri"):
        again = {k: params[k] for k in ("client_id", "redirect_uri", "response_type", "scope",
                                        "state", "nonce", "code_challenge",
                                        "code_challenge_method") if params.get(k)}
        if not params.get("response_type"):
            return error_page(PageError("Required parameter response_type is missing."))
        then = f"/login?{urlencode(again)}"
    else:
        return error_page(PageError("Required parameter logout_uri or redirect_uri is missing."))
    return redirect(await _logout_first(request, pool, then), (pool["Id"], None))


async def _logout_first(request: Request, pool: dict, then: str) -> str:
    """Where the browser goes now: an external IdP's logout (STARTERS) for a session
    that came through one, else `then`."""
    emu = request.app.state.emu
    session = sessions.decode(emu, request.cookies.get(sessions.cookie_name(pool["Id"])),
                              pool_id=pool["Id"], now=emu.clock.now())
    if session is None or not STARTERS:
        return then
    ctx = web_context(request, "/logout", pool)

    def first(ctx):
        return next((url for starter in STARTERS
                     if (url := starter(ctx, pool, session, then))), then)
    return await calls.call(False, first, ctx)
