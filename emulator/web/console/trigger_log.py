"""The trigger log page: every Lambda trigger invocation, with its event and its answer.

    GET /_emulator/triggers?pool=<id>&user=<name>&source=<triggerSource>&order=oldest

From triggers.calls (the log emulator/triggers.py keeps: the last triggers.LOG_SIZE calls
of each pool). Newest first; `order=oldest` reads a sign-in step by step (Define, Create,
Verify, Define ... of custom authentication). Each call: time, trigger source, user,
function, duration, outcome, then the event sent and the response (or the error) as
pretty-printed JSON, escaped.
"""
from __future__ import annotations

from starlette.requests import Request

from ... import triggers
from ...domain import pools
from ..templates import esc
from . import layout
from .guard import console

SHOWN = 500


def _call(record: dict) -> str:
    error = record.get("error")
    outcome = (f'<span class="bad outcome">{esc(error.get("code"))}</span> '
               f'<span class="error-message">{esc(error.get("message"))}</span>' if error
               else '<span class="ok outcome">OK</span>')
    ident = esc(record.get("id"))
    facts = (
        '<dl class="facts">'
        f'<dt>Time</dt><dd>{esc(layout.when(record.get("at")))}</dd>'
        f'<dt>User</dt><dd class="user">{esc(record.get("username"))}</dd>'
        f'<dt>Pool</dt><dd class="mono">{esc(record.get("poolId"))}</dd>'
        f'<dt>Function</dt><dd class="mono">{esc(record.get("function"))}</dd>'
        f'<dt>Duration</dt><dd class="duration">{esc(record.get("durationMs"))} ms</dd>'
        f'<dt>Outcome</dt><dd>{outcome}</dd></dl>')
    answer = (layout.json_block(record.get("response"), label="Response", css_class="response")
              if record.get("response") is not None
              else '<p class="muted response">no response</p>')
    source = record.get("triggerSource")
    return (f'<section class="panel call" id="call-{ident}" data-source="{esc(source)}" '
            f'data-outcome="{"error" if error else "ok"}" aria-labelledby="h-{ident}">'
            f'<h2 id="h-{ident}">{esc(source)} <span class="muted">({esc(record.get("trigger"))}'
            f')</span></h2>{facts}'
            f'<details open><summary>Event</summary>'
            f'{layout.json_block(record.get("event"), label="Event", css_class="event")}'
            f'</details><details open><summary>Response</summary>{answer}</details></section>')


@console
async def trigger_page(request: Request):
    q = request.query_params
    store = request.app.state.emu.store
    pool_id, user = q.get("pool") or None, q.get("user") or None
    source = q.get("source") or None
    oldest = q.get("order") == "oldest"
    everything = triggers.calls(store, pool_id=pool_id, username=user)
    sources = sorted({r.get("triggerSource") or "" for r in everything} | {source or ""} - {""})
    found = [r for r in everything if not source or r.get("triggerSource") == source]
    if oldest:
        found.reverse()
    names = [(p["Id"], f'{p.get("Name", "")} ({p["Id"]})')
             for _, p in store.list(pools.KIND, "")]
    order = layout.select("order", "Order", [("oldest", "oldest first")], q.get("order"),
                          any_label="newest first")
    filters = (f'<form class="filters panel" method="get" action="/_emulator/triggers" '
               f'role="search" aria-label="Filter trigger calls">'
               f'{layout.select("pool", "User pool", names, pool_id)}'
               f'{layout.text_input("user", "Username", user)}'
               f'{layout.select("source", "Trigger source", [(s, s) for s in sources], source)}'
               f'{order}'
               f'<div><button class="primary" type="submit">Show</button></div></form>')
    calls = "".join(_call(r) for r in found[:SHOWN])
    if not found:
        calls = '<p class="panel muted" id="no-calls">No trigger calls recorded.</p>'
    note = (f'<p class="muted">{len(found)} call(s), {"oldest" if oldest else "newest"} first; '
            f'the last {triggers.LOG_SIZE} of each pool are kept. Passwords in events '
            f'(UserMigration) show as {esc(triggers.MASK)}.</p>')
    return layout.page("Trigger log", filters + note + calls, current="/_emulator/triggers",
                       crumbs=[("", "Trigger log")])
