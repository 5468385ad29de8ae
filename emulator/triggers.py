"""Calling a user pool's Lambda triggers: the event envelope, the invocation and the
errors Cognito answers when a function fails.

    call(ctx, pool, trigger, source, user_name=, client_id=, request=, response=, version=)
        -> the `response` object the function returned, or None (trigger not configured)
    configured(pool, trigger) -> the function ARN or None
    user_attributes(user) -> the event's request.userAttributes

The function runs while the store is suspended (other requests proceed meanwhile); the
caller's transaction stays open, so a trigger error still undoes the call's earlier writes.
"""
from __future__ import annotations

import re

from .errors import CognitoError

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
    try:
        with ctx.store.suspended():
            result = lambdas.invoke(ctx.emu, function, event, timeout=TIMEOUT_SECONDS)
    except lambdas.LambdaError as err:
        raise _error(trigger, function, err) from None
    if not isinstance(result, dict):
        raise _unrecognizable()
    out = result.get("response")
    if out is None:
        # A function that returns the event with `response: null` asks for the defaults.
        return {}
    if not isinstance(out, dict):
        raise _unrecognizable()
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
