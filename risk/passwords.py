"""Compromised-credential check against zxcvbn's ranked list of 30,000 common passwords.

The list is lower-case, so the check is case-insensitive: "Password1" counts as "password1".
Extra passwords (a workshop's own "breach") can be added through Config.compromised_passwords."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _common() -> frozenset:
    # Imported lazily: loading zxcvbn's frequency lists takes a few tens of ms.
    from zxcvbn.matching import RANKED_DICTIONARIES

    return frozenset(RANKED_DICTIONARIES["passwords"])


def is_compromised(password: str | None, extra: frozenset = frozenset()) -> bool:
    if not password:
        return False
    return password in extra or password.lower() in _common() or password.lower() in extra


def warm() -> None:
    """Load the list now (e.g. at server start) so the first sign-in doesn't pay for it."""
    _common()
