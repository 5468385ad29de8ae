"""Sign-in lockout after repeated wrong passwords (COGNITO_REFERENCE 1.3).

Cognito's documented rule: after 5 failed password sign-ins the user is locked for
1 second, doubling with each further failure (2^(n-5) s for n cumulative failures),
capped at about 15 minutes. Attempts during a lockout answer "Password attempts
exceeded" and don't extend it. The count starts over after a successful sign-in, or
after 15 minutes without a failed attempt.

State lives in the user record as `_lockout` = {"failures": n, "lastFailureAt": t,
"lockedUntil": t}; the caller saves the user. Pure functions of (user, now).
"""
from ..errors import CognitoError

FREE_FAILURES = 5          # failures before the first lock
MAX_LOCK_SECONDS = 15 * 60
IDLE_RESET_SECONDS = 15 * 60

MESSAGE = "Password attempts exceeded"


def _state(user: dict, now: float) -> dict | None:
    state = user.get("_lockout")
    if not state:
        return None
    if now - state.get("lastFailureAt", 0) >= IDLE_RESET_SECONDS:
        return None  # 15 quiet minutes: the count starts over
    return state


def locked_until(user: dict, now: float) -> float | None:
    state = _state(user, now)
    if state and now < state.get("lockedUntil", 0):
        return state["lockedUntil"]
    return None


def check(user: dict, now: float) -> None:
    """Raise NotAuthorizedException while the user is locked out (writes nothing, so a
    locked attempt neither extends the lock nor counts)."""
    if locked_until(user, now) is not None:
        raise CognitoError("NotAuthorizedException", MESSAGE)


def lock_seconds(failures: int) -> float:
    if failures < FREE_FAILURES:
        return 0
    return min(2.0 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS)


def record_failure(user: dict, now: float) -> int:
    """Count a failed password attempt; returns the cumulative count."""
    state = _state(user, now)
    failures = (state["failures"] if state else 0) + 1
    lock = lock_seconds(failures)
    user["_lockout"] = {"failures": failures, "lastFailureAt": now,
                        "lockedUntil": now + lock if lock else 0}
    return failures


def record_success(user: dict) -> bool:
    """Forget past failures; True when the record changed (the caller must save it)."""
    return user.pop("_lockout", None) is not None
