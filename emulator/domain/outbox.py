"""Every email and SMS a pool would send lands here instead of leaving the machine.

Tests read it through GET /_emulator/messages; people read it in the log. With --smtp-url
(docs/MAIL.md) every email is also mailed through the relay (emulator/mail.py), once the
call that wrote it commits (Store.after_commit: a call that fails sends nothing); the entry's
`delivery` says how that went: pending, then sent or failed with the reason. SMS stays here.
"""
import itertools
import logging
import time

from .. import mail
from . import pools

log = logging.getLogger("emulator.outbox")
KIND = "message"
# What Cognito's built-in email sends from when the pool names no address (EmailSendingAccount
# COGNITO_DEFAULT: "The default FROM address is no-reply@verificationemail.com", API reference).
DEFAULT_FROM = "no-reply@verificationemail.com"
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
    relay = ctx.emu.mail
    letter = _letter(ctx.store, record) if relay is not None and medium == "EMAIL" else None
    if letter is not None:
        record["delivery"] = {"state": "pending", "relay": str(relay.target),
                              "from": letter.sender}
        store = ctx.store
        ctx.store.after_commit(
            lambda: relay.submit(letter, lambda result: _settle(store, key, result)))
    ctx.store.put(KIND, "", key, record)
    shown = "(text hidden: it holds a password; read it from GET /_emulator/messages)" \
        if secret else message
    log.info("outbox %s %s to %s (pool %s, user %s): %s", purpose, medium, destination,
             pool_id, username, shown)
    return record


def sender_of(pool: dict | None) -> tuple[str, str | None]:
    """(From, Reply-To) of the pool's mail: EmailConfiguration.From, else the address of its
    SourceArn (an SES identity ARN ending in identity/<address>), else DEFAULT_FROM."""
    email = (pool or {}).get("EmailConfiguration") or {}
    identity = (email.get("SourceArn") or "").rpartition("identity/")[2]
    sender = email.get("From") or (identity if "@" in identity else DEFAULT_FROM)
    return sender, email.get("ReplyToEmailAddress")


def _letter(store, record: dict) -> mail.Letter:
    """The mail of an outbox entry: the text the entry records, with the HTML and From that
    its details carry (risk notices, SES) or the pool's sender."""
    sender, reply_to = sender_of(pools.get(store, record["poolId"]) if record["poolId"]
                                 else None)
    html = record.get("htmlBody")
    text = record.get("textBody") or record["message"] or ""
    if html is None and mail.looks_like_html(text):
        html = text
    if html is not None and not record.get("textBody"):
        text = mail.text_of(html)
    return mail.Letter(sender=record.get("from") or sender, to=record["destination"],
                       subject=record["subject"] or "", text=text, html=html,
                       reply_to=record.get("replyTo") or reply_to, sent_at=record["sentAt"],
                       reference=record["id"])


def _settle(store, key: str, result: dict) -> None:
    """Record what the relay did with an entry (from the relay's thread)."""
    with store.transaction():
        record = store.get(KIND, "", key)
        if record is None:  # reset meanwhile
            return
        record["delivery"] = {**record.get("delivery", {}), **result}
        store.put(KIND, "", key, record)


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
