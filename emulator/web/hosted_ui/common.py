"""What every hosted page shares: the authorize request in its query string, CSRF-checked
forms, the page frame with the pool's branding, the outcome of a sign-in step, and running a
step in one transaction (a worker thread when the pool has Lambda triggers)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ...api import calls
from ...domain import branding, clients
from ...errors import CognitoError
from .. import sessions, templates
from ..authorize_request import AuthRequest, parse_authorize
from ..errors import PageError, RedirectError, error_page
from ..http import form_body, host_pool, is_form, redirect, web_context

PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                "Content-Security-Policy": "frame-ancestors 'none'"}


@dataclass
class Outcome:
    """What a sign-in step led to: back to the app (url + session cookie) or a challenge."""
    url: str | None = None
    cookie: str | None = None
    challenge: str | None = None
    session: str | None = None
    parameters: dict = field(default_factory=dict)
    username: str | None = None


def client_secret_hash(client: dict, username: str) -> str | None:
    """SECRET_HASH / SecretHash for a confidential client: the pages are its front end."""
    active = clients.secrets(client)
    return clients.secret_hash(active[0], username, client["ClientId"]) if active else None


def client_params(areq: AuthRequest, username: str, **more) -> dict:
    """The parameters of a self-service call (SignUp, ForgotPassword ...) as the app client
    would send them, SecretHash included."""
    params = {"ClientId": areq.client["ClientId"], "Username": username, **more}
    secret_hash = client_secret_hash(areq.client, username)
    if secret_hash:
        params["SecretHash"] = secret_hash
    return params


def json_list(value) -> list:
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return found if isinstance(found, list) else []


async def page_request(request: Request) -> AuthRequest | Response:
    """The authorize request in the page's query string (or the response to give instead)."""
    try:
        pool = host_pool(request)
        return parse_authorize(request.app.state.emu.store, dict(request.query_params),
                                     pool)
    except PageError as err:
        return error_page(err)
    except RedirectError as err:
        return redirect(err.areq.error_url(err.error, err.description))


async def view(request: Request, page):
    """The common start of a page: (areq, form) for a POST whose CSRF token checks out, or
    the Response to answer - for a GET the page itself, page(request, areq, username=<the
    query's username>), else an error or redirect."""
    start = await page_request(request)
    if isinstance(start, Response):
        return start
    if request.method == "GET":
        return page(request, start, username=request.query_params.get("username", ""))
    form = await posted(request)
    if isinstance(form, Response):
        return form
    return start, form


async def posted(request: Request) -> dict | Response:
    """The form of a POST, once its CSRF token checks out."""
    if not is_form(request):
        return error_page(PageError("Unsupported form encoding.", 415))
    try:
        form, _ = await form_body(request)
    except CognitoError as err:
        return error_page(PageError(err.message, err.status))
    if not sessions.csrf_ok(request.app.state.emu, request, form):
        return error_page(PageError(
            "Invalid or missing CSRF token. Go back, reload the page and try again.", 403))
    return form


def html(request: Request, areq: AuthRequest, title: str, build, *, status: int = 200,
          error: str | None = None, message: str | None = None) -> HTMLResponse:
    """A page; build(csrf) makes its body. Sets the XSRF-TOKEN cookie the first time."""
    emu = request.app.state.emu
    browser, new = sessions.csrf_cookie(request)
    body = build(sessions.csrf_for(emu, browser))
    css = branding.css_for(emu.store, areq.pool["Id"], areq.client["ClientId"])
    logo = branding.logo_for(emu.store, areq.pool["Id"], areq.client["ClientId"])
    page = templates.page(title, body, error=error, message=message, css=css, logo=logo,
                          logo_type=branding.media_type(logo) if logo else None)
    response = HTMLResponse(page, status, headers=PAGE_HEADERS)
    if new:
        sessions.set_csrf_cookie(response, browser)
    return response


def done(areq: AuthRequest, outcome: Outcome) -> Response:
    return redirect(outcome.url, (areq.pool["Id"], outcome.cookie))


async def run(areq: AuthRequest, request: Request, operation: str, fn, *args):
    ctx = web_context(request, operation, areq.pool)
    return await calls.call(calls.runs_lambdas(areq.pool), fn, ctx, *args)


def sign_up_allowed(pool: dict) -> bool:
    return not (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")
