"""Threat protection outside sign-in: sign-up, forgotten password and password change
(issue scope 5). The same engine as sign-in (domain/threats.py) with the event named:

    pending = check(ctx, pool, user, "SIGN_UP", password=..., client=..., ...)
    ... the operation's own work ...
    passed(pending, user)          the event goes into the user's history as Pass

check() returns None when threat protection is OFF (nothing read or written). It raises when
the decision is BLOCK in full-function mode:
- compromised credentials whose CompromisedCredentialsRiskConfiguration blocks the event
  (EventFilter SIGN_UP / PASSWORD_CHANGE; a forgotten-password reset counts as a password
  change): InvalidPasswordException "Provided password cannot be used for security
  reasons." (the text a public test fixture captured for ConfirmForgotPassword; that
  Cognito uses it for all three is UNCONFIRMED);
- an address in BlockedIPRangeList: NotAuthorizedException (wording UNCONFIRMED).
The refused event stays in the history (the error commits) - except for sign-up, where
there is no user yet: it only reaches the exported log.

Adaptive (account-takeover) actions don't apply to these events (risk.decide: the risk is
recorded, not acted on). Covered: SignUp, ForgotPassword, ConfirmForgotPassword,
ChangePassword; not AdminSetUserPassword / AdminCreateUser (Cognito checks users' own
events; UNCONFIRMED)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CognitoError
from . import log_delivery, risk_config, threats

COMPROMISED = "Provided password cannot be used for security reasons."
BLOCKED = "Request not allowed because of security reasons."   # UNCONFIRMED
EVENT_TYPES = {"SIGN_UP": "SignUp", "FORGOT_PASSWORD": "ForgotPassword",
               "PASSWORD_CHANGE": "PasswordChange"}


@dataclass
class Call:
    """What threats.request_context / new_event need of a call (an auth SignIn's shape)."""
    ctx: object
    pool: dict
    client: dict | None = None
    admin: bool = False
    context_data: dict = field(default_factory=dict)

    @property
    def store(self):
        return self.ctx.store

    def now(self) -> float:
        return self.ctx.now()


@dataclass
class Pending:
    call: Call
    request: dict
    assessment: object
    decision: object
    event: str


def mode(pool: dict) -> str:
    return (pool.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode") or "OFF"


def check(ctx, pool: dict, user: dict, event: str, *, password: str | None = None,
          client: dict | None = None, client_id: str | None = None,
          context_data: dict | None = None, new_user: bool = False) -> Pending | None:
    """Assess `event` (SIGN_UP, FORGOT_PASSWORD, PASSWORD_CHANGE) for `user`; raise when
    full-function mode blocks it. new_user: the user isn't stored yet (sign-up): no history
    to read, and a refusal is only logged."""
    current = mode(pool)
    if current == "OFF":
        return None
    import risk
    call = Call(ctx, pool, client, context_data=context_data or {})
    request = threats.request_context(call)
    client_id = client_id or (client or {}).get("ClientId")
    rc = risk_config.effective(ctx.store, pool, client_id)
    config = risk_config.engine_config(ctx.settings, pool["Id"], rc)
    past = risk.History() if new_user else threats.history(call, user, request["ip"])
    assessment = risk.assess(
        risk.Context(now=ctx.now(), ip=request["ip"], device_id=request["device_id"],
                     user_agent=request["user_agent"], event=event, flow="STANDARD",
                     password=password), past, config)
    decision = risk.decide(assessment, rc, current, False)
    if call.client is None and client_id:
        call.client = {"ClientId": client_id}   # for the event's client id only
    pending = Pending(call, request, assessment, decision, event)
    if decision.action != "BLOCK":
        return pending
    err = CognitoError("InvalidPasswordException", COMPROMISED) if decision.compromised_block \
        else CognitoError("NotAuthorizedException", BLOCKED)
    if new_user:
        _log_only(pending, user)
    else:
        _record(pending, user, "Fail", "BLOCKED")
        err.commit = True   # the refused event stays in the history
    raise err


def passed(pending: Pending | None, user: dict) -> None:
    """The operation succeeded: its event goes into the user's history as Pass."""
    if pending is not None:
        _record(pending, user, "Pass", "SUCCESS")


def _record(pending: Pending, user: dict, response: str, outcome: str) -> dict:
    record, _ = threats.new_event(pending.call, user, pending.request,
                                  pending.assessment.location, pending.assessment,
                                  pending.decision, response, outcome, [],
                                  event_type=EVENT_TYPES[pending.event])
    return record


def _log_only(pending: Pending, user: dict) -> None:
    """A refused sign-up: no user, no history - the exported log still sees the attempt."""
    import uuid
    where = pending.assessment.location or {}
    context = {"IpAddress": pending.request["ip"] or ""}
    if pending.request.get("user_agent"):
        context["DeviceName"] = pending.request["user_agent"][:256]
    if pending.request.get("timezone"):
        context["Timezone"] = pending.request["timezone"]
    for key, name in (("city", "City"), ("country", "Country")):
        if where.get(key):
            context[name] = where[key]
    event = {"EventId": str(uuid.uuid4()), "EventType": EVENT_TYPES[pending.event],
             "CreationDate": pending.call.now(), "EventResponse": "Fail",
             "EventRisk": pending.decision.event_risk(), "ChallengeResponses": [],
             "EventContextData": context,
             "_clientId": (pending.call.client or {}).get("ClientId"),
             "_risk": {"hasContextData": bool(pending.request.get("has_context"))}}
    log_delivery.auth_event(pending.call.ctx, pending.call.pool, user, event)
