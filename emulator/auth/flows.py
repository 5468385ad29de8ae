"""Sign-in flows: (Admin)InitiateAuth and (Admin)RespondToAuthChallenge without HTTP.

Entry points take the context and the validated request dict and return the response
dict; the hosted UI and other front ends can call the pieces below directly.

    initiate(ctx, params, admin=)      InitiateAuth / AdminInitiateAuth
    respond(ctx, params, admin=)       RespondToAuthChallenge / AdminRespondToAuthChallenge

The shape of every sign-in:

    client checks (exists, flow enabled, SECRET_HASH)
      -> first factor (password, SRP; later custom auth, passwordless ...)
      -> first_factor_passed(): user-status gate, lockout reset
      -> next_step(): the one place deciding what comes between a passed first factor
         and tokens: NEW_PASSWORD_REQUIRED, device SRP (auth/device_auth.py), MFA
         (auth/mfa.py); risk actions later
      -> success(): PostAuthentication, tokens.issue(), NewDeviceMetadata

Other modules add flows and challenges by registering in INITIATORS / RESPONDERS.

Errors that must keep their writes (a consumed session, a counted failed password) are
raised with `err.commit = True`; the API dispatcher then commits before answering.
"""
from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import srp

from .. import triggers
from ..domain import (
    attributes,
    auth_sessions,
    clients,
    devices,
    lockout,
    passwords,
    pools,
    signup,
    threats,
    users,
)
from ..errors import CognitoError, invalid
from . import tokens

INCORRECT = "Incorrect username or password."
TIMESTAMP_SKEW_SECONDS = 5 * 60

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


@dataclass
class SignIn:
    """One sign-in call: who is asking, through which client, with what context."""
    ctx: object
    pool: dict
    client: dict
    admin: bool = False
    client_metadata: dict = field(default_factory=dict)
    context_data: dict = field(default_factory=dict)   # UserContextData / ContextData
    responding: bool = False   # a (Admin)RespondToAuthChallenge call, not (Admin)InitiateAuth
    device_key: str | None = None  # DEVICE_KEY of this call (AuthParameters / ChallengeResponses)
    session: str | None = None     # InitiateAuth's Session (USER_AUTH after ConfirmSignUp)
    # The password typed in this call (password flows only; never stored): threat protection
    # checks it against the compromised-credentials list.
    typed_password: str | None = field(default=None, repr=False)
    # False for the hosted pages, which hand out an authorization code: success() then
    # returns the user instead of minting API tokens (the code's tokens come later from
    # /oauth2/token, through PreTokenGeneration's TokenGeneration_HostedAuth).
    issue_tokens: bool = True

    @property
    def store(self):
        return self.ctx.store

    @property
    def trigger_metadata(self) -> dict | None:
        """ClientMetadata for the triggers other than PreSignUp / PreAuthentication /
        UserMigration (PostAuthentication, PreTokenGeneration, the custom-auth ones,
        CustomMessage): Initiate*Auth passes it only to those three (API reference), the
        Respond* calls to all."""
        return (self.client_metadata or None) if self.responding else None

    def now(self) -> float:
        return self.ctx.now()


@dataclass
class SrpAnswer:
    """A PASSWORD_VERIFIER answer after every check and the proof (judge_srp_answer)."""
    record: dict            # the consumed session
    user: dict | None       # None: a simulated user (PreventUserExistenceErrors)
    ok: bool                # the proof was right (never for a simulated user)
    username: str           # USERNAME as the answer gave it


Initiator = Callable[[SignIn, dict], dict]
Responder = Callable[[SignIn, dict, "str | None"], dict]
AfterSrp = Callable[[SignIn, SrpAnswer], dict]
INITIATORS: dict[str, Initiator] = {}     # AuthFlow -> fn(signin, AuthParameters)
RESPONDERS: dict[str, Responder] = {}     # ChallengeName -> fn(signin, ChallengeResponses, Session)
# Challenge names that are both an MFA step and something else (EMAIL_OTP is also a
# first factor of USER_AUTH): an answer whose Session belongs to an MFA challenge goes to
# MFA_RESPONDERS[name] whatever RESPONDERS[name] says (auth/mfa.py registers these).
MFA_RESPONDERS: dict[str, Responder] = {}
# A PASSWORD_VERIFIER session whose state has "after": marker is decided by
# AFTER_PASSWORD_VERIFIER[marker](signin, answer) instead of the USER_SRP_AUTH rules
# (custom auth: the result goes back to Define). The hook runs inside committing().
AFTER_PASSWORD_VERIFIER: dict[str, AfterSrp] = {}


# --- entry points ------------------------------------------------------------------------

def initiate(ctx, params: dict, *, admin: bool) -> dict:
    flow = params["AuthFlow"]
    if flow in (USER_ONLY_FLOWS if admin else ADMIN_ONLY_FLOWS):
        raise invalid("Initiate Auth method not supported.")
    signin = open_signin(ctx, params, admin=admin)
    check_flow_enabled(signin.client, flow)
    initiator = INITIATORS.get(flow)
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
    responder = RESPONDERS.get(name)
    if name in MFA_RESPONDERS and (responder is None or mfa.is_mfa_session(signin, session)):
        responder = MFA_RESPONDERS[name]
    if responder is None:
        raise invalid(f"Responding to the {name} challenge is not supported by this emulator yet.")
    return responder(signin, responses, session)


def open_signin(ctx, params: dict, *, admin: bool) -> SignIn:
    """Pool and client of the call: AdminX names both; the unsigned calls only the client."""
    if admin:
        pool = pools.require(ctx.store, params["UserPoolId"])
        client = clients.require(ctx.store, pool["Id"], params["ClientId"])
    else:
        client = clients.require_any(ctx.store, params["ClientId"])
        pool = pools.require(ctx.store, client["UserPoolId"])
    context = params.get("ContextData") if admin else params.get("UserContextData")
    return SignIn(ctx, pool, client, admin=admin,
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


# --- shared helpers ------------------------------------------------------------------------

@contextmanager
def committing():
    """Service errors raised inside keep the writes made so far (a used-up session, a
    counted failure): the dispatcher commits before answering such an error."""
    try:
        yield
    except CognitoError as err:
        err.commit = True
        raise


def required(params: dict, name: str) -> str:
    value = params.get(name)
    if not value:
        raise invalid(f"Missing required parameter {name}")
    return value


def unknown_user(client: dict) -> CognitoError:
    if clients.prevents_existence_errors(client):
        return CognitoError("NotAuthorizedException", INCORRECT)
    return CognitoError("UserNotFoundException", "User does not exist.")


def accepted_names(typed: str | None, user: dict | None, *extra: str | None) -> list[str]:
    """Usernames a SECRET_HASH may have been computed over: the typed name, the canonical
    username, the sub (clients differ; COGNITO_REFERENCE 2.5)."""
    names = [typed, *extra]
    if user is not None:
        names += [user["Username"], user["Attributes"].get("sub")]
    out: list[str] = []
    for name in names:
        if name and name not in out:
            out.append(name)
    return out


def count_failure(signin: SignIn, user: dict) -> None:
    """Count a wrong password against the user (lockout) and save the count."""
    lockout.record_failure(user, signin.now())
    users.save(signin.store, signin.pool, user, previous=user)  # attributes unchanged


def password_failed(signin: SignIn, user: dict) -> CognitoError:
    """Count a wrong password against the user and return the error to raise; the count
    is saved and survives the error (commit)."""
    count_failure(signin, user)
    threats.password_failed(signin, user)
    err = CognitoError("NotAuthorizedException", INCORRECT)
    err.commit = True
    return err


@functools.cache
def _dummy_verifier() -> tuple[int, int]:
    """A verifier nobody's password matches: unknown users cost the same derivation as
    known ones. Made on first use, not at import (it builds SRP's table: ~20 ms of start-up)."""
    return srp.make_verifier("dummy", "dummy", secrets.token_hex(16))


def password_ok(pool: dict, user: dict | None, username: str, password: str) -> bool:
    stored = users.verifier(user) if user is not None else None
    if stored is None:
        srp.check_password(pools.pool_name(pool["Id"]), username, password, *_dummy_verifier())
        return False
    return users.password_matches(pool, user, password)


def _reset_required() -> CognitoError:
    return CognitoError("PasswordResetRequiredException", "Password reset required for the user")


def before_password(signin: SignIn, user: dict) -> None:
    """Checks that come before the password: lockout, and (LEGACY clients) a user whose
    password was reset - it has no usable password, so Cognito says so whatever was typed.
    With PreventUserExistenceErrors the reset only shows once the password is right (the
    reference says such users get NotAuthorized; that a right old password then reveals the
    reset is our choice - UNCONFIRMED)."""
    lockout.check(user, signin.now())
    if user["UserStatus"] == "RESET_REQUIRED" and \
            not clients.prevents_existence_errors(signin.client):
        raise _reset_required()


def check_status(signin: SignIn, user: dict) -> None:
    """After the password proved right: may this user sign in at all?"""
    if not user.get("Enabled", True):
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    status = user["UserStatus"]
    if status == "UNCONFIRMED":
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
    if status == "RESET_REQUIRED":
        raise _reset_required()
    if status == "FORCE_CHANGE_PASSWORD":
        stored = user.get("_password") or {}
        age = signin.now() - stored.get("setAt", 0)
        if stored.get("temporary") and age > passwords.temporary_validity_seconds(signin.pool):
            raise CognitoError("NotAuthorizedException", "Temporary password has expired and "
                                                         "must be reset by an administrator.")


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
    if user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and "NEW_PASSWORD_REQUIRED" not in passed:
        return new_password_challenge(signin, user, progress)
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


SIGNED_IN = "_signedInUser"   # success()'s answer when the SignIn issues no tokens


def success(signin: SignIn, user: dict, progress: dict, *, device=_UNREAD) -> dict:
    """The sign-in succeeded: PostAuthentication, then tokens (through PreTokenGeneration,
    whose source tells a completed NEW_PASSWORD_REQUIRED or device authentication from a
    plain sign-in), with NewDeviceMetadata when the pool tracks devices and this one is
    new. A SignIn with issue_tokens False gets {SIGNED_IN: user} instead of tokens."""
    if not signin.issue_tokens:
        post_authentication(signin, user)
        threats.sign_in_passed(signin, user, progress)
        return {"ChallengeParameters": {}, SIGNED_IN: user}
    if device is _UNREAD:
        device = device_auth.sign_in_device(signin, user, progress)
    post_authentication(signin, user,
                        new_device=devices.tracking(signin.pool) and device is None)
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


# --- the authentication triggers -----------------------------------------------------------

def pre_authentication(signin: SignIn, user: dict | None, typed: str) -> None:
    """PreAuthentication, before the password (or SRP round 1) is looked at. For an unknown
    user it runs only with PreventUserExistenceErrors (userNotFound true, DG), which is also
    the only time the event carries userNotFound. validationData is the call's
    ClientMetadata (null without). A function that throws denies the sign-in with
    UserLambdaValidationException "PreAuthentication failed with error ..." - the type most
    public captures show (one 2026 report says NotAuthorizedException; UNCONFIRMED)."""
    prevent = clients.prevents_existence_errors(signin.client)
    if user is None and not prevent:
        return
    request = {"userAttributes": triggers.user_attributes(user),
               "validationData": signin.client_metadata or None}
    if prevent:
        request["userNotFound"] = user is None
    triggers.call(signin.ctx, signin.pool, "PreAuthentication", "PreAuthentication_Authentication",
                  user_name=user["Username"] if user is not None else typed,
                  client_id=signin.client["ClientId"], request=request)


def post_authentication(signin: SignIn, user: dict, *, new_device: bool = False) -> None:
    """PostAuthentication, after every check passed and before tokens: a function that
    throws fails the sign-in (nothing of it is kept). newDeviceUsed: the pool tracks
    devices and this sign-in named none it knows (DG: only set with device tracking)."""
    request = {"userAttributes": triggers.user_attributes(user), "newDeviceUsed": new_device}
    metadata = signin.trigger_metadata
    if metadata:
        request["clientMetadata"] = metadata
    triggers.call(signin.ctx, signin.pool, "PostAuthentication",
                  "PostAuthentication_Authentication", user_name=user["Username"],
                  client_id=signin.client["ClientId"], request=request)


def challenge(signin: SignIn, user_name: str, name: str, parameters: dict, progress: dict,
              *, state: dict | None = None, raw: bytes | None = None) -> dict:
    """A challenge answer: a fresh single-use session remembering where the sign-in is
    (progress) plus whatever the challenge's answer needs (state)."""
    if signin.device_key:
        progress["deviceKey"] = signin.device_key  # the latest DEVICE_KEY the client sent
    token = auth_sessions.create(signin.ctx, signin.pool, signin.client, username=user_name,
                            typed=progress.get("typed"), challenge=name,
                            state={"progress": progress, **(state or {})}, raw=raw)
    return {"ChallengeName": name, "Session": token, "ChallengeParameters": parameters}


def session_user(signin: SignIn, record: dict, given: str, *,
                 simulated: bool = False) -> dict | None:
    """The session's user, after checking the answer names that user (the canonical name,
    the typed name, or any name that finds the same user). A simulated user (unknown,
    PreventUserExistenceErrors) has no record: None once the name matches the session."""
    if simulated:
        if not auth_sessions.names_user(signin.pool, record, given):
            raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
        return None
    user = users.get(signin.store, signin.pool, record["username"])
    if not auth_sessions.names_user(signin.pool, record, given):
        other = users.find(signin.store, signin.pool, given)
        if other is None or user is None or other["Username"] != user["Username"]:
            raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
    if user is None:  # deleted since the challenge was issued
        raise unknown_user(signin.client)
    return user


# --- USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH ------------------------

def password_auth(signin: SignIn, auth: dict) -> dict:
    username = required(auth, "USERNAME")
    password = required(auth, "PASSWORD")
    user = users.find(signin.store, signin.pool, username)
    clients.check_secret_hash(signin.client, auth.get("SECRET_HASH"),
                              accepted_names(username, user))
    return sign_in_with_password(signin, user, username, password)


def migrate(signin: SignIn, username: str, password: str) -> dict | None:
    """An unknown name with a password: the UserMigration trigger may bring the user in.
    A migrated user whose final status is RESET_REQUIRED must reset the password first; that
    error keeps the new user (commit) so ForgotPassword finds it."""
    user = signup.migrate_user(signin.ctx, signin.client, signin.pool, username,
                               source="Authentication", password=password,
                               metadata=signin.client_metadata or None)
    if user is not None and user["UserStatus"] == "RESET_REQUIRED":
        err = _reset_required()
        err.commit = True
        raise err
    return user


def sign_in_with_password(signin: SignIn, user: dict | None, username: str, password: str) -> dict:
    """Password as first factor (API flows above; the hosted UI's /login can call this)."""
    if user is None:
        user = migrate(signin, username, password)
    if user is None:
        pre_authentication(signin, None, username)
        password_ok(signin.pool, None, username, password)  # same work as for a real user
        if triggers.configured(signin.pool, "UserMigration") and \
                not clients.prevents_existence_errors(signin.client):
            raise signup.migration_failed(signin.client)
        raise unknown_user(signin.client)
    pre_authentication(signin, user, username)
    before_password(signin, user)
    signin.typed_password = password
    if not password_ok(signin.pool, user, username, password):
        raise password_failed(signin, user)
    return first_factor_passed(signin, user, {"firstFactor": "PASSWORD", "typed": username})


# --- USER_SRP_AUTH -------------------------------------------------------------------------

_FAKE_KEY = secrets.token_bytes(32)  # per process: simulated SRP users stay stable while it runs


def fake_srp_identity(pool: dict, username: str) -> tuple[int, int, str]:
    """(salt, verifier, USER_ID_FOR_SRP) for a user that doesn't exist, stable per pool and
    name, so that with PreventUserExistenceErrors round 1 looks like a real user's."""
    seed = f"{pool['Id']}\x00{users.key(pool, username)}".encode()
    digest = hmac.new(_FAKE_KEY, seed, hashlib.sha256).digest()
    salt = int.from_bytes(digest[:16], "big")
    user_id = str(uuid.UUID(bytes=digest[16:32], version=4))
    verifier = int.from_bytes(hashlib.shake_256(_FAKE_KEY + b"v" + seed).digest(384), "big") % srp.N
    return salt, verifier, user_id


def parse_srp_a(value: str) -> int:
    try:
        A = srp.int_from_hex(value)
        if A % srp.N == 0:
            raise srp.SrpError("A mod N is zero")
    except srp.SrpError:
        raise invalid("SRP_A is not a valid SRP public value.") from None  # wording UNCONFIRMED
    return A


def srp_auth(signin: SignIn, auth: dict) -> dict:
    username = required(auth, "USERNAME")
    A = parse_srp_a(required(auth, "SRP_A"))
    user = users.find(signin.store, signin.pool, username)
    clients.check_secret_hash(signin.client, auth.get("SECRET_HASH"),
                              accepted_names(username, user))
    return srp_round1(signin, user, username, A)


def srp_round1(signin: SignIn, user: dict | None, username: str, A: int, *,
               progress: dict | None = None, state: dict | None = None,
               refuse_unknown: bool = True, pre_auth: bool = True) -> dict:
    """PASSWORD_VERIFIER challenge. SECRET_BLOCK carries the session's secret bytes, so an
    answer without `Session` (pycognito sends none) still finds the server-side state.
    `user` None (or one without a password) gets the simulated identity of `username`.
    Other flows asking for the proof (custom auth) pass their progress and extra session
    state, and turn off what only USER_SRP_AUTH does here: refusing an unknown user
    (refuse_unknown) and the PreAuthentication trigger (pre_auth)."""
    if refuse_unknown and user is None and not clients.prevents_existence_errors(signin.client):
        raise unknown_user(signin.client)
    if pre_auth:
        pre_authentication(signin, user, username)
    if user is not None:
        before_password(signin, user)
    stored = users.verifier(user) if user is not None else None
    if stored is None:
        salt, verifier, fake_id = fake_srp_identity(signin.pool, username)
        user_id = user["Username"] if user is not None else fake_id
    else:
        (salt, verifier), user_id = stored, user["Username"]
    b, B = srp.server_round1(verifier, A)
    raw = secrets.token_bytes(48)
    parameters = {"SALT": srp.pad_hex(salt), "SRP_B": format(B, "x"),
                  "SECRET_BLOCK": base64.b64encode(raw).decode("ascii"),
                  "USERNAME": user_id, "USER_ID_FOR_SRP": user_id}
    state = {"srp": {"A": format(A, "x"), "B": format(B, "x"), "b": format(b, "x"),
                     "known": user is not None}, **(state or {})}
    if progress is None:
        progress = {"firstFactor": "PASSWORD_SRP", "typed": username}
    return challenge(signin, user_id, "PASSWORD_VERIFIER", parameters, progress,
                     state=state, raw=raw)


def check_timestamp(signin: SignIn, timestamp: str) -> None:
    """TIMESTAMP must parse and lie within a few minutes of the emulator clock. What Cognito
    says otherwise is UNCONFIRMED; a clear message helps people whose emulator clock is
    pinned far from their client's."""
    when = srp.parse_timestamp(timestamp)
    if when is None:
        raise CognitoError("NotAuthorizedException",
                           "TIMESTAMP is not in the form 'EEE MMM d HH:mm:ss UTC yyyy'.")
    if abs(when.timestamp() - signin.now()) > TIMESTAMP_SKEW_SECONDS:
        now = datetime.fromtimestamp(signin.now(), UTC)
        raise CognitoError("NotAuthorizedException",
                           f"TIMESTAMP is more than {TIMESTAMP_SKEW_SECONDS // 60} minutes away "
                           f"from the server time ({srp.format_timestamp(now)}).")


def srp_signature(signin, user_id, verifier, A, B, b, raw, timestamp) -> bytes | None:
    try:
        return srp.server_round2_signature(pools.pool_name(signin.pool["Id"]), user_id, verifier,
                                           A, B, b, raw, timestamp)
    except srp.SrpError:
        return None


def resumed_progress(record: dict, first_factor: str) -> dict:
    """The sign-in's progress as the session kept it."""
    progress = record["state"].get("progress") or {"firstFactor": first_factor}
    progress.setdefault("typed", record["typed"])
    return progress


def judge_srp_answer(signin: SignIn, responses: dict, session: str | None) -> SrpAnswer:
    """Check a PASSWORD_VERIFIER answer and its proof, without deciding what follows.
    Uses up the session and checks (in this order) the required responses, the session
    (by Session or SECRET_BLOCK), TIMESTAMP, the user, SECRET_HASH and lockout; a simulated
    user costs the same signature work and is never ok. Call inside committing()."""
    username = required(responses, "USERNAME")
    block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    claim = required(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required(responses, "TIMESTAMP")
    raw = srp.decode_b64(block)
    token = session or (auth_sessions.encode(raw) if raw else None)
    if not token:
        raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
    record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, token,
                              challenge="PASSWORD_VERIFIER")
    if raw is None or raw != auth_sessions.decode(token):
        raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
    state = record["state"]["srp"]
    A, B, b = (int(state[k], 16) for k in ("A", "B", "b"))
    check_timestamp(signin, timestamp)  # before the known/simulated split: no hint
    user = session_user(signin, record, username, simulated=not state["known"])
    clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                              accepted_names(username, user, record["username"],
                                             record["typed"]))
    if user is None:
        _, verifier, user_id = fake_srp_identity(signin.pool, record["typed"])
        srp_signature(signin, user_id, verifier, A, B, b, raw, timestamp)  # same work
        return SrpAnswer(record, None, False, username)
    lockout.check(user, signin.now())
    stored = users.verifier(user)
    verifier = stored[1] if stored else fake_srp_identity(signin.pool, record["typed"])[1]
    expected = srp_signature(signin, user["Username"], verifier, A, B, b, raw, timestamp)
    ok = stored is not None and expected is not None and srp.verify_claim(expected, claim)
    return SrpAnswer(record, user, ok, username)


def answer_password_verifier(signin: SignIn, responses: dict, session: str | None) -> dict:
    with committing():
        answer = judge_srp_answer(signin, responses, session)
        after = answer.record["state"].get("after")
        if after is not None:  # another flow asked for this proof: it decides
            hook = AFTER_PASSWORD_VERIFIER.get(after)
            if hook is None:
                raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
            if answer.ok:
                # MFA follows custom auth only when its loop checked the password (mfa.applies).
                progress = answer.record["state"].setdefault("progress", {})
                progress["passwordVerified"] = True
            return hook(signin, answer)
        user = answer.user
        if user is None:  # simulated user (PreventUserExistenceErrors)
            raise CognitoError("NotAuthorizedException", INCORRECT)
        if not answer.ok:
            raise password_failed(signin, user)
        check_status(signin, user)  # inside: a status error still uses up the session
    progress = resumed_progress(answer.record, "PASSWORD_SRP")
    return first_factor_passed(signin, user, progress, status_checked=True)


# --- NEW_PASSWORD_REQUIRED -------------------------------------------------------------------

def new_password_challenge(signin: SignIn, user: dict, progress: dict) -> dict:
    attrs = {k: v for k, v in user["Attributes"].items() if k != "sub"}
    missing = attributes.required_missing(signin.pool, user["Attributes"])
    parameters = {
        "USER_ID_FOR_SRP": user["Username"],
        "requiredAttributes": json.dumps([f"userAttributes.{n}" for n in missing],
                                         separators=(",", ":")),
        "userAttributes": json.dumps(attrs, separators=(",", ":"), ensure_ascii=False),
    }
    return challenge(signin, user["Username"], "NEW_PASSWORD_REQUIRED", parameters, progress)


def answer_new_password(signin: SignIn, responses: dict, session: str | None) -> dict:
    with committing():
        username = required(responses, "USERNAME")
        if not session:
            raise invalid("Missing required parameter Session")  # wording UNCONFIRMED
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, session,
                                  challenge="NEW_PASSWORD_REQUIRED")
        user = session_user(signin, record, username)
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  accepted_names(username, user, record["typed"]))
        if not user.get("Enabled", True):
            raise CognitoError("NotAuthorizedException", "User is disabled.")
        new_password = required(responses, "NEW_PASSWORD")
        passwords.check(signin.pool, new_password)
        prefix = "userAttributes."
        updates = [{"Name": k[len(prefix):], "Value": v} for k, v in responses.items()
                   if k.startswith(prefix)]
        if updates:
            attributes.check_writable(signin.client, [u["Name"] for u in updates])
        values = attributes.validate_updates(signin.pool, updates, admin=False,
                                             current=user["Attributes"])
        missing = attributes.required_missing(signin.pool, {**user["Attributes"], **values})
        if missing:
            # Observed wording names one attribute ("Invalid attributes given, name is missing").
            raise invalid(f"Invalid attributes given, {missing[0]} is missing")
    previous = copy.deepcopy(user)
    now = signin.now()
    attributes.apply(user, values, now)
    users.set_password(signin.pool, user, new_password, temporary=False, now=now)
    user["UserStatus"] = "CONFIRMED"
    user["UserLastModifiedDate"] = now
    lockout.record_success(user)
    users.save(signin.store, signin.pool, user, previous=previous)
    progress = record["state"].get("progress") or {}
    progress.setdefault("passed", []).append("NEW_PASSWORD_REQUIRED")
    return next_step(signin, user, progress)


# --- REFRESH_TOKEN_AUTH / REFRESH_TOKEN --------------------------------------------------------

def refresh_auth(signin: SignIn, auth: dict) -> dict:
    refresh_token = required(auth, "REFRESH_TOKEN")
    client = signin.client
    if tokens.rotation_enabled(client):
        # Cognito refuses this flow once rotation is on; wording UNCONFIRMED.
        raise invalid("Refresh token rotation is enabled for this client: "
                      "use GetTokensFromRefreshToken.")
    if clients.has_secret(client):
        given_hash = auth.get("SECRET_HASH")
        if not given_hash:
            clients.check_secret_hash(client, None, [])  # raises "...secret was not received"
        owner = tokens.refresh_owner(signin.ctx, signin.pool, refresh_token)
        if owner is not None:  # an unknown token is refused by tokens.refresh below
            # Which username Cognito hashes here is UNCONFIRMED: accept any name of the
            # token's user (canonical username, sub, the alias values it signs in with).
            names = accepted_names(auth.get("USERNAME"), owner)
            for attribute in pools.username_attributes(signin.pool) + \
                    pools.alias_attributes(signin.pool):
                names.append(owner["Attributes"].get(attribute))
            clients.check_secret_hash(client, given_hash, [n for n in names if n])
    result = tokens.refresh(signin.ctx, signin.pool, client, refresh_token,
                            device_key=auth.get("DEVICE_KEY"))
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


# --- registrations ---------------------------------------------------------------------------

for _flow in PASSWORD_FLOWS:
    INITIATORS[_flow] = password_auth
INITIATORS["USER_SRP_AUTH"] = srp_auth
for _flow in REFRESH_FLOWS:
    INITIATORS[_flow] = refresh_auth
RESPONDERS["PASSWORD_VERIFIER"] = answer_password_verifier
RESPONDERS["NEW_PASSWORD_REQUIRED"] = answer_new_password

# The steps next_step() takes; they import this module and register their challenges.
from . import device_auth, mfa  # noqa: E402

