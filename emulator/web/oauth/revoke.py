"""/oauth2/revoke (reference 7.4): a refresh token and the client's authentication."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...api import calls
from ...auth import tokens
from ...errors import CognitoError
from ..errors import ClientAuthError
from ..http import NO_STORE, json_error, web_context
from .token import _client_form, authenticate_client, client_auth_response

REVOKE_ERRORS = {"UnsupportedTokenTypeException": "unsupported_token_type",
                 "UnsupportedOperationException": "invalid_request",
                 # a refresh token of another client (UNCONFIRMED code)
                 "UnauthorizedException": "unauthorized_client"}


async def revoke(request: Request):
    """POST /oauth2/revoke: token (a refresh token) + client authentication. 200 with an
    empty body, also for unknown tokens (RFC 7009)."""
    read = await _client_form(request)
    if isinstance(read, Response):
        return read
    pool_of_host, form, _ = read
    store = request.app.state.emu.store
    try:
        client = authenticate_client(store, request, form, pool_of_host)
    except ClientAuthError as err:
        return client_auth_response(err)
    if not form.get("token"):
        return json_error("invalid_request")
    ctx = web_context(request, "/oauth2/revoke")
    try:
        calls.run(lambda c: tokens.revoke(c, client, form["token"]), ctx)
    except CognitoError as err:
        return json_error(REVOKE_ERRORS.get(err.code, "invalid_request"))
    return Response(b"", 200, headers=NO_STORE)
