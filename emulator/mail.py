"""The SMTP relay (--smtp-url, docs/MAIL.md): real mail for every email the outbox records.

Knows SMTP, not Cognito: it takes a finished `Letter` (From, To, Subject, text, optional
HTML) and a callback, and mails it from one background thread with the standard library's
smtplib and email.message.EmailMessage.

Commit-only sending: the outbox (domain/outbox.py) hands a letter over through
`Store.after_commit`, so only mail of a call that commits leaves the machine; a call that
fails rolls its outbox record back and its callback is dropped with it. The API call never
waits on SMTP: `submit` only puts the letter on a queue. The worker tries each letter up to
ATTEMPTS times (a refused login, a refused address or a bad certificate is not retried:
another try can't change the answer), then reports {"state": "sent"|"failed", ...} to the
callback, which records it on the outbox entry. Each distinct failure is logged once.
Letters still queued when the emulator stops are not sent (they stay "pending").
"""
from __future__ import annotations

import html
import logging
import queue
import re
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .config import SmtpTarget

log = logging.getLogger("emulator.mail")
ATTEMPTS = 3
BACKOFF = (0.5, 2.0)      # seconds before the second and the third attempt
TIMEOUT = 10.0            # seconds for each SMTP connection and command
_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</p\s*>|</div\s*>|</h[1-6]\s*>|</li\s*>|</tr\s*>", re.I)


@dataclass
class Letter:
    sender: str               # the From header ("Name <addr>" or "addr")
    to: str
    subject: str
    text: str
    html: str | None = None   # with it the mail is multipart/alternative (text, then HTML)
    reply_to: str | None = None
    sent_at: float | None = None   # the Date header (the emulator's clock); default: now
    reference: str | None = None   # X-Cognito-Emulator-Message: the outbox entry's id


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def text_of(markup: str) -> str:
    """A plain-text alternative of an HTML body: tags dropped, line breaks kept."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", markup))).strip()


def compose(letter: Letter) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = letter.sender
    msg["To"] = letter.to
    msg["Subject"] = letter.subject
    if letter.reply_to:
        msg["Reply-To"] = letter.reply_to
    msg["Date"] = formatdate(letter.sent_at if letter.sent_at is not None else time.time(),
                             usegmt=True)
    msg["Message-ID"] = make_msgid(domain="cognito-emulator.localhost")
    if letter.reference:
        msg["X-Cognito-Emulator-Message"] = letter.reference
    msg.set_content(letter.text)
    if letter.html is not None:
        msg.add_alternative(letter.html, subtype="html")
    return msg


def tls_context(target: SmtpTarget) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=target.ca_file)
    if not target.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def deliver(target: SmtpTarget, msg: EmailMessage) -> None:
    """Send one message over a fresh connection (raises what smtplib raises)."""
    smtp: smtplib.SMTP
    if target.security == "tls":
        smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=TIMEOUT,
                                context=tls_context(target))
    else:
        smtp = smtplib.SMTP(target.host, target.port, timeout=TIMEOUT)
    with smtp:
        smtp.ehlo()
        if target.security == "starttls":
            smtp.starttls(context=tls_context(target))
            smtp.ehlo()
        if target.username:
            smtp.login(target.username, target.password or "")
        smtp.send_message(msg)


def _final(exc: Exception) -> bool:
    """True when another attempt can't succeed."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPNotSupportedError |
                      ssl.SSLCertVerificationError)


def reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused: " + "; ".join(
            f"{who}: {code} {msg.decode(errors='replace')}"
            for who, (code, msg) in exc.recipients.items())
    return f"{type(exc).__name__}: {exc}"


Done = Callable[[dict], object]


class Relay:
    """One background thread mailing letters to one SMTP server, in the order submitted."""

    def __init__(self, target: SmtpTarget):
        self.target = target
        self._queue: queue.Queue[tuple[Letter, Done] | None] = queue.Queue()
        self._logged: set[str] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smtp-relay", daemon=True)
        self._thread.start()
        log.info("mail relay: every email also goes to %s", target)

    def submit(self, letter: Letter, done: Done) -> None:
        """Queue a letter; done(result) is called from the relay thread when it is settled."""
        self._queue.put((letter, done))

    def close(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            letter, done = job
            try:
                result = self._send(letter)
                done(result)
            except Exception:  # a bug here must not stop the relay
                log.exception("mail relay: could not settle a letter to %s", letter.to)

    def _send(self, letter: Letter) -> dict:
        msg = compose(letter)
        why = ""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                deliver(self.target, msg)
            except (OSError, smtplib.SMTPException) as exc:
                why = reason(exc)
                if _final(exc) or attempt == ATTEMPTS or \
                        self._stopping.wait(BACKOFF[attempt - 1]):
                    break
            else:
                log.debug("mail relay: sent %r to %s", letter.subject, letter.to)
                return {"state": "sent", "attempts": attempt, "relay": str(self.target),
                        "messageId": str(msg["Message-ID"])}
        if why not in self._logged:
            self._logged.add(why)
            log.warning("mail relay: cannot send mail through %s (%s); the outbox has it, "
                        "with the reason (GET /_emulator/messages). Not logged again.",
                        self.target, why)
        return {"state": "failed", "attempts": attempt, "relay": str(self.target),
                "reason": why}
