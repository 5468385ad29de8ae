"""The outbox page: every email and SMS a pool would have sent, as the recipient sees it.

    GET /_emulator/outbox?pool=<id>&user=<name>&medium=EMAIL|SMS

Newest first, from domain/outbox.messages (what GET /_emulator/messages lists). An HTML body
is shown in `<iframe sandbox srcdoc=...>` (sandbox with no permissions: no script, no
same-origin, no forms, no top navigation), the text body as text; the code and the links
of a message in read-only fields, easy to select and copy; the SMTP relay's delivery state
when --smtp-url is on.
"""
from __future__ import annotations

import re

from starlette.requests import Request

from ... import mail
from ...domain import outbox, pools
from ..templates import esc
from . import layout
from .guard import console

SHOWN = 200         # the newest this many messages; the page says when there are more
_LINK = re.compile(r"""https?://[^\s"'<>]+""")


def _bodies(record: dict) -> tuple[str | None, str]:
    """(HTML body or None, text body), as the relay would mail them (domain/outbox.py)."""
    html = record.get("htmlBody")
    text = record.get("textBody") or record.get("message") or ""
    if html is None and mail.looks_like_html(text):
        html = text
    if html is not None and not record.get("textBody"):
        text = mail.text_of(html)
    return html, text


def _copyable(label: str, value: str, ident: str) -> str:
    return (f'<div><label for="{esc(ident)}">{esc(label)}</label> '
            f'<input class="copy" id="{esc(ident)}" type="text" readonly value="{esc(value)}">'
            f'</div>')


def _delivery(record: dict) -> str:
    state = record.get("delivery")
    if not state:
        return '<span class="muted">outbox only</span>'
    reason = state.get("reason") or state.get("error") or ""
    return (f'<span class="badge delivery" data-state="{esc(state.get("state"))}">'
            f'{esc(state.get("state"))}</span> <span class="muted">via '
            f'{esc(state.get("relay") or "")}</span>'
            + (f'<div class="hint">{esc(reason)}</div>' if reason else ""))


def _message(index: int, record: dict) -> str:
    html, text = _bodies(record)
    ident = f"m{index}"
    links = list(dict.fromkeys(_LINK.findall(html or "") + _LINK.findall(text)))
    copies = ""
    if record.get("code"):
        copies += _copyable("Code", record["code"], f"{ident}-code")
    for n, link in enumerate(links):
        copies += _copyable(f"Link {n + 1}", link, f"{ident}-link{n}")
    facts = (
        '<dl class="facts">'
        f'<dt>Sent</dt><dd>{esc(layout.when(record.get("sentAt")))}</dd>'
        f'<dt>To</dt><dd class="to">{esc(record.get("destination"))} '
        f'<span class="muted">({esc(record.get("medium"))})</span></dd>'
        f'<dt>User</dt><dd class="user">{esc(record.get("username"))}</dd>'
        f'<dt>Pool</dt><dd class="mono">{esc(record.get("poolId"))}</dd>'
        f'<dt>Purpose</dt><dd class="purpose">{esc(record.get("purpose"))}</dd>'
        + (f'<dt>From</dt><dd>{esc(record.get("from"))}</dd>' if record.get("from") else "")
        + f'<dt>Delivery</dt><dd>{_delivery(record)}</dd></dl>')
    subject = record.get("subject")
    heading = (f'{esc(subject)}' if subject else
               f'{esc(record.get("medium"))} to {esc(record.get("destination"))}')
    shown = ""
    if html is not None:
        shown += (f'<h3>As the recipient sees it</h3>'
                  f'<iframe class="mail" sandbox="" srcdoc="{esc(html)}" '
                  f'title="HTML body of: {esc(subject or record.get("purpose"))}"></iframe>')
    shown += (f'<h3>Text</h3><pre class="json text-body" tabindex="0">{esc(text)}</pre>')
    return (f'<section class="panel message-entry" id="{esc(record.get("id"))}" '
            f'data-medium="{esc(record.get("medium"))}" '
            f'data-purpose="{esc(record.get("purpose"))}" aria-labelledby="{ident}-h">'
            f'<h2 id="{ident}-h">{heading}</h2>{facts}'
            f'{copies and f"<div class=copies>{copies}</div>"}{shown}</section>')


@console
async def outbox_page(request: Request):
    q = request.query_params
    store = request.app.state.emu.store
    pool_id, user, medium = q.get("pool") or None, q.get("user") or None, q.get("medium") or None
    found = outbox.messages(store, pool_id=pool_id, username=user, medium=medium)
    found.sort(key=lambda m: m["id"], reverse=True)
    names = [(p["Id"], f'{p.get("Name", "")} ({p["Id"]})')
             for _, p in store.list(pools.KIND, "")]
    filters = (f'<form class="filters panel" method="get" action="/_emulator/outbox" '
               f'role="search" aria-label="Filter messages">'
               f'{layout.select("pool", "User pool", names, pool_id)}'
               f'{layout.text_input("user", "Username", user)}'
               f'{layout.select("medium", "Medium", [("EMAIL", "email"), ("SMS", "SMS")], medium)}'
               f'<div><button class="primary" type="submit">Show</button></div></form>')
    entries = "".join(_message(i, m) for i, m in enumerate(found[:SHOWN]))
    if not found:
        entries = '<p class="panel muted" id="no-messages">No messages.</p>'
    elif len(found) > SHOWN:
        entries += f'<p class="muted">Only the newest {SHOWN} of {len(found)} are shown.</p>'
    return layout.page("Outbox", filters + f'<p class="muted">{len(found)} message(s), newest '
                       f'first. Also as JSON: <a href="/_emulator/messages">/_emulator/messages'
                       f'</a>.</p>' + entries, current="/_emulator/outbox",
                       crumbs=[("", "Outbox")])
