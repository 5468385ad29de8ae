"""Threat protection at sign-in: the glue between the flows and the risk/ library.

    assess_sign_in(signin, user, progress)   at next_step: assess, decide, record the event;
                                             MFA -> progress["mfaRequired"], BLOCK -> error
    sign_in_passed(signin, user, progress)   at success: the event becomes Pass
    password_failed(signin, user)            a wrong password: a Fail event (feeds velocity)

With UserPoolAddOns.AdvancedSecurityMode OFF (the default) each entry point returns after
reading the pool record it already has: nothing is read or written.

Inputs (COGNITO_REFERENCE 5.5):
- IP: ContextData.IpAddress on admin calls; UserContextData.IpAddress on public calls when
  the client has a secret and EnablePropagateAdditionalUserContextData; else the TCP source.
- Device id: when EncodedData is (base64 of) the advanced-security collector's JSON
  ({"payload": "{\"contextData\": {\"DeviceId\": ..., \"ClientTimezone\": ...}}", ...},
  what amazon-cognito-advanced-security-data / Amplify send), the SHA-256 of its DeviceId,
  which stays the same across calls from one browser; otherwise the SHA-256 (hex) of
  EncodedData taken as an opaque string (the same string is the same device). No
  EncodedData -> no device id (NEW_DEVICE silent). See request_context().
- Timezone (EventContextData.Timezone): the collector's ClientTimezone, else an
  `X-Timezone` header (ContextData.HttpHeaders on admin calls, the request's own headers
  otherwise) - an emulator convention: Cognito reads it from the collector only.

Notices, logs: an event whose decision says notify gets its NotifyConfiguration email
(domain/risk_notices.py); every finished event is also written to the pool's user-auth-events
log sink when one is configured (domain/log_delivery.py).
Events of sign-up, forgotten password and password change: domain/threat_events.py.

Events are stored as kind "authevent", scope = pool id, key "<sub> <inverted ms><id>" so a
user's events list newest first. The record is AuthEventType plus private '_' fields."""
from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import secrets
import uuid
from collections.abc import Callable

from ..errors import CognitoError
from ..store.base import expiry_index
from . import clients, log_delivery, risk_config, risk_notices, users

KIND = "authevent"
# COGNITO_REFERENCE 5.3: "Events are retained for two years". Each event is filed under
# its expiry (emulator/sweep.py deletes it then) and listed only until then.
RETENTION_SECONDS = 2 * 365 * 24 * 3600
IP_FAILURES = "riskipfail"
BLOCKED = "Unable to login because of security reasons."
HISTORY_LIMIT = 50          # events read per assessment (newest first)
PASSWORD_FIRST = ("PASSWORD", "PASSWORD_SRP")


def flow_of(progress: dict) -> str | None:
    """STANDARD / CUSTOM, or None for first factors threat protection doesn't cover
    (passwordless, passkeys: not in Cognito's documented coverage, COGNITO_REFERENCE 5.1)."""
    first = progress.get("firstFactor")
    if first == "CUSTOM_AUTH":
        return "CUSTOM"
    if first in PASSWORD_FIRST:
        return "STANDARD"
    return None


def mode_of(signin, flow: str | None) -> str:
    """risk.effective_mode without importing the engine: with threat protection off (the
    default) the risk package is never loaded."""
    if flow is None:
        return "OFF"
    add_ons = signin.pool.get("UserPoolAddOns") or {}
    base = add_ons.get("AdvancedSecurityMode") or "OFF"
    if base == "OFF":
        return "OFF"
    import risk
    return risk.effective_mode(add_ons, flow)


# --- request context -------------------------------------------------------------------------

def _header(headers, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def _collector_context(encoded: str) -> dict:
    """contextData of the advanced-security collector's EncodedData ({} if it isn't one):
    base64 (or plain) JSON {"payload": "<JSON with contextData>", "signature", "version"}."""
    for attempt in (encoded, None):
        try:
            if attempt is None:
                # urlsafe_b64decode reads the standard alphabet too
                attempt = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)) \
                    .decode("utf-8")
            data = json.loads(attempt)
            if isinstance(data, dict) and isinstance(data.get("payload"), str):
                data = json.loads(data["payload"])
            found = data.get("contextData") if isinstance(data, dict) else None
            if isinstance(found, dict):
                return found
        except (ValueError, UnicodeDecodeError, binascii.Error, TypeError):
            continue
    return {}


def _header_of(headers, name: str) -> str | None:
    """A header from ContextData.HttpHeaders ([{headerName, headerValue}]) or a dict."""
    if isinstance(headers, dict):
        return _header(headers, name)
    return next((h.get("headerValue") for h in headers or ()
                 if (h.get("headerName") or "").lower() == name), None)


def request_context(signin) -> dict:
    """{ip, device_id, user_agent, timezone} of the call. `signin` is an auth SignIn or
    anything with ctx, client (may be None), admin and context_data."""
    data = signin.context_data or {}
    ctx = signin.ctx
    own_headers = getattr(ctx, "headers", None)
    ip, agent, zone = None, None, None
    if signin.admin:
        ip = data.get("IpAddress")
        agent = _header_of(data.get("HttpHeaders"), "user-agent")
        zone = _header_of(data.get("HttpHeaders"), "x-timezone")
    elif data.get("IpAddress") and signin.client and clients.has_secret(signin.client) and \
            signin.client.get("EnablePropagateAdditionalUserContextData"):
        ip = data["IpAddress"]
    encoded = data.get("EncodedData")
    device_id = None
    if encoded:
        collected = _collector_context(encoded) if len(encoded) < 65536 else {}
        stable = collected.get("DeviceId")
        device_id = hashlib.sha256(
            (f"device:{stable}" if isinstance(stable, str) and stable else encoded)
            .encode("utf-8")).hexdigest()
        if isinstance(collected.get("ClientTimezone"), str):
            zone = collected["ClientTimezone"]
    # Without ContextData an admin call is judged as what reached us - the backend's own
    # address and User-Agent - as Cognito can only do the same (UNCONFIRMED).
    zone = zone or _header(own_headers, "x-timezone")
    return {"ip": ip or getattr(ctx, "source_ip", None), "device_id": device_id,
            "user_agent": agent or _header(own_headers, "user-agent"),
            "timezone": zone[:64] if zone else None, "has_context": bool(data)}


# --- history ---------------------------------------------------------------------------------

_SEQUENCE = itertools.count(1)


def _key(user: dict, now: float, event_id: str) -> str:
    """Newest first: inverted milliseconds, then an inverted per-process sequence so that
    events at the same instant (a pinned clock) still list latest first."""
    inverted = 10 ** 14 - int(now * 1000)
    order = 10 ** 12 - next(_SEQUENCE) % 10 ** 12
    return f"{user_prefix(user)}{inverted:014d}{order:012d}{event_id}"


def user_prefix(user: dict) -> str:
    return f"{user['Attributes'].get('sub') or user['Username']} "


def _history_entry(record: dict) -> dict:
    own = record.get("_risk") or {}
    feedback = (record.get("EventFeedback") or {}).get("FeedbackValue")
    return {"time": record["CreationDate"], "ip": own.get("ip"), "country": own.get("country"),
            "city": own.get("city"), "lat": own.get("lat"), "lon": own.get("lon"),
            "device_id": own.get("device_id"), "outcome": own.get("outcome"),
            "feedback": feedback.upper() if feedback else None}


def _ip_failures(signin, ip: str | None) -> list[float]:
    if not ip:
        return []
    record = signin.store.get(IP_FAILURES, signin.pool["Id"], ip)
    return list((record or {}).get("times") or ())


def _count_ip_failure(signin, ip: str | None, window: float) -> None:
    if not ip:
        return
    now = signin.now()
    times = [t for t in _ip_failures(signin, ip) if t > now - window] + [now]
    signin.store.put(IP_FAILURES, signin.pool["Id"], ip, {"times": times[-100:]})


def history(signin, user: dict, ip: str | None):
    import risk
    rows = signin.store.list(KIND, signin.pool["Id"], prefix=user_prefix(user),
                             limit=HISTORY_LIMIT)
    return risk.History(events=[_history_entry(r) for _, r in rows],
                        ip_failures=_ip_failures(signin, ip))


# --- entry points ------------------------------------------------------------------------------

def new_event(signin, user: dict, request: dict, where: dict | None, assessment, decision,
              response: str, outcome: str | None, challenges: list, *,
              event_type: str = "SignIn") -> tuple[dict, str]:
    """Store one AuthEventType record; returns it and its feedback token (kept only as a
    SHA-256 hash: the token reaches the user in the notice's one-click links)."""
    now = signin.now()
    event_id = str(uuid.uuid4())
    where = where or {}
    context = {"IpAddress": request["ip"] or ""}
    if request.get("user_agent"):
        context["DeviceName"] = request["user_agent"][:256]
    if request.get("timezone"):
        context["Timezone"] = request["timezone"]
    if where.get("city"):
        context["City"] = where["city"]
    if where.get("country"):
        context["Country"] = where["country"]  # ISO code; Cognito shows a name (UNCONFIRMED)
    token = secrets.token_urlsafe(24)
    record = {
        "EventId": event_id, "EventType": event_type, "CreationDate": now,
        "EventResponse": response, "EventRisk": decision.event_risk() if decision else
        {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False},
        "ChallengeResponses": challenges, "EventContextData": context,
        "_key": _key(user, now, event_id), "_feedbackTokenHash": _token_hash(token),
        "_clientId": (signin.client or {}).get("ClientId"),
        "_risk": {"ip": request["ip"], "device_id": request["device_id"],
                  "hasContextData": bool(request.get("has_context")),
                  "country": where.get("country"), "city": where.get("city"),
                  "lat": where.get("lat"), "lon": where.get("lon"), "outcome": outcome,
                  "signals": assessment.as_dict()["signals"] if assessment else [],
                  "score": assessment.score if assessment else 0,
                  "action": decision.action if decision else None,
                  "intendedAction": decision.intended_action if decision else None,
                  "reason": decision.reason if decision else "wrong password"},
    }
    if decision is not None and decision.notify:
        # The API has no field for "a notice was sent"; the console page can read this.
        sent = risk_notices.send(signin.ctx, signin.pool, user, record, decision, token)
        record["_risk"]["notified"] = decision.email if sent else None
    _save(signin.store, signin.pool["Id"], record)
    if response != "InProgress":
        log_delivery.auth_event(signin.ctx, signin.pool, user, record)
    return record, token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def assess_sign_in(signin, user: dict, progress: dict, *,
                   mfa_eligible: Callable[[], bool]) -> None:
    """Once per sign-in, when the first factor passed (next_step). Raises the block error
    (keeping the recorded event); sets progress["mfaRequired"] for an MFA action.
    mfa_eligible() says whether an MFA action could be carried out (auth/mfa.eligible)."""
    if "riskEvent" in progress:
        return
    flow = flow_of(progress)
    mode = mode_of(signin, flow)
    if mode == "OFF":
        return
    import risk
    request = request_context(signin)
    rc = risk_config.effective(signin.store, signin.pool, signin.client["ClientId"])
    config = risk_config.engine_config(signin.ctx.settings, signin.pool["Id"], rc)
    password = signin.typed_password
    assessment = risk.assess(
        risk.Context(now=signin.now(), ip=request["ip"], device_id=request["device_id"],
                     user_agent=request["user_agent"], event="SIGN_IN", flow=flow,
                     password=password),
        history(signin, user, request["ip"]), config)
    decision = risk.decide(assessment, rc, mode, mfa_eligible())
    blocked = decision.action == "BLOCK"
    # A Password entry only when a password was checked: a custom-auth loop whose Define
    # never asked for PASSWORD_VERIFIER checked none.
    checked = flow == "STANDARD" or progress.get("passwordVerified")
    record, _ = new_event(signin, user, request, assessment.location, assessment, decision,
                          "Fail" if blocked else "InProgress", "BLOCKED" if blocked else None,
                          [{"ChallengeName": "Password", "ChallengeResponse": "Success"}]
                          if checked else [])
    progress["riskEvent"] = record["_key"]
    if blocked:
        if decision.compromised_block:
            # Compromised credentials: the user must reset the password (COGNITO_REFERENCE 5.2).
            previous = dict(user)
            user = {**user, "UserStatus": "RESET_REQUIRED", "UserLastModifiedDate": signin.now()}
            users.save(signin.store, signin.pool, user, previous=previous)
        err = CognitoError("NotAuthorizedException", BLOCKED)
        err.commit = True   # the event stays in the history
        raise err
    if decision.action == "MFA":
        progress["mfaRequired"] = True


def sign_in_passed(signin, user: dict, progress: dict) -> None:
    """Tokens are being issued: the sign-in's event becomes Pass (and SUCCESS for history)."""
    key = progress.get("riskEvent")
    if not key:
        return
    record = signin.store.get(KIND, signin.pool["Id"], key)
    if record is None:
        return
    record["EventResponse"] = "Pass"
    record["_risk"]["outcome"] = "SUCCESS"
    if "MFA" in progress.get("passed", ()):
        record["ChallengeResponses"].append({"ChallengeName": "Mfa",
                                             "ChallengeResponse": "Success"})
    _save(signin.store, signin.pool["Id"], record)
    log_delivery.auth_event(signin.ctx, signin.pool, user, record)


def password_failed(signin, user: dict, progress: dict | None = None) -> None:
    """A wrong password: a Fail event for the user and a failure for the IP (velocity)."""
    flow = flow_of(progress or {"firstFactor": "PASSWORD"})
    if mode_of(signin, flow) == "OFF":
        return
    import risk
    request = request_context(signin)
    rc = risk_config.effective(signin.store, signin.pool, signin.client["ClientId"])
    config = risk_config.engine_config(signin.ctx.settings, signin.pool["Id"], rc)
    where = risk.locate(request["ip"], config.geo_table)
    new_event(signin, user, request, where.as_dict() if where else None, None, None,
              "Fail", "FAILURE", [{"ChallengeName": "Password", "ChallengeResponse": "Failure"}])
    _count_ip_failure(signin, request["ip"], config.velocity_window)


# --- AdminListUserAuthEvents / feedback ----------------------------------------------------------

def _save(store, pool_id: str, record: dict) -> None:
    """Write an event filed under its expiry, RETENTION_SECONDS after it happened."""
    record["expiresAt"] = record["CreationDate"] + RETENTION_SECONDS
    store.put(KIND, pool_id, record["_key"], record, index=expiry_index(record["expiresAt"]))


def public_event(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_") and k != "expiresAt"}


def list_events(store, pool: dict, user: dict, *, after: str | None, limit: int,
                now: float) -> tuple[list[dict], str | None]:
    """A page of the user's events, newest first; those past retention are gone (the
    oldest, so they can only end the list)."""
    rows = store.list(KIND, pool["Id"], prefix=user_prefix(user), after=after, limit=limit + 1)
    rows = [(k, r) for k, r in rows if r.get("expiresAt", float("inf")) > now]
    page = [r for _, r in rows[:limit]]
    return page, (rows[limit - 1][0] if len(rows) > limit and page else None)


def find_event(store, pool: dict, user: dict, event_id: str) -> dict:
    for _, record in store.list(KIND, pool["Id"], prefix=user_prefix(user)):
        if record["EventId"] == event_id:
            return record
    raise CognitoError("ResourceNotFoundException", "Auth event not found.")  # wording UNCONFIRMED


def set_feedback(ctx, pool: dict, user: dict, event_id: str, value: str, *,
                 provider: str, token: str | None = None) -> None:
    """Valid / Invalid feedback on an event; the engine reads it from the history (a valid
    event's device, IP and place become known; an invalid one raises later scores)."""
    record = find_event(ctx.store, pool, user, event_id)
    if token is not None and not token_matches(record, token):
        raise CognitoError("NotAuthorizedException", "Invalid feedback token.")  # UNCONFIRMED
    record["EventFeedback"] = {"FeedbackValue": value, "Provider": provider,
                               "FeedbackDate": ctx.now()}
    _save(ctx.store, pool["Id"], record)


def token_matches(record: dict, token: str) -> bool:
    """The event's feedback token (stored hashed; plain in records written before that)."""
    stored = record.get("_feedbackTokenHash")
    if stored:
        return secrets.compare_digest(_token_hash(token), stored)
    return secrets.compare_digest(token.encode("utf-8"),
                                  (record.get("_feedbackToken") or "\0").encode("utf-8"))
