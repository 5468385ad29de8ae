"""What every step of a sign-in shares: the SignIn call object, the helpers the factors and
steps use (sessions, user lookup, status gate, SECRET_HASH names, the authentication
triggers), and the typed results the pipeline hands back.

A factor or step never imports the pipeline: it goes on through the SignIn it was given
(signin.first_factor_passed / signin.next_step), which the pipeline built with its own
STEPS. That keeps auth/ acyclic: pipeline -> registry -> factors -> steps -> shared.

Errors that must keep their writes (a consumed session, a counted failed password) are
raised with `err.commit = True`; the API dispatcher then commits before answering.
"""
from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import srp

from .. import triggers
from ..domain import auth_sessions, clients, devices, lockout, passwords, pools, users
from ..errors import CognitoError, invalid

INCORRECT = "Incorrect username or password."
TIMESTAMP_SKEW_SECONDS = 5 * 60


@dataclass(frozen=True)
class Steps:
    """The pipeline's continuations, handed to every factor through its SignIn."""
    first_factor_passed: Callable[..., dict]
    next_step: Callable[[SignIn, dict, dict], dict]
    # A PASSWORD_VERIFIER session whose state has "after": marker is decided by
    # after_password_verifier[marker](signin, answer) instead of the USER_SRP_AUTH rules
    # (custom auth: the result goes back to Define). The hook runs inside committing().
    after_password_verifier: dict[str, Callable[[SignIn, SrpAnswer], dict]]


@dataclass
class SignIn:
    """One sign-in call: who is asking, through which client, with what context."""
    ctx: object
    pool: dict
    client: dict
    steps: Steps               # what follows a passed factor (pipeline.STEPS)
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
    # False for the hosted pages: they remember no devices (UNCONFIRMED).
    track_devices: bool = True

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

    def tracks_devices(self) -> bool:
        """Whether this sign-in names and remembers devices (the pool's DeviceConfiguration)."""
        return self.track_devices and devices.tracking(self.pool)

    def first_factor_passed(self, user: dict, progress: dict, *,
                            status_checked: bool = False) -> dict:
        """The first factor proved who the user is: on to the status gate, the next steps
        and tokens (pipeline.first_factor_passed)."""
        return self.steps.first_factor_passed(self, user, progress,
                                              status_checked=status_checked)

    def next_step(self, user: dict, progress: dict) -> dict:
        """A step after the first factor was answered: what comes next (pipeline.next_step)."""
        return self.steps.next_step(self, user, progress)


@dataclass
class SrpAnswer:
    """A PASSWORD_VERIFIER answer after every check and the proof (judge_srp_answer)."""
    record: dict            # the consumed session
    user: dict | None       # None: a simulated user (PreventUserExistenceErrors)
    ok: bool                # the proof was right (never for a simulated user)
    username: str           # USERNAME as the answer gave it


@dataclass(frozen=True)
class SignedIn:
    """The end of a sign-in that hands out no API tokens (SignIn.issue_tokens False: the
    hosted pages, whose tokens come later from /oauth2/token): the signed-in user."""
    user: dict


Initiator = Callable[[SignIn, dict], dict]
Responder = Callable[[SignIn, dict, "str | None"], dict]


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


def reset_required() -> CognitoError:
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
        raise reset_required()


def check_status(signin: SignIn, user: dict) -> None:
    """After the password proved right: may this user sign in at all?"""
    if not user.get("Enabled", True):
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    status = user["UserStatus"]
    if status == "UNCONFIRMED":
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
    if status == "RESET_REQUIRED":
        raise reset_required()
    if status == "FORCE_CHANGE_PASSWORD":
        stored = user.get("_password") or {}
        age = signin.now() - stored.get("setAt", 0)
        if stored.get("temporary") and age > passwords.temporary_validity_seconds(signin.pool):
            raise CognitoError("NotAuthorizedException", "Temporary password has expired and "
                                                         "must be reset by an administrator.")


def pre_authentication(signin: SignIn, user: dict | None, typed: str, *,
                       existence_hint: bool = True) -> None:
    """PreAuthentication, before the password (or SRP round 1) is looked at. For an unknown
    user it runs only with PreventUserExistenceErrors (userNotFound true, DG), which is also
    the only time the event carries userNotFound. validationData is the call's
    ClientMetadata (null without). A function that throws denies the sign-in with
    UserLambdaValidationException "PreAuthentication failed with error ..." - the type most
    public captures show (one 2026 report says NotAuthorizedException; UNCONFIRMED).
    existence_hint False leaves userNotFound out (a federated sign-in names no unknown user;
    what Cognito's event carries there is UNCONFIRMED)."""
    prevent = clients.prevents_existence_errors(signin.client) and existence_hint
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


def resumed_progress(record: dict, first_factor: str) -> dict:
    """The sign-in's progress as the session kept it."""
    progress = record["state"].get("progress") or {"firstFactor": first_factor}
    progress.setdefault("typed", record["typed"])
    return progress


def check_timestamp(signin: SignIn, timestamp: str) -> None:
    """TIMESTAMP must parse and lie within a few minutes of the emulator clock. An
    unparsable one gets Cognito's own answer (amazon-archives/amazon-cognito-identity-js#683:
    InvalidParameterException "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in
    english."). What Cognito says for a far-off time is UNCONFIRMED; a clear message helps
    people whose emulator clock is pinned far from their client's."""
    when = srp.parse_timestamp(timestamp)
    if when is None:
        raise invalid("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    if abs(when.timestamp() - signin.now()) > TIMESTAMP_SKEW_SECONDS:
        now = datetime.fromtimestamp(signin.now(), UTC)
        raise CognitoError("NotAuthorizedException",
                           f"TIMESTAMP is more than {TIMESTAMP_SKEW_SECONDS // 60} minutes away "
                           f"from the server time ({srp.format_timestamp(now)}).")

def parse_srp_a(value: str) -> int:
    try:
        A = srp.int_from_hex(value)
        if A % srp.N == 0:
            raise srp.SrpError("A mod N is zero")
    except srp.SrpError:
        raise invalid("SRP_A is not a valid SRP public value.") from None  # wording UNCONFIRMED
    return A
