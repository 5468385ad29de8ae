"""The threat-protection console: a user's auth events as the AWS console shows them.

    GET  /_emulator/                                 index: pools (with their threat-protection
                                                     mode) and their users, linking to...
    GET  /_emulator/events?pool=<id>&user=<name>     the user's event history, newest first:
                                                     time, event, risk level, decision, action
                                                     taken, response, compromised credentials,
                                                     IP, place, device, the signals that fired
                                                     (with their explanations), feedback
    POST /_emulator/events/feedback                  form: pool, user, event, value=Valid|Invalid
                                                     -> threats.set_feedback (provider "Admin",
                                                     as AdminUpdateAuthEventFeedback), then back
                                                     to the history (303)

Plain HTML and CSS, no script. Every stored value is escaped. Behind the console's guard
(web/console/guard.py: loopback or the console token; the feedback form carries the CSRF
token and cross-site posts are refused) and on its layout (web/console/layout.py). The
assessment behind an event lives in its private '_risk' field (emulator/domain/threats.py);
events without one (written by other paths) show what AuthEventType has.

The index route is the exact path "/_emulator/", so the other /_emulator/* routes
(emulator/web/testing.py) are untouched."""
from __future__ import annotations

import time
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..api import calls
from ..domain import pools, risk_config, threats, users
from ..errors import CognitoError
from .console import layout, links
from .console.guard import console, csrf_field
from .http import web_context
from .templates import esc

PAGE_SIZE = 60              # AdminListUserAuthEvents' largest page
USERS_PER_POOL = 200        # the index lists this many users per pool, then says so
FEEDBACK_VALUES = ("Valid", "Invalid")

# The engine's actions, as the console words them.
_ACTIONS = {"ALLOW": "Allowed", "MFA": "MFA required", "BLOCK": "Blocked"}
_WOULD = {"ALLOW": "allowed", "MFA": "asked for MFA", "BLOCK": "blocked"}
_AUDIT_PREFIX = "audit only; "


def _page(title: str, body: str, **kwargs) -> HTMLResponse:
    return layout.page(title, body, **kwargs)


def _when(epoch) -> str:
    if not isinstance(epoch, (int, float)):
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def _when_cell(epoch) -> str:
    """Date over time, so the column stays narrow."""
    day, _, hour = _when(epoch).partition(" ")
    return f"{esc(day)}<br>{esc(hour)}"


def _events_url(pool_id: str, username: str, **more) -> str:
    query = {"pool": pool_id, "user": username, **{k: v for k, v in more.items() if v}}
    return "/_emulator/events?" + urlencode(query)


def _mode_badge(pool: dict) -> str:
    add_ons = pool.get("UserPoolAddOns") or {}
    mode = add_ons.get("AdvancedSecurityMode") or "OFF"
    custom = (add_ons.get("AdvancedSecurityAdditionalFlows") or {}).get("CustomAuthMode")
    out = f'<span class="badge mode-{esc(mode)}" data-mode="{esc(mode)}">{esc(mode)}</span>'
    if custom and mode != "OFF":
        out += f' <span class="muted">custom auth: {esc(custom)}</span>'
    return out


# --- GET /_emulator/ -------------------------------------------------------------------------

@console
async def index(request: Request):
    store = request.app.state.emu.store
    sections = []
    for _, pool in store.list(pools.KIND, ""):
        rows = users.list_users(store, pool, limit=USERS_PER_POOL + 1)
        items = []
        for _, user in rows[:USERS_PER_POOL]:
            name = user.get("Username", "")
            email = (user.get("Attributes") or {}).get("email")
            items.append(
                f'<tr class="user" data-username="{esc(name)}">'
                f'<td><a href="{esc(_events_url(pool["Id"], name))}">{esc(name)}</a></td>'
                f'<td>{esc(email or "")}</td><td>{esc(user.get("UserStatus", ""))}</td>'
                f'<td>{"enabled" if user.get("Enabled", True) else "disabled"}</td></tr>')
        if len(rows) > USERS_PER_POOL:
            items.append(f'<tr><td colspan="4" class="muted">only the first {USERS_PER_POOL} '
                         f'users are listed</td></tr>')
        table = ('<table><thead><tr><th scope="col">User</th><th scope="col">Email</th>'
                 '<th scope="col">Status</th><th scope="col">Enabled</th></tr>'
                 f'</thead><tbody>{"".join(items)}</tbody></table>' if items
                 else '<p class="muted">No users.</p>')
        sections.append(
            f'<section class="panel pool" data-pool-id="{esc(pool["Id"])}">'
            f'<h2><a href="{esc(links.pool(pool["Id"]))}">{esc(pool.get("Name", ""))}</a> '
            f'<span class="mono muted">{esc(pool["Id"])}</span></h2>'
            f'<p>Threat protection: {_mode_badge(pool)} '
            f'<span class="muted">plan {esc(pool.get("UserPoolTier") or "ESSENTIALS")}</span>'
            f' · <a href="{esc(links.users(pool["Id"]))}">Search users</a></p>'
            f'{table}</section>')
    body = "".join(sections) or '<p class="panel muted">No user pools yet.</p>'
    tools = ('<p class="muted">Other emulator endpoints: <a href="/_emulator/health">health</a> · '
             '<a href="/_emulator/operations">operations</a> · '
             '<a href="/_emulator/messages">messages (JSON)</a> · '
             '<a href="/_emulator/clock">clock</a></p>')
    return _page("User pools", body + tools, current="/_emulator/")


# --- GET /_emulator/events --------------------------------------------------------------------

def _find(store, pool_id: str | None, username: str | None):
    """(pool, user) or an error page."""
    if not pool_id or not username:
        return None, None, _page("Auth events", "", status=400, crumbs=[("", "Auth events")],
                                 error="Give a pool and a user: "
                                       "/_emulator/events?pool=<id>&user=<name>.")
    pool = pools.get(store, pool_id)
    if pool is None:
        return None, None, _page("Auth events", "", status=404, crumbs=[("", pool_id)],
                                 error=f"User pool {pool_id} does not exist.")
    user = users.find(store, pool, username)
    if user is None:
        return pool, None, _page("Auth events", "", status=404, crumbs=[("", pool_id)],
                                 error=f"User {username} does not exist in {pool_id}.")
    return pool, user, None


def _level_cell(record: dict) -> str:
    level = (record.get("EventRisk") or {}).get("RiskLevel")
    shown = level or "No risk"
    return f'<span class="badge level-{esc(level or "None")}">{esc(shown)}</span>'


def _action_cell(own: dict) -> str:
    action, intended, reason = own.get("action"), own.get("intendedAction"), own.get("reason")
    if not action:
        return f'<span class="muted">{esc(reason or "—")}</span>'
    text = _ACTIONS.get(action, action)
    audit = (reason or "").startswith(_AUDIT_PREFIX)
    if audit:
        # risk.decide words audit-only reasons "audit only; would BLOCK: <why>"
        reason = reason.split(": ", 1)[1] if ": " in reason else reason
    if intended and intended != action:
        text += f" (audit only; would have been {_WOULD.get(intended, intended)})"
    elif audit:
        text += " (audit only)"
    hint = f'<div class="hint">{esc(reason)}</div>' if reason else ""
    if own.get("notified"):
        hint += f'<div class="hint notified">Notified the user ({esc(own["notified"])})</div>'
    return f'<span class="action" data-action="{esc(action)}">{esc(text)}</span>{hint}'


def _signals_cell(own: dict) -> str:
    signals = own.get("signals") or []
    if not signals:
        return '<span class="muted">none</span>'
    items = "".join(
        f'<li class="signal" data-signal="{esc(s.get("name"))}"><strong>{esc(s.get("name"))}'
        f'</strong> <span class="muted">+{esc(_number(s.get("weight")))}</span><br>'
        f'<span class="explanation">{esc(s.get("explanation") or "")}</span></li>'
        for s in signals if isinstance(s, dict))
    score = own.get("score")
    total = ("" if score is None else
             f'<div class="score">score {esc(_number(score))} / 100</div>')
    return f'<ul class="signals">{items}</ul>{total}'


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _feedback_cell(request: Request, pool_id: str, username: str, record: dict) -> str:
    feedback = record.get("EventFeedback") or {}
    shown = '<span class="muted">none</span>'
    if feedback.get("FeedbackValue"):
        shown = (f'<span class="feedback-value" data-feedback="{esc(feedback["FeedbackValue"])}">'
                 f'<strong>{esc(feedback["FeedbackValue"])}</strong></span>'
                 f'<div class="hint">by {esc(feedback.get("Provider") or "?")}, '
                 f'{esc(_when(feedback.get("FeedbackDate")))}</div>')
    buttons = "".join(
        f'<button type="submit" name="value" value="{v}" class="{v.lower()}" '
        f'title="Mark this event {v.lower()}">{v.lower()}</button>' for v in FEEDBACK_VALUES)
    form = (f'<form class="feedback" method="post" action="/_emulator/events/feedback">'
            f'{csrf_field(request)}'
            f'<input type="hidden" name="pool" value="{esc(pool_id)}">'
            f'<input type="hidden" name="user" value="{esc(username)}">'
            f'<input type="hidden" name="event" value="{esc(record.get("EventId"))}">'
            f'{buttons}</form>')
    return shown + "<div>" + form + "</div>"


def _event_row(request: Request, pool_id: str, username: str, record: dict) -> str:
    own = record.get("_risk") or {}
    risk = record.get("EventRisk") or {}
    where = record.get("EventContextData") or {}
    place = ", ".join(p for p in (where.get("City"), where.get("Country")) if p)
    device = esc(where.get("DeviceName") or "")
    if own.get("device_id"):
        device += (f'<div class="hint mono" title="SHA-256 of EncodedData">device '
                   f'{esc(str(own["device_id"])[:12])}</div>')
    challenges = ", ".join(f'{c.get("ChallengeName")}: {c.get("ChallengeResponse")}'
                           for c in record.get("ChallengeResponses") or ())
    response = record.get("EventResponse") or ""
    compromised = risk.get("CompromisedCredentialsDetected")
    cells = [
        ("time", _when_cell(record.get("CreationDate"))),
        ("type", esc(record.get("EventType") or "")),
        ("level", _level_cell(record)),
        ("decision", esc(risk.get("RiskDecision") or "")),
        ("action", _action_cell(own)),
        ("response", f'<span class="response-{esc(response)}">{esc(response)}</span>'
                     + (f'<div class="hint">{esc(challenges)}</div>' if challenges else "")),
        ("compromised", "Yes" if compromised else "No"),
        ("ip", f'<span class="mono">{esc(where.get("IpAddress") or own.get("ip") or "")}</span>'),
        ("location", esc(place) or '<span class="muted">unknown</span>'),
        ("device", device or '<span class="muted">unknown</span>'),
        ("signals", _signals_cell(own)),
        ("feedback", _feedback_cell(request, pool_id, username, record)),
    ]
    tds = "".join(f'<td class="{name}">{html}</td>' for name, html in cells)
    event_id = esc(record.get("EventId"))
    return (f'<tr class="event" id="event-{event_id}" data-event-id="{event_id}" '
            f'data-level="{esc(risk.get("RiskLevel") or "")}">{tds}</tr>')


_HEADINGS = ("Time", "Event", "Risk level", "Risk decision", "Action taken", "Response",
             "Compromised credentials", "IP address", "Location", "Device", "Signals",
             "Feedback")


@console
async def events(request: Request):
    q = request.query_params
    store = request.app.state.emu.store
    pool, user, failed = _find(store, q.get("pool"), q.get("user"))
    if failed is not None:
        return failed
    username = user["Username"]
    after = q.get("after") or None
    page, last = threats.list_events(store, pool, user, after=after, limit=PAGE_SIZE,
                                     now=request.app.state.emu.clock.now())
    rows = "".join(_event_row(request, pool["Id"], username, r) for r in page)
    head = "".join(f'<th scope="col">{h}</th>' for h in _HEADINGS)
    table = (f'<table id="events"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
             if rows else '<p class="muted" id="no-events">No auth events recorded for this user.'
                          '</p>')
    more = []
    if after:
        more.append(f'<a href="{esc(_events_url(pool["Id"], username))}">Newest events</a>')
    if last is not None:
        more.append(f'<a id="older" href="{esc(_events_url(pool["Id"], username, after=last))}">'
                    f'Older events</a>')
    attrs = user.get("Attributes") or {}
    facts = (
        '<dl class="facts">'
        f'<dt>User pool</dt><dd>{esc(pool.get("Name"))} '
        f'<span class="mono">{esc(pool["Id"])}</span></dd>'
        f'<dt>Username</dt><dd class="mono" id="username">{esc(username)}</dd>'
        f'<dt>Details</dt><dd><a href="{esc(links.user(pool["Id"], username))}">user page'
        f'</a></dd>'
        f'<dt>sub</dt><dd class="mono">{esc(attrs.get("sub") or "")}</dd>'
        f'<dt>Status</dt><dd>{esc(user.get("UserStatus") or "")}</dd>'
        f'<dt>Threat protection</dt><dd>{_mode_badge(pool)}</dd>'
        '</dl>')
    message = None
    if q.get("marked") and q.get("value") in FEEDBACK_VALUES:
        message = f"Event {q['marked']} marked {q['value']}."
    body = (f'<div class="panel">{facts}</div>'
            f'<div class="panel"><div class="scroll">{table}</div>'
            f'<p>{" · ".join(more)}</p></div>'
            '<p class="hint">Valid: the sign-in was the user; its device and place become known. '
            'Invalid: it was not; later sign-ins from its device or IP score higher. '
            'Same as AdminUpdateAuthEventFeedback.</p>')
    return _page(f"Auth events: {username}", body, message=message,
                 crumbs=[("/_emulator/", pool.get("Name") or pool["Id"]), ("", username)])


# --- POST /_emulator/events/feedback -----------------------------------------------------------

def _give_feedback(ctx, pool_id: str, username: str, event_id: str, value: str) -> str:
    pool = pools.require(ctx.store, pool_id)
    risk_config.require_add_on(pool)     # as AdminUpdateAuthEventFeedback
    user = users.require(ctx.store, pool, username)
    threats.set_feedback(ctx, pool, user, event_id, value, provider="Admin")
    return user["Username"]


@console
async def feedback(request: Request) -> Response:
    values = request.state.form     # read, and its CSRF token checked, by the guard
    pool_id, username = values.get("pool", ""), values.get("user", "")
    event_id, value = values.get("event", ""), values.get("value", "")
    if not (pool_id and username and event_id) or value not in FEEDBACK_VALUES:
        return _page("Feedback", "", status=400,
                     error="Expected pool, user, event and value=Valid|Invalid.")
    ctx = web_context(request, "/_emulator/events/feedback")
    try:
        canonical = calls.run(_give_feedback, ctx, pool_id, username, event_id, value)
    except CognitoError as err:
        back = _events_url(pool_id, username)
        return _page("Feedback", f'<p><a href="{esc(back)}">Back to the events</a></p>',
                     status=err.status, error=f"{err.code}: {err.message}")
    target = _events_url(pool_id, canonical, marked=event_id, value=value)
    return RedirectResponse(f"{target}#event-{event_id}", status_code=303)


routes = [
    Route("/_emulator/", index, methods=["GET"]),
    Route("/_emulator/events", events, methods=["GET"]),
    Route("/_emulator/events/feedback", feedback, methods=["POST"]),
]
