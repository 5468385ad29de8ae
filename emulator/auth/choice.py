"""Choice-based sign-in (AuthFlow USER_AUTH): the user picks the first factor.

    InitiateAuth(USER_AUTH, {USERNAME[, PREFERRED_CHALLENGE, PASSWORD | SRP_A]})
      preferred challenge available -> straight into it:
          PASSWORD      password.sign_in_with_password -> tokens / next step
          PASSWORD_SRP  password.srp_round1 -> PASSWORD_VERIFIER (answered by password.py)
          EMAIL_OTP     a code to the email address -> challenge EMAIL_OTP
          SMS_OTP       a code to the phone number  -> challenge SMS_OTP
          WEB_AUTHN     challenge WEB_AUTHN with CREDENTIAL_REQUEST_OPTIONS
      otherwise      -> ChallengeName SELECT_CHALLENGE, AvailableChallenges, Session
    RespondToAuthChallenge
      SELECT_CHALLENGE {USERNAME, ANSWER[, PASSWORD | SRP_A]} -> as above
      PASSWORD {PASSWORD} / PASSWORD_SRP {SRP_A}  answer a SELECT_CHALLENGE session directly
      EMAIL_OTP {EMAIL_OTP_CODE} / SMS_OTP {SMS_OTP_CODE} / WEB_AUTHN {CREDENTIAL}
    InitiateAuth(USER_AUTH, Session=<from ConfirmSignUp>): the confirmation code was the
      first factor (signup.SIGN_IN_AFTER_CONFIRMATION sessions).

Which first factors a user has (available()): the pool's
Policies.SignInPolicy.AllowedFirstAuthFactors (PASSWORD covers PASSWORD and PASSWORD_SRP),
what the user holds (a password, an email address, a phone number, passkeys), and the MFA
rules of COGNITO_REFERENCE 2.3: when the sign-in needs MFA (the pool requires it, or the
user turned it on in an OPTIONAL pool) OTP first factors are not offered, and passkeys only
as passkey MFA (FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION and the user's
WebAuthnMfaSettings on), with user verification required. After any first factor the common
path follows (signin.first_factor_passed -> next_step; MFA follows passwords only, auth/mfa.py).

An OTP challenge keeps its code in the auth session (as long-lived as the session: the
app client's AuthSessionValidity). A wrong code keeps the session for another try, up to
MAX_OTP_ATTEMPTS; a right one marks the address verified and confirms an UNCONFIRMED user.

Answers (auth/registry.py) INITIATORS["USER_AUTH"] and RESPONDERS SELECT_CHALLENGE,
PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP and WEB_AUTHN (EMAIL_OTP also names an MFA
challenge: the pipeline hands answers to MFA sessions to registry.MFA_RESPONDERS).
"""
from __future__ import annotations

import copy
import hmac
import json
import logging
import secrets

from ..domain import attributes, auth_sessions, clients, messages, signup, users
from ..errors import CognitoError, invalid
from . import mfa, passkeys, password, shared

log = logging.getLogger("emulator.auth.choice")

FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
OTP_ATTRIBUTE = {"EMAIL_OTP": "email", "SMS_OTP": "phone_number"}
MAX_OTP_ATTEMPTS = 3        # wrong codes one OTP challenge takes: UNCONFIRMED
STATE = "userAuth"          # our part of an auth session's state
# Wrong OTP: what Cognito answers a wrong SMS_MFA code; for the OTP first factors UNCONFIRMED.
CODE_MISMATCH = mfa.MISMATCH


# --- what a user may choose ------------------------------------------------------------------

def pool_factors(pool: dict) -> list[str]:
    return ((pool.get("Policies") or {}).get("SignInPolicy") or {}) \
        .get("AllowedFirstAuthFactors") or ["PASSWORD"]


def mfa_required(pool: dict, user: dict | None) -> bool:
    """Whether a sign-in of this user must include MFA: the pool requires it, or (optional
    MFA) the user turned an MFA factor on."""
    mode = pool.get("MfaConfiguration") or "OFF"
    return mode == "ON" or (mode == "OPTIONAL" and user is not None and
                            bool(user.get("UserMFASettingList")))


def passkey_is_mfa(pool: dict, user: dict | None) -> bool:
    """Passkey MFA: the pool's FactorConfiguration is MULTI_FACTOR_WITH_USER_VERIFICATION and
    the user turned WebAuthnMfaSettings on; a user-verified passkey then satisfies MFA."""
    return user is not None and bool(user.get("_webAuthnMfa")) and mfa.webauthn_counts_as_mfa(pool)


def user_passkeys(ctx, pool: dict, user: dict | None) -> list[dict]:
    """The user's passkeys, when the pool signs in with them (one store read; none else)."""
    if user is None or "WEB_AUTHN" not in pool_factors(pool):
        return []
    return passkeys.credentials(ctx.store, pool, user)


def available(pool: dict, user: dict | None, found: list[dict]) -> list[str]:
    """The first-factor challenges USER_AUTH offers this user, in the order of the pool's
    AllowedFirstAuthFactors; `found` = user_passkeys(). `user` None: a simulated user
    (PreventUserExistenceErrors), who is offered everything the pool allows.

    When the sign-in needs MFA, passwordless factors are out (MFA follows only passwords,
    auth/mfa.py), except passkeys that count as MFA (passkey_is_mfa)."""
    out: list[str] = []
    needs_mfa = mfa_required(pool, user)
    for factor in pool_factors(pool):
        if factor == "PASSWORD":
            if user is None or users.verifier(user) is not None:
                out += ["PASSWORD", "PASSWORD_SRP"]
        elif factor in OTP_ATTRIBUTE:
            if not needs_mfa and (user is None or user["Attributes"].get(OTP_ATTRIBUTE[factor])):
                out.append(factor)
        elif factor == "WEB_AUTHN":
            if (not needs_mfa or passkey_is_mfa(pool, user)) and (user is None or found):
                out.append(factor)
    return out


def configured_factors(ctx, pool: dict, user: dict) -> list[str]:
    """GetUserAuthFactors' ConfiguredUserAuthFactors: the user's USER_AUTH first factors
    (AuthFactorType names) plus SOFTWARE_TOKEN when the user has TOTP MFA set up."""
    out = [f for f in available(pool, user, user_passkeys(ctx, pool, user))
           if f != "PASSWORD_SRP"]
    if "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or []):
        out.append("SOFTWARE_TOKEN")
    return out


# --- InitiateAuth(USER_AUTH) -----------------------------------------------------------------

def initiate(signin: shared.SignIn, auth: dict) -> dict:
    username = shared.required(auth, "USERNAME")
    user = users.find(signin.store, signin.pool, username)
    clients.check_secret_hash(signin.client, auth.get("SECRET_HASH"),
                              shared.accepted_names(username, user))
    if signin.session:  # from ConfirmSignUp
        return _after_confirmation(signin, user, username, signin.session)
    preferred = auth.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in FIRST_FACTORS:
        raise invalid(f"PREFERRED_CHALLENGE must be one of {', '.join(FIRST_FACTORS)}.")
    if user is None and preferred in ("PASSWORD", "PASSWORD_SRP") and \
            "PASSWORD" in pool_factors(signin.pool):
        # password.py answers unknown names of password sign-ins (UserMigration included).
        return start(signin, None, username, preferred, auth)
    if user is None and not clients.prevents_existence_errors(signin.client):
        raise shared.unknown_user(signin.client)
    found = user_passkeys(signin.ctx, signin.pool, user)
    offered = available(signin.pool, user, found)
    if preferred in offered:
        return start(signin, user, username, preferred, auth, found)
    if not offered:  # wording UNCONFIRMED
        raise CognitoError("NotAuthorizedException", "No sign-in method is available for the user.")
    progress = {"firstFactor": None, "typed": username}
    out = shared.challenge(signin, _session_name(user, username), "SELECT_CHALLENGE", {}, progress,
                          state={STATE: {"available": offered, "known": user is not None}})
    out["AvailableChallenges"] = offered
    return out


def _session_name(user: dict | None, typed: str) -> str:
    return user["Username"] if user is not None else typed


def _after_confirmation(signin, user, username, token) -> dict:
    """The Session ConfirmSignUp returned: its code counts as the first factor."""
    with shared.committing():
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, token,
                                  challenge=signup.SIGN_IN_AFTER_CONFIRMATION)
        user = shared.session_user(signin, record, username)
        shared.check_status(signin, user)
    progress = shared.resumed_progress(record, "SIGN_UP_CODE")
    return signin.first_factor_passed(user, progress, status_checked=True)


def start(signin, user: dict | None, typed: str, name: str, given: dict,
          found: list[dict] | None = None) -> dict:
    """Begin first factor `name`; `given` holds what the client sent along (PASSWORD, SRP_A);
    `found` the user's passkeys if already read."""
    if name == "PASSWORD":
        return password.sign_in_with_password(signin, user, typed,
                                              shared.required(given, "PASSWORD"))
    if name == "PASSWORD_SRP":
        A = shared.parse_srp_a(shared.required(given, "SRP_A"))
        return password.srp_round1(signin, user, typed, A)
    if name in OTP_ATTRIBUTE:
        return _otp_challenge(signin, user, typed, name)
    return _passkey_challenge(signin, user, typed, found)


def _before_passwordless(signin, user: dict | None, typed: str) -> None:
    """What comes before a code is sent or a passkey asked for: PreAuthentication, and no
    message to a disabled user (that the check comes this early is our choice)."""
    shared.pre_authentication(signin, user, typed)
    if user is not None and not user.get("Enabled", True):
        raise CognitoError("NotAuthorizedException", "User is disabled.")


# --- EMAIL_OTP / SMS_OTP -------------------------------------------------------------------

def _otp_challenge(signin, user: dict | None, typed: str, name: str) -> dict:
    attribute = OTP_ATTRIBUTE[name]
    _before_passwordless(signin, user, typed)
    state = {"attribute": attribute, "attempts": 0, "known": user is not None}
    if user is None:  # simulated: nothing is sent; every code will be wrong
        details = signup.simulated_delivery(signin.pool, typed, attribute)
    else:
        code = f"{secrets.randbelow(10**6):06d}"
        state["code"] = code
        # The pool's verification template and CustomMessage_Authentication; Cognito uses its
        # MFA message templates here (UNCONFIRMED which one for sign-in codes).
        details = messages.send_code(signin.ctx, signin.pool, user, purpose=name, code=code,
                                     attribute=attribute, source="Authentication",
                                     client_id=signin.client["ClientId"],
                                     client_metadata=signin.trigger_metadata)
    parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
                  "CODE_DELIVERY_DESTINATION": details["Destination"],
                  "USERNAME": _session_name(user, typed)}
    progress = {"firstFactor": name, "typed": typed}
    return shared.challenge(signin, _session_name(user, typed), name, parameters, progress,
                           state={STATE: state})


def answer_otp(signin, responses: dict, session: str | None, name: str) -> dict:
    with shared.committing():
        username = shared.required(responses, "USERNAME")
        given = shared.required(responses, f"{name}_CODE")
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, _need(session),
                                  challenge=name)
        state = _ours(record)
        user = shared.session_user(signin, record, username, simulated=not state["known"])
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  shared.accepted_names(username, user, record["typed"]))
        if user is None or not hmac.compare_digest(state["code"].encode(), given.encode()):
            state["attempts"] += 1
            if state["attempts"] < MAX_OTP_ATTEMPTS:
                auth_sessions.restore(signin.ctx, signin.pool, session, record)  # retry allowed
            raise CognitoError("CodeMismatchException", CODE_MISMATCH)
    # The code reached this address: verified; an UNCONFIRMED user is now CONFIRMED.
    previous = copy.deepcopy(user)
    now = signin.now()
    attributes.apply(user, {f"{state['attribute']}_verified": "true"}, now)
    if user["UserStatus"] == signup.UNCONFIRMED:
        user["UserStatus"] = signup.CONFIRMED
        user["UserLastModifiedDate"] = now
    if user != previous:
        users.save(signin.store, signin.pool, user, previous=previous)
    return signin.first_factor_passed(user, shared.resumed_progress(record, name))


def _need(session: str | None) -> str:
    if not session:
        raise invalid("Missing required parameter Session")  # wording as shared.answer_new_password
    return session


def _ours(record: dict) -> dict:
    """This module's state in a consumed session; a session some other flow issued under
    the same challenge name is not a valid answer here."""
    state = record["state"].get(STATE)
    if state is None:
        raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
    return state


# --- WEB_AUTHN ----------------------------------------------------------------------------

def _passkey_challenge(signin, user: dict | None, typed: str, found: list[dict] | None) -> dict:
    _before_passwordless(signin, user, typed)
    config = passkeys.configuration(signin.pool)
    if mfa_required(signin.pool, user):  # passkey MFA: only with user verification
        config["UserVerification"] = "required"
    if not config["RelyingPartyId"]:
        raise CognitoError("WebAuthnConfigurationMissingException",
                           "The user pool has neither a passkey relying party id nor a domain.")
    if found is None:
        found = user_passkeys(signin.ctx, signin.pool, user)
    options, state = passkeys.request_options(config, found,
                                              1000 * auth_sessions.validity_seconds(signin.client))
    state["known"] = user is not None
    parameters = {"CREDENTIAL_REQUEST_OPTIONS": json.dumps(options, separators=(",", ":")),
                  "USERNAME": _session_name(user, typed)}
    progress = {"firstFactor": "WEB_AUTHN", "typed": typed}
    return shared.challenge(signin, _session_name(user, typed), "WEB_AUTHN", parameters, progress,
                           state={STATE: state})


def answer_web_authn(signin, responses: dict, session: str | None) -> dict:
    with shared.committing():
        username = shared.required(responses, "USERNAME")
        answer = shared.required(responses, "CREDENTIAL")
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, _need(session),
                                  challenge="WEB_AUTHN")
        state = _ours(record)
        user = shared.session_user(signin, record, username, simulated=not state["known"])
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  shared.accepted_names(username, user, record["typed"]))
        if user is None:
            raise CognitoError("NotAuthorizedException", shared.INCORRECT)
        try:
            passkeys.verify_assertion(signin.ctx, signin.pool, user, state, answer)
        except passkeys.Rejected as why:
            # Cognito's wording for a refused passkey is UNCONFIRMED; the reason goes to the log.
            log.info("passkey sign-in of %s refused: %s", user["Username"], why)
            raise CognitoError("NotAuthorizedException", shared.INCORRECT) from None
        shared.check_status(signin, user)
    return signin.first_factor_passed(user, shared.resumed_progress(record, "WEB_AUTHN"),
                                     status_checked=True)


# --- SELECT_CHALLENGE, and PASSWORD / PASSWORD_SRP answering it directly ---------------------

def _selection(signin, responses: dict, session: str | None) -> tuple[dict, dict | None, str]:
    """Use up a SELECT_CHALLENGE session: (its state, the user or None if simulated, the
    name the sign-in started with)."""
    with shared.committing():
        username = shared.required(responses, "USERNAME")
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, _need(session),
                                  challenge="SELECT_CHALLENGE")
        state = _ours(record)
        user = shared.session_user(signin, record, username, simulated=not state["known"])
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  shared.accepted_names(username, user, record["typed"]))
    return state, user, record["typed"]


def _chosen(state: dict, name: str) -> None:
    if name not in state["available"]:  # wording UNCONFIRMED
        raise invalid(f"The challenge {name} is not available for the user; choose one of "
                      f"{', '.join(state['available'])}.")


def answer_select_challenge(signin, responses: dict, session: str | None) -> dict:
    name = shared.required(responses, "ANSWER")
    state, user, typed = _selection(signin, responses, session)
    _chosen(state, name)
    return start(signin, user, typed, name, responses)


def direct_answer(name: str):
    """PASSWORD / PASSWORD_SRP sent straight in answer to SELECT_CHALLENGE (DG)."""
    def respond(signin, responses: dict, session: str | None) -> dict:
        state, user, typed = _selection(signin, responses, session)
        _chosen(state, name)
        return start(signin, user, typed, name, responses)
    return respond


def otp_responder(name: str):
    """EMAIL_OTP / SMS_OTP answers (the pipeline sends answers to EMAIL_OTP MFA sessions to
    registry.MFA_RESPONDERS instead)."""
    return lambda signin, responses, session: answer_otp(signin, responses, session, name)
