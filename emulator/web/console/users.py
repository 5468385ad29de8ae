"""A pool's users, searched with ListUsers' filter syntax (issue #23, item 1).

    GET /_emulator/users?pool=<id>&filter=<email ^= "ana">&limit=<1..60>&after=<cursor>

The same parse (domain/user_filter.py) and the same listing as ListUsers: without a filter
the users in key order (users.list_users), with one a range scan of the attribute's index
(users.list_filtered), so a page costs O(page) however many users the pool holds. The
cursor is the one ListUsers hands out (paging.token of the last key, or of the last
(value, key) when filtered); keyset paging goes forward only, with a link back to the
first page. A filter ListUsers refuses is refused the same way (its message, 400).
"""
from __future__ import annotations

import json

from starlette.requests import Request

from ...domain import paging, pools, user_filter, users
from ...errors import CognitoError
from ..templates import Markup, esc
from . import layout, links
from .guard import console

PAGE = 25
MAX_PAGE = 60       # ListUsers' largest Limit


def _limit(raw: str | None) -> int:
    try:
        value = int(raw or PAGE)
    except ValueError:
        return PAGE
    return min(max(value, 1), MAX_PAGE)


def _filtered_after(raw: str | None) -> tuple[str, str] | None:
    after = paging.after(raw)
    if after is None:
        return None
    try:
        value, key = json.loads(after)
    except (ValueError, TypeError):
        raise CognitoError("InvalidParameterException", "Invalid pagination token") from None
    if not isinstance(value, str) or not isinstance(key, str):
        raise CognitoError("InvalidParameterException", "Invalid pagination token")
    return value, key


def page_of_users(store, pool: dict, text: str | None, after: str | None,
                  limit: int) -> tuple[list[dict], str | None]:
    """One page of users (and the cursor of the next, or None), as ListUsers pages them."""
    flt = user_filter.parse(text)
    if flt is None:
        rows = users.list_users(store, pool, after=paging.after(after), limit=limit + 1)
        found = [user for _, user in rows[:limit]]
        more = paging.token(rows[limit - 1][0]) if len(rows) > limit else None
        return found, more
    scanned = users.list_filtered(store, pool, flt, after=_filtered_after(after),
                                  limit=limit + 1)
    found = [user for _, _, user in scanned[:limit]]
    more = (paging.token(json.dumps(list(scanned[limit - 1][:2]))) if len(scanned) > limit
            else None)
    return found, more


def _row(pool_id: str, user: dict) -> str:
    attrs = user.get("Attributes") or {}
    name = user["Username"]
    enabled = user.get("Enabled", True)
    return (f'<tr class="user" data-username="{esc(name)}">'
            f'<th scope="row"><a href="{esc(links.user(pool_id, name))}">{esc(name)}</a></th>'
            f'<td>{esc(attrs.get("email") or "")}</td>'
            f'<td>{esc(attrs.get("phone_number") or "")}</td>'
            f'<td>{esc(user.get("UserStatus"))}</td>'
            f'<td>{"Enabled" if enabled else "Disabled"}</td>'
            f'<td>{esc(layout.when(user.get("UserCreateDate")))}</td></tr>')


def search_form(pool_id: str, text: str | None, limit: int) -> Markup:
    return Markup(
        f'<form class="filters panel" method="get" action="/_emulator/users" role="search" '
        f'aria-label="Search users">'
        f'<input type="hidden" name="pool" value="{esc(pool_id)}">'
        f'<div><label for="f-filter">Filter (ListUsers syntax)</label>'
        f'<input id="f-filter" name="filter" type="text" size="40" value="{esc(text or "")}" '
        f'aria-describedby="filter-hint"></div>'
        f'<div><label for="f-limit">Users per page</label>'
        f'<input id="f-limit" name="limit" type="number" min="1" max="{MAX_PAGE}" '
        f'value="{limit}"></div>'
        f'<div><button class="primary" type="submit">Search</button></div>'
        f'<p class="hint" id="filter-hint">For example <code>email ^= "ana"</code> or '
        f'<code>cognito:user_status = "UNCONFIRMED"</code>; attributes: '
        f'{esc(", ".join(user_filter.SEARCHABLE))}. Empty: every user.</p></form>')


@console
async def users_page(request: Request):
    q = request.query_params
    store = request.app.state.emu.store
    pool_id = q.get("pool") or ""
    pool = pools.get(store, pool_id) if pool_id else None
    if pool is None:
        return layout.page("Users", "", status=404 if pool_id else 400, current="/_emulator/",
                           crumbs=[("", pool_id or "?")],
                           error=f"User pool {pool_id} does not exist." if pool_id
                           else "Give a pool: /_emulator/users?pool=<id>.")
    text, after, limit = q.get("filter") or None, q.get("after") or None, _limit(q.get("limit"))
    crumbs = [(links.pool(pool["Id"]), pool.get("Name") or pool["Id"]), ("", "Users")]
    form = search_form(pool["Id"], text, limit)
    try:
        found, more = page_of_users(store, pool, text, after, limit)
    except CognitoError as err:
        return layout.page("Users", form, status=err.status, crumbs=crumbs,
                           current="/_emulator/", error=f"{err.code}: {err.message}")
    rows = "".join(_row(pool["Id"], u) for u in found)
    result = (f'<div class="scroll"><table id="users"><caption>Users'
              f'{esc(f" matching {text}" if text else "")}'
              f'{esc(" (continued)" if after else "")}</caption><thead><tr>'
              f'<th scope="col">Username</th><th scope="col">Email</th>'
              f'<th scope="col">Phone number</th><th scope="col">Status</th>'
              f'<th scope="col">Enabled</th><th scope="col">Created</th></tr></thead>'
              f'<tbody>{rows}</tbody></table></div>' if rows
              else '<p class="muted" id="no-users">No users match.</p>')
    nav = []
    if after:
        nav.append(f'<a id="first-page" href="'
                   f'{esc(links.users(pool["Id"], filter=text, limit=limit))}">First page</a>')
    if more:
        nav.append(f'<a id="next-page" rel="next" href="'
                   f'{esc(links.users(pool["Id"], filter=text, after=more, limit=limit))}">'
                   f'Next page</a>')
    pager = (f'<nav aria-label="Pages of users"><p>{" · ".join(nav)}</p></nav>' if nav else "")
    body = (f'{form}<div class="panel"><p class="muted" role="status">{len(found)} user(s) on '
            f'this page.</p>{result}{pager}</div>')
    deleted = q.get("deleted")
    return layout.page(f"Users of {pool.get('Name') or pool['Id']}", body, crumbs=crumbs,
                       current="/_emulator/",
                       message=f"User {deleted} deleted (AdminDeleteUser)." if deleted else None)
