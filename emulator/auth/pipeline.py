"""The sign-in pipeline: the one way into a sign-in for every front end, without HTTP.

    initiate(ctx, params, admin=)      InitiateAuth / AdminInitiateAuth
    respond(ctx, params, admin=)       RespondToAuthChallenge / AdminRespondToAuthChallenge
    new_signin(ctx, pool, client, ...) a SignIn for other front ends (the hosted pages), then
    password_first(signin, ...)        the password as first factor
    answer(signin, name, ...)          a challenge's answer

The shape of every sign-in:

    client checks (exists, flow enabled, SECRET_HASH)
      -> first factor (password, SRP, custom auth, USER_AUTH's choices: registry.py)
      -> first_factor_passed(): user-status gate, lockout reset
      -> next_step(): the one place deciding what comes between a passed first factor
         and tokens: NEW_PASSWORD_REQUIRED, device SRP (auth/device_auth.py), MFA
         (auth/mfa.py), threat protection's actions (domain/threats.py)
      -> success(): PostAuthentication, tokens.issue(), NewDeviceMetadata (or
         SignedIn(user) for a front end that issues no API tokens)

Who answers which AuthFlow and ChallengeName is one literal table, auth/registry.py.
Factors and steps go on through the SignIn they are given (STEPS below), never by
importing this module.
"""
from __future__ import annotations

from ..domain import clients, devices, federation, lockout, pools, threats, users
from ..errors import invalid
from . import device_auth, mfa, password, registry, tokens
from .shared import SignedIn, SignIn, Steps, check_status, post_authentication, pre_authentication

PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
ADMIN_ONLY_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
USER_ONLY_FLOWS = ("USER_PASSWORD_AUTH",)

# AuthFlow -> the ExplicitAuthFlows values that enable it (ALLOW_* and legacy names).
ENABLED_BY = {
    "USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
    "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "ADMIN_NO_SRP_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
    "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH",),
    "REFRESH_TOKEN_AUTH": ("ALLOW_REFRESH_TOKEN_AUTH",),
    "REFRESH_TOKEN": ("ALLOW_REFRESH_TOKEN_AUTH",),
    "CUSTOM_AUTH": ("ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"),
    "USER_AUTH": ("ALLOW_USER_AUTH",),
}
LEGACY_FLOW_VALUES = ("ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH")
# Messages seen from real Cognito for USER_PASSWORD_AUTH, USER_SRP_AUTH, CUSTOM_AUTH and the
# admin flows (public captures); the refresh and USER_AUTH ones are UNCONFIRMED.
NOT_ENABLED = {
    "USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH flow not enabled for this client",
    "ADMIN_USER_PASSWORD_AUTH": "Auth flow not enabled for this client",
    "ADMIN_NO_SRP_AUTH": "Auth flow not enabled for this client",
    "USER_SRP_AUTH": "USER_SRP_AUTH is not enabled for the client.",
    "REFRESH_TOKEN_AUTH": "Refresh Token flow not enabled for this client",
    "REFRESH_TOKEN": "Refresh Token flow not enabled for this client",
    "CUSTOM_AUTH": "CUSTOM_AUTH is not enabled for the client.",
    "USER_AUTH": "USER_AUTH is not enabled for the client.",
}


# --- entry points ------------------------------------------------------------------------

def initiate(ctx, params: dict, *, admin: bool) -> dict:
    flow = params["AuthFlow"]
    if flow in (USER_ONLY_FLOWS if admin else ADMIN_ONLY_FLOWS):
        raise invalid("Initiate Auth method not supported.")
    signin = open_signin(ctx, params, admin=admin)
    check_flow_enabled(signin.client, flow)
    initiator = registry.INITIATORS.get(flow)
    if initiator is None:
        raise invalid(f"{flow} is not supported by this emulator yet.")
    auth = params.get("AuthParameters") or {}
    # An unknown DEVICE_KEY here is not an error: the sign-in then counts as one from a
    # new device (amazon-cognito-identity-js learns of a forgotten device at
    # PASSWORD_VERIFIER, see respond()).
    signin.device_key = auth.get("DEVICE_KEY") or None
    signin.session = params.get("Session")
    return initiator(signin, auth)


def respond(ctx, params: dict, *, admin: bool) -> dict:
    signin = open_signin(ctx, params, admin=admin)
    signin.responding = True
    name = params["ChallengeName"]
    responses = params.get("ChallengeResponses") or {}
    session = params.get("Session")
    signin.device_key = responses.get("DEVICE_KEY") or None
    if signin.device_key and name not in ("DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"):
        # Before anything is used up (no commit): the client may retry without the key.
        device_auth.check_known(signin, responses)
    return answer(signin, name, responses, session)


def answer(signin: SignIn, name: str, responses: dict, session: str | None) -> dict | SignedIn:
    """The responder for a challenge's answer: registry.RESPONDERS[name], except that an
    answer whose Session belongs to an MFA challenge goes to MFA_RESPONDERS[name] (EMAIL_OTP
    is both a first factor of USER_AUTH and an MFA step)."""
    responder = registry.RESPONDERS.get(name)
    if name in registry.MFA_RESPONDERS and (responder is None or
                                            mfa.is_mfa_session(signin, session)):
        responder = registry.MFA_RESPONDERS[name]
    if responder is None:
        raise invalid(f"Responding to the {name} challenge is not supported by this emulator yet.")
    return responder(signin, responses, session)


def new_signin(ctx, pool: dict, client: dict, **fields) -> SignIn:
    """A SignIn that goes on through this pipeline (fields: SignIn's other fields)."""
    return SignIn(ctx, pool, client, STEPS, **fields)


def federated(signin: SignIn, provider: dict, *, subject: str, attributes: dict,
              issuer: str | None, email_verified: bool | None = None) -> dict | SignedIn:
    """A sign-in through an external identity provider (SAML, OIDC, social: web/saml_sso.py,
    web/oidc_federation.py), after the front end has
    checked what the provider sent: federation finds, links or creates the profile
    (PreSignUp_ExternalProvider and PostConfirmation for a new one; PreAuthentication before a
    known one's attributes are refreshed), then the steps of every sign-in, ending in
    PostAuthentication - except for a new profile, which had PostConfirmation instead
    (COGNITO_REFERENCE 4.3) - and the success result. email_verified: what the provider said
    of its email (None: nothing), for federation.sign_in's rule on verified emails."""
    user, new_profile = federation.sign_in(
        signin.ctx, signin.pool, signin.client, provider, subject=subject,
        attributes=attributes, issuer=issuer, email_verified=email_verified,
        pre_authentication=lambda known: pre_authentication(signin, known, known["Username"],
                                                            existence_hint=False))
    progress = {"firstFactor": "FEDERATED", "typed": user["Username"],
                "newProfile": new_profile}
    # The identity provider vouched for the user: federation checked that the profile (or a
    # link's destination) is enabled; a native destination's password status doesn't gate it.
    return first_factor_passed(signin, user, progress, status_checked=True)


def password_first(signin: SignIn, user: dict | None, username: str,
                   typed_password: str) -> dict | SignedIn:
    """The password as first factor, for front ends that collect it themselves."""
    return password.sign_in_with_password(signin, user, username, typed_password)


def open_signin(ctx, params: dict, *, admin: bool) -> SignIn:
    """Pool and client of the call: AdminX names both; the unsigned calls only the client."""
    if admin:
        pool = pools.require(ctx.store, params["UserPoolId"])
        client = clients.require(ctx.store, pool["Id"], params["ClientId"])
    else:
        client = clients.require_any(ctx.store, params["ClientId"])
        pool = pools.require(ctx.store, client["UserPoolId"])
    context = params.get("ContextData") if admin else params.get("UserContextData")
    return new_signin(ctx, pool, client, admin=admin,
                  client_metadata=params.get("ClientMetadata") or {},
                  context_data=context or {})


def check_flow_enabled(client: dict, flow: str) -> None:
    enabled = clients.flows(client)
    if any(value in enabled for value in ENABLED_BY.get(flow, ())):
        return
    if all(value in LEGACY_FLOW_VALUES for value in enabled):
        # Clients configured with the legacy names only: SRP, refresh and custom auth were
        # always on, unless CUSTOM_AUTH_FLOW_ONLY shut everything but custom auth.
        if "CUSTOM_AUTH_FLOW_ONLY" in enabled and flow not in REFRESH_FLOWS:
            raise invalid("Only custom auth (lambda driven) is enabled for this client.")
        if flow in ("USER_SRP_AUTH", "CUSTOM_AUTH") + REFRESH_FLOWS:
            return
    raise invalid(NOT_ENABLED.get(flow, "Auth flow not enabled for this client"))


# --- after the first factor ------------------------------------------------------------------

def first_factor_passed(signin: SignIn, user: dict, progress: dict, *,
                        status_checked: bool = False) -> dict:
    """The password (or SRP proof) was right: gate on the user's status, forget earlier
    failures, then decide what's next. `progress` = {"firstFactor", "typed", "passed": []}.
    (Callers that must commit a status error check_status() themselves first.)"""
    if not status_checked:
        check_status(signin, user)
    if lockout.record_success(user):
        users.save(signin.store, signin.pool, user, previous=user)
    return next_step(signin, user, progress)


def next_step(signin: SignIn, user: dict, progress: dict) -> dict:
    """What stands between a passed first factor and tokens. Each step returns a challenge
    and is marked in progress["passed"] once answered; with nothing left, tokens.

        NEW_PASSWORD_REQUIRED   a temporary password must be replaced first
        DEVICE_SRP_AUTH         a remembered device, when the pool lets it replace MFA
        MFA                     SMS_MFA / SOFTWARE_TOKEN_MFA / EMAIL_OTP / SELECT_MFA_TYPE /
                                MFA_SETUP (auth/mfa.py decides; progress["mfaRequired"]
                                lets a risk action demand it)
        DEVICE_SRP_AUTH         a remembered device that doesn't replace MFA: after it
    """
    # once; may block or demand MFA
    threats.assess_sign_in(signin, user, progress,
                           mfa_eligible=lambda: mfa.eligible(signin, user, progress))
    passed = progress.setdefault("passed", [])
    if user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and "NEW_PASSWORD_REQUIRED" not in passed \
            and progress.get("firstFactor") != "FEDERATED":  # no password was typed to replace
        return password.new_password_challenge(signin, user, progress)
    device = device_auth.sign_in_device(signin, user, progress)
    if device_auth.needs_srp(device, progress) and devices.replaces_mfa(signin.pool):
        return device_auth.challenge(signin, user, progress, device)
    if not (devices.PASSED in passed and devices.replaces_mfa(signin.pool)):
        challenge_out = mfa.step(signin, user, progress)
        if challenge_out is not None:
            return challenge_out
    if device_auth.needs_srp(device, progress):
        return device_auth.challenge(signin, user, progress, device)
    return success(signin, user, progress, device=device)


_UNREAD = object()


def success(signin: SignIn, user: dict, progress: dict, *,
            device=_UNREAD) -> dict | SignedIn:
    """The sign-in succeeded: PostAuthentication, then tokens (through PreTokenGeneration,
    whose source tells a completed NEW_PASSWORD_REQUIRED or device authentication from a
    plain sign-in), with NewDeviceMetadata when the pool tracks devices and this one is
    new. A SignIn with issue_tokens False gets SignedIn(user) instead of tokens."""
    if not signin.issue_tokens:
        if not progress.get("newProfile"):  # a first federated sign-in had PostConfirmation
            post_authentication(signin, user)
        threats.sign_in_passed(signin, user, progress)
        return SignedIn(user)
    if device is _UNREAD:
        device = device_auth.sign_in_device(signin, user, progress)
    post_authentication(signin, user,
                        new_device=signin.tracks_devices() and device is None)
    passed = progress.get("passed", ())
    source = "NewPasswordChallenge" if "NEW_PASSWORD_REQUIRED" in passed \
        else "AuthenticateDevice" if devices.PASSED in passed else "Authentication"
    device_key, metadata = device_auth.for_tokens(signin, user, device)
    threats.sign_in_passed(signin, user, progress)
    result = tokens.issue(signin.ctx, signin.pool, signin.client, user, source=source,
                          client_metadata=signin.trigger_metadata, device_key=device_key)
    if metadata is not None:
        result["NewDeviceMetadata"] = metadata
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


STEPS = Steps(first_factor_passed=first_factor_passed, next_step=next_step,
              after_password_verifier=registry.AFTER_PASSWORD_VERIFIER)
