"""Emulator-served pages for threat protection:

GET /_emulator/risk/feedback?pool=&username=&event=&token=&value=Valid|Invalid
    the one-click links of a risk notice (domain/risk_notices.py). Same effect as
    UpdateAuthEventFeedback with the event's FeedbackToken: the event is marked and the risk
    engine learns from it. Answers a small HTML page. Real Cognito serves these links on the
    user pool's domain; the emulator serves them here so they work without one.
GET /_emulator/logs/<poolId>
    the pool's exported user auth events (domain/log_delivery.py's JSON-lines sink) as JSON:
    {"poolId", "destinations": {name: [lines]}, "lines": [every line]}.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from ..api import calls
from ..domain import log_delivery, pools, risk_config, threats, users
from ..errors import CognitoError
from . import templates
from .http import web_context

VALUES = {"valid": "Valid", "invalid": "Invalid"}
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer"}


def _apply(ctx, pool_id: str, username: str, event_id: str, token: str, value: str) -> None:
    pool = pools.require(ctx.store, pool_id)
    risk_config.require_add_on(pool)
    user = users.require(ctx.store, pool, username)
    # Provider as for UpdateAuthEventFeedback (the links call it in the real service).
    threats.set_feedback(ctx, pool, user, event_id, value, provider="Cognito", token=token)


def _page(title: str, *, message: str | None = None, error: str | None = None,
          status: int = 200) -> HTMLResponse:
    body = templates.Markup("")
    return HTMLResponse(templates.page(title, body, message=message, error=error), status,
                        headers=PAGE_HEADERS)


async def feedback(request: Request):
    q = request.query_params
    value = VALUES.get((q.get("value") or "").lower())
    pool_id, username = q.get("pool") or "", q.get("username") or ""
    event_id, token = q.get("event") or "", q.get("token") or ""
    if value is None or not (pool_id and username and event_id and token):
        return _page("Sign-in feedback", status=400,
                     error="This link is incomplete. Open the link from the email again.")
    ctx = web_context(request, "UpdateAuthEventFeedback")
    try:
        await calls.call(False, _apply, ctx, pool_id, username, event_id, token, value)
    except CognitoError as err:
        return _page("Sign-in feedback", status=err.status, error=err.message)
    if value == "Valid":
        text = "Thank you. We recorded that this sign-in was you."
    else:
        text = ("Thank you. We recorded that this sign-in was not you. "
                "Change your password to keep your account safe.")
    return _page("Sign-in feedback", message=text)


async def logs(request: Request):
    emu = request.app.state.emu
    pool_id = request.path_params["pool_id"]
    try:
        found = log_delivery.read_lines(emu.settings, pool_id)
    except CognitoError as err:
        return JSONResponse({"__type": err.code, "message": err.message}, err.status)
    return JSONResponse({"poolId": pool_id, "destinations": found,
                         "lines": [line for lines in found.values() for line in lines]})


routes = [
    Route("/_emulator/risk/feedback", feedback, methods=["GET"]),
    Route("/_emulator/logs/{pool_id}", logs, methods=["GET"]),
]
