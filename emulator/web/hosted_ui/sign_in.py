"""/login and the steps of a sign-in (new password, MFA code or choice, authenticator setup):
the page's SignIn enters the sign-in pipeline like the JSON API's (pipeline.password_first,
pipeline.answer) and ends in SignedIn -> finish (a code for the app and the hosted-UI
session). "Sign in with your corporate ID" routes an email to the SAML provider whose
IdpIdentifiers name its domain."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ...auth import mfa, pipeline, registry
from ...auth.shared import SignedIn, SignIn
from ...domain import passwords, users
from ...errors import CognitoError
from ..authorize_request import AuthRequest, cognito_sign_in_allowed
from ..http import redirect, with_params
from ..signed_in import finish, session_user
from .common import Outcome, client_secret_hash, done, json_list, page_request, posted, run
from .pages import (
    CODE_CHALLENGES,
    challenge_page,
    confirm_page,
    corporate_ids,
    forgot_page,
    login_page,
)


def _signin(ctx, areq: AuthRequest, *, responding: bool = False) -> SignIn:
    return pipeline.new_signin(ctx, areq.pool, areq.client,
                               context_data={"IpAddress": ctx.source_ip}, responding=responding,
                               issue_tokens=False, track_devices=False)


def _signed_in(ctx, areq: AuthRequest, result: dict | SignedIn,
               typed: str | None) -> Outcome:
    """Turn a pipeline result into the next page: a challenge, or the user signed in."""
    if not isinstance(result, SignedIn):
        parameters = dict(result.get("ChallengeParameters") or {})
        name, session = result.get("ChallengeName"), result.get("Session")
        if name == "MFA_SETUP" and mfa.TOTP in json_list(parameters.get("MFAS_CAN_SETUP")):
            # Set up an authenticator app right away, as AssociateSoftwareToken would.
            parameters["SECRET_CODE"], session = mfa.associate_during_setup(ctx, session)
        return Outcome(challenge=name, session=session, parameters=parameters,
                       username=parameters.get("USER_ID_FOR_SRP") or parameters.get("USERNAME")
                       or typed)
    # Read again: a PostAuthentication function may have changed (or deleted) the user.
    user = users.get(ctx.store, areq.pool, result.user["Username"])
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    url, cookie = finish(ctx, areq, user, int(ctx.now()))
    return Outcome(url=url, cookie=cookie)


def password_step(ctx, areq: AuthRequest, username: str, password: str) -> Outcome:
    signin = _signin(ctx, areq)
    user = users.find(ctx.store, areq.pool, username)
    result = pipeline.password_first(signin, user, username, password)
    return _signed_in(ctx, areq, result, user["Username"] if user else username)


def challenge_step(ctx, areq: AuthRequest, name: str, session: str,
                   responses: dict) -> Outcome:
    """Answer a challenge as RespondToAuthChallenge would (the same responder)."""
    signin = _signin(ctx, areq, responding=True)
    if name == "MFA_SETUP":
        # The authenticator's first code, as VerifySoftwareToken checks it; its Session
        # then answers MFA_SETUP.
        session = mfa.verify_during_setup(ctx, session, responses.pop("CODE"), None)
    if name not in registry.RESPONDERS and name not in registry.MFA_RESPONDERS:
        raise CognitoError("InvalidParameterException",
                           f"The {name} step is not supported by this emulator's hosted UI.")
    username = responses.get("USERNAME")
    secret_hash = client_secret_hash(areq.client, username) if username else None
    if secret_hash:
        responses["SECRET_HASH"] = secret_hash
    result = pipeline.answer(signin, name, responses, session)
    return _signed_in(ctx, areq, result, username)


def resume_session(ctx, request: Request, areq: AuthRequest) -> tuple[str, str] | None:
    signed_in = session_user(ctx, request, areq.pool, areq.client)
    if signed_in is None:
        return None
    return finish(ctx, areq, *signed_in, new_session=False)


def _challenge_responses(form: dict) -> tuple[dict, str | None]:
    """(ChallengeResponses for the posted challenge form, a problem to show on the page
    before the session is spent)."""
    name = form.get("challenge")
    responses = {"USERNAME": form.get("username") or ""}
    if name == "NEW_PASSWORD_REQUIRED":
        responses["NEW_PASSWORD"] = form.get("new_password") or ""
        if responses["NEW_PASSWORD"] != (form.get("confirm_password") or ""):
            return responses, "The passwords don't match."
        for key, value in form.items():
            if key.startswith("attr:") and value:
                responses[f"userAttributes.{key[5:]}"] = value
    elif name in CODE_CHALLENGES:
        responses[CODE_CHALLENGES[name]] = (form.get("code") or "").strip()
    elif name == "SELECT_MFA_TYPE":
        responses["ANSWER"] = form.get("answer") or ""
    elif name == "MFA_SETUP":
        responses["CODE"] = (form.get("code") or "").strip()
    return responses, None


async def login(request: Request):
    start = await page_request(request)
    if isinstance(start, Response):
        return start
    areq = start
    if request.method == "GET":
        if "login" not in (areq.prompt or "").split():
            resumed = await run(areq, request, "/login", resume_session, request, areq)
            if resumed is not None:
                return redirect(resumed[0])
        return login_page(request, areq, username=areq.login_hint)

    form = await posted(request)
    if isinstance(form, Response):
        return form
    if "corporate_email" in form:
        return _corporate_sign_in(request, areq, form["corporate_email"].strip())
    if not cognito_sign_in_allowed(areq.client):
        return login_page(request, areq, status=400,
                          error="Sign-in with a user-pool password is not enabled for this "
                                "app client.")
    name = form.get("challenge")
    if name:
        responses, problem = _challenge_responses(form)
        shown = Outcome(challenge=name, session=form.get("session"),
                        username=form.get("username"),
                        parameters={"SECRET_CODE": form.get("secret") or ""})
        if problem:
            return challenge_page(request, areq, shown, error=problem)
        if name == "NEW_PASSWORD_REQUIRED":
            try:  # refuse a weak password before the single-use session is spent
                passwords.check(areq.pool, responses["NEW_PASSWORD"])
            except CognitoError as err:
                return challenge_page(request, areq, shown, error=err.message)
        try:
            outcome = await run(areq, request, "/login", challenge_step, areq, name,
                                 form.get("session") or "", responses)
        except CognitoError as err:
            if err.code in ("CodeMismatchException", "EnableSoftwareTokenMFAException") \
                    and (name in CODE_CHALLENGES or name == "MFA_SETUP"):
                # A mistyped code: the session takes a few more tries (auth/mfa.py).
                return challenge_page(request, areq, shown, error=err.message)
            # Anything else used the challenge's session up: sign in again.
            return login_page(request, areq, error=err.message, username=form.get("username"))
    else:
        username = (form.get("username") or "").strip()
        password = form.get("password") or ""
        if not username or not password:
            return login_page(request, areq, error="Enter your username and password.",
                              username=username)
        try:
            outcome = await run(areq, request, "/login", password_step, areq, username,
                                 password)
        except CognitoError as err:
            return _sign_in_refused(request, areq, err, username)
    if outcome.url:
        return done(areq, outcome)
    return challenge_page(request, areq, outcome)


def _corporate_sign_in(request, areq: AuthRequest, email: str) -> Response:
    others = [p for p in (areq.client.get("SupportedIdentityProviders") or []) if p != "COGNITO"]
    known = corporate_ids(request.app.state.emu.store, areq, others)
    address = email.lower()
    name = known.get(address) or known.get(address.rpartition("@")[2])
    if name is None:
        # Wording UNCONFIRMED.
        return login_page(request, areq, status=400,
                          error="No identity provider is set up for this email address.")
    return redirect(with_params("/oauth2/authorize",
                                            {**areq.params, "identity_provider": name}))


def _sign_in_refused(request, areq, err: CognitoError, username: str) -> HTMLResponse:
    if err.code == "UserNotConfirmedException":
        return confirm_page(request, areq, username=username, error=err.message)
    if err.code == "PasswordResetRequiredException":
        return forgot_page(request, areq, username=username, error=err.message)
    return login_page(request, areq, error=err.message, username=username)
