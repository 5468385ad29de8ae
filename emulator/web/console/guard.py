"""Who may use the console, and which form posts it accepts (issue #23, item 6).

Every console endpoint is wrapped in `console(...)`:

- `--console off` (COGNITO_EMULATOR_CONSOLE=off): 404, as if there were no console.
- The client's own address (the TCP peer; forwarded headers are never read here) must be
  loopback, and then the Host must name this machine (localhost, *.localhost, a loopback
  address, the --host or --public-url host): a page on another site that makes its name
  resolve to 127.0.0.1 (DNS rebinding) is refused. Any other client needs the console token
  (random per start, printed by `serve`; --console-token fixes it): `?token=` once - the
  answer sets a cookie and redirects to the same URL without the token - then the cookie, or
  the header X-Console-Token. 403 otherwise.
- Every POST must carry the CSRF token of the browser's console session (a random cookie,
  SameSite=Strict, HttpOnly; the token is an HMAC of it under the console token, so it can't
  be made without reading one of our pages) in the form field `_csrf`, and must not come
  from another origin: an Origin header other than our own (or "null") and
  Sec-Fetch-Site other than same-origin / none are refused (403).
- Pages carry a Content-Security-Policy with no script at all, and frames only srcdoc
  (the outbox's mail bodies, sandboxed besides).

The form body of a POST is read here (the CSRF token is in it) and handed to the endpoint as
`request.state.form`.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ...domain.hosts import is_loopback
from ...errors import CognitoError
from ..http import form_body
from ..templates import Markup, esc
from .layout import page

TOKEN_PARAM = "token"
TOKEN_HEADER = "x-console-token"
TOKEN_COOKIE = "emulator_console"
SESSION_COOKIE = "emulator_console_session"
CSRF_FIELD = "_csrf"
COOKIE_PATH = "/_emulator"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def _mac(settings, purpose: str, value: str = "") -> str:
    return hmac.new(settings.console_token.encode(), f"{purpose}:{value}".encode(),
                    hashlib.sha256).hexdigest()


def _local_host(request: Request) -> bool:
    """The Host header names this machine (not a foreign name resolved to loopback)."""
    try:
        host = (urlsplit("//" + (request.headers.get("host") or "")).hostname or "").lower()
    except ValueError:  # not a host at all ("[x", ...)
        return False
    settings = request.app.state.emu.settings
    own = {(settings.host or "").lower(), "localhost"}
    if settings.public_url:
        own.add((urlsplit(settings.public_url).hostname or "").lower())
    return host in own or host.endswith(".localhost") or is_loopback(host)


def _token_given(request: Request, settings) -> bool:
    want = settings.console_token
    header = request.headers.get(TOKEN_HEADER)
    if header and hmac.compare_digest(header.encode(), want.encode()):
        return True
    cookie = request.cookies.get(TOKEN_COOKIE)
    return bool(cookie) and hmac.compare_digest(cookie, _mac(settings, "cookie"))


def _refused(status: int, why: str) -> Response:
    return page("Console refused", "", status=status, error=why)


def _same_origin(request: Request) -> str | None:
    """Why a POST is cross-site, or None."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return f"Form posts from other sites are refused (Sec-Fetch-Site: {site})."
    origin = request.headers.get("origin")
    if origin is not None:
        try:
            parts = urlsplit(origin)
        except ValueError:
            return "Cross-origin form posts are refused."
        if origin == "null" or parts.netloc != request.headers.get("host", "") \
                or parts.scheme != request.scope.get("scheme"):
            return "Cross-origin form posts are refused."
    return None


def csrf_token(request: Request) -> str:
    return _mac(request.app.state.emu.settings, "csrf", request.state.console_session)


def csrf_field(request: Request) -> Markup:
    """The hidden field every console form carries."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(csrf_token(request))}">')


def console(endpoint):
    """Wrap a console endpoint in the checks above."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        settings = request.app.state.emu.settings
        if settings.console == "off":
            return PlainTextResponse("The console is off (--console off).", 404)
        query_token = request.query_params.get(TOKEN_PARAM)
        if query_token is not None:
            if not hmac.compare_digest(query_token.encode(), settings.console_token.encode()):
                return _refused(403, "Wrong console token.")
            # Once: the cookie from now on, and the token out of the address bar and history.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAM]
            target = request.scope["path"] + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, 303)
            response.set_cookie(TOKEN_COOKIE, _mac(settings, "cookie"), path=COOKIE_PATH,
                                httponly=True, samesite="strict")
            return response
        peer = request.client.host if request.client else None
        if not _token_given(request, settings):
            if not is_loopback(peer):
                return _refused(403, "The console answers loopback clients only; from "
                                     "another address, open the console URL with the token "
                                     "the emulator printed at start (?token=...).")
            if not _local_host(request):
                return _refused(403, "The console answers only to a Host naming this "
                                     "machine (localhost, 127.0.0.1): DNS rebinding guard.")
        session = request.cookies.get(SESSION_COOKIE)
        fresh = not session
        if fresh:
            session = secrets.token_urlsafe(24)
        request.state.console_session = session
        if request.method == "POST":
            why = _same_origin(request)
            if why:
                return _refused(403, why)
            try:
                values, _ = await form_body(request)
            except CognitoError as err:
                return _refused(err.status, err.message)
            given = values.pop(CSRF_FIELD, "")
            if fresh or not hmac.compare_digest(given.encode(), csrf_token(request).encode()):
                return _refused(403, "The form's CSRF token is missing or stale: reload the "
                                     "page and try again.")
            request.state.form = values
        response = await endpoint(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin, not no-referrer: under no-referrer Chromium posts forms with Origin: null.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        if fresh:
            response.set_cookie(SESSION_COOKIE, session, path=COOKIE_PATH, httponly=True,
                                samesite="strict")
        return response

    return guarded
