"""Calling a user pool's Lambda triggers: the event envelope, the invocation and the
errors Cognito answers when a function fails.

    call(ctx, pool, trigger, source, user_name=, client_id=, request=, response=, version=)
        -> the `response` object the function returned, or None (trigger not configured)
    configured(pool, trigger) -> the function ARN or None
    user_attributes(user) -> the event's request.userAttributes
    calls(store, pool_id=None, username=None, source=None) -> the trigger log, newest first

The function runs while the store is suspended (other requests proceed meanwhile); the
caller's transaction stays open, so a trigger error still undoes the call's earlier writes.

The trigger log (kind "trigger_call", scope = pool id, the console's /_emulator/triggers):
every invocation - the event sent (passwords masked), the response or the error, how long
it took - is kept, the last LOG_SIZE per pool (older ones pruned at write). It is written
outside the caller's transaction, so a call that fails (and rolls back) still shows the
invocation that made it fail.
"""
from __future__ import annotations

import itertools
import json
import re
import threading
import time

from .errors import CognitoError

CALL_KIND = "trigger_call"
LOG_SIZE = 200          # invocations kept per pool (the oldest go first)
# Request fields never written to the log as sent: UserMigration_Authentication carries the
# password the user typed.
_MASKED = ("password",)
MASK = "********"
# Ties on the (often pinned) clock sort in call order, across restarts too (as outbox.py).
_seq = itertools.count(time.time_ns())

# How long a function may run. Cognito's limit is 5 s and can't be changed (COGNITO_REFERENCE
# 4.1); it retries a timed-out call up to 3 times - we don't (a local function that hangs
# once hangs again, and 15 s of waiting helps nobody).
TIMEOUT_SECONDS = 5.0

_SDK = re.compile(r"aws-sdk-(\w+)/([\w.\-]+)", re.IGNORECASE)


def configured(pool: dict, trigger: str) -> str | None:
    """The ARN configured for `trigger`. PreTokenGeneration also comes from
    PreTokenGenerationConfig.LambdaArn (the two must be equal when both are set)."""
    config = pool.get("LambdaConfig") or {}
    if trigger == "PreTokenGeneration":
        versioned = (config.get("PreTokenGenerationConfig") or {}).get("LambdaArn")
        return versioned or config.get("PreTokenGeneration") or None
    value = config.get(trigger)
    if isinstance(value, dict):  # CustomSMSSender / CustomEmailSender {LambdaVersion, LambdaArn}
        value = value.get("LambdaArn")
    return value or None


def pre_token_version(pool: dict) -> str:
    """Event version of the pre token generation trigger: "1", "2" or "3"."""
    config = (pool.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    return {"V2_0": "2", "V3_0": "3"}.get(config.get("LambdaVersion"), "1")


def user_attributes(user: dict | None) -> dict[str, str]:
    """request.userAttributes: the user's attributes (strings) plus cognito:user_status
    (commonly observed in real events, COGNITO_REFERENCE 4.2)."""
    if user is None:
        return {}
    out = {name: value if isinstance(value, str) else str(value)
           for name, value in (user.get("Attributes") or {}).items() if not name.startswith("_")}
    out["cognito:user_status"] = user.get("UserStatus", "")
    return out


def _sdk_version(ctx) -> str:
    """callerContext.awsSdkVersion, e.g. "aws-sdk-js-3.5.0"; boto3/CLI callers give
    "aws-sdk-unknown-unknown" as in the DG examples (exact value per SDK UNCONFIRMED)."""
    agent = (getattr(ctx, "headers", None) or {}).get("user-agent", "")
    match = _SDK.search(agent)
    if match:
        return f"aws-sdk-{match.group(1).lower()}-{match.group(2)}"
    return "aws-sdk-unknown-unknown"


def call(ctx, pool: dict, trigger: str, source: str, *, user_name: str, client_id: str | None,
         request: dict, response: dict | None = None, version: str = "1") -> dict | None:
    function = configured(pool, trigger)
    if function is None:
        return None
    pool_id = pool["Id"]
    event = {
        "version": version,
        "triggerSource": source,
        "region": pool_id.split("_", 1)[0],
        "userPoolId": pool_id,
        "userName": user_name,
        # Admin operations name no app client; Cognito then says CLIENT_ID_NOT_APPLICABLE.
        "callerContext": {"awsSdkVersion": _sdk_version(ctx),
                          "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE"},
        "request": request,
        "response": response if response is not None else {},
    }
    from . import lambdas  # the runners package; imported late so the server starts without it
    sent = _masked(event)   # as sent: an in-process handler may change the event it is given
    failure: CognitoError | None = None
    result = None
    with ctx.store.suspended():
        started = time.perf_counter()
        try:
            result = lambdas.invoke(ctx.emu, function, event, timeout=TIMEOUT_SECONDS)
        except lambdas.LambdaError as err:
            failure = _error(trigger, function, err)
        took = time.perf_counter() - started
        out = result.get("response") if isinstance(result, dict) else None
        if failure is None and (not isinstance(result, dict)
                                or out is not None and not isinstance(out, dict)):
            failure = _unrecognizable()
        _log(ctx, pool_id, trigger, function, sent, result, failure, took)
    if failure is not None:
        raise failure
    # A function that returns the event with `response: null` asks for the defaults.
    return out if out is not None else {}


# --- the trigger log ------------------------------------------------------------------------

def _masked(event: dict) -> dict:
    copy = json.loads(json.dumps(event, default=str))
    request = copy.get("request")
    if isinstance(request, dict):
        for name in _MASKED:
            if request.get(name) is not None:
                request[name] = MASK
    return copy


def _log(ctx, pool_id: str, trigger: str, function: str, event: dict, result, failure,
         took: float) -> None:
    """Record one invocation. The caller's transaction may still roll back (a trigger
    error always does), and the store's transactions are per thread, re-entrant and undo
    everything their thread wrote - suspended() included. So the record is written by a
    short transaction of its own in another thread, while this one is suspended (its lock
    released): nothing of it is in the caller's undo log, and a failed call still shows
    the invocation that failed it."""
    now = ctx.now()
    key = f"{int(now * 1e6):020d}-{next(_seq):020d}"
    record = {"id": key, "poolId": pool_id, "username": event.get("userName"),
              "trigger": trigger, "triggerSource": event.get("triggerSource"),
              "function": function, "at": now, "durationMs": round(took * 1000, 1),
              "event": event, "response": _json_safe(result),
              "error": None if failure is None else {"code": failure.code,
                                                     "message": failure.message}}
    store = ctx.store

    def write() -> None:
        with store.transaction():
            store.put(CALL_KIND, pool_id, key, record)
            extra = store.count(CALL_KIND, pool_id) - LOG_SIZE
            if extra > 0:
                for old, _ in store.list(CALL_KIND, pool_id, limit=extra):
                    store.delete(CALL_KIND, pool_id, old)

    writer = threading.Thread(target=write, name="trigger-log", daemon=True)
    writer.start()
    writer.join()


def _json_safe(value):
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return repr(value)


def calls(store, *, pool_id: str | None = None, username: str | None = None,
          source: str | None = None, oldest_first: bool = False) -> list[dict]:
    """The logged invocations (of one pool, or all), newest first unless oldest_first."""
    scopes = [pool_id] if pool_id else store.scopes(CALL_KIND)
    out = [record for scope in scopes for _, record in store.list(CALL_KIND, scope)
           if (not username or record.get("username") == username)
           and (not source or record.get("triggerSource") == source)]
    out.sort(key=lambda record: record["id"], reverse=not oldest_first)
    return out


def _unrecognizable() -> CognitoError:
    # The message Cognito gives for output it can't parse (public captures).
    return CognitoError("InvalidLambdaResponseException", "Unrecognizable lambda output")


def invalid_response(message: str = "Unrecognizable lambda output") -> CognitoError:
    """For callers that find a field of the response unusable."""
    return CognitoError("InvalidLambdaResponseException", message)


def _error(trigger: str, function: str, err) -> CognitoError:
    kind = getattr(err, "kind", "invoke_failed")
    message = getattr(err, "message", None) or str(err)
    if kind == "function_error":
        # "<Trigger> failed with error <message>." - the period is appended even when the
        # message ends with one (public captures, COGNITO_REFERENCE 4.1).
        return CognitoError("UserLambdaValidationException",
                            f"{trigger} failed with error {message}.")
    if kind == "invalid_response":
        return _unrecognizable()
    if kind == "timeout":
        # Wording seen from real Cognito for a function that didn't answer in time.
        return CognitoError("UnexpectedLambdaException",
                            f"{trigger} invocation failed due to error "
                            f"Socket timeout while invoking Lambda function.")
    if kind == "not_found":
        # Cognito says ResourceNotFoundException for an ARN Lambda doesn't know; the runner's
        # explanation follows, so a missing `functions:` entry is easy to spot.
        return CognitoError("UnexpectedLambdaException",
                            f"{trigger} invocation failed due to error ResourceNotFoundException "
                            f"({message}; function {function}).")
    return CognitoError("UnexpectedLambdaException",
                        f"{trigger} invocation failed due to error {message} "
                        f"(function {function}).")
