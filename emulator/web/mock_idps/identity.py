"""The identity a tester picks at a mock (the sign-in page's form or a login_hint), and the
OAuth error a mock endpoint answers."""
from __future__ import annotations

import hashlib
import json


class Refused(Exception):
    """An OAuth error of a mock endpoint: (error, description)."""

    def __init__(self, error: str, description: str = ""):
        super().__init__(description)
        self.error, self.description = error, description


def _bool(value) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "on", "yes")


def identity(given: dict) -> dict:
    """{sub, email, email_verified, name, extra} from the page's form or a login_hint object.
    Refused when sub is missing or extra is not a JSON object."""
    extra = given.get("extra") or {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra) if extra.strip() else {}
        except ValueError:
            raise Refused("invalid_request", "extra claims must be a JSON object") from None
    if not isinstance(extra, dict):
        raise Refused("invalid_request", "extra claims must be a JSON object")
    known = ("sub", "email", "email_verified", "name", "extra")
    extra = {**{k: v for k, v in given.items() if k not in known}, **extra}
    sub = str(given.get("sub") or "").strip()
    email = str(given.get("email") or "").strip()
    if not sub and email:
        sub = str(int(hashlib.sha256(email.lower().encode()).hexdigest()[:15], 16))
    if not sub:
        raise Refused("invalid_request", "sub (or email) is required")
    verified = given.get("email_verified", True if email else None)
    return {"sub": sub, "email": email or None,
            "email_verified": None if verified is None else _bool(verified),
            "name": str(given.get("name") or "").strip() or None, "extra": extra}


def from_login_hint(hint: str) -> dict:
    """A login_hint: a JSON object of claims, or a plain email address."""
    text = hint.strip()
    if text.startswith("{"):
        try:
            given = json.loads(text)
        except ValueError:
            raise Refused("invalid_request", "login_hint is not valid JSON") from None
        if not isinstance(given, dict):
            raise Refused("invalid_request", "login_hint must be a JSON object")
        return identity(given)
    return identity({"email": text})
