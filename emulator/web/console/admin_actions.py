"""Admin actions on a user, from the console (issue #23, item 1).

    GET  /_emulator/user/action?pool=<id>&user=<name>&action=<name>   "Are you sure?" page
    POST /_emulator/user/action    form: pool, user, action, _csrf      does it, then 303

Each action is the function its API operation calls (auth/user_admin.py), run as the API
runs it: one transaction, and a worker thread when the pool has Lambda triggers
(api/calls.py). So the console writes what the API writes (the user record's history for
point-in-time recovery, the revoked sessions, the code sent, PostConfirmation called ...),
answers its errors, and holds no copy of its rules.
The POST is behind the guard's CSRF and same-origin checks (guard.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...api import calls
from ...auth import user_admin
from ...domain import pools, users
from ...errors import CognitoError
from ..http import web_context
from ..templates import esc
from . import layout, links
from .guard import console, csrf_field


@dataclass(frozen=True)
class Action:
    name: str           # in the URL and the form
    operation: str      # the cognito-idp operation it runs
    button: str         # the button's text, on the user page and the confirmation page
    explains: str       # what it does, on the confirmation page
    done: str           # the message after it
    perform: Callable[..., None]   # (ctx, pool, user), from auth/user_admin.py

    def shown_for(self, user: dict) -> bool:
        """Offered on the user page only where the API would accept it."""
        if self.name == "confirm":
            return user.get("UserStatus") == "UNCONFIRMED"
        if self.name in ("enable", "disable"):
            return user.get("Enabled", True) == (self.name == "disable")
        return True


ACTIONS = {a.name: a for a in (
    Action("confirm", "AdminConfirmSignUp", "Confirm sign-up",
           "Confirms the account without a code: status CONFIRMED; the PostConfirmation "
           "trigger runs.", "Sign-up confirmed", user_admin.confirm_sign_up),
    Action("enable", "AdminEnableUser", "Enable user",
           "The user can sign in again (tokens revoked by disabling stay revoked).",
           "User enabled", partial(user_admin.set_enabled, enabled=True)),
    Action("disable", "AdminDisableUser", "Disable user",
           "The user can no longer sign in, and every token of the user is revoked.",
           "User disabled", partial(user_admin.set_enabled, enabled=False)),
    Action("reset-password", "AdminResetUserPassword", "Reset password",
           "The password stops working (status RESET_REQUIRED) and a code to choose a new "
           "one is sent to the user's verified email or phone.", "Password reset",
           user_admin.reset_password),
    Action("sign-out", "AdminUserGlobalSignOut", "Sign out everywhere",
           "Revokes every refresh token and ends every session of the user.",
           "Signed out everywhere", user_admin.sign_out_everywhere),
    Action("delete", "AdminDeleteUser", "Delete user",
           "Deletes the user and everything that hangs off it (devices, passkeys, group "
           "memberships, events). This cannot be undone.", "User deleted",
           user_admin.delete),
)}


def _perform(ctx, pool_id: str, action: Action, username: str) -> None:
    """The action on the pool and user as they are inside the transaction."""
    pool = pools.require(ctx.store, pool_id)
    action.perform(ctx, pool, users.require(ctx.store, pool, username))


async def run(request: Request, pool: dict, action: Action, username: str) -> None:
    ctx = web_context(request, action.operation, pool)
    await calls.call(calls.runs_lambdas(pool), _perform, ctx, pool["Id"], action, username)


def _what(request: Request, values) -> tuple[dict | None, Action | None, str, Response | None]:
    """(pool, action, username) named by a query or a form, or an error page."""
    store = request.app.state.emu.store
    pool_id, username = values.get("pool") or "", values.get("user") or ""
    action = ACTIONS.get(values.get("action") or "")
    if not pool_id or not username or action is None:
        return None, None, "", layout.page(
            "Admin action", "", status=400, current="/_emulator/",
            error=f"Expected pool, user and action ({', '.join(ACTIONS)}).")
    pool = pools.get(store, pool_id)
    if pool is None:
        return None, None, "", layout.page("Admin action", "", status=404,
                                           current="/_emulator/",
                                           error=f"User pool {pool_id} does not exist.")
    return pool, action, username, None


@console
async def confirm_page(request: Request):
    pool, action, username, failed = _what(request, request.query_params)
    if failed is not None:
        return failed
    assert pool is not None and action is not None
    user = users.find(request.app.state.emu.store, pool, username)
    if user is None:
        return layout.page("Admin action", "", status=404, current="/_emulator/",
                           error=f"User {username} does not exist in {pool['Id']}.")
    name = user["Username"]
    back = links.user(pool["Id"], name)
    body = (f'<div class="panel"><p id="explains">{esc(action.explains)}</p>'
            f'<p>Runs <code>{esc(action.operation)}</code> for <strong class="mono">'
            f'{esc(name)}</strong> in <span class="mono">{esc(pool["Id"])}</span>.</p>'
            f'<form method="post" action="/_emulator/user/action" class="confirm-action">'
            f'{csrf_field(request)}'
            f'<input type="hidden" name="pool" value="{esc(pool["Id"])}">'
            f'<input type="hidden" name="user" value="{esc(name)}">'
            f'<input type="hidden" name="action" value="{esc(action.name)}">'
            f'<button class="primary" type="submit">Yes: {esc(action.button.lower())}</button> '
            f'<a href="{esc(back)}">Cancel</a></form></div>')
    return layout.page(f"{action.button}: {name}?", body, current="/_emulator/",
                       crumbs=[(links.pool(pool["Id"]), pool.get("Name") or pool["Id"]),
                               (back, name), ("", action.button)])


@console
async def perform(request: Request) -> Response:
    values = request.state.form     # read, and its CSRF token checked, by the guard
    pool, action, username, failed = _what(request, values)
    if failed is not None:
        return failed
    assert pool is not None and action is not None
    try:
        await run(request, pool, action, username)
    except CognitoError as err:
        back = links.user(pool["Id"], username)
        return layout.page(action.button, f'<p><a href="{esc(back)}">Back to the user</a></p>',
                           status=err.status if err.status < 500 else 400,
                           current="/_emulator/", error=f"{err.code}: {err.message}")
    if action.name == "delete":
        target = links.users(pool["Id"], deleted=username)
    else:
        target = links.user(pool["Id"], username, done=action.name)
    return RedirectResponse(target, status_code=303)
