"""One user, as an administrator would look them up (issue #23, items 1 and 5).

    GET /_emulator/user?pool=<id>&user=<name or alias or sub>

Status and dates (AdminGetUser's record, users.find resolving the name as sign-in does),
the admin actions (admin_actions.py: each a link to its confirmation page), attributes,
groups (groups.for_user, AdminListGroupsForUser's order), MFA settings, remembered devices
(devices.list_devices, AdminListDevices' page), passkeys (auth/passkeys.credentials), linked
identities (the `identities` attribute and the provider links AdminLinkProviderForUser
wrote), and the auth events: a timeline of the newest (charts.timeline) numbered as the
table beside it, which lists the signals that fired. Every stored value is escaped.
"""
from __future__ import annotations

import time

from starlette.requests import Request

from ...auth import passkeys
from ...domain import devices, federation, groups, pools, threats, users
from ..templates import Markup, esc
from . import charts, layout, links
from .admin_actions import ACTIONS
from .guard import console
from .pools import facts, level_of, listed, table

EVENTS = 30         # the newest this many auth events are drawn and listed here


def _attributes(user: dict) -> str:
    rows = [[name, value] for name, value in sorted((user.get("Attributes") or {}).items())]
    return table("attributes", "Attributes", ("Attribute", "Value"), rows)


def _groups(store, pool: dict, user: dict) -> str:
    found = groups.for_user(store, pool, user)
    if not found:
        return '<p class="muted" id="no-groups">In no group.</p>'
    return table("groups", "Groups", ("Group", "Precedence", "Description", "IAM role"),
                 [[g.get("GroupName"), g.get("Precedence", ""), g.get("Description", ""),
                   g.get("RoleArn", "")] for g in found])


def _mfa(user: dict) -> str:
    options = [f'{o.get("DeliveryMedium")} ({o.get("AttributeName")})'
               for o in user.get("MFAOptions") or ()]
    return facts([("Enabled factors", listed(user.get("UserMFASettingList"))),
                  ("Preferred", user.get("PreferredMfaSetting") or "none"),
                  ("Authenticator app", "associated" if (user.get("_totp") or {}).get("secret")
                   else "none"),
                  ("MFA options (legacy)", listed(options))])


def _devices(store, pool: dict, user: dict) -> str:
    page = devices.list_devices(store, pool, user, limit=devices.LIST_LIMIT,
                                pagination_token=None)
    rows = []
    for device in page.get("Devices") or ():
        attrs = {a["Name"]: a["Value"] for a in device.get("DeviceAttributes") or ()}
        rows.append([Markup(f'<span class="mono">{esc(device["DeviceKey"])}</span>'),
                     attrs.get("device_name", ""), attrs.get("dev:device_remembered_status", ""),
                     attrs.get("last_ip_used", ""),
                     layout.when(device.get("DeviceLastAuthenticatedDate"))])
    if not rows:
        return '<p class="muted" id="no-devices">No remembered devices.</p>'
    return table("devices", "Devices", ("Device key", "Name", "Remembered", "Last IP",
                                        "Last signed in"), rows)


def _passkeys(store, pool: dict, user: dict) -> str:
    found = [passkeys.describe(r) for r in passkeys.credentials(store, pool, user)]
    if not found:
        return '<p class="muted" id="no-passkeys">No passkeys.</p>'
    return table("passkeys", "Passkeys", ("Name", "Credential id", "Relying party",
                                          "Attachment", "Created"),
                 [[p.get("FriendlyCredentialName"),
                   Markup(f'<span class="mono">{esc(p.get("CredentialId"))}</span>'),
                   p.get("RelyingPartyId"), p.get("AuthenticatorAttachment", ""),
                   layout.when(p.get("CreatedAt"))] for p in found])


def _identities(store, pool: dict, user: dict) -> str:
    out = ""
    entries = federation.identities(user)
    if entries:
        out += table("identities", "Linked identities (the identities attribute)",
                     ("Provider", "Type", "User id", "Primary", "Linked"),
                     [[e.get("providerName"), e.get("providerType"), e.get("userId"),
                       "yes" if e.get("primary") in (True, "true") else "no",
                       layout.when(_seconds(e.get("dateCreated")))] for e in entries],
                     shown=True)
    found = [link for link in (store.get(federation.LINK, pool["Id"], key)
                               for key in user.get("_links") or ()) if link]
    if found:
        out += table("provider-links", "Provider links (AdminLinkProviderForUser)",
                     ("Provider", "Attribute", "Value", "Linked"),
                     [[k.get("ProviderName"), k.get("ProviderAttributeName"),
                       k.get("ProviderAttributeValue"), layout.when(k.get("CreationDate"))]
                      for k in found], shown=True)
    return out or '<p class="muted" id="no-identities">No linked identities.</p>'


def _seconds(value):
    """`dateCreated` in the identities attribute is epoch milliseconds, as a string."""
    try:
        return int(value) / 1000
    except (TypeError, ValueError):
        return None


def _signals(record: dict) -> list[str]:
    return [str(s.get("name")) for s in (record.get("_risk") or {}).get("signals") or ()
            if isinstance(s, dict)]


def _events(store, pool: dict, user: dict, now: float) -> str:
    newest, more = threats.list_events(store, pool, user, after=None, limit=EVENTS, now=now)
    ordered = list(reversed(newest))        # oldest first, numbered 1..n
    points = [charts.Point(n, r["CreationDate"], level_of(r),
                           f'{r.get("EventType")} {r.get("EventResponse")}, decision '
                           f'{(r.get("EventRisk") or {}).get("RiskDecision") or "NoRisk"}; '
                           f'signals: {", ".join(_signals(r)) or "none"}')
              for n, r in enumerate(ordered, 1) if isinstance(r.get("CreationDate"),
                                                               (int, float))]
    chart = charts.timeline("chart-timeline", "Auth events over time", points)
    rows = "".join(
        f'<tr class="event" data-event-id="{esc(r.get("EventId"))}">'
        f'<th scope="row">{n}</th>'
        f'<td>{esc(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r["CreationDate"])))}</td>'
        f'<td>{esc(r.get("EventType"))}</td><td class="level">{esc(level_of(r))}</td>'
        f'<td class="decision">{esc((r.get("EventRisk") or {}).get("RiskDecision") or "")}</td>'
        f'<td>{esc(r.get("EventResponse"))}</td>'
        f'<td class="signals">{esc(", ".join(_signals(r)) or "none")}</td></tr>'
        for n, r in enumerate(ordered, 1))
    listing = (f'<div class="scroll"><table id="timeline-data"><caption>Auth events, oldest '
               f'first, numbered as on the timeline</caption><thead><tr>'
               f'<th scope="col">#</th><th scope="col">Time (UTC)</th>'
               f'<th scope="col">Event</th><th scope="col">Risk level</th>'
               f'<th scope="col">Decision</th><th scope="col">Response</th>'
               f'<th scope="col">Signals that fired</th></tr></thead><tbody>{rows}</tbody>'
               f'</table></div>' if rows else "")
    note = (f'<p class="muted">The newest {EVENTS} are shown.</p>' if more else "")
    return (f'{chart}{listing}{note}<p><a href="{esc(links.events(pool["Id"], user["Username"]))}"'
            f'>Every event in detail, with feedback</a></p>')


def _actions(pool: dict, user: dict) -> str:
    items = "".join(
        f'<li><a class="action" data-action="{esc(a.name)}" '
        f'href="{esc(links.action(pool["Id"], user["Username"], a.name))}">{esc(a.button)}</a>'
        f'</li>' for a in ACTIONS.values() if a.shown_for(user))
    return (f'<ul class="actions">{items}</ul><p class="hint">Each asks for confirmation, '
            f'then runs the API operation of the same name.</p>')


@console
async def user_page(request: Request):
    q = request.query_params
    store = request.app.state.emu.store
    pool_id, name = q.get("pool") or "", q.get("user") or ""
    pool = pools.get(store, pool_id) if pool_id else None
    user = users.find(store, pool, name) if pool is not None and name else None
    if user is None:
        why = ("Give a pool and a user: /_emulator/user?pool=<id>&user=<name>."
               if not (pool_id and name) else f"User pool {pool_id} does not exist."
               if pool is None else f"User {name} does not exist in {pool_id}.")
        return layout.page("User", "", status=400 if not (pool_id and name) else 404,
                           current="/_emulator/", crumbs=[("", name or "?")], error=why)
    username = user["Username"]
    attrs = user.get("Attributes") or {}
    summary = facts([
        ("Username", Markup(f'<span class="mono" id="username">{esc(username)}</span>')),
        ("sub", Markup(f'<span class="mono">{esc(attrs.get("sub"))}</span>')),
        ("Status", Markup(f'<span id="status">{esc(user.get("UserStatus"))}</span>')),
        ("Enabled", Markup(f'<span id="enabled">'
                           f'{"Enabled" if user.get("Enabled", True) else "Disabled"}</span>')),
        ("Created", layout.when(user.get("UserCreateDate"))),
        ("Last modified", layout.when(user.get("UserLastModifiedDate"))),
    ])
    done = ACTIONS.get(q.get("done") or "")
    body = (f'<div class="panel">{summary}</div>'
            + layout.section("admin-actions", "Actions", _actions(pool, user))
            + layout.section("user-attributes", "Attributes", _attributes(user))
            + layout.section("user-groups", "Groups", _groups(store, pool, user))
            + layout.section("user-mfa", "MFA settings", _mfa(user))
            + layout.section("user-devices", "Devices", _devices(store, pool, user))
            + layout.section("user-passkeys", "Passkeys", _passkeys(store, pool, user))
            + layout.section("user-identities", "Linked identities", _identities(store, pool, user))
            + layout.section("auth-events", "Auth events",
                       _events(store, pool, user, request.app.state.emu.clock.now())))
    return layout.page(f"User: {username}", body, current="/_emulator/",
                       message=f"{done.done} ({done.operation})." if done else None,
                       crumbs=[(links.pool(pool["Id"]), pool.get("Name") or pool["Id"]),
                               (links.users(pool["Id"]), "Users"), ("", username)])
