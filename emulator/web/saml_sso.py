"""SAML 2.0 single sign-on and logout at the user-pool domain (COGNITO_REFERENCE 8).

    SP-initiated  /oauth2/authorize?identity_provider=<SAML provider>  -> start(): an
                  AuthnRequest by HTTP-Redirect to the IdP's SSO URL (signed when the provider
                  has RequestSigningAlgorithm). The authorize request waits, for 5 minutes, in a
                  record keyed by an opaque RelayState; the IdP's response must answer that
                  request (InResponseTo).
    IdP-initiated POST /saml2/idpresponse with a RelayState that is itself the authorize
                  query (identity_provider or idp_identifier, client_id, redirect_uri,
                  response_type, scope); only for providers with IDPInit, no InResponseTo, an
                  assertion at most 6 minutes old.
    Both end in the sign-in pipeline (pipeline.federated: domain/federation.py finds or
    makes the profile, the pipeline runs the triggers) and finish(): a code (or
    implicit tokens) at the client's redirect URI, and a hosted-UI session that remembers
    the SAML NameID and SessionIndex for single logout.
    Logout        /logout of a SAML session whose provider has IDPSignout -> a signed
                  LogoutRequest to the IdP's SLO URL; its LogoutResponse comes back by POST
                  to /saml2/logout, which then goes where /logout was asked to go.

All XML security is in the saml/ library. Every assertion id is remembered until it
could no longer be accepted (replay cache). A refused response is an error page; nothing
is written (one transaction, rolled back).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.routing import Route

from saml.authn_request import authn_request_url, new_request_id
from saml.errors import SamlError
from saml.logout import logout_request_url, read_logout_response
from saml.response import read_response

from ..api import calls
from ..auth import pipeline
from ..domain import identity_providers, pools
from ..errors import CognitoError
from ..store import AlreadyExists
from ..store.base import expiry_index
from .authorize_request import AuthRequest, external_provider, parse_authorize
from .errors import PageError, RedirectError, error_page
from .http import form_body, host_pool, redirect, web_context
from .signed_in import finish

log = logging.getLogger("emulator.saml")

PENDING_KIND = "saml_request"     # scope "", key = RelayState token: an SP-initiated sign-in
LOGOUT_KIND = "saml_logout"       # scope "", key = RelayState token: a logout at the IdP
SEEN_KIND = "saml_assertion"      # scope = pool id, key = assertion ID (replay cache)
PENDING_SECONDS = 300             # "sessions awaiting a SAML response are cancelled after 5 min"
UNSOLICITED_MAX_AGE = 360         # IdP-initiated: issued within the previous 6 minutes
SKEW = 60                         # allowed clock skew (Cognito's own value is UNCONFIRMED)
EXPIRED = "Something went wrong: the sign-in through the identity provider took too long. " \
          "Start again."


def _is_true(provider: dict, key: str) -> bool:
    return str((provider.get("ProviderDetails") or {}).get(key, "")).lower() == "true"


def _token() -> str:
    return secrets.token_urlsafe(24)


# --- SP-initiated: the AuthnRequest ----------------------------------------------------------

def start(ctx, areq: AuthRequest, provider: dict) -> str:
    """The SAML entry of oauth/authorize.py's STARTERS: the IdP's SSO URL carrying a fresh
    AuthnRequest."""
    meta = identity_providers.metadata(provider)
    if not meta.sso_redirect_url:  # pragma: no cover - Create/UpdateIdentityProvider refuse it
        raise RedirectError("invalid_request", f"{provider['ProviderName']} has no "
                                  f"SingleSignOnService with the HTTP-Redirect binding")
    now = ctx.now()
    request_id, relay = new_request_id(), _token()
    ctx.store.put(PENDING_KIND, "", relay, {
        "poolId": areq.pool["Id"], "provider": provider["ProviderName"],
        "requestId": request_id, "query": areq.query(), "expiresAt": now + PENDING_SECONDS},
        index=expiry_index(now + PENDING_SECONDS))
    signing = None
    if (provider.get("ProviderDetails") or {}).get("RequestSigningAlgorithm"):
        signing = identity_providers.signing_key(ctx, areq.pool).private_key_pem
    return authn_request_url(idp_sso_url=meta.sso_redirect_url,
                             sp_entity_id=identity_providers.sp_entity_id(areq.pool["Id"]),
                             acs_url=identity_providers.acs_url(ctx.emu.settings),
                             request_id=request_id, now=now, relay_state=relay,
                             signing_key_pem=signing)



# --- /saml2/idpresponse ----------------------------------------------------------------------

def _refused(reason: str) -> PageError:
    return PageError(f"Invalid SAML response: {reason}", 400,
                           title="Sign-in through your identity provider failed")


def _unsolicited_request(store, relay: str, host_pool: dict | None):
    """(AuthRequest, provider) of an IdP-initiated response: the RelayState is the
    authorize query (reference 8.4)."""
    params = dict(parse_qsl(relay, keep_blank_values=False))
    if "client_id" not in params or not ({"identity_provider", "idp_identifier"} & set(params)):
        raise _refused("the RelayState must name identity_provider (or idp_identifier), "
                       "client_id, redirect_uri, response_type and scope for an IdP-initiated "
                       "sign-in")
    try:
        areq = parse_authorize(store, params, host_pool)
        provider = external_provider(store, areq)
    except RedirectError as err:
        raise _refused(f"{err.error}: {err.description or ''}".rstrip(": ")) from None
    if provider is None or provider.get("ProviderType") != "SAML":
        raise _refused("the RelayState does not name a SAML identity provider")
    if not _is_true(provider, "IDPInit"):
        raise _refused(f"IdP-initiated sign-in is not enabled for {provider['ProviderName']}")
    return areq, provider


def _remember_assertion(ctx, pool_id: str, assertion) -> None:
    """Replay cache: an assertion ID is accepted once. Kept until the assertion could no
    longer pass the time checks anyway; then the sweep deletes it (emulator/sweep.py), and
    until it does it counts as absent."""
    now = ctx.now()
    seen = ctx.store.get(SEEN_KIND, pool_id, assertion.id)
    if seen is not None and now >= seen["expiresAt"]:  # past its time, not swept yet: absent
        ctx.store.delete(SEEN_KIND, pool_id, assertion.id)
    until = max(assertion.not_on_or_after or 0, now + UNSOLICITED_MAX_AGE) + SKEW
    try:
        ctx.store.insert(SEEN_KIND, pool_id, assertion.id, {"expiresAt": until},
                         index=expiry_index(until))
    except AlreadyExists:
        raise _refused("this assertion was already used (replay)") from None


@dataclass
class _Target:
    """What a response answers: the authorize request, the provider, the AuthnRequest id
    (None: IdP-initiated) and the key of the pending request record (None: IdP-initiated)."""
    areq: AuthRequest
    provider: dict
    request_id: str | None
    pending_key: str | None


def _target(store, relay: str, host: dict | None, now: float) -> _Target:
    """Read the RelayState: the pending SP-initiated request it keys, or (IdP-initiated) the
    authorize query it is. PageError when it answers nothing that can still be answered."""
    pending = store.get(PENDING_KIND, "", relay) if relay and "=" not in relay else None
    if pending is not None:
        if now >= pending["expiresAt"]:
            raise PageError(EXPIRED)
        pool = pools.get(store, pending["poolId"])
        provider = pool and identity_providers.get(store, pool["Id"], pending["provider"])
        if provider is None:
            raise _refused("the identity provider no longer exists")
        try:
            areq = parse_authorize(store, dict(parse_qsl(pending["query"])), pool)
        except RedirectError as err:  # the client's settings changed meanwhile
            raise _refused(f"{err.error}: {err.description or ''}") from None
        return _Target(areq, provider, pending["requestId"], relay)
    if relay and "=" not in relay:
        raise _refused("it answers a sign-in request that is unknown, expired or already "
                       "answered")
    areq, provider = _unsolicited_request(store, relay, host)
    return _Target(areq, provider, None, None)


def _accept(ctx, relay: str, host: dict | None,
            saml_response: str) -> tuple[str, str | None]:
    """Validate, federate, finish: (redirect URL, session cookie), all in one transaction
    with the RelayState's pending request, which is read, checked and used up here: two
    responses to one request (racing in worker threads) can't both sign in."""
    now = ctx.now()
    target = _target(ctx.store, relay, host, now)
    areq, provider, request_id = target.areq, target.provider, target.request_id
    pool = areq.pool
    if target.pending_key is not None:
        ctx.store.delete(PENDING_KIND, "", target.pending_key)
    meta = identity_providers.metadata(provider)
    try:
        assertion = read_response(
            saml_response, signing_certificates=meta.signing_certificates,
            idp_entity_id=meta.entity_id, sp_entity_id=identity_providers.sp_entity_id(pool["Id"]),
            acs_url=identity_providers.acs_url(ctx.emu.settings), now=now,
            in_response_to=request_id,
            decryption_key_pem=provider.get("_encryption_key"),
            require_encryption=_is_true(provider, "EncryptedResponses"),
            max_age=None if request_id else UNSOLICITED_MAX_AGE, skew=SKEW)
    except SamlError as err:
        log.info("SAML response from %s refused (%s): %s", provider["ProviderName"],
                 err.reason, err.message)
        raise _refused(err.message) from None
    _remember_assertion(ctx, pool["Id"], assertion)
    signin = pipeline.new_signin(ctx, pool, areq.client,
                                 context_data={"IpAddress": ctx.source_ip},
                                 issue_tokens=False, track_devices=False)
    try:
        result = pipeline.federated(signin, provider, subject=assertion.name_id,
                                    attributes=assertion.attributes, issuer=assertion.issuer)
    except CognitoError as err:
        # Cognito sends trigger and attribute failures back to the app (UNCONFIRMED wording).
        log.info("federated sign-in refused: %s %s", err.code, err.message)
        raise RedirectError("invalid_request", err.message) from None
    user = result.user
    saml_session = {"provider": provider["ProviderName"], "nameId": assertion.name_id,
                    "nameIdFormat": assertion.name_id_format,
                    "sessionIndex": assertion.session_index}
    return finish(ctx, areq, user, now, federated=saml_session)


async def idp_response(request: Request):
    """POST /saml2/idpresponse (the ACS): SAMLResponse + RelayState."""
    try:
        form, _ = await form_body(request)
    except CognitoError as err:
        return error_page(_refused(err.message))
    saml_response, relay = form.get("SAMLResponse"), form.get("RelayState") or ""
    if not saml_response:
        return error_page(_refused("SAMLResponse is missing"))
    emu = request.app.state.emu
    try:
        host = host_pool(request)
        # A first look picks the pool, and so whether the work needs a worker thread (Lambda
        # triggers); _accept reads and checks the RelayState again in its own transaction.
        with emu.store.transaction():
            areq = _target(emu.store, relay, host, emu.clock.now()).areq
    except PageError as err:
        return error_page(err)
    ctx = web_context(request, "/saml2/idpresponse", areq.pool)
    try:
        url, cookie = await calls.call(calls.runs_lambdas(areq.pool), _accept, ctx, relay, host,
                                       saml_response)
    except PageError as err:
        return error_page(err)
    except RedirectError as err:
        return redirect(areq.error_url(err.error, err.description))
    return redirect(url, (areq.pool["Id"], cookie))


# --- single logout ---------------------------------------------------------------------------

def start_logout(ctx, pool: dict, session: dict, then: str) -> str | None:
    """The IdP's SLO URL with a signed LogoutRequest when the session came through a SAML
    provider with IDPSignout; None otherwise (plain logout). `then` is where /logout was
    asked to go, reached after the IdP's LogoutResponse."""
    saml_session = session.get("saml")
    if not saml_session:
        return None
    provider = identity_providers.get(ctx.store, pool["Id"], saml_session["provider"])
    if provider is None or not _is_true(provider, "IDPSignout"):
        return None
    meta = identity_providers.metadata(provider)
    if not meta.slo_redirect_url:
        return None
    now = ctx.now()
    request_id, relay = new_request_id(), _token()
    ctx.store.put(LOGOUT_KIND, "", relay, {
        "poolId": pool["Id"], "provider": provider["ProviderName"], "requestId": request_id,
        "then": then, "expiresAt": now + PENDING_SECONDS},
        index=expiry_index(now + PENDING_SECONDS))
    signing = identity_providers.signing_key(ctx, pool)
    return logout_request_url(
        idp_slo_url=meta.slo_redirect_url,
        sp_entity_id=identity_providers.sp_entity_id(pool["Id"]),
        name_id=saml_session["nameId"], name_id_format=saml_session.get("nameIdFormat"),
        session_index=saml_session.get("sessionIndex"), request_id=request_id, now=now,
        relay_state=relay, signing_key_pem=signing.private_key_pem)


async def logout_response(request: Request):
    """POST /saml2/logout: the IdP's LogoutResponse; then where /logout was asked to go."""
    try:
        form, _ = await form_body(request)
    except CognitoError as err:
        return error_page(PageError(err.message))
    if form.get("SAMLRequest"):
        # Cognito starts single logout itself; it doesn't take LogoutRequests from IdPs.
        return error_page(PageError("IdP-initiated single logout is not supported "
                                                "by Amazon Cognito user pools."))
    emu = request.app.state.emu
    store, now = emu.store, emu.clock.now()
    relay = form.get("RelayState") or ""
    with store.transaction():
        pending = store.get(LOGOUT_KIND, "", relay) if relay else None
        if pending is None or now >= pending["expiresAt"]:
            return error_page(PageError("Invalid SAML logout response: it answers "
                                                    "no logout in progress."))
        provider = identity_providers.get(store, pending["poolId"], pending["provider"])
        if provider is None:
            return error_page(PageError("The identity provider no longer exists."))
        meta = identity_providers.metadata(provider)
        try:
            read_logout_response(form.get("SAMLResponse") or "",
                                 signing_certificates=meta.signing_certificates,
                                 idp_entity_id=meta.entity_id,
                                 in_response_to=pending["requestId"], now=now)
        except SamlError as err:
            return error_page(PageError(f"Invalid SAML logout response: "
                                                    f"{err.message}"))
        store.delete(LOGOUT_KIND, "", relay)
    return redirect(pending["then"], (pending["poolId"], None))


routes = [
    Route("/saml2/idpresponse", idp_response, methods=["POST"]),
    Route("/saml2/logout", logout_response, methods=["POST"]),
]
