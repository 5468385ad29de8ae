"""Sign-in through OIDC and social identity providers (Google, Facebook, Login with Amazon,
Sign in with Apple, any OIDC issuer) at the user-pool domain: the relying party Cognito is.

    /oauth2/authorize?identity_provider=<provider>  -> start(): the provider's authorize URL
        with client_id, redirect_uri <origin>/oauth2/idpresponse, scope = authorize_scopes,
        response_type=code, state (a single-use record of the authorize request, PENDING_SECONDS,
        swept), nonce (OIDC-shaped providers), PKCE S256 when the provider's discovery
        document advertises it (whether Cognito sends PKCE is UNCONFIRMED: we do where it is
        advertised), response_mode=form_post for Apple, and the app's login_hint (forwarded:
        UNCONFIRMED). prepare() first fetches a discovery document in a worker thread when
        the provider needs one, so start() never waits on the network in a transaction.
    GET|POST /oauth2/idpresponse  -> idp_response(): the state used up (unknown, expired or
        replayed: an error page), the provider's error passed to the app's redirect_uri
        (error, error_description), else the code exchanged and the answer checked
        (web/oidc_rp.py, in a worker thread, outside any transaction), then
        pipeline.federated (the `<Provider>_<sub>` profile or a linked user, the triggers)
        and finish(): a code for the app and the hosted-UI session. Refusals after the state
        was read go back to the app as error=invalid_request; nothing is written but the
        state's deletion.

The origin of redirect_uri is the authorize request's, when it came through the pool's own
domain, else the emulator's base URL: the provider must accept that URI.
"""
from __future__ import annotations

import logging
import secrets
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.routing import Route

from ..api import calls
from ..auth import pipeline
from ..domain import clients, domains, identity_providers, pools
from ..errors import CognitoError
from ..store.base import expiry_index
from . import oidc_rp
from .authorize_request import AuthRequest, external_provider, parse_authorize
from .errors import PageError, RedirectError, error_page
from .http import form_body, redirect, web_context, with_params
from .signed_in import finish

log = logging.getLogger("emulator.oidc")

STATE_KIND = "oidc_state"        # scope "", key = the state sent to the provider
PENDING_SECONDS = 600            # how long a sign-in may wait at the provider (UNCONFIRMED)
TYPES = ("OIDC", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
EXPIRED = ("Something went wrong: this sign-in through the identity provider is unknown, "
           "expired or already answered. Start again.")


def _origin(ctx, pool: dict) -> str:
    """Where /oauth2/idpresponse is reached: the pool domain the request came through (by
    the scheme it came by: https through --tls, as Cognito's https://<domain>), or the
    emulator's base URL."""
    host = (ctx.headers or {}).get("host") or ""
    record = domains.by_host(ctx.store, host) if host else None
    if record is not None and record.get("poolId") == pool["Id"] and ctx.origin:
        return ctx.origin
    return ctx.settings.base_url


def start(ctx, areq: AuthRequest, provider: dict) -> str:
    """The OIDC / social entry of oauth/authorize.py's STARTERS: the provider's authorize
    URL, with the pending sign-in kept under its state."""
    try:
        ep = oidc_rp.endpoints(ctx.settings, provider, discover=False)
    except oidc_rp.Invalid as err:
        raise RedirectError("invalid_request", err.message) from None
    details = provider.get("ProviderDetails") or {}
    kind = provider["ProviderType"]
    now = ctx.now()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(24) if kind in oidc_rp.OIDC_SHAPED else None
    verifier, challenge = oidc_rp.pkce_pair() if ep.pkce else (None, None)
    redirect_uri = f"{_origin(ctx, areq.pool)}/oauth2/idpresponse"
    ctx.store.put(STATE_KIND, "", state, {
        "poolId": areq.pool["Id"], "provider": provider["ProviderName"],
        "query": areq.query(), "nonce": nonce, "verifier": verifier,
        "redirectUri": redirect_uri, "expiresAt": now + PENDING_SECONDS},
        index=expiry_index(now + PENDING_SECONDS))
    params = {"client_id": details.get("client_id"), "redirect_uri": redirect_uri,
              "response_type": "code", "scope": details.get("authorize_scopes"),
              "state": state, "nonce": nonce, "code_challenge": challenge,
              "code_challenge_method": "S256" if challenge else None,
              "response_mode": "form_post" if kind == "SignInWithApple" else None,
              "login_hint": areq.login_hint}
    return with_params(ep.authorize_url, params)


async def prepare(request: Request, pool: dict | None) -> None:
    """Before /oauth2/authorize's transaction: the discovery document of the OIDC provider
    the request names, fetched (or still cached) in a worker thread. A failure is left for
    start() to report (no cached document)."""
    name = request.query_params.get("identity_provider")
    if not name:
        return
    emu = request.app.state.emu
    with emu.store.transaction():
        provider = None
        if pool is not None:
            provider = identity_providers.get(emu.store, pool["Id"], name)
        else:
            client = clients.find(emu.store, request.query_params.get("client_id") or "")
            if client is not None:
                provider = identity_providers.get(emu.store, client["UserPoolId"], name)
    issuer = provider and oidc_rp.needs_discovery(emu.settings, provider)
    if not issuer:
        return
    try:
        await anyio.to_thread.run_sync(oidc_rp.discovery, issuer, limiter=calls.limiter())
    except oidc_rp.Invalid as err:
        log.info("discovery of %s failed: %s", issuer, err.message)


# --- /oauth2/idpresponse ---------------------------------------------------------------------

def _take_state(store, state: str, now: float) -> tuple[dict, AuthRequest, dict]:
    """(pending record, authorize request, provider) of a state, used up. PageError when it
    answers nothing that can still be answered."""
    pending = store.get(STATE_KIND, "", state) if state else None
    if pending is None:
        raise PageError(EXPIRED, 400)
    store.delete(STATE_KIND, "", state)
    if now >= pending["expiresAt"]:
        raise PageError(EXPIRED, 400)
    pool = pools.get(store, pending["poolId"])
    if pool is None:
        raise PageError("The user pool no longer exists.", 400)
    try:
        areq = parse_authorize(store, dict(parse_qsl(pending["query"])), pool)
        provider = external_provider(store, areq)
    except RedirectError as err:  # the client's settings changed meanwhile
        raise PageError(f"{err.error}: {err.description or ''}", 400) from None
    if provider is None or provider["ProviderName"] != pending["provider"]:
        raise PageError("The identity provider no longer exists.", 400)
    return pending, areq, provider


def _accept(ctx, areq: AuthRequest, provider_name: str,
            identity: oidc_rp.Identity) -> tuple[str, str | None]:
    """Federate and finish, in one transaction (the provider read again inside it)."""
    provider = identity_providers.get(ctx.store, areq.pool["Id"], provider_name)
    if provider is None:
        raise RedirectError("invalid_request", "the identity provider no longer exists")
    signin = pipeline.new_signin(ctx, areq.pool, areq.client,
                                 context_data={"IpAddress": ctx.source_ip},
                                 issue_tokens=False, track_devices=False)
    try:
        result = pipeline.federated(signin, provider, subject=identity.subject,
                                    attributes=identity.attributes, issuer=identity.issuer,
                                    email_verified=identity.email_verified)
    except CognitoError as err:
        # Cognito sends trigger and attribute failures back to the app (UNCONFIRMED wording).
        log.info("federated sign-in refused: %s %s", err.code, err.message)
        raise RedirectError("invalid_request", err.message) from None
    return finish(ctx, areq, result.user, ctx.now())


async def idp_response(request: Request):
    """GET /oauth2/idpresponse (code, state; or error) and POST (Apple's form_post)."""
    params = dict(request.query_params)
    if request.method == "POST":
        try:
            form, _ = await form_body(request)
        except CognitoError as err:
            return error_page(PageError(err.message, 400))
        params.update(form)
    emu = request.app.state.emu
    try:
        with emu.store.transaction():
            pending, areq, provider = _take_state(emu.store, params.get("state") or "",
                                                  emu.clock.now())
    except PageError as err:
        return error_page(err)
    if params.get("error"):
        return redirect(areq.error_url(params["error"], params.get("error_description")))
    if not params.get("code"):
        return redirect(areq.error_url("invalid_request", "the identity provider sent no code"))
    try:
        identity = await anyio.to_thread.run_sync(
            lambda: oidc_rp.authenticate(
                emu.settings, provider, code=params["code"],
                redirect_uri=pending["redirectUri"], nonce=pending.get("nonce"),
                verifier=pending.get("verifier"), now=emu.clock.now(),
                apple_user=params.get("user")),
            limiter=calls.limiter())
    except oidc_rp.Invalid as err:
        log.info("sign-in through %s refused: %s", provider["ProviderName"], err.message)
        return redirect(areq.error_url("invalid_request", err.message))
    ctx = web_context(request, "/oauth2/idpresponse", areq.pool)
    try:
        url, cookie = await calls.call(calls.runs_lambdas(areq.pool), _accept, ctx, areq,
                                       provider["ProviderName"], identity)
    except RedirectError as err:
        return redirect(areq.error_url(err.error, err.description))
    return redirect(url, (areq.pool["Id"], cookie))


routes = [Route("/oauth2/idpresponse", idp_response, methods=["GET", "POST"])]
