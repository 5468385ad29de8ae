"""/signup and /confirmuser: SignUp and ConfirmSignUp (resend included) as the app client would
call them, SecretHash included, through the same domain code as the JSON API."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...domain import signup
from ...errors import CognitoError
from ..authorize_request import AuthRequest, cognito_sign_in_allowed
from .common import client_params, page_request, posted, run, sign_up_allowed, view
from .pages import confirm_page, login_page, medium, signup_page


def _sign_up(ctx, areq: AuthRequest, form: dict) -> dict:
    username = (form.get("username") or "").strip()
    attrs = [{"Name": k[5:], "Value": v.strip()} for k, v in form.items()
             if k.startswith("attr:") and v.strip()]
    params = client_params(areq, username, Password=form.get("password") or "",
                            UserAttributes=attrs)
    return signup.sign_up(ctx, areq.client, areq.pool, params)


async def signup_view(request: Request):
    start = await page_request(request)
    if isinstance(start, Response):
        return start
    areq = start
    if not sign_up_allowed(areq.pool) or not cognito_sign_in_allowed(areq.client):
        return login_page(request, areq, status=400,
                          error="Sign-up is not permitted for this user pool.")
    if request.method == "GET":
        return signup_page(request, areq)
    form = await posted(request)
    if isinstance(form, Response):
        return form
    username = (form.get("username") or "").strip()
    if not username:
        return signup_page(request, areq, values=form, error="Enter a username.")
    try:
        result = await run(areq, request, "/signup", _sign_up, areq, form)
    except CognitoError as err:
        return signup_page(request, areq, values=form, error=err.message)
    if result.get("UserConfirmed"):
        return login_page(request, areq, username=username,
                          message="Your account is confirmed. Sign in.")
    details = result.get("CodeDeliveryDetails")
    if details:
        return confirm_page(request, areq, username=username,
                            message=f"We have sent a code by {medium(details)} to "
                                    f"{details.get('Destination')}. Enter it below to "
                                    f"confirm your account.")
    return login_page(request, areq, username=username,
                      message="You are signed up. An administrator must confirm your account "
                              "before you can sign in.")


def _confirm(ctx, areq: AuthRequest, username: str, code: str, resend: bool) -> dict:
    params = client_params(areq, username)
    if resend:
        return signup.resend_confirmation_code(ctx, areq.client, areq.pool, params)
    params["ConfirmationCode"] = code
    return signup.confirm_sign_up(ctx, areq.client, areq.pool, params)


async def confirm_view(request: Request):
    got = await view(request, confirm_page)
    if isinstance(got, Response):
        return got
    areq, form = got
    username = (form.get("username") or "").strip()
    code = (form.get("code") or "").strip()
    resend = form.get("action") == "resend"
    if not username or (not resend and not code):
        return confirm_page(request, areq, username=username,
                            error="Enter your username and the code.")
    try:
        result = await run(areq, request, "/confirmuser", _confirm, areq, username, code,
                            resend)
    except CognitoError as err:
        return confirm_page(request, areq, username=username, error=err.message)
    if resend:
        details = result.get("CodeDeliveryDetails") or {}
        return confirm_page(request, areq, username=username,
                            message=f"We have sent a new code by {medium(details)} to "
                                    f"{details.get('Destination')}.")
    # Cognito's own pages may sign the user straight in here; these pages ask for the
    # password again, so that the sign-in runs every check and trigger (UNCONFIRMED).
    return login_page(request, areq, username=username,
                      message="Your account is confirmed. Sign in.")
