"""/oauth2/token (reference 7.2): client authentication (client_secret_basic or _post, or a
public client's id) and the grants: authorization_code (with PKCE), refresh_token,
client_credentials. Also the client authentication of /oauth2/revoke.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import logging
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...api import calls
from ...auth import client_tokens, oauth_codes, tokens
from ...domain import cimd, client_config, clients, pools, users
from ...errors import CognitoError
from ..errors import ClientAuthError, PageError
from ..http import JSON_TYPE, NO_STORE, form_body, host_pool, is_form, json_error, web_context

log = logging.getLogger("emulator.oauth")


def client_auth_response(err: ClientAuthError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="cognito"'} if err.basic else None
    return json_error(err.error, err.status, headers)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ClientAuthError("invalid_client", 401, True) from None
    if ":" not in decoded:
        raise ClientAuthError("invalid_client", 401, True)
    client_id, secret = decoded.split(":", 1)
    return unquote(client_id), unquote(secret)  # RFC 6749 2.3.1 form-encodes both


def authenticate_client(store, request: Request, form: dict, pool: dict | None) -> dict:
    """The app client of a token/revocation request: client_secret_basic (Authorization
    header) or client_secret_post (body), or client_id alone for a client without a secret.
    invalid_client is answered with 401 (RFC 6749 5.2; the reference notes the DG lists
    400 - UNCONFIRMED)."""
    basic = _basic_credentials(request.headers.get("authorization"))
    body_id, body_secret = form.get("client_id") or None, form.get("client_secret") or None
    if basic is not None:
        if body_secret is not None:
            raise ClientAuthError("invalid_request")  # two authentication methods
        if body_id is not None and body_id != basic[0]:
            raise ClientAuthError("invalid_client", 401, True)
        client_id, secret = basic
    else:
        client_id, secret = body_id, body_secret
    if not client_id:
        raise ClientAuthError("invalid_client", 401)
    if cimd.is_metadata_url(client_id):
        return _metadata_client(store, client_id, secret, pool, basic is not None)
    client = clients.find(store, client_id)
    if client is None or (pool is not None and client["UserPoolId"] != pool["Id"]):
        raise ClientAuthError("invalid_client", 401, basic is not None)
    if clients.has_secret(client):
        if not secret or not any(_same(secret, s) for s in clients.secrets(client)):
            raise ClientAuthError("invalid_client", 401, basic is not None)
    elif secret:
        # A secret for a client that has none (UNCONFIRMED; some report unauthorized_client).
        raise ClientAuthError("invalid_client", 401, basic is not None)
    return client


def _metadata_client(store, url: str, secret: str | None, pool: dict | None,
                     basic: bool) -> dict:
    """A client_id that is a metadata document URL (domain/cimd.py): a public client, known
    on the pool's domain from the document /oauth2/authorize cached."""
    if secret or pool is None:
        raise ClientAuthError("invalid_client", 401, basic)
    try:
        return cimd.client_for(store, pool, url)
    except cimd.Refused:
        raise ClientAuthError("invalid_client", 401, basic) from None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _token_json(result: dict) -> dict:
    out = {}
    if "IdToken" in result:
        out["id_token"] = result["IdToken"]
    out["access_token"] = result["AccessToken"]
    if "RefreshToken" in result:
        out["refresh_token"] = result["RefreshToken"]
    out["expires_in"] = result["ExpiresIn"]
    out["token_type"] = "Bearer"
    return out


def _grant_code(ctx, pool: dict, client: dict, form: dict) -> dict:
    if not client_config.allows_flow(client, "code"):
        raise oauth_codes.GrantError("unauthorized_client")
    code, redirect_uri = form.get("code"), form.get("redirect_uri")
    if not code or not redirect_uri:
        raise oauth_codes.GrantError("invalid_request")
    if cimd.is_metadata_client(client) and redirect_uri not in client["CallbackURLs"]:
        # Codes are bound to the policy's app client: one metadata URL can't redeem a code
        # sent to a redirect_uri its document doesn't list (UNCONFIRMED).
        raise oauth_codes.GrantError("invalid_grant")
    record = oauth_codes.redeem(ctx, pool, client, code, redirect_uri=redirect_uri,
                                verifier=form.get("code_verifier") or None)
    user = users.get(ctx.store, pool, record["username"])
    if user is None or user["Attributes"].get("sub") != record["sub"] \
            or not user.get("Enabled", True):
        raise oauth_codes.GrantError("invalid_grant", commit=True)
    scopes = record["scopes"]
    result = tokens.issue(ctx, pool, client, user, auth_time=record["authTime"], scopes=scopes,
                          id_token="openid" in scopes, nonce=record.get("nonce"),
                          source="HostedAuth")
    return _token_json(result)


def _grant_refresh(ctx, pool: dict, client: dict, form: dict) -> dict:
    refresh_token = form.get("refresh_token")
    if not refresh_token:
        raise oauth_codes.GrantError("invalid_request")
    if cimd.is_metadata_client(client) and not cimd.allows_refresh(client):
        raise oauth_codes.GrantError("unauthorized_client")  # its document's grant_types
    try:
        result = tokens.refresh(ctx, pool, client, refresh_token,
                                rotate=tokens.rotation_enabled(client))
    except CognitoError as err:
        if err.code in ("NotAuthorizedException", "RefreshTokenReuseException"):
            raise oauth_codes.GrantError("invalid_grant", err.message) from None
        raise
    return _token_json(result)


def _grant_client_credentials(ctx, pool: dict, client: dict, form: dict) -> dict:
    # The checks and the token are GetClientToken's too (auth/client_tokens.py).
    requested = form.get("scope")
    try:
        return client_tokens.grant(ctx, pool, client,
                                   requested.split() if requested is not None else None)
    except client_tokens.Refused as err:
        raise oauth_codes.GrantError(err.error) from None


GRANTS = {"authorization_code": _grant_code, "refresh_token": _grant_refresh,
          "client_credentials": _grant_client_credentials}


async def _client_form(request: Request):
    """The form of a client's POST to /oauth2/token or /oauth2/revoke: (pool named by the
    Host or None, form, repeated parameter names), or the JSON error to answer."""
    try:
        pool_of_host = host_pool(request)
    except PageError:
        return json_error("invalid_request", 404)
    if not is_form(request):
        return json_error("invalid_request")
    try:
        form, repeated = await form_body(request)
    except CognitoError as err:
        return json_error(err.code, err.status)
    return pool_of_host, form, repeated


async def token(request: Request):
    """POST /oauth2/token. Errors are JSON {"error": code} (reference 7.3)."""
    read = await _client_form(request)
    if isinstance(read, Response):
        return read
    pool_of_host, form, repeated = read
    if repeated:
        return json_error("invalid_request")  # RFC 6749 3.2: no parameter twice
    grant_type = form.get("grant_type")
    if not grant_type:
        return json_error("invalid_request")
    store = request.app.state.emu.store
    try:
        client = authenticate_client(store, request, form, pool_of_host)
    except ClientAuthError as err:
        return client_auth_response(err)
    grant = GRANTS.get(grant_type)
    if grant is None:
        return json_error("unsupported_grant_type")
    if not client.get("AllowedOAuthFlowsUserPoolClient"):
        return json_error("unauthorized_client")
    pool = pools.get(store, client["UserPoolId"])
    if pool is None:
        return json_error("invalid_client", 401)
    ctx = web_context(request, "/oauth2/token", pool)
    try:
        body = await calls.call(calls.runs_lambdas(pool), grant, ctx, pool, client, form)
    except oauth_codes.GrantError as err:
        return json_error(err.code, err.status)
    except CognitoError as err:  # a trigger refusing, etc.
        log.info("token grant failed: %s %s", err.code, err.message)
        return json_error("invalid_request")
    return JSONResponse(body, headers=NO_STORE, media_type=JSON_TYPE)
