"""The mocks' HTTP endpoints (the table in mock_idps/__init__.py): the sign-in page and its
login_hint shortcut, the token endpoint, discovery, JWKS and the user-info endpoints."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import urlsplit

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ...domain.mock_idps import BY_SLUG, MOCKS, PREFIX, Mock, base, shapes, state
from ...errors import CognitoError
from .. import templates
from ..http import NO_STORE, form_body, with_params
from ..templates import Markup, esc
from .identity import Refused, from_login_hint, identity

PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                "Content-Security-Policy": "frame-ancestors 'none'"}
# The authorize parameters the page carries from GET to POST.
CARRIED = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
           "code_challenge", "code_challenge_method", "response_mode")
IDENTITY_FIELDS = ("sub", "email", "email_verified", "name", "extra")


def _mock(request: Request, path: str) -> Mock | None:
    mock = BY_SLUG.get(request.path_params.get("mock", ""))
    if mock is None or path not in (mock.authorize_path, mock.token_path,
                                    mock.attributes_path, "/oidc"):
        return None
    if path == "/oidc" and not mock.oidc:
        return None
    return mock


def _not_found() -> JSONResponse:
    return JSONResponse({"error": "not_found"}, 404, headers=NO_STORE)


def _oauth_error(err: Refused, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": err.error, "error_description": err.description}, status,
                        headers=NO_STORE)


def _now(request: Request) -> float:
    return request.app.state.emu.clock.now()


async def _params(request: Request) -> dict:
    params = dict(request.query_params)
    if request.method == "POST":
        try:
            form, _ = await form_body(request)
        except CognitoError as err:
            raise Refused("invalid_request", err.message) from None
        params.update(form)
    return params


# --- authorize: the sign-in page ------------------------------------------------------------

def _check_authorize(mock: Mock, params: dict) -> None:
    if params.get("client_id") != mock.client_id:
        raise Refused("invalid_client", f"the {mock.provider_type} mock knows only client_id "
                                        f"{mock.client_id}")
    target = urlsplit(params.get("redirect_uri") or "")
    if target.scheme not in ("http", "https") or not target.netloc:
        raise Refused("invalid_request", "redirect_uri must be an http(s) URL")
    if params.get("response_type", "code") != "code":
        raise Refused("unsupported_response_type", "only response_type=code")


def _page(mock: Mock, params: dict, action: str, error: str | None = None) -> HTMLResponse:
    carried = [templates.hidden(k, params[k]) for k in CARRIED if params.get(k) is not None]
    fields = [
        templates.field("sub", "Subject (sub / user id)", value=params.get("sub", "")),
        templates.field("email", "Email", type="email", value=params.get("email", ""),
                        required=False),
        templates.field("email_verified", "email_verified (true / false)",
                        value=params.get("email_verified", "true"), required=False),
        templates.field("name", "Name", value=params.get("name", ""), required=False),
        templates.field("extra", "Extra claims (JSON object)", value=params.get("extra", ""),
                        required=False)]
    cancel = Markup('<button type="submit" name="action" value="cancel" '
                    'formnovalidate>Cancel (access_denied)</button>')
    body = templates.join([
        Markup(f"<p>Mock {esc(mock.provider_type)} sign-in: pick the identity to return.</p>"),
        templates.form(action, "", [*carried, *fields], "Sign in", name="mock-signin",
                       extra_buttons=[cancel])])
    return HTMLResponse(templates.page(f"Mock {mock.provider_type}", body, error=error),
                        400 if error else 200, headers=PAGE_HEADERS)


def _answer(mock: Mock, params: dict, reply: dict) -> Response:
    """Back to the relying party: a redirect, or (Apple, response_mode=form_post) a form the
    browser posts at once (a button without JS)."""
    reply = {**reply, "state": params.get("state")}
    if mock.slug == "apple" and params.get("response_mode") == "form_post":
        inputs = templates.join(templates.hidden(k, v) for k, v in reply.items()
                                if v is not None)
        body = Markup(f'<form method="post" action="{esc(params["redirect_uri"])}" '
                      f'id="mock-post">{inputs}<button type="submit">Continue</button></form>'
                      '<script>document.getElementById("mock-post").submit();</script>')
        return HTMLResponse(templates.page(f"Mock {mock.provider_type}", body),
                            headers=PAGE_HEADERS)
    return Response(status_code=302, headers={
        "Location": with_params(params["redirect_uri"], reply), **NO_STORE})


async def authorize(request: Request) -> Response:
    path = "/" + request.url.path.split("/", 4)[-1]
    mock = _mock(request, path)
    if mock is None:
        return _not_found()
    try:
        params = await _params(request)
        _check_authorize(mock, params)
    except Refused as err:
        return HTMLResponse(templates.error_page(f"Mock {mock.provider_type}: request refused",
                                                 f"{err.error}: {err.description}"), 400,
                            headers=PAGE_HEADERS)
    if request.method == "POST" and params.get("action") == "cancel":
        return _answer(mock, params, {"error": "access_denied",
                                      "error_description": "The user cancelled the sign-in."})
    submitted = request.method == "POST" and "sub" in params
    if not submitted and not params.get("login_hint"):
        return _page(mock, params, request.url.path)
    try:
        ident = identity({k: params[k] for k in IDENTITY_FIELDS if k in params}) \
            if submitted else from_login_hint(params["login_hint"])
    except Refused as err:
        return _page(mock, params, request.url.path, error=err.description)
    store, now = request.app.state.emu.store, _now(request)
    code = state.new_code(store, now, {
        "slug": mock.slug, "clientId": mock.client_id, "redirectUri": params["redirect_uri"],
        "nonce": params.get("nonce"), "challenge": params.get("code_challenge"),
        "method": params.get("code_challenge_method"), "identity": ident})
    reply = {"code": code}
    if mock.slug == "apple":
        reply["user"] = shapes.apple_user_field(ident)
    return _answer(mock, params, reply)


# --- token ------------------------------------------------------------------------------------

def _client(request: Request, params: dict) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Refused("invalid_client", "bad Basic credentials") from None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return params.get("client_id") or "", params.get("client_secret") or ""


def _check_client(mock: Mock, client_id: str, secret: str) -> None:
    if client_id != mock.client_id or not secret:
        raise Refused("invalid_client", "unknown client or no client_secret")
    if mock.slug == "apple":
        # Apple's client_secret is an ES256 JWT from the team's key; the mock can't know the
        # public key, so it checks the shape only (iss = team, sub = client_id).
        try:
            claims = jwt.decode(secret, options={"verify_signature": False})
            header = jwt.get_unverified_header(secret)
        except jwt.PyJWTError:
            raise Refused("invalid_client", "client_secret is not a JWT") from None
        if header.get("alg") != "ES256" or claims.get("sub") != client_id \
                or not claims.get("iss") or not header.get("kid"):
            raise Refused("invalid_client", "client_secret JWT needs alg ES256, kid, iss "
                                            "(team id) and sub (client id)")


def _check_pkce(grant: dict, verifier: str | None) -> None:
    challenge = grant.get("challenge")
    if not challenge:
        return
    if not verifier:
        raise Refused("invalid_grant", "code_verifier required")
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    expected = digest.decode() if grant.get("method") == "S256" else verifier
    if not hmac.compare_digest(expected, challenge):
        raise Refused("invalid_grant", "code_verifier does not match")


async def token(request: Request) -> Response:
    path = "/" + request.url.path.split("/", 4)[-1]
    mock = _mock(request, path)
    if mock is None:
        return _not_found()
    emu = request.app.state.emu
    try:
        params = await _params(request)
        client_id, secret = _client(request, params)
        _check_client(mock, client_id, secret)
        if mock.slug != "facebook" and params.get("grant_type") != "authorization_code":
            raise Refused("unsupported_grant_type", "only authorization_code")
        now = _now(request)
        grant = state.take_code(emu.store, params.get("code") or "", now)
        if grant is None or grant["slug"] != mock.slug or grant["clientId"] != client_id:
            raise Refused("invalid_grant", "unknown, expired or used code")
        if grant["redirectUri"] != params.get("redirect_uri"):
            raise Refused("invalid_grant", "redirect_uri does not match")
        _check_pkce(grant, params.get("code_verifier"))
    except Refused as err:
        return _oauth_error(err, 401 if err.error == "invalid_client" else 400)
    ident = grant["identity"]
    # The client id kept with the token: an identity pool checks it (Facebook's app id,
    # Amazon's aud).
    answer = {"access_token": state.new_access_token(emu.store, now, {
        "slug": mock.slug, "clientId": client_id, "identity": ident}),
        "token_type": "Bearer", "expires_in": 3600}
    if mock.oidc:
        answer["id_token"] = state.sign(emu.store, shapes.id_token_claims(
            mock, base(emu.settings, mock), client_id, ident, grant.get("nonce"), now))
    return JSONResponse(answer, headers=NO_STORE)


# --- discovery, keys, user info ---------------------------------------------------------------

async def discovery(request: Request) -> Response:
    mock = _mock(request, "/oidc")
    if mock is None:
        return _not_found()
    issuer = base(request.app.state.emu.settings, mock)
    document = {
        "issuer": issuer, "authorization_endpoint": issuer + mock.authorize_path,
        "token_endpoint": issuer + mock.token_path, "jwks_uri": issuer + "/jwks",
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "email", "email_verified", "name"]}
    if mock.attributes_path:
        document["userinfo_endpoint"] = issuer + mock.attributes_path
    if mock.slug == "apple":
        document["response_modes_supported"] = ["query", "fragment", "form_post"]
    return JSONResponse(document)


async def jwks(request: Request) -> Response:
    if _mock(request, "/oidc") is None:
        return _not_found()
    return JSONResponse(state.jwks(request.app.state.emu.store))


async def user_info(request: Request) -> Response:
    path = "/" + request.url.path.split("/", 4)[-1]
    mock = _mock(request, path)
    if mock is None or not mock.attributes_path:
        return _not_found()
    try:
        params = await _params(request)
    except Refused as err:
        return _oauth_error(err)
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else \
        params.get("access_token") or ""
    grant = state.read_access_token(request.app.state.emu.store, given, _now(request))
    if grant is None or grant["slug"] != mock.slug:
        return JSONResponse({"error": "invalid_token"}, 401, headers={
            "WWW-Authenticate": 'Bearer error="invalid_token"', **NO_STORE})
    claims = shapes.profile(mock, grant["identity"])
    if mock.slug == "facebook":
        claims = shapes.selected(claims, params.get("fields"), "id")
    return JSONResponse(claims, headers=NO_STORE)


async def index(request: Request) -> Response:
    settings = request.app.state.emu.settings
    return JSONResponse({"mocks": [{"ProviderType": m.provider_type, "client_id": m.client_id,
                                    "base": base(settings, m)} for m in MOCKS.values()]})


def _paths(attr: str) -> list[str]:
    return sorted({getattr(m, attr) for m in MOCKS.values() if getattr(m, attr)})


routes = [
    Route(f"{PREFIX}/mocks", index, methods=["GET"]),
    *[Route(f"{PREFIX}/{{mock}}{p}", authorize, methods=["GET", "POST"])
      for p in _paths("authorize_path")],
    *[Route(f"{PREFIX}/{{mock}}{p}", token, methods=["GET", "POST"])
      for p in _paths("token_path")],
    *[Route(f"{PREFIX}/{{mock}}{p}", user_info, methods=["GET", "POST"])
      for p in _paths("attributes_path")],
    Route(f"{PREFIX}/{{mock}}/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route(f"{PREFIX}/{{mock}}/jwks", jwks, methods=["GET"]),
]
