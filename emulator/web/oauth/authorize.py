"""/oauth2/authorize (reference 7.1): an existing hosted-UI session goes straight back to the
app; a request naming an external identity provider goes to it (STARTERS, by ProviderType);
anything else to the login page.
"""
from __future__ import annotations

import logging

import anyio
from starlette.requests import Request

from ...api import calls
from ...domain import cimd
from ...errors import CognitoError
from .. import oidc_federation, saml_sso
from ..authorize_request import AuthRequest, cimd_refusal, external_provider, parse_authorize
from ..errors import PageError, RedirectError, error_page
from ..http import host_pool, redirect, web_context
from ..signed_in import finish, session_user

log = logging.getLogger("emulator.oauth")

# ProviderType -> fn(ctx, areq, provider record) -> the provider's sign-in URL.
STARTERS = {"SAML": saml_sso.start,
            **{kind: oidc_federation.start for kind in oidc_federation.TYPES}}


def _start_external(ctx, areq: AuthRequest, provider: dict) -> str:
    """URL of the external IdP sign-in (STARTERS by ProviderType)."""
    starter = STARTERS.get(provider.get("ProviderType"))
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
        signed_in = session_user(ctx, request, areq.pool, areq.client)
        if signed_in is not None:
            return finish(ctx, areq, *signed_in, new_session=False)[0]
    if "none" in prompts:
        return areq.error_url("login_required")
    return areq.url("/login")


async def _fetch_metadata_document(request: Request, pool: dict | None) -> None:
    """A client_id that is a metadata document URL (domain/cimd.py): its document fetched
    (or still cached) before the request is parsed, in a worker thread outside any
    transaction. PageError when refused."""
    url = request.query_params.get("client_id")
    if pool is None or not cimd.is_metadata_url(url):
        return  # parse_authorize answers a metadata URL without the pool's domain
    try:
        await anyio.to_thread.run_sync(cimd.prepare, request.app.state.emu, pool, url,
                                       limiter=calls.limiter())
    except cimd.Refused as err:
        raise cimd_refusal(err) from None


async def authorize(request: Request):
    """GET /oauth2/authorize."""
    try:
        pool = host_pool(request)
        await _fetch_metadata_document(request, pool)
        await oidc_federation.prepare(request, pool)
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
