"""Plumbing the user-pool domain's endpoints share (OAuth 2.0 / OIDC, the hosted pages, SAML,
the emulator's own pages): the API Context of a browser request, form bodies, the pool a Host
header names, and the responses they all give (JSON without caching, redirects that set or
clear the hosted-UI session cookie).
"""
from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from ..api import body as api_body
from ..api.context import Context
from ..domain import domains, pools
from ..errors import CognitoError
from . import sessions
from .errors import PageError

JSON_TYPE = "application/json;charset=UTF-8"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def web_context(request: Request, operation: str, pool: dict | None = None) -> Context:
    """An API Context for a browser/OAuth request (flows, triggers and tokens take one)."""
    emu = request.app.state.emu
    account, region = pools.owner(pool) if pool else (emu.settings.account_id,
                                                      emu.settings.region)
    return Context(emu=emu, operation=operation, request_id=str(uuid.uuid4()), region=region,
                   account_id=account,
                   source_ip=request.client.host if request.client else "",
                   headers=dict(request.headers),
                   origin=f"{request.url.scheme}://{request.headers.get('host', '')}")


async def form_body(request: Request) -> tuple[dict[str, str], set[str]]:
    """An application/x-www-form-urlencoded body: (first value of each name, names given
    more than once). Parsed here: Starlette's form() needs python-multipart."""
    settings = request.app.state.emu.settings
    try:
        body = await api_body.read(request, settings.max_body_bytes, settings.body_timeout)
    except CognitoError as err:  # too large (413), too slow (408)
        raise CognitoError("invalid_request", err.message, err.status) from None
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
    return JSONResponse({"error": error}, status, headers={**NO_STORE, **(headers or {})},
                        media_type=JSON_TYPE)


def with_params(uri: str, params: dict, *, fragment: bool = False) -> str:
    """uri plus params in its query (or fragment), keeping a query it already has."""
    encoded = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return f"{uri}#{encoded}"
    if uri.endswith(("?", "&")):
        return uri + encoded
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{encoded}"


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
