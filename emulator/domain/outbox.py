"""Every email and SMS a pool would send lands here instead of leaving the machine.

Tests read it through GET /_emulator/messages; people read it in the log.
"""
import itertools
import logging
import time

log = logging.getLogger("emulator.outbox")
KIND = "message"
# Ties on the (often pinned) clock sort in send order: a counter that starts at the process's
# wall-clock start, so it keeps growing across restarts of a durable store too.
_seq = itertools.count(time.time_ns())


def send(ctx, *, pool_id: str, username: str, purpose: str, medium: str, destination: str,
         message: str, subject: str | None = None, code: str | None = None,
         secret: bool = False, details: dict | None = None) -> dict:
    """Record one message. `purpose` names why it was sent (e.g. SIGN_UP,
    FORGOT_PASSWORD, TEMPORARY_PASSWORD); `secret` keeps its text out of the log;
    `details` are extra fields shown with the message (e.g. an HTML body, From)."""
    now = ctx.now()
    # Key sorts by send time (the emulator's clock), then by send order.
    key = f"{int(now * 1e6):020d}-{next(_seq):020d}"
    record = {"id": key, "poolId": pool_id, "username": username, "purpose": purpose,
              "medium": medium, "destination": destination, "subject": subject,
              "message": message, "code": code, "sentAt": now, **(details or {})}
    ctx.store.put(KIND, "", key, record)
    shown = "(text hidden: it holds a password; read it from GET /_emulator/messages)" \
        if secret else message
    log.info("outbox %s %s to %s (pool %s, user %s): %s", purpose, medium, destination,
             pool_id, username, shown)
    return record


def messages(store, *, pool_id=None, username=None, purpose=None, medium=None,
             destination=None) -> list[dict]:
    out = []
    for _, m in store.list(KIND, ""):
        if pool_id and m["poolId"] != pool_id:
            continue
        if username and m["username"] != username:
            continue
        if purpose and m["purpose"] != purpose:
            continue
        if medium and m["medium"] != medium:
            continue
        if destination and m["destination"] != destination:
            continue
        out.append(m)
    return out
