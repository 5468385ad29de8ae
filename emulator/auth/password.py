"""Passwords as the first factor: USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH /
ADMIN_NO_SRP_AUTH (the password in the call), USER_SRP_AUTH (PASSWORD_VERIFIER: the SRP proof),
the UserMigration trigger for unknown names, and NEW_PASSWORD_REQUIRED for a temporary
password. Other flows use the pieces: USER_AUTH's PASSWORD and PASSWORD_SRP
(sign_in_with_password, srp_round1), custom auth's PASSWORD_VERIFIER (srp_round1 with an
"after" marker, answered through Steps.after_password_verifier).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import secrets
import uuid

import srp

from .. import triggers
from ..domain import (
    attributes,
    auth_sessions,
    clients,
    lockout,
    passwords,
    pools,
    signup,
    threats,
    users,
)
from ..errors import CognitoError, invalid
from .shared import (
    INCORRECT,
    SignIn,
    SrpAnswer,
    accepted_names,
    before_password,
    challenge,
    check_status,
    check_timestamp,
    committing,
    count_failure,
    parse_srp_a,
    password_ok,
    pre_authentication,
    required,
    reset_required,
    resumed_progress,
    session_user,
    unknown_user,
)


def password_failed(signin: SignIn, user: dict) -> CognitoError:
    """Count a wrong password against the user and return the error to raise; the count
    is saved and survives the error (commit)."""
    count_failure(signin, user)
    threats.password_failed(signin, user)
    err = CognitoError("NotAuthorizedException", INCORRECT)
    err.commit = True
    return err


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
        err = reset_required()
        err.commit = True
        raise err
    return user


def sign_in_with_password(signin: SignIn, user: dict | None, username: str, password: str) -> dict:
    """Password as first factor (the API flows above; USER_AUTH's PASSWORD; the hosted UI's
    /login through pipeline.password_first)."""
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
    return signin.first_factor_passed(user, {"firstFactor": "PASSWORD", "typed": username})


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


def srp_signature(signin, user_id, verifier, A, B, b, raw, timestamp) -> bytes | None:
    try:
        return srp.server_round2_signature(pools.pool_name(signin.pool["Id"]), user_id, verifier,
                                           A, B, b, raw, timestamp)
    except srp.SrpError:
        return None


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
            hook = signin.steps.after_password_verifier.get(after)
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
    return signin.first_factor_passed(user, progress, status_checked=True)


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
            # Real 400 body: amazon-archives/amazon-cognito-identity-js#627, #365.
            raise invalid("Missing required parameter Session")
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
    return signin.next_step(user, progress)
