"""The built-in test SAML IdP at /_emulator/idp: an offline stand-in for Entra ID & co.

    GET  /_emulator/idp                     index page (links, registered SPs, users)
    GET  /_emulator/idp/metadata            IdP metadata (entity id <base_url>/_emulator/idp,
                                            HTTP-Redirect SSO /sso and SLO /slo, signing cert,
                                            WantAuthnRequestsSigned="false")
    GET  /_emulator/idp/service-providers   registered SPs (JSON)
    POST /_emulator/idp/service-providers   body: the SP's metadata XML (the pool's SP metadata
         ?encrypt=true|false&sign=response|assertion|both&require_signed_requests=true|false
         [&cipher=aes256-cbc|aes128-gcm]    registers (or replaces) the SP -> JSON
    DELETE /_emulator/idp/service-providers?entity_id=...
    GET  /_emulator/idp/users               test users (JSON, without passwords)
    POST /_emulator/idp/users               JSON {username, password, attributes:
                                            {name: value|[values]}, [name_id], [name_id_format]}
                                            creates or replaces one
    GET  /_emulator/idp/sso?SAMLRequest=..&RelayState=..[&SigAlg&Signature]
                                            verifies the AuthnRequest, shows the login form
    POST /_emulator/idp/sso                 username/password -> auto-posting form to the ACS
    GET  /_emulator/idp/launch              IdP-initiated: pick SP and user, edit RelayState
    POST /_emulator/idp/launch              -> unsolicited response auto-posted to the ACS
    GET  /_emulator/idp/slo?SAMLRequest=..  signed LogoutRequest (HTTP-Redirect) -> a signed
                                            LogoutResponse auto-posted to the SP's logout URL

Default users (created with the IdP's key on first use): alice and bob, password
DEFAULT_PASSWORD, with Entra-ID-style claim URIs for email / given name / surname / name.
The NameID is the user's `name_id` (default: the username), Format persistent.

State lives in the emulator store (kind "test_idp", scope ""): "key" (the IdP's signing key
pair), "sp/<entity id>" (ServiceProvider.to_dict()), "user/<username>". /_emulator/reset
wipes it; the next use creates a fresh key and the default users again. Times come from the
emulator clock. The pages carry a CSRF token (XSRF-TOKEN cookie + _csrf field, as the hosted
UI); the login form re-submits the original signed query, which is verified again on POST,
so nothing the browser sends back is trusted on its own.
"""
from __future__ import annotations

import hmac
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from saml.certificates import new_key_pair
from saml.errors import SamlError
from saml.idp import (
    AES256_CBC,
    CIPHERS,
    NAMEID_PERSISTENT,
    SIGN_CHOICES,
    IdentityProvider,
    ServiceProvider,
    new_id,
    parse_sp_metadata,
    read_authn_request,
    read_logout_request,
)

from ..errors import CognitoError
from . import sessions, templates
from .http import form_body, is_form
from .templates import Markup, esc

KIND = "test_idp"
PREFIX = "/_emulator/idp"
YEAR = 365 * 86400
DEFAULT_PASSWORD = "TestIdP-Passw0rd!"
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
DEFAULT_USERS = [
    {"username": "alice", "password": DEFAULT_PASSWORD,
     "attributes": {f"{CLAIMS}/emailaddress": ["alice@example.com"],
                    f"{CLAIMS}/givenname": ["Alice"], f"{CLAIMS}/surname": ["Liddell"],
                    f"{CLAIMS}/name": ["alice@example.com"],
                    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups":
                        ["admins", "staff"]}},
    {"username": "bob", "password": DEFAULT_PASSWORD,
     "attributes": {f"{CLAIMS}/emailaddress": ["bob@example.com"],
                    f"{CLAIMS}/givenname": ["Bob"], f"{CLAIMS}/surname": ["Builder"],
                    f"{CLAIMS}/name": ["bob@example.com"],
                    "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["staff"]}},
]
EXAMPLE_RELAY_STATE = ("identity_provider=MySAMLIdP&client_id=YOUR_CLIENT_ID"
                       "&redirect_uri=http://localhost:3000/callback&response_type=code"
                       "&scope=openid+email")
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                "Content-Security-Policy": "frame-ancestors 'none'"}


# --- state -----------------------------------------------------------------------------------

def _emu(request: Request):
    return request.app.state.emu


def _identity_provider(emu) -> IdentityProvider:
    """The IdP with its key pair; key and default users are created on first use."""
    store = emu.store
    base = f"{emu.settings.base_url}{PREFIX}"
    with store.transaction():
        record = store.get(KIND, "", "key")
        if record is None:
            # Valid from five years back: tests that pin the clock into the past still
            # see a current certificate.
            pair = new_key_pair("Cognito emulator test IdP", emu.clock.now() - 5 * YEAR,
                                days=15 * 365)
            record = {"privateKeyPem": pair.private_key_pem,
                      "certificatePem": pair.certificate_pem}
            store.put(KIND, "", "key", record)
            for user in DEFAULT_USERS:
                store.put(KIND, "", f"user/{user['username']}", user)
    return IdentityProvider(entity_id=base, sso_url=f"{base}/sso", slo_url=f"{base}/slo",
                            key_pem=record["privateKeyPem"],
                            certificate_pem=record["certificatePem"])


def _service_provider(emu, entity_id: str | None) -> ServiceProvider | None:
    if not entity_id:
        return None
    record = emu.store.get(KIND, "", f"sp/{entity_id}")
    return ServiceProvider.from_dict(record) if record else None


def _service_providers(emu) -> list[ServiceProvider]:
    return [ServiceProvider.from_dict(r) for _, r in emu.store.list(KIND, "", prefix="sp/")]


def _users(emu) -> list[dict]:
    return [r for _, r in emu.store.list(KIND, "", prefix="user/")]


def _user(emu, username: str) -> dict | None:
    return emu.store.get(KIND, "", f"user/{username}") if username else None


def _sp_json(sp: ServiceProvider) -> dict:
    return {"entityId": sp.entity_id, "acsUrl": sp.acs_url, "logoutUrl": sp.slo_url,
            "encrypt": sp.encrypt, "sign": sp.sign, "cipher": sp.cipher,
            "requireSignedRequests": sp.require_signed_requests,
            "authnRequestsSigned": sp.authn_requests_signed,
            "hasSigningCertificate": bool(sp.signing_certificates),
            "hasEncryptionCertificate": bool(sp.encryption_certificate)}


def _user_json(user: dict) -> dict:
    return {k: v for k, v in user.items() if k != "password"}


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"__type": "InvalidParameterException", "message": message}, status)


# --- pages -----------------------------------------------------------------------------------

def _page(request: Request, title: str, build, *, status: int = 200,
          error: str | None = None) -> HTMLResponse:
    """A page whose body build(csrf) makes; sets the XSRF-TOKEN cookie the first time."""
    browser, new = sessions.csrf_cookie(request)
    body = build(sessions.csrf_for(_emu(request), browser))
    response = HTMLResponse(templates.page(title, body, error=error), status,
                            headers=PAGE_HEADERS)
    if new:
        sessions.set_csrf_cookie(response, browser)
    return response


def _refused(text: str, status: int = 403, detail: str | None = None) -> HTMLResponse:
    return HTMLResponse(templates.error_page("Test IdP: request refused", text, detail=detail),
                        status, headers=PAGE_HEADERS)


def _auto_post(action: str, fields: dict[str, str | None], title: str) -> HTMLResponse:
    """The POST binding: a form the browser submits to the SP at once (a button without JS)."""
    inputs = templates.join(templates.hidden(k, v) for k, v in fields.items() if v is not None)
    body = Markup(f'<p>{esc(title)}</p><form method="post" action="{esc(action)}" '
                  f'id="saml-post">{inputs}<button type="submit">Continue</button></form>'
                  '<script>document.getElementById("saml-post").submit();</script>')
    return HTMLResponse(templates.page("Test IdP", body), 200, headers=PAGE_HEADERS)


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str | None) -> Markup:
    opts = "".join(f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(t)}'
                   f'</option>' for v, t in options)
    return Markup(f'<label for="{esc(name)}">{esc(label)}</label>'
                  f'<select id="{esc(name)}" name="{esc(name)}" required>{opts}</select>')


async def _form(request: Request) -> dict | Response:
    if not is_form(request):
        return _refused("Unsupported form encoding.", 415)
    try:
        form, _ = await form_body(request)
    except CognitoError as err:
        return _refused(err.message, err.status)
    if not sessions.csrf_ok(_emu(request), request, form):
        return _refused("Invalid or missing CSRF token. Go back, reload the page and try again.")
    return form


def _password_ok(user: dict | None, password: str) -> bool:
    expected = (user or {}).get("password") or ""
    ok = hmac.compare_digest(expected.encode(), (password or "").encode())
    return user is not None and ok


def _answer(emu, idp: IdentityProvider, sp: ServiceProvider, user: dict, *,
            in_response_to: str | None, relay_state: str | None) -> Response:
    try:
        saml_response = idp.response(
            sp, name_id=user.get("name_id") or user["username"],
            name_id_format=user.get("name_id_format") or NAMEID_PERSISTENT,
            attributes=user.get("attributes") or {}, now=emu.clock.now(),
            in_response_to=in_response_to, session_index=new_id())
    except SamlError as err:
        return _refused(err.message, 400)
    return _auto_post(sp.acs_url, {"SAMLResponse": saml_response, "RelayState": relay_state},
                      f"Signing in to {sp.entity_id} as {user['username']}…")


# --- metadata, registrations, users ----------------------------------------------------------

async def metadata(request: Request):
    idp = _identity_provider(_emu(request))
    return Response(idp.metadata(want_authn_requests_signed=False),
                    media_type="application/samlmetadata+xml")


def _flag(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"{name} must be true or false.")


async def service_providers(request: Request):
    emu = _emu(request)
    _identity_provider(emu)
    if request.method == "GET":
        return JSONResponse({"serviceProviders": [_sp_json(sp) for sp in _service_providers(emu)]})
    if request.method == "DELETE":
        entity_id = request.query_params.get("entity_id") or ""
        with emu.store.transaction():
            gone = emu.store.delete(KIND, "", f"sp/{entity_id}")
        return JSONResponse({"deleted": gone}, 200 if gone else 404)
    body = await request.body()
    if len(body) > emu.settings.max_body_bytes:
        return _error("The metadata is too large.", 413)
    q = request.query_params
    try:
        encrypt = _flag(q.get("encrypt"), "encrypt", False)
        require = _flag(q.get("require_signed_requests"), "require_signed_requests", False)
    except ValueError as err:
        return _error(str(err))
    sign = q.get("sign") or "both"
    cipher = q.get("cipher") or AES256_CBC
    if sign not in SIGN_CHOICES:
        return _error(f"sign must be one of {', '.join(SIGN_CHOICES)}.")
    if cipher not in CIPHERS:
        return _error(f"cipher must be one of {', '.join(sorted(CIPHERS))}.")
    if not body.strip():
        return _error("POST the service provider's metadata XML as the request body.")
    try:
        sp = parse_sp_metadata(body)
    except SamlError as err:
        return _error(err.message)
    if encrypt and not sp.encryption_certificate:
        return _error("encrypt=true needs an encryption certificate in the SP metadata.")
    if require and not sp.signing_certificates:
        return _error("require_signed_requests=true needs a signing certificate in the SP "
                      "metadata.")
    sp.encrypt, sp.sign, sp.require_signed_requests, sp.cipher = encrypt, sign, require, cipher
    with emu.store.transaction():
        emu.store.put(KIND, "", f"sp/{sp.entity_id}", sp.to_dict())
    return JSONResponse(_sp_json(sp))


def _clean_attributes(raw) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("attributes must be an object of name -> value or list of values.")
    out = {}
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not name or not all(isinstance(v, (str, int, float, bool)) for v in values):
            raise ValueError(f"attribute {name!r}: values must be strings.")
        out[str(name)] = [str(v) for v in values]
    return out


async def users(request: Request):
    emu = _emu(request)
    _identity_provider(emu)
    if request.method == "GET":
        return JSONResponse({"users": [_user_json(u) for u in _users(emu)]})
    try:
        body = json.loads(await request.body() or b"null")
        if not isinstance(body, dict):
            raise ValueError("Expected a JSON object {username, password, attributes}.")
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not username.strip() or len(username) > 128:
            raise ValueError("username is required (a string of 1 to 128 characters).")
        if not isinstance(password, str) or not password:
            raise ValueError("password is required.")
        user = {"username": username, "password": password,
                "attributes": _clean_attributes(body.get("attributes"))}
        for key in ("name_id", "name_id_format"):
            if body.get(key) is not None:
                if not isinstance(body[key], str) or not body[key]:
                    raise ValueError(f"{key} must be a non-empty string.")
                user[key] = body[key]
    except ValueError as err:   # json.JSONDecodeError is a ValueError
        return _error(str(err) if not isinstance(err, json.JSONDecodeError)
                      else "The body is not JSON.")
    with emu.store.transaction():
        emu.store.put(KIND, "", f"user/{username}", user)
    return JSONResponse(_user_json(user))


async def index(request: Request):
    emu = _emu(request)
    idp = _identity_provider(emu)
    sps = "".join(f"<li>{esc(sp.entity_id)} → {esc(sp.acs_url)} (sign={esc(sp.sign)}, "
                  f"encrypt={'yes' if sp.encrypt else 'no'})</li>"
                  for sp in _service_providers(emu))
    names = ", ".join(esc(u["username"]) for u in _users(emu))
    body = Markup(f'<p>Entity id: <code>{esc(idp.entity_id)}</code></p>'
                  f'<div class="links"><a href="{PREFIX}/metadata">Metadata</a>'
                  f'<a href="{PREFIX}/launch">IdP-initiated sign-in</a></div>'
                  f'<p>Service providers:</p><ul>{sps or "<li>none registered</li>"}</ul>'
                  f'<p>Users: {names}</p>')
    return HTMLResponse(templates.page("Test IdP", body), headers=PAGE_HEADERS)


# --- SP-initiated sign-in --------------------------------------------------------------------

def _verified_request(emu, query: str):
    """(the AuthnRequest, its SP), verified, or an error page."""
    try:
        first = read_authn_request(query)          # who is asking (signature checked below)
    except SamlError as err:
        return _refused(err.message, 400)
    sp = _service_provider(emu, first.issuer)
    if sp is None:
        return _refused("Unknown service provider.", 403,
                        detail=f"{first.issuer} is not registered with this IdP. Register its "
                               f"metadata with POST {PREFIX}/service-providers.")
    try:
        request = read_authn_request(query, certificates=sp.signing_certificates,
                                     require_signature=sp.require_signed_requests)
    except SamlError as err:
        return _refused("The sign-in request was refused: " + err.message, 403)
    if request.acs_url and request.acs_url != sp.acs_url:
        return _refused("The AssertionConsumerServiceURL is not the one registered for "
                        f"{sp.entity_id}.", 403)
    return request, sp


def _login_page(request: Request, query: str, sp: ServiceProvider, authn, *, error=None,
                username: str = "", status: int = 200) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        intro = Markup(f'<p>Sign in to <strong id="sp">{esc(sp.entity_id)}</strong></p>'
                       f'<p class="hint">Request {esc(authn.id)}'
                       f'{" (signed)" if authn.signed else ""}</p>')
        form = templates.form(f"{PREFIX}/sso", csrf, [
            templates.hidden("request", query),
            templates.field("username", "Username", value=username, autocomplete="username"),
            templates.field("password", "Password", type="password",
                            autocomplete="current-password")], "Sign in", name="login")
        return templates.join([intro, form])
    return _page(request, "Test IdP sign-in", build, error=error, status=status)


async def sso(request: Request):
    emu = _emu(request)
    idp = _identity_provider(emu)
    if request.method == "GET":
        query = request.url.query
        checked = _verified_request(emu, query)
        if isinstance(checked, Response):
            return checked
        authn, sp = checked
        return _login_page(request, query, sp, authn)
    form = await _form(request)
    if isinstance(form, Response):
        return form
    query = form.get("request") or ""
    checked = _verified_request(emu, query)
    if isinstance(checked, Response):
        return checked
    authn, sp = checked
    user = _user(emu, form.get("username") or "")
    if not _password_ok(user, form.get("password") or ""):
        return _login_page(request, query, sp, authn, error="Incorrect username or password.",
                           username=form.get("username") or "", status=401)
    return _answer(emu, idp, sp, user, in_response_to=authn.id, relay_state=authn.relay_state)


# --- IdP-initiated sign-in -------------------------------------------------------------------

def _launch_page(request: Request, *, sp_id=None, username=None, relay_state=None, error=None,
                 status: int = 200) -> HTMLResponse:
    emu = _emu(request)
    sps = _service_providers(emu)
    people = _users(emu)

    def build(csrf: str) -> Markup:
        if not sps:
            return Markup(f'<p>No service provider is registered yet. POST the SP metadata to '
                          f'<code>{PREFIX}/service-providers</code> first.</p>')
        relay = Markup(
            '<label for="RelayState">RelayState</label>'
            f'<textarea id="RelayState" name="RelayState" rows="4" style="width:100%">'
            f'{esc(EXAMPLE_RELAY_STATE if relay_state is None else relay_state)}</textarea>'
            '<p class="hint">For Cognito: identity_provider (or idp_identifier), client_id, '
            'redirect_uri, response_type and scope, as a query string.</p>')
        return templates.form(f"{PREFIX}/launch", csrf, [
            _select("sp", "Service provider", [(s.entity_id, s.entity_id) for s in sps], sp_id),
            _select("username", "User", [(u["username"], u["username"]) for u in people],
                    username),
            templates.field("password", "Password", type="password",
                            autocomplete="current-password"),
            relay], "Sign in to the service provider", name="launch")
    return _page(request, "Test IdP: IdP-initiated sign-in", build, error=error, status=status)


async def launch(request: Request):
    emu = _emu(request)
    idp = _identity_provider(emu)
    if request.method == "GET":
        q = request.query_params
        return _launch_page(request, sp_id=q.get("sp"), username=q.get("username"),
                            relay_state=q.get("relay_state"))
    form = await _form(request)
    if isinstance(form, Response):
        return form
    sp = _service_provider(emu, form.get("sp"))
    relay_state = form.get("RelayState") or None
    again = {"sp_id": form.get("sp"), "username": form.get("username"),
             "relay_state": form.get("RelayState")}
    if sp is None:
        return _launch_page(request, error="Unknown service provider.", status=400, **again)
    user = _user(emu, form.get("username") or "")
    if not _password_ok(user, form.get("password") or ""):
        return _launch_page(request, error="Incorrect username or password.", status=401,
                            **again)
    return _answer(emu, idp, sp, user, in_response_to=None, relay_state=relay_state)


# --- single logout ---------------------------------------------------------------------------

async def slo(request: Request):
    emu = _emu(request)
    idp = _identity_provider(emu)
    query = request.url.query
    try:
        first = read_logout_request(query, require_signature=False)
    except SamlError as err:
        return _refused(err.message, 400)
    sp = _service_provider(emu, first.issuer)
    if sp is None:
        return _refused("Unknown service provider.", 403,
                        detail=f"{first.issuer} is not registered with this IdP.")
    try:
        logout = read_logout_request(query, certificates=sp.signing_certificates,
                                     require_signature=True)
    except SamlError as err:
        return _refused("The logout request was refused: " + err.message, 403)
    if not sp.slo_url:
        return _refused(f"{sp.entity_id} has no SingleLogoutService in its metadata.", 400)
    answer = idp.logout_response(sp, in_response_to=logout.id, now=emu.clock.now())
    return _auto_post(sp.slo_url, {"SAMLResponse": answer, "RelayState": logout.relay_state},
                      f"Signing {logout.name_id or 'you'} out of {sp.entity_id}…")


routes = [
    Route(PREFIX, index, methods=["GET"]),
    Route(f"{PREFIX}/metadata", metadata, methods=["GET"]),
    Route(f"{PREFIX}/service-providers", service_providers, methods=["GET", "POST", "DELETE"]),
    Route(f"{PREFIX}/users", users, methods=["GET", "POST"]),
    Route(f"{PREFIX}/sso", sso, methods=["GET", "POST"]),
    Route(f"{PREFIX}/launch", launch, methods=["GET", "POST"]),
    Route(f"{PREFIX}/slo", slo, methods=["GET"]),
]
