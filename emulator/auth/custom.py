"""Custom authentication (AuthFlow CUSTOM_AUTH): the Define / Create / Verify loop.

    InitiateAuth(CUSTOM_AUTH, {USERNAME[, CHALLENGE_NAME=SRP_A, SRP_A]})
      -> Define(session=[] or [SRP_A:true])
           issueTokens       -> the common issuing path (shared.first_factor_passed)
           failAuthentication-> NotAuthorizedException
           PASSWORD_VERIFIER -> password.srp_round1; password.py judges the answer
                                (RespondToAuthChallenge PASSWORD_VERIFIER) and hands it
                                back here: append {PASSWORD_VERIFIER, ok} -> Define
           CUSTOM_CHALLENGE  -> Create -> ChallengeName CUSTOM_CHALLENGE + Session
    RespondToAuthChallenge(CUSTOM_CHALLENGE, {USERNAME, ANSWER})
      -> Verify -> append {CUSTOM_CHALLENGE, answerCorrect, challengeMetadata} -> Define ...

The loop's state travels in the auth session (emulator.domain.auth_sessions) under "custom":
    {"typed", "userNotFound", "srpA", "history": [request.session entries],
     "private": Create's privateChallengeParameters, "metadata": its challengeMetadata}
Every answer uses up its session; each new challenge gets a fresh one (AuthSessionValidity).

COGNITO_REFERENCE 4.5, 2.1, 2.3, 2.10. Answers (auth/registry.py) INITIATORS["CUSTOM_AUTH"],
RESPONDERS["CUSTOM_CHALLENGE"] and AFTER_PASSWORD_VERIFIER["custom"].
"""
from __future__ import annotations

import logging

from .. import triggers
from ..domain import auth_sessions, clients, users
from ..errors import CognitoError, invalid
from . import password, shared

log = logging.getLogger("emulator.auth.custom")

DEFINE = ("DefineAuthChallenge", "DefineAuthChallenge_Authentication")
CREATE = ("CreateAuthChallenge", "CreateAuthChallenge_Authentication")
VERIFY = ("VerifyAuthChallengeResponse", "VerifyAuthChallengeResponse_Authentication")

# Real message, InvalidParameterException (seen by Amplify users whose pool has no Define
# trigger). For a missing Create/Verify we give the same answer when the loop needs it
# (UNCONFIRMED: Cognito may already refuse at InitiateAuth).
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."
# Real message of InvalidLambdaResponseException for custom-auth triggers (public
# captures); what exactly was wrong goes to the emulator log.
UNRECOGNIZABLE = "Unrecognizable lambda output"
# Cognito documents no cap on challenge rounds (UNCONFIRMED); an endless Define would
# otherwise loop forever, so the emulator stops a sign-in after this many challenges
# (CUSTOM_CHALLENGE and PASSWORD_VERIFIER; the SRP_A entry doesn't count).
MAX_CHALLENGES = 10
TOO_MANY = f"Custom authentication exceeded {MAX_CHALLENGES} challenges for one sign-in."
AFTER = "custom"   # the PASSWORD_VERIFIER session marker (shared.AFTER_PASSWORD_VERIFIER)


# --- InitiateAuth / AdminInitiateAuth --------------------------------------------------------

def initiate(signin: shared.SignIn, auth: dict) -> dict:
    username = shared.required(auth, "USERNAME")
    srp_a = None
    if auth.get("CHALLENGE_NAME") == "SRP_A":  # other CHALLENGE_NAME values are ignored
        srp_a = format(shared.parse_srp_a(shared.required(auth, "SRP_A")), "x")
    user = users.find(signin.store, signin.pool, username)
    clients.check_secret_hash(signin.client, auth.get("SECRET_HASH"),
                              shared.accepted_names(username, user))
    if not triggers.configured(signin.pool, DEFINE[0]):
        raise invalid(NOT_CONFIGURED)
    if user is None:
        if not clients.prevents_existence_errors(signin.client):
            raise shared.unknown_user(signin.client)  # LEGACY: UserNotFoundException
    else:
        _gate(signin, user, used_password=False)
    loop = {"typed": username, "userNotFound": user is None, "srpA": srp_a, "history": []}
    if srp_a is not None:
        loop["history"].append(_entry("SRP_A", True))
    progress = {"firstFactor": "CUSTOM_AUTH", "typed": username}
    # No PreAuthentication here: AWS support said (2020) the custom flow doesn't call it
    # (COGNITO_REFERENCE 4.3; UNCONFIRMED today) - shared.pre_authentication would be the call.
    return advance(signin, user, loop, progress)


def _entry(name: str, result: bool, metadata: str | None = None) -> dict:
    # Captured real Define events carry "challengeMetadata": null when Create set none.
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def _gate(signin: shared.SignIn, user: dict, *, used_password: bool) -> None:
    """User-status checks (disabled, unconfirmed, reset required). A temporary password's
    expiry only matters when the loop checked the password: passwordless custom sign-ins
    of admin-created users (FORCE_CHANGE_PASSWORD) keep working - UNCONFIRMED."""
    if user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and not used_password:
        if not user.get("Enabled", True):
            raise CognitoError("NotAuthorizedException", "User is disabled.")
        return
    shared.check_status(signin, user)


# --- the loop --------------------------------------------------------------------------------

def advance(signin: shared.SignIn, user: dict | None, loop: dict, progress: dict) -> dict:
    """Ask Define what comes next and do it. `user` is None for a simulated user
    (PreventUserExistenceErrors)."""
    response = _call(signin, DEFINE, user, loop, {"session": loop["history"]},
                     {"challengeName": None, "issueTokens": None, "failAuthentication": None})
    fail = _flag(response, "failAuthentication", DEFINE)
    issue = _flag(response, "issueTokens", DEFINE)
    name = response.get("challengeName")
    if fail:  # failAuthentication wins over anything else Define says (UNCONFIRMED)
        # The message real clients show for failAuthentication; exact text UNCONFIRMED.
        raise CognitoError("NotAuthorizedException", shared.INCORRECT)
    if issue:
        return _issue(signin, user, loop, progress)
    if name not in ("CUSTOM_CHALLENGE", "PASSWORD_VERIFIER"):
        raise _unrecognizable(DEFINE, f"challengeName {name!r} is not CUSTOM_CHALLENGE or "
                                      "PASSWORD_VERIFIER, and neither issueTokens nor "
                                      "failAuthentication is true")
    if sum(1 for e in loop["history"] if e["challengeName"] != "SRP_A") >= MAX_CHALLENGES:
        raise CognitoError("NotAuthorizedException", TOO_MANY)
    if name == "PASSWORD_VERIFIER":
        if not loop.get("srpA"):
            raise _unrecognizable(DEFINE, "challengeName PASSWORD_VERIFIER needs a sign-in "
                                          "started with CHALLENGE_NAME=SRP_A and SRP_A")
        # SRP round 1 as USER_SRP_AUTH's, minus what only that flow does (refusing an
        # unknown user, PreAuthentication); the loop rides along in the session and the
        # "after" marker sends the answer back to answer_password_verifier below.
        return password.srp_round1(signin, user, loop["typed"], int(loop["srpA"], 16),
                                progress=progress, state={"custom": loop, "after": AFTER},
                                refuse_unknown=False, pre_auth=False)
    return _custom_challenge(signin, user, loop, progress)


def _issue(signin: shared.SignIn, user: dict | None, loop: dict, progress: dict) -> dict:
    if user is None:  # Define said yes to a user that doesn't exist: nothing to issue
        raise CognitoError("NotAuthorizedException", shared.INCORRECT)
    # Re-read: the record may have changed while the functions ran (store suspended).
    fresh = users.get(signin.store, signin.pool, user["Username"])
    if fresh is None:
        raise shared.unknown_user(signin.client)
    used_password = any(e["challengeName"] == "PASSWORD_VERIFIER" and e["challengeResult"]
                        for e in loop["history"])
    _gate(signin, fresh, used_password=used_password)
    if not used_password and fresh["UserStatus"] == "FORCE_CHANGE_PASSWORD":
        # No password was entered, so there's no temporary password to replace
        # (UNCONFIRMED: Cognito's behaviour for FORCE_CHANGE_PASSWORD users here). The pipeline has
        # no "skip this step" flag yet, so mark the step done (PreTokenGeneration then
        # says TokenGeneration_NewPasswordChallenge for these users).
        progress.setdefault("passed", []).append("NEW_PASSWORD_REQUIRED")
    # Same path as every other flow: lockout reset, next_step (MFA, risk seam), tokens.
    return signin.first_factor_passed(fresh, progress, status_checked=True)


def _custom_challenge(signin, user, loop, progress) -> dict:
    response = _call(signin, CREATE, user, loop,
                     {"challengeName": "CUSTOM_CHALLENGE", "session": loop["history"]},
                     {"publicChallengeParameters": None, "privateChallengeParameters": None,
                      "challengeMetadata": None})
    public = _string_map(response, "publicChallengeParameters")
    loop["private"] = _string_map(response, "privateChallengeParameters")
    loop["metadata"] = _string(response, "challengeMetadata", CREATE)
    name = _session_name(user, loop)
    # USERNAME is added by Cognito (UNCONFIRMED; every emulator and client expects it).
    parameters = {**public, "USERNAME": name}
    return shared.challenge(signin, name, "CUSTOM_CHALLENGE", parameters, progress,
                           state={"custom": loop})


def _session_name(user: dict | None, loop: dict) -> str:
    return user["Username"] if user is not None else loop["typed"]


# --- RespondToAuthChallenge / AdminRespondToAuthChallenge ------------------------------------

def answer_custom_challenge(signin: shared.SignIn, responses: dict, session: str | None) -> dict:
    # Everything inside commits on error: the session is used up whatever happens
    # (a wrong answer, a failing Verify, failAuthentication).
    with shared.committing():
        username = shared.required(responses, "USERNAME")
        answer = shared.required(responses, "ANSWER")
        if not session:
            # Real 400 body: furaiev/amazon-cognito-identity-dart-2#241 (CUSTOM_CHALLENGE).
            raise invalid("Missing required parameter Session")
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, session,
                                  challenge="CUSTOM_CHALLENGE")
        loop = (record.get("state") or {}).get("custom")
        if loop is None:
            raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
        user = shared.session_user(signin, record, username, simulated=loop["userNotFound"])
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  shared.accepted_names(username, user, record["typed"]))
        response = _call(signin, VERIFY, user, loop,
                         {"privateChallengeParameters": loop.pop("private", None) or {},
                          "challengeAnswer": answer},
                         {"answerCorrect": None})
        correct = bool(_flag(response, "answerCorrect", VERIFY))
        loop["history"].append(_entry("CUSTOM_CHALLENGE", correct, loop.pop("metadata", None)))
        return advance(signin, user, loop, shared.resumed_progress(record, "CUSTOM_AUTH"))


def answer_password_verifier(signin: shared.SignIn, answer: shared.SrpAnswer) -> dict:
    """PASSWORD_VERIFIER asked for by Define, once password.py has checked the SRP proof (as for
    USER_SRP_AUTH): record the result for Define instead of deciding. A wrong password
    appends {PASSWORD_VERIFIER, false} and still counts towards lockout; Define's usual
    answer (failAuthentication) then gives NotAuthorizedException. Whether Cognito asks
    Define or fails at once is UNCONFIRMED; the DG's Define example checks challengeResult
    of PASSWORD_VERIFIER, so Define sees it here. Runs inside shared.committing()."""
    record, user = answer.record, answer.user
    if user is not None and not answer.ok:
        shared.count_failure(signin, user)
    loop = record["state"]["custom"]
    loop["history"].append(_entry("PASSWORD_VERIFIER", answer.ok))
    return advance(signin, user, loop, shared.resumed_progress(record, "CUSTOM_AUTH"))


# --- calling the functions -------------------------------------------------------------------

def _call(signin, which: tuple[str, str], user: dict | None, loop: dict, fields: dict,
          response: dict) -> dict:
    trigger, source = which
    request = {"userAttributes": triggers.user_attributes(user) if user is not None else {},
               **fields}
    # clientMetadata comes only from (Admin)RespondToAuthChallenge, never from
    # Initiate*Auth (COGNITO_REFERENCE 4.5): SignIn.trigger_metadata says which.
    metadata = signin.trigger_metadata
    if metadata:
        request["clientMetadata"] = dict(metadata)
    if loop["userNotFound"]:
        # Only present when true, as in captured real events (DT types it optional).
        request["userNotFound"] = True
    result = triggers.call(signin.ctx, signin.pool, trigger, source,
                           user_name=_session_name(user, loop),
                           client_id=signin.client["ClientId"], request=request,
                           response=response)
    if result is None:  # not in the pool's LambdaConfig (any more)
        raise invalid(NOT_CONFIGURED)
    return result


def _unrecognizable(which: tuple[str, str], detail: str) -> CognitoError:
    log.warning("%s returned an unusable response: %s", which[0], detail)
    return triggers.invalid_response(UNRECOGNIZABLE)


def _flag(response: dict, name: str, which) -> bool | None:
    value = response.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise _unrecognizable(which, f"{name} must be a boolean, not {value!r}")


def _string(response: dict, name: str, which) -> str | None:
    value = response.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):  # a JSON scalar reads as its text
        return str(value).lower() if isinstance(value, bool) else str(value)
    raise _unrecognizable(which, f"{name} must be a string, not {value!r}")


def _string_map(response: dict, name: str) -> dict:
    value = response.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _unrecognizable(CREATE, f"{name} must be an object of strings, not {value!r}")
    return {str(k): _string(value, k, CREATE) for k, v in value.items() if v is not None}
