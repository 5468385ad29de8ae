"""/forgotpassword and /confirmforgotpassword: ForgotPassword and ConfirmForgotPassword as
the app client would call them, through the same domain code as the JSON API."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...domain import signup
from ...errors import CognitoError
from ..authorize_request import AuthRequest
from .common import client_params, run, view
from .pages import confirm_forgot_page, forgot_page, login_page, medium


def _forgot(ctx, areq: AuthRequest, username: str) -> dict:
    return signup.forgot_password(ctx, areq.client, areq.pool, client_params(areq, username))


def _confirm_forgot(ctx, areq: AuthRequest, username: str, code: str,
                    password: str) -> dict:
    params = client_params(areq, username, ConfirmationCode=code, Password=password)
    return signup.confirm_forgot_password(ctx, areq.client, areq.pool, params)


async def forgot_view(request: Request):
    got = await view(request, forgot_page)
    if isinstance(got, Response):
        return got
    areq, form = got
    username = (form.get("username") or "").strip()
    if not username:
        return forgot_page(request, areq, error="Enter your username.")
    try:
        result = await run(areq, request, "/forgotpassword", _forgot, areq, username)
    except CognitoError as err:
        return forgot_page(request, areq, username=username, error=err.message)
    details = result.get("CodeDeliveryDetails") or {}
    return confirm_forgot_page(request, areq, username=username,
                               message=f"We have sent a password reset code by "
                                       f"{medium(details)} to {details.get('Destination')}. "
                                       f"Enter it below to reset your password.")


async def confirm_forgot_view(request: Request):
    got = await view(request, confirm_forgot_page)
    if isinstance(got, Response):
        return got
    areq, form = got
    username = (form.get("username") or "").strip()
    code = (form.get("code") or "").strip()
    password = form.get("password") or ""
    if not username or not code or not password:
        return confirm_forgot_page(request, areq, username=username,
                                   error="Enter your username, the code and a new password.")
    if password != (form.get("confirm_password") or ""):
        return confirm_forgot_page(request, areq, username=username,
                                   error="The passwords don't match.")
    try:
        await run(areq, request, "/confirmforgotpassword", _confirm_forgot, areq, username,
                   code, password)
    except CognitoError as err:
        return confirm_forgot_page(request, areq, username=username, error=err.message)
    return login_page(request, areq, username=username,
                      message="Your password has been reset. Sign in with your new password.")
