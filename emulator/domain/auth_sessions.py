"""Auth sessions: the opaque `Session` string that links one challenge to its answer.

A session is a random string handed to the client; the server keeps only its SHA-256
(kind "auth_session", scope = pool id), so a leaked store doesn't leak live sessions.
Record: {username, typed, clientId, challenge, state, createdAt, expiresAt}.

Rules (COGNITO_REFERENCE 2.4):
- single use: consume() deletes the record whether the answer turns out right or wrong;
- lifetime = the app client's AuthSessionValidity minutes (3 by default);
- bound to its user and app client: answering from another client, or naming another
  user, is "Invalid session for the user.".
"""
import base64
import binascii
import hashlib
import secrets

from ..errors import CognitoError
from ..store.base import expiry_index
from . import users

KIND = "auth_session"
DEFAULT_VALIDITY_MINUTES = 3
_RAW_BYTES = 48          # 64 URL-safe characters; Cognito's SessionType allows 20..4096

INVALID = "Invalid session for the user."
# The expiry wording is UNCONFIRMED (COGNITO_REFERENCE appendix B.2); Cognito says
# "Invalid session for the user." for a reused session, so expiry reads as a variant of it.
EXPIRED = "Invalid session for the user, session is expired."


def _invalid(message: str = INVALID) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(token: str) -> bytes | None:
    if not isinstance(token, str):
        return None
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validity_seconds(client: dict) -> int:
    return 60 * (client.get("AuthSessionValidity") or DEFAULT_VALIDITY_MINUTES)


def create(ctx, pool: dict, client: dict, *, username: str, challenge: str,
           state: dict | None = None, typed: str | None = None,
           raw: bytes | None = None) -> str:
    """Store a new session and return its token.

    `username` is the canonical username (or, for a simulated unknown user, the typed
    name); `typed` is what the caller typed, when different. `raw` lets a flow choose the
    secret bytes (SRP: the same bytes travel as SECRET_BLOCK, so clients that answer
    PASSWORD_VERIFIER without `Session`, like pycognito, still find their session)."""
    raw = raw if raw is not None else secrets.token_bytes(_RAW_BYTES)
    token = encode(raw)
    now = ctx.now()
    record = {"username": username, "typed": typed or username, "clientId": client["ClientId"],
              "challenge": challenge, "state": state or {}, "createdAt": now,
              "expiresAt": now + validity_seconds(client)}
    _save(ctx, pool, token, record)
    return token


def _save(ctx, pool: dict, token: str, record: dict) -> None:
    # Filed under its expiry: abandoned sessions go with the sweep (emulator/sweep.py).
    ctx.store.put(KIND, pool["Id"], _key(token), record, index=expiry_index(record["expiresAt"]))


def peek(ctx, pool: dict, token: str) -> dict | None:
    """The session record without consuming or checking it (None when unknown)."""
    if not token:
        return None
    return ctx.store.get(KIND, pool["Id"], _key(token))


def restore(ctx, pool: dict, token: str, record: dict) -> None:
    """Put a consumed session back (an answer the user may retype, e.g. a wrong code)."""
    _save(ctx, pool, token, record)


def consume(ctx, pool: dict, client: dict, token: str, *, username: str | None = None,
            challenge: str | None = None) -> dict:
    """Take the session out of the store and check it belongs to this client and user.

    The record is deleted before any check, so even a wrong answer uses it up; the caller
    must make that deletion stick when it answers with an error (CognitoError.commit)."""
    record = peek(ctx, pool, token)
    if record is None:
        raise _invalid()
    ctx.store.delete(KIND, pool["Id"], _key(token))
    if ctx.now() >= record["expiresAt"]:
        raise _invalid(EXPIRED)
    if record["clientId"] != client["ClientId"]:
        raise _invalid()
    if username is not None and not names_user(pool, record, username):
        raise _invalid()
    if challenge is not None and record["challenge"] != challenge:
        raise _invalid()
    return record


def names_user(pool: dict, record: dict, name: str) -> bool:
    """Whether a USERNAME sent with the answer means the session's user: the canonical
    name (USER_ID_FOR_SRP, what CIJS/pycognito send) or the name typed at sign-in.
    Callers that accept other aliases resolve them first and pass the canonical name."""
    wanted = users.key(pool, name)
    return wanted in (users.key(pool, record["username"]), users.key(pool, record["typed"]))
