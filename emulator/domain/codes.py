"""One-time codes (sign-up confirmation, password reset, attribute verification).

A user holds at most one live code per purpose in `user["_codes"][purpose]`;
issuing a new one replaces the old. The caller saves the user record.
"""
import hmac
import secrets

from ..errors import CognitoError

# Lifetimes Cognito documents: confirmation and verification codes 24 hours,
# forgot-password codes 1 hour.
LIFETIME = {"SIGN_UP": 24 * 3600, "VERIFY_ATTRIBUTE": 24 * 3600, "FORGOT_PASSWORD": 3600}
MAX_ATTEMPTS = 5

SIGN_UP = "SIGN_UP"
FORGOT_PASSWORD = "FORGOT_PASSWORD"
VERIFY_ATTRIBUTE = "VERIFY_ATTRIBUTE"


def issue(user: dict, purpose: str, now: float, *, attribute: str | None = None) -> str:
    code = f"{secrets.randbelow(10**6):06d}"
    user.setdefault("_codes", {})[purpose] = {
        "code": code, "expiresAt": now + LIFETIME.get(purpose, 24 * 3600), "attempts": 0,
        "attribute": attribute}
    return code


def check(user: dict, purpose: str, given: str, now: float, *,
          attribute: str | None = None) -> None:
    """Consume the code if it matches; raise the error Cognito gives otherwise.

    A wrong code counts an attempt (the caller must still save the user, so the
    count survives the error: see `attempts_to_save`)."""
    live = user.get("_codes", {}).get(purpose)
    if not live or (attribute is not None and live.get("attribute") != attribute):
        raise CognitoError("CodeMismatchException",
                           "Invalid verification code provided, please try again.")
    if live["attempts"] >= MAX_ATTEMPTS:
        raise CognitoError("LimitExceededException",
                           "Attempt limit exceeded, please try after some time.")
    if now > live["expiresAt"]:
        raise CognitoError("ExpiredCodeException",
                           "Invalid code provided, please request a code again.")
    if not hmac.compare_digest(live["code"].encode(), given.encode()):
        live["attempts"] += 1
        raise CognitoError("CodeMismatchException",
                           "Invalid verification code provided, please try again.")
    del user["_codes"][purpose]
