"""The hosted sign-in pages (classic hosted UI / managed login): /login, /signup,
/confirmuser, /forgotpassword, /confirmforgotpassword, plus the steps a sign-in may need
on the way (new password required, MFA code, MFA choice).

They enter the same sign-in pipeline as the JSON API (auth/pipeline.py: password_first,
then answer for each challenge), so triggers, lockout, the risk engine and MFA behave as
for InitiateAuth; signup.* for the account pages. Each POST is one store transaction
(calls.run), in a worker thread when the pool has Lambda triggers.

Every page carries the authorize request in its URL (AuthRequest.url); every form a CSRF
token (sessions.csrf_*). A completed sign-in sets the hosted-UI session cookie and goes
back to the app with a code (or implicit tokens) through finish.

How the sign-in result becomes a code: the page's SignIn issues no API tokens
(issue_tokens False): the pipeline's success step ends in SignedIn(user), and the tokens
come when the code is redeemed at /oauth2/token (PreTokenGeneration fires there, with
TokenGeneration_HostedAuth). The pages remember no devices (track_devices False).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..api import calls
from ..auth import mfa, pipeline, registry
from ..auth.shared import SignedIn, SignIn
from ..domain import (
    attributes,
    branding,
    clients,
    identity_providers,
    passwords,
    pools,
    signup,
    users,
)
from ..errors import CognitoError
from . import sessions, templates
from .authorize_request import AuthRequest, cognito_sign_in_allowed, parse_authorize
from .errors import PageError, RedirectError, error_page
from .http import form_body, host_pool, is_form, redirect, web_context, with_params
from .signed_in import finish, session_user
from .templates import Markup

# The code box of each MFA challenge: ChallengeName -> ChallengeResponses key.
CODE_CHALLENGES = {"SMS_MFA": "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
                   "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE"}
MFA_LABELS = {"SMS_MFA": "Text message (SMS)", "SOFTWARE_TOKEN_MFA": "Authenticator app",
              "EMAIL_OTP": "Email"}
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                "Content-Security-Policy": "frame-ancestors 'none'"}


# --- running the sign-in -------------------------------------------------------------------

@dataclass
class Outcome:
    """What a sign-in step led to: back to the app (url + session cookie) or a challenge."""
    url: str | None = None
    cookie: str | None = None
    challenge: str | None = None
    session: str | None = None
    parameters: dict = field(default_factory=dict)
    username: str | None = None


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
        if name == "MFA_SETUP" and mfa.TOTP in _json_list(parameters.get("MFAS_CAN_SETUP")):
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


def _secret_hash(client: dict, username: str) -> str | None:
    """SECRET_HASH / SecretHash for a confidential client: the pages are its front end."""
    active = clients.secrets(client)
    return clients.secret_hash(active[0], username, client["ClientId"]) if active else None


def _client_params(areq: AuthRequest, username: str, **more) -> dict:
    """The parameters of a self-service call (SignUp, ForgotPassword ...) as the app client
    would send them, SecretHash included."""
    params = {"ClientId": areq.client["ClientId"], "Username": username, **more}
    secret_hash = _secret_hash(areq.client, username)
    if secret_hash:
        params["SecretHash"] = secret_hash
    return params


def password_step(ctx, areq: AuthRequest, username: str, password: str) -> Outcome:
    signin = _signin(ctx, areq)
    user = users.find(ctx.store, areq.pool, username)
    result = pipeline.password_first(signin, user, username, password)
    return _signed_in(ctx, areq, result, user["Username"] if user else username)


def _json_list(value) -> list:
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return found if isinstance(found, list) else []


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
    secret_hash = _secret_hash(areq.client, username) if username else None
    if secret_hash:
        responses["SECRET_HASH"] = secret_hash
    result = pipeline.answer(signin, name, responses, session)
    return _signed_in(ctx, areq, result, username)


def resume_session(ctx, request: Request, areq: AuthRequest) -> tuple[str, str] | None:
    signed_in = session_user(ctx, request, areq.pool)
    if signed_in is None:
        return None
    return finish(ctx, areq, *signed_in, new_session=False)


# --- request plumbing ---------------------------------------------------------------------

async def _start(request: Request) -> AuthRequest | Response:
    """The authorize request in the page's query string (or the response to give instead)."""
    try:
        pool = host_pool(request)
        return parse_authorize(request.app.state.emu.store, dict(request.query_params),
                                     pool)
    except PageError as err:
        return error_page(err)
    except RedirectError as err:
        return redirect(err.areq.error_url(err.error, err.description))


async def _view(request: Request, page):
    """The common start of a page: (areq, form) for a POST whose CSRF token checks out, or
    the Response to answer - for a GET the page itself, page(request, areq, username=<the
    query's username>), else an error or redirect."""
    start = await _start(request)
    if isinstance(start, Response):
        return start
    if request.method == "GET":
        return page(request, start, username=request.query_params.get("username", ""))
    form = await _posted(request)
    if isinstance(form, Response):
        return form
    return start, form


async def _posted(request: Request) -> dict | Response:
    """The form of a POST, once its CSRF token checks out."""
    if not is_form(request):
        return error_page(PageError("Unsupported form encoding.", 415))
    try:
        form, _ = await form_body(request)
    except CognitoError as err:
        return error_page(PageError(err.message, err.status))
    if not sessions.csrf_ok(request.app.state.emu, request, form):
        return error_page(PageError(
            "Invalid or missing CSRF token. Go back, reload the page and try again.", 403))
    return form


def _html(request: Request, areq: AuthRequest, title: str, build, *, status: int = 200,
          error: str | None = None, message: str | None = None) -> HTMLResponse:
    """A page; build(csrf) makes its body. Sets the XSRF-TOKEN cookie the first time."""
    emu = request.app.state.emu
    browser, new = sessions.csrf_cookie(request)
    body = build(sessions.csrf_for(emu, browser))
    css = branding.css_for(emu.store, areq.pool["Id"], areq.client["ClientId"])
    logo = branding.logo_for(emu.store, areq.pool["Id"], areq.client["ClientId"])
    page = templates.page(title, body, error=error, message=message, css=css, logo=logo,
                          logo_type=branding.media_type(logo) if logo else None)
    response = HTMLResponse(page, status, headers=PAGE_HEADERS)
    if new:
        sessions.set_csrf_cookie(response, browser)
    return response


def _done(areq: AuthRequest, outcome: Outcome) -> Response:
    return redirect(outcome.url, (areq.pool["Id"], outcome.cookie))


async def _run(areq: AuthRequest, request: Request, operation: str, fn, *args):
    ctx = web_context(request, operation, areq.pool)
    return await calls.call(calls.runs_lambdas(areq.pool), fn, ctx, *args)


def _sign_up_allowed(pool: dict) -> bool:
    return not (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")


# --- /login ---------------------------------------------------------------------------------

def _username_label(pool: dict) -> str:
    named = pools.username_attributes(pool)
    if named == ["email"]:
        return "Email"
    if named == ["phone_number"]:
        return "Phone number"
    if named:
        return "Email or phone number"
    return "Username"


def login_page(request: Request, areq: AuthRequest, *, error: str | None = None,
               message: str | None = None, username: str | None = None,
               status: int = 200) -> HTMLResponse:
    client = areq.client
    others = [p for p in (client.get("SupportedIdentityProviders") or []) if p != "COGNITO"]

    def build(csrf: str) -> Markup:
        parts = []
        if others:
            idp_links = [(with_params("/oauth2/authorize",
                                            {**areq.params, "identity_provider": name}),
                          f"Sign in with {name}") for name in others]
            parts.append(templates.links(idp_links, "idpButton-customizable"))
        if _corporate_ids(request.app.state.emu.store, areq, others):
            # Managed login's "Sign in with your corporate ID": the email's domain (or the
            # whole address) names a provider through its IdpIdentifiers.
            parts.append(templates.form(areq.url("/login"), csrf, [
                templates.field("corporate_email", "Corporate email", type="email",
                                autocomplete="email")], "Sign in with your corporate ID",
                name="corporate"))
        if cognito_sign_in_allowed(client):
            parts.append(templates.form(areq.url("/login"), csrf, [
                templates.field("username", _username_label(areq.pool), value=username or "",
                                autocomplete="username"),
                templates.field("password", "Password", type="password",
                                autocomplete="current-password"),
            ], "Sign in", name="signin"))
            items = [(areq.url("/forgotpassword"), "Forgot your password?")]
            if _sign_up_allowed(areq.pool):
                items.append((areq.url("/signup"), "Need an account? Sign up"))
            parts.append(templates.links(items))
        return templates.join(parts)

    if not cognito_sign_in_allowed(client) and not others:
        error = error or "This app client has no identity provider enabled."
    return _html(request, areq, "Sign in", build, error=error, message=message, status=status)


def new_password_page(request, areq, outcome: Outcome, *, error=None) -> HTMLResponse:
    try:
        required = json.loads(outcome.parameters.get("requiredAttributes") or "[]")
    except ValueError:
        required = []

    def build(csrf: str) -> Markup:
        fields = [templates.hidden("challenge", "NEW_PASSWORD_REQUIRED"),
                  templates.hidden("session", outcome.session),
                  templates.hidden("username", outcome.username),
                  templates.field("new_password", "New password", type="password",
                                  autocomplete="new-password"),
                  templates.field("confirm_password", "Enter new password again",
                                  type="password", autocomplete="new-password")]
        for name in required:
            attribute = name.removeprefix("userAttributes.")
            fields.append(templates.field(f"attr:{attribute}", attribute))
        return templates.form(areq.url("/login"), csrf, fields, "Send", name="newpassword")

    return _html(request, areq, "Change password", build, error=error,
                 message="Please enter a new password.")


def mfa_page(request, areq, outcome: Outcome, *, error=None) -> HTMLResponse:
    name = outcome.challenge
    parameters = outcome.parameters
    destination = parameters.get("CODE_DELIVERY_DESTINATION")
    if name == "SOFTWARE_TOKEN_MFA":
        message = "Enter the code from your authenticator app."
    elif destination:
        message = f"We sent a code to {destination}. Enter it below."
    else:
        message = "Enter the code we sent you."

    def build(csrf: str) -> Markup:
        return templates.form(areq.url("/login"), csrf, [
            templates.hidden("challenge", name), templates.hidden("session", outcome.session),
            templates.hidden("username", outcome.username),
            templates.field("code", "Code", autocomplete="one-time-code"),
        ], "Sign in", name="mfa")

    return _html(request, areq, "Multi-factor authentication", build, error=error,
                 message=message)


def select_mfa_page(request, areq, outcome: Outcome, *, error=None) -> HTMLResponse:
    try:
        choices = json.loads(outcome.parameters.get("MFAS_CAN_CHOOSE") or "[]")
    except ValueError:
        choices = []

    def build(csrf: str) -> Markup:
        return templates.form(areq.url("/login"), csrf, [
            templates.hidden("challenge", "SELECT_MFA_TYPE"),
            templates.hidden("session", outcome.session),
            templates.hidden("username", outcome.username),
            templates.radio_group("answer", [(c, MFA_LABELS.get(c, c)) for c in choices]),
        ], "Continue", name="selectmfa")

    return _html(request, areq, "Choose how to verify", build, error=error)


def totp_setup_page(request, areq, outcome: Outcome, *, error=None) -> HTMLResponse:
    secret = outcome.parameters.get("SECRET_CODE") or ""
    label = f"{areq.pool['Id']}:{outcome.username}"
    uri = with_params(f"otpauth://totp/{label}", {"secret": secret, "issuer": "Cognito"})

    def build(csrf: str) -> Markup:
        intro = Markup(
            f'<p class="textDescription-customizable">Add this key to your authenticator app, '
            f'then enter the code it shows.</p><p><code id="secret-code">{templates.esc(secret)}'
            f'</code></p><p class="hint" id="otpauth-uri">{templates.esc(uri)}</p>')
        return templates.join([intro, templates.form(areq.url("/login"), csrf, [
            templates.hidden("challenge", "MFA_SETUP"),
            templates.hidden("session", outcome.session),
            templates.hidden("username", outcome.username),
            templates.hidden("secret", secret),
            templates.field("code", "Code", autocomplete="one-time-code"),
        ], "Verify", name="mfasetup")])

    return _html(request, areq, "Set up multi-factor authentication", build, error=error)


def challenge_page(request, areq, outcome: Outcome, *, error=None) -> HTMLResponse:
    if outcome.challenge == "MFA_SETUP" and outcome.parameters.get("SECRET_CODE"):
        return totp_setup_page(request, areq, outcome, error=error)
    if outcome.challenge == "NEW_PASSWORD_REQUIRED":
        return new_password_page(request, areq, outcome, error=error)
    if outcome.challenge in CODE_CHALLENGES:
        return mfa_page(request, areq, outcome, error=error)
    if outcome.challenge == "SELECT_MFA_TYPE":
        return select_mfa_page(request, areq, outcome, error=error)
    # MFA_SETUP, custom challenges, ...: not something these pages can walk a user through.
    return login_page(request, areq, status=400,
                      error=f"The {outcome.challenge} step is not supported by this emulator's "
                            f"hosted UI. Sign in through the API instead.")


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
    start = await _start(request)
    if isinstance(start, Response):
        return start
    areq = start
    if request.method == "GET":
        if "login" not in (areq.prompt or "").split():
            resumed = await _run(areq, request, "/login", resume_session, request, areq)
            if resumed is not None:
                return redirect(resumed[0])
        return login_page(request, areq, username=areq.login_hint)

    form = await _posted(request)
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
            outcome = await _run(areq, request, "/login", challenge_step, areq, name,
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
            outcome = await _run(areq, request, "/login", password_step, areq, username,
                                 password)
        except CognitoError as err:
            return _sign_in_refused(request, areq, err, username)
    if outcome.url:
        return _done(areq, outcome)
    return challenge_page(request, areq, outcome)


def _corporate_ids(store, areq: AuthRequest, names: list[str]) -> dict[str, str]:
    """{identifier: provider name} of the client's providers that declare IdpIdentifiers."""
    found = {}
    for name in names:
        provider = identity_providers.get(store, areq.pool["Id"], name)
        for identifier in (provider or {}).get("IdpIdentifiers") or []:
            found[identifier.lower()] = name
    return found


def _corporate_sign_in(request, areq: AuthRequest, email: str) -> Response:
    others = [p for p in (areq.client.get("SupportedIdentityProviders") or []) if p != "COGNITO"]
    known = _corporate_ids(request.app.state.emu.store, areq, others)
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


# --- /signup ---------------------------------------------------------------------------------

def signup_fields(pool: dict) -> list[tuple[str, str, str]]:
    """(attribute, label, input type) of the sign-up form besides username and password:
    the contact attributes the pool verifies or requires, then other required ones."""
    named = pools.username_attributes(pool)
    schema = attributes.definitions(pool)
    auto = pool.get("AutoVerifiedAttributes") or []
    aliases = pools.alias_attributes(pool)
    out = []
    for name, label, kind in (("email", "Email", "email"),
                              ("phone_number", "Phone number", "tel")):
        if name in named:
            continue
        if name in auto or name in aliases or schema.get(name, {}).get("Required"):
            out.append((name, label, kind))
    for name, definition in schema.items():
        if definition.get("Required") and name not in ("sub", "email", "phone_number") \
                and name not in named:
            out.append((name, name, "text"))
    return out


def signup_page(request, areq, *, values: dict | None = None, error=None) -> HTMLResponse:
    values = values or {}

    def build(csrf: str) -> Markup:
        fields = [templates.field("username", _username_label(areq.pool),
                                  value=values.get("username", ""), autocomplete="username")]
        for name, label, kind in signup_fields(areq.pool):
            required = bool(attributes.definitions(areq.pool).get(name, {}).get("Required"))
            fields.append(templates.field(f"attr:{name}", label, type=kind,
                                          value=values.get(f"attr:{name}", ""),
                                          required=required))
        fields.append(templates.field("password", "Password", type="password",
                                      autocomplete="new-password"))
        return templates.join([
            templates.form(areq.url("/signup"), csrf, fields, "Sign up", name="signup"),
            templates.links([(areq.url("/login"), "Already have an account? Sign in")])])

    return _html(request, areq, "Sign up", build, error=error)


def _sign_up(ctx, areq: AuthRequest, form: dict) -> dict:
    username = (form.get("username") or "").strip()
    attrs = [{"Name": k[5:], "Value": v.strip()} for k, v in form.items()
             if k.startswith("attr:") and v.strip()]
    params = _client_params(areq, username, Password=form.get("password") or "",
                            UserAttributes=attrs)
    return signup.sign_up(ctx, areq.client, areq.pool, params)


async def signup_view(request: Request):
    start = await _start(request)
    if isinstance(start, Response):
        return start
    areq = start
    if not _sign_up_allowed(areq.pool) or not cognito_sign_in_allowed(areq.client):
        return login_page(request, areq, status=400,
                          error="Sign-up is not permitted for this user pool.")
    if request.method == "GET":
        return signup_page(request, areq)
    form = await _posted(request)
    if isinstance(form, Response):
        return form
    username = (form.get("username") or "").strip()
    if not username:
        return signup_page(request, areq, values=form, error="Enter a username.")
    try:
        result = await _run(areq, request, "/signup", _sign_up, areq, form)
    except CognitoError as err:
        return signup_page(request, areq, values=form, error=err.message)
    if result.get("UserConfirmed"):
        return login_page(request, areq, username=username,
                          message="Your account is confirmed. Sign in.")
    details = result.get("CodeDeliveryDetails")
    if details:
        return confirm_page(request, areq, username=username,
                            message=f"We have sent a code by {_medium(details)} to "
                                    f"{details.get('Destination')}. Enter it below to "
                                    f"confirm your account.")
    return login_page(request, areq, username=username,
                      message="You are signed up. An administrator must confirm your account "
                              "before you can sign in.")


def _medium(details: dict) -> str:
    return "text message" if details.get("DeliveryMedium") == "SMS" else "email"


# --- /confirmuser ----------------------------------------------------------------------------

def confirm_page(request, areq, *, username: str = "", error=None, message=None) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        return templates.form(areq.url("/confirmuser"), csrf, [
            templates.field("username", _username_label(areq.pool), value=username,
                            autocomplete="username"),
            templates.field("code", "Verification code", autocomplete="one-time-code",
                            required=False),
        ], "Confirm account", name="confirm", extra_buttons=[Markup(
            '<button type="submit" class="secondary" name="action" value="resend" '
            'formnovalidate>Resend code</button>')])

    return _html(request, areq, "Confirm your account", build, error=error,
                 message=message or "Enter the code we sent you.")


def _confirm(ctx, areq: AuthRequest, username: str, code: str, resend: bool) -> dict:
    params = _client_params(areq, username)
    if resend:
        return signup.resend_confirmation_code(ctx, areq.client, areq.pool, params)
    params["ConfirmationCode"] = code
    return signup.confirm_sign_up(ctx, areq.client, areq.pool, params)


async def confirm_view(request: Request):
    got = await _view(request, confirm_page)
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
        result = await _run(areq, request, "/confirmuser", _confirm, areq, username, code,
                            resend)
    except CognitoError as err:
        return confirm_page(request, areq, username=username, error=err.message)
    if resend:
        details = result.get("CodeDeliveryDetails") or {}
        return confirm_page(request, areq, username=username,
                            message=f"We have sent a new code by {_medium(details)} to "
                                    f"{details.get('Destination')}.")
    # Cognito's own pages may sign the user straight in here; these pages ask for the
    # password again, so that the sign-in runs every check and trigger (UNCONFIRMED).
    return login_page(request, areq, username=username,
                      message="Your account is confirmed. Sign in.")


# --- /forgotpassword and /confirmforgotpassword ----------------------------------------------

def forgot_page(request, areq, *, username: str = "", error=None) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        return templates.join([
            templates.form(areq.url("/forgotpassword"), csrf, [
                templates.field("username", _username_label(areq.pool), value=username,
                                autocomplete="username"),
            ], "Reset my password", name="forgot"),
            templates.links([(areq.url("/login"), "Back to sign in")])])

    return _html(request, areq, "Forgot your password?", build, error=error,
                 message="Enter your username and we will send you a code to reset your "
                         "password.")


def confirm_forgot_page(request, areq, *, username: str = "", error=None,
                        message=None) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        return templates.form(areq.url("/confirmforgotpassword"), csrf, [
            templates.field("username", _username_label(areq.pool), value=username,
                            autocomplete="username"),
            templates.field("code", "Code", autocomplete="one-time-code"),
            templates.field("password", "New password", type="password",
                            autocomplete="new-password"),
            templates.field("confirm_password", "Enter new password again", type="password",
                            autocomplete="new-password"),
        ], "Change password", name="confirmforgot")

    return _html(request, areq, "Reset your password", build, error=error, message=message)


def _forgot(ctx, areq: AuthRequest, username: str) -> dict:
    return signup.forgot_password(ctx, areq.client, areq.pool, _client_params(areq, username))


def _confirm_forgot(ctx, areq: AuthRequest, username: str, code: str,
                    password: str) -> dict:
    params = _client_params(areq, username, ConfirmationCode=code, Password=password)
    return signup.confirm_forgot_password(ctx, areq.client, areq.pool, params)


async def forgot_view(request: Request):
    got = await _view(request, forgot_page)
    if isinstance(got, Response):
        return got
    areq, form = got
    username = (form.get("username") or "").strip()
    if not username:
        return forgot_page(request, areq, error="Enter your username.")
    try:
        result = await _run(areq, request, "/forgotpassword", _forgot, areq, username)
    except CognitoError as err:
        return forgot_page(request, areq, username=username, error=err.message)
    details = result.get("CodeDeliveryDetails") or {}
    return confirm_forgot_page(request, areq, username=username,
                               message=f"We have sent a password reset code by "
                                       f"{_medium(details)} to {details.get('Destination')}. "
                                       f"Enter it below to reset your password.")


async def confirm_forgot_view(request: Request):
    got = await _view(request, confirm_forgot_page)
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
        await _run(areq, request, "/confirmforgotpassword", _confirm_forgot, areq, username,
                   code, password)
    except CognitoError as err:
        return confirm_forgot_page(request, areq, username=username, error=err.message)
    return login_page(request, areq, username=username,
                      message="Your password has been reset. Sign in with your new password.")


def _both_cases(path: str, endpoint, names: tuple[str, ...]) -> list[Route]:
    return [Route(p, endpoint, methods=["GET", "POST"]) for p in (path, *names)]


# Lower-case paths as the reference names them, plus the classic hosted UI's spellings.
routes = [
    Route("/login", login, methods=["GET", "POST"]),
    *_both_cases("/signup", signup_view, ()),
    *_both_cases("/confirmuser", confirm_view, ("/confirmUser", "/confirm")),
    *_both_cases("/forgotpassword", forgot_view, ("/forgotPassword",)),
    *_both_cases("/confirmforgotpassword", confirm_forgot_view, ("/confirmForgotPassword",)),
]
