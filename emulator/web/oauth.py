"""OAuth 2.0 / OpenID Connect endpoints of the user-pool domain (reference section 7):
/oauth2/authorize, /oauth2/token, /oauth2/userInfo, /oauth2/revoke, /logout.

Every pool is served on the emulator's own port: the pool comes from client_id, and also
from the Host header when it names a pool domain - `<prefix>.auth.localhost:<port>`
(browsers resolve *.localhost to loopback), `<prefix>.auth.<region>.amazoncognito.com`, or
a custom domain. The hosted pages (/login, /signup ...) are in hosted_ui.py; both share the
authorize request parsed here (AuthRequest), which travels between pages in the query
string, as Cognito's own pages do.

Other sign-in front ends (SAML, social IdPs) plug in with:
    IDP_STARTERS[ProviderType] = fn(ctx, areq, provider record) -> URL | None
        /oauth2/authorize?identity_provider=<name> (or idp_identifier=...) redirects there;
        the provider record is the pool's kind "identity_provider" entry (client_config).
        areq.query() is the string to carry (RelayState); parse_authorize() restores it.
    finish(ctx, areq, user, auth_time) -> (redirect URL, session cookie value)
        once the user is known: issues the code (or implicit tokens) and a hosted-UI
        session; redirect(url, (pool id, cookie)) answers with both.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..api import calls
from ..api.context import Context
from ..auth import oauth_codes, tokens
from ..domain import client_config, clients, domains, pools, resource_servers, users
from ..errors import CognitoError
from . import sessions, templates

log = logging.getLogger("emulator.oauth")

NEEDS_OPENID = ("email", "phone", "profile")
RESPONSE_TYPES = {"code": "code", "token": "implicit"}   # response_type -> AllowedOAuthFlows
PROMPTS = ("none", "login", "select_account", "consent")
# The authorize parameters that travel from page to page (anything else is dropped).
CARRIED = ("client_id", "redirect_uri", "response_type", "state", "scope", "nonce",
           "code_challenge", "code_challenge_method", "identity_provider", "idp_identifier",
           "prompt", "login_hint", "lang", "resource")
JSON_TYPE = "application/json;charset=UTF-8"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

IDP_STARTERS: dict[str, Callable] = {}
LOGOUT_STARTERS: list[Callable] = []


# --- plumbing --------------------------------------------------------------------------------

def web_context(request: Request, operation: str, pool: dict | None = None) -> Context:
    """An API Context for a browser/OAuth request (flows, triggers and tokens take one)."""
    emu = request.app.state.emu
    region = pool["Id"].split("_", 1)[0] if pool else emu.settings.region
    return Context(emu=emu, operation=operation, request_id=str(uuid.uuid4()), region=region,
                   account_id=emu.settings.account_id,
                   source_ip=request.client.host if request.client else "",
                   headers=dict(request.headers))


async def form_body(request: Request) -> tuple[dict[str, str], set[str]]:
    """An application/x-www-form-urlencoded body: (first value of each name, names given
    more than once). Parsed here: Starlette's form() needs python-multipart."""
    limit = request.app.state.emu.settings.max_body_bytes
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise CognitoError("invalid_request", "Request body too large.", 413)
    values: dict[str, str] = {}
    repeated: set[str] = set()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CognitoError("invalid_request", "Request body is not UTF-8.") from None
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name in values:
            repeated.add(name)
        else:
            values[name] = value
    return values, repeated


def is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/x-www-form-urlencoded"


class PageError(Exception):
    """Shown as an HTML error page (nowhere safe to redirect to)."""

    def __init__(self, text: str, status: int = 400, title: str = "An error was encountered"):
        super().__init__(text)
        self.text, self.status, self.title = text, status, title


def error_page(err: PageError) -> HTMLResponse:
    return HTMLResponse(templates.error_page(err.title, err.text), err.status)


def host_pool(request: Request) -> dict | None:
    """The pool whose domain the Host header names (None: a plain host such as 127.0.0.1 or
    localhost). An unknown `<prefix>.auth.localhost` is an error page: no such domain."""
    host = request.headers.get("host") or ""
    store = request.app.state.emu.store
    record = domains.by_host(store, host)
    if record is None:
        name = host.strip().lower().rsplit(":", 1)[0]
        if name.endswith(domains.LOCAL_SUFFIX):
            raise PageError(f"The domain {name} does not belong to any user pool.", 404)
        return None
    pool = pools.get(store, record["poolId"])
    if pool is None:
        raise PageError(f"The domain {record['domain']} does not belong to any user pool.", 404)
    return pool


def json_error(error: str, status: int = 400, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": error}, status, headers={**_NO_STORE, **(headers or {})},
                        media_type=JSON_TYPE)


def with_params(uri: str, params: dict, *, fragment: bool = False) -> str:
    """uri plus params in its query (or fragment), keeping a query it already has."""
    encoded = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return f"{uri}#{encoded}"
    if uri.endswith(("?", "&")):
        return uri + encoded
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{encoded}"


# --- scopes ----------------------------------------------------------------------------------

def custom_scopes(store, pool_id: str) -> set[str]:
    return resource_servers.all_scopes(store, pool_id)


def client_scopes(store, client: dict) -> list[str]:
    """The client's AllowedOAuthScopes that still mean something (a custom scope whose
    resource server or scope was deleted is dropped)."""
    allowed = client.get("AllowedOAuthScopes") or []
    existing = None
    out = []
    for scope in allowed:
        if "/" in scope:
            if existing is None:
                existing = custom_scopes(store, client["UserPoolId"])
            if scope not in existing:
                continue
        out.append(scope)
    return out


def grant_scopes(store, client: dict, requested: str | None) -> list[str]:
    """The scopes an authorize request gets: requested ones the client may have (unknown
    or unauthorized ones are ignored, reference 7.1); all of the client's when none are
    asked for; email/phone/profile only with openid. invalid_scope when nothing is left."""
    allowed = client_scopes(store, client)
    if requested is None or not requested.strip():
        granted = list(allowed)
    else:
        wanted = list(dict.fromkeys(requested.split()))
        granted = [s for s in wanted if s in allowed]
    if "openid" not in granted:
        granted = [s for s in granted if s not in NEEDS_OPENID]
    if not granted:
        raise RedirectError("invalid_scope")
    return granted


# --- the authorize request -------------------------------------------------------------------

class RedirectError(Exception):
    """An OAuth error answered by redirecting to the (valid) redirect_uri."""

    def __init__(self, error: str, description: str | None = None):
        super().__init__(error)
        self.error, self.description = error, description
        self.areq: AuthRequest | None = None  # set once the request is known


@dataclass
class AuthRequest:
    pool: dict
    client: dict
    params: dict                     # the carried parameters, as given
    response_type: str = ""
    redirect_uri: str = ""
    state: str | None = None
    scopes: list[str] = field(default_factory=list)
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    identity_provider: str | None = None
    idp_identifier: str | None = None
    prompt: str | None = None
    login_hint: str | None = None

    def query(self) -> str:
        return urlencode(self.params)

    def url(self, path: str) -> str:
        return f"{path}?{self.query()}"

    def error_url(self, error: str, description: str | None = None) -> str:
        return with_params(self.redirect_uri, {"error": error, "error_description": description,
                                               "state": self.state})


def find_client(store, client_id: str | None, pool: dict | None) -> tuple[dict, dict]:
    """(pool, client) for a client_id, within the Host's pool when there is one."""
    if not client_id:
        raise PageError("Required parameter client_id is missing.")
    client = clients.find(store, client_id)
    if client is None or (pool is not None and client["UserPoolId"] != pool["Id"]):
        raise PageError("The client_id does not belong to this user pool.")
    found = pool or pools.get(store, client["UserPoolId"])
    if found is None:
        raise PageError("The client_id does not belong to this user pool.")
    return found, client


def parse_authorize(store, params: dict, pool: dict | None) -> AuthRequest:
    """Check an authorize request (the /oauth2/authorize and hosted-page query string).
    PageError while there is nowhere safe to redirect (unknown client, unregistered
    redirect_uri); RedirectError (with .areq) for the rest."""
    pool, client = find_client(store, params.get("client_id"), pool)
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri or redirect_uri not in (client.get("CallbackURLs") or []):
        # Cognito's classic pages show /error?error=redirect_mismatch (UNCONFIRMED).
        raise PageError("redirect_mismatch: the redirect_uri is not one of the app client's "
                        "callback URLs.")
    carried = {k: params[k] for k in CARRIED if params.get(k) is not None}
    areq = AuthRequest(pool, client, carried, redirect_uri=redirect_uri,
                       state=params.get("state"), nonce=params.get("nonce"),
                       response_type=params.get("response_type") or "",
                       identity_provider=params.get("identity_provider") or None,
                       idp_identifier=params.get("idp_identifier") or None,
                       prompt=params.get("prompt") or None,
                       login_hint=params.get("login_hint") or None)
    try:
        _check_authorize(store, areq, params)
    except RedirectError as err:
        err.areq = areq
        raise
    return areq


def _check_authorize(store, areq: AuthRequest, params: dict) -> None:
    client = areq.client
    if not areq.response_type:
        raise RedirectError("invalid_request", "response_type is required")
    if areq.response_type not in RESPONSE_TYPES:
        # RFC 6749's code; what Cognito answers is UNCONFIRMED.
        raise RedirectError("unsupported_response_type")
    if not client_config.allows_flow(client, RESPONSE_TYPES[areq.response_type]):
        raise RedirectError("unauthorized_client")
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if areq.response_type == "code" and (challenge or method):
        # The reference documents S256 only and a method-less challenge as invalid_request;
        # the project's issue asks for "plain" as well (RFC 7636), so both are accepted.
        if not challenge or method not in oauth_codes.PKCE_METHODS:
            raise RedirectError("invalid_request", "invalid code_challenge or "
                                                   "code_challenge_method")
        if not re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", challenge):
            raise RedirectError("invalid_request", "invalid code_challenge")
        areq.code_challenge, areq.code_challenge_method = challenge, method
    if areq.prompt is not None and not set(areq.prompt.split()) <= set(PROMPTS):
        raise RedirectError("invalid_request", "invalid prompt")
    areq.scopes = grant_scopes(store, client, params.get("scope"))
    provider = areq.identity_provider
    if provider is not None and provider not in (client.get("SupportedIdentityProviders") or []):
        raise RedirectError("invalid_request", f"{provider} is not a supported identity "
                                               f"provider for this client")  # UNCONFIRMED


def cognito_sign_in_allowed(client: dict) -> bool:
    return "COGNITO" in (client.get("SupportedIdentityProviders") or [])


# --- finishing a sign-in ---------------------------------------------------------------------

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
    cookie = sessions.encode(ctx.emu, pool_id=areq.pool["Id"], user=user, auth_time=auth_time,
                             now=ctx.now(), saml=federated)
    return url, cookie


def session_user(ctx, request: Request, pool: dict) -> tuple[dict, int] | None:
    """(user, auth_time) of a live hosted-UI session cookie for this pool, if the user can
    still sign in."""
    session = sessions.decode(ctx.emu, request.cookies.get(sessions.cookie_name(pool["Id"])),
                              pool_id=pool["Id"], now=ctx.now())
    if session is None:
        return None
    user = users.get(ctx.store, pool, session["username"])
    if user is None or user["Attributes"].get("sub") != session["sub"] \
            or not user.get("Enabled", True) \
            or user["UserStatus"] not in ("CONFIRMED", "EXTERNAL_PROVIDER"):
        return None
    return user, session["authTime"]


def redirect(url: str, cookie: tuple[str, str | None] | None = None) -> RedirectResponse:
    """302 to url; cookie = (pool id, session value) sets, (pool id, None) clears."""
    response = RedirectResponse(url, 302)
    if cookie is not None:
        pool_id, value = cookie
        if value is None:
            sessions.clear_cookie(response, pool_id)
        else:
            sessions.set_cookie(response, pool_id, value)
    return response


# --- /oauth2/authorize -----------------------------------------------------------------------

def external_provider(store, areq: AuthRequest) -> dict | None:
    """The pool's identity provider an authorize request names (identity_provider, or an
    idp_identifier one of them declares); None when it names Cognito's own sign-in."""
    pool_id = areq.pool["Id"]
    if areq.identity_provider and areq.identity_provider != client_config.COGNITO_PROVIDER:
        found = store.get(client_config.IDENTITY_PROVIDER_KIND, pool_id, areq.identity_provider)
    elif areq.idp_identifier and not areq.identity_provider:
        found = next((rec for _, rec in store.list(client_config.IDENTITY_PROVIDER_KIND, pool_id)
                      if areq.idp_identifier in (rec.get("IdpIdentifiers") or [])), None)
        if found is None:
            raise RedirectError("invalid_request", "unknown idp_identifier")  # UNCONFIRMED
        if found.get("ProviderName") not in (areq.client.get("SupportedIdentityProviders") or []):
            raise RedirectError("invalid_request", f"{found.get('ProviderName')} is not a "
                                                   f"supported identity provider for this client")
    else:
        return None
    if found is None:
        raise RedirectError("invalid_request", f"identity provider {areq.identity_provider} "
                                               f"does not exist")  # wording UNCONFIRMED
    return found


def _start_external(ctx, areq: AuthRequest, provider: dict) -> str:
    """URL of the external IdP sign-in (IDP_STARTERS by ProviderType)."""
    starter = IDP_STARTERS.get(provider.get("ProviderType"))
    url = starter(ctx, areq, provider) if starter else None
    if not url:
        raise RedirectError("invalid_request", f"sign-in through {provider.get('ProviderName')} "
                                               f"is not available in this emulator")
    return url


def _authorize(ctx, request: Request, areq: AuthRequest) -> str:
    """Where an authorize request goes: an external IdP, back to the app (a live session
    cookie), or the login page."""
    provider = external_provider(ctx.store, areq)
    if provider is not None:
        return _start_external(ctx, areq, provider)
    prompts = set((areq.prompt or "").split())
    if "login" not in prompts:
        signed_in = session_user(ctx, request, areq.pool)
        if signed_in is not None:
            return finish(ctx, areq, *signed_in, new_session=False)[0]
    if "none" in prompts:
        return areq.error_url("login_required")
    return areq.url("/login")


async def authorize(request: Request):
    """GET /oauth2/authorize."""
    try:
        pool = host_pool(request)
        areq = parse_authorize(request.app.state.emu.store, dict(request.query_params), pool)
    except PageError as err:
        return error_page(err)
    except RedirectError as err:
        return redirect(err.areq.error_url(err.error, err.description))
    ctx = web_context(request, "/oauth2/authorize", areq.pool)
    try:
        url = await calls.call(calls.runs_lambdas(areq.pool), _authorize, ctx, request, areq)
    except RedirectError as err:
        return redirect(areq.error_url(err.error, err.description))
    except CognitoError as err:  # e.g. a pre token generation function failing (implicit)
        log.info("authorize failed: %s %s", err.code, err.message)
        return redirect(areq.error_url("server_error"))
    return redirect(url)


# --- client authentication (token and revocation endpoints) ---------------------------------

class ClientAuthError(Exception):
    def __init__(self, error: str, status: int = 400, basic: bool = False):
        super().__init__(error)
        self.error, self.status, self.basic = error, status, basic

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Basic realm="cognito"'} if self.basic else None
        return json_error(self.error, self.status, headers)


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


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# --- /oauth2/token ---------------------------------------------------------------------------

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
    try:
        result = tokens.refresh(ctx, pool, client, refresh_token,
                                rotate=tokens.rotation_enabled(client))
    except CognitoError as err:
        if err.code in ("NotAuthorizedException", "RefreshTokenReuseException"):
            raise oauth_codes.GrantError("invalid_grant", err.message) from None
        raise
    return _token_json(result)


def _grant_client_credentials(ctx, pool: dict, client: dict, form: dict) -> dict:
    if not client_config.allows_flow(client, "client_credentials") \
            or not clients.has_secret(client):
        raise oauth_codes.GrantError("unauthorized_client")
    allowed = [s for s in client_scopes(ctx.store, client) if "/" in s]
    requested = form.get("scope")
    if requested is None or not requested.strip():
        granted = allowed
    else:
        granted = list(dict.fromkeys(requested.split()))
        if any(s not in allowed for s in granted):
            raise oauth_codes.GrantError("invalid_scope")
    if not granted:
        raise oauth_codes.GrantError("invalid_scope")
    return tokens.client_credentials_token(ctx, pool, client, granted)


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
        return err.response()
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
    return JSONResponse(body, headers=_NO_STORE, media_type=JSON_TYPE)


# --- /oauth2/userInfo ------------------------------------------------------------------------

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
                        headers={"WWW-Authenticate": header, **_NO_STORE}, media_type=JSON_TYPE)


_EXPIRED = ("Access token is expired, disabled, or deleted, or the user has globally "
            "signed out.")


def _userinfo(ctx, access_token: str) -> dict:
    try:
        pool, claims = tokens.verify_access(ctx, access_token)
    except CognitoError:
        raise PageError(_EXPIRED, 401) from None
    if "openid" not in str(claims.get("scope", "")).split():
        raise PageError("Access token does not contain openid scope", 401)
    sub, origin = claims.get("sub"), claims.get("origin_jti")
    # The sign-in's session record (tokens.py): gone after RevokeToken or global sign-out.
    if not origin or ctx.store.get(tokens.SESSION_KIND, pool["Id"], f"{sub}/{origin}") is None:
        raise PageError(_EXPIRED, 401)
    user = users.get(ctx.store, pool, str(claims.get("username", "")))
    if user is None or user["Attributes"].get("sub") != sub or not user.get("Enabled", True):
        raise PageError(_EXPIRED, 401)
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
    except PageError as err:
        return _bearer_error(err.status, "invalid_token", err.text)
    return JSONResponse(body, headers=_NO_STORE, media_type=JSON_TYPE)


# --- /oauth2/revoke --------------------------------------------------------------------------

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
        return err.response()
    if not form.get("token"):
        return json_error("invalid_request")
    ctx = web_context(request, "/oauth2/revoke")
    try:
        calls.run(lambda c: tokens.revoke(c, client, form["token"]), ctx)
    except CognitoError as err:
        return json_error(REVOKE_ERRORS.get(err.code, "invalid_request"))
    return Response(b"", 200, headers=_NO_STORE)


# --- /logout ---------------------------------------------------------------------------------

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
    """Where the browser goes now: an external IdP's logout (LOGOUT_STARTERS) for a session
    that came through one, else `then`."""
    emu = request.app.state.emu
    session = sessions.decode(emu, request.cookies.get(sessions.cookie_name(pool["Id"])),
                              pool_id=pool["Id"], now=emu.clock.now())
    if session is None or not LOGOUT_STARTERS:
        return then
    ctx = web_context(request, "/logout", pool)

    def first(ctx):
        return next((url for starter in LOGOUT_STARTERS
                     if (url := starter(ctx, pool, session, then))), then)
    return await calls.call(False, first, ctx)


# The hosted pages' routes are hosted_ui.routes (app.py mounts both lists).
routes = [
    Route("/oauth2/authorize", authorize, methods=["GET"]),
    Route("/oauth2/token", token, methods=["POST"]),
    Route("/oauth2/userInfo", userinfo, methods=["GET", "POST"]),
    Route("/oauth2/revoke", revoke, methods=["POST"]),
    Route("/logout", logout, methods=["GET"]),
]
