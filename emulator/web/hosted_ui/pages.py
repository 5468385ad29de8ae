"""The hosted pages themselves: what each shows (login, the sign-in steps, sign-up, confirmation,
password recovery). Views decide which page to show; the pages only draw."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse

from ...domain import attributes, identity_providers, pools, terms
from .. import templates
from ..authorize_request import AuthRequest, cognito_sign_in_allowed
from ..http import with_params
from ..templates import Markup
from .common import Outcome, html, sign_up_allowed

# The code box of each MFA challenge: ChallengeName -> ChallengeResponses key.
CODE_CHALLENGES = {"SMS_MFA": "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
                   "EMAIL_OTP": "EMAIL_OTP_CODE", "SMS_OTP": "SMS_OTP_CODE"}


MFA_LABELS = {"SMS_MFA": "Text message (SMS)", "SOFTWARE_TOKEN_MFA": "Authenticator app",
              "EMAIL_OTP": "Email"}


def username_label(pool: dict) -> str:
    named = pools.username_attributes(pool)
    if named == ["email"]:
        return "Email"
    if named == ["phone_number"]:
        return "Phone number"
    if named:
        return "Email or phone number"
    return "Username"


def corporate_ids(store, areq: AuthRequest, names: list[str]) -> dict[str, str]:
    """{identifier: provider name} of the client's providers that declare IdpIdentifiers."""
    found = {}
    for name in names:
        provider = identity_providers.get(store, areq.pool["Id"], name)
        for identifier in (provider or {}).get("IdpIdentifiers") or []:
            found[identifier.lower()] = name
    return found


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
        if corporate_ids(request.app.state.emu.store, areq, others):
            # Managed login's "Sign in with your corporate ID": the email's domain (or the
            # whole address) names a provider through its IdpIdentifiers.
            parts.append(templates.form(areq.url("/login"), csrf, [
                templates.field("corporate_email", "Corporate email", type="email",
                                autocomplete="email")], "Sign in with your corporate ID",
                name="corporate"))
        if cognito_sign_in_allowed(client):
            parts.append(templates.form(areq.url("/login"), csrf, [
                templates.field("username", username_label(areq.pool), value=username or "",
                                autocomplete="username"),
                templates.field("password", "Password", type="password",
                                autocomplete="current-password"),
            ], "Sign in", name="signin"))
            items = [(areq.url("/forgotpassword"), "Forgot your password?")]
            if sign_up_allowed(areq.pool):
                items.append((areq.url("/signup"), "Need an account? Sign up"))
            parts.append(templates.links(items))
        return templates.join(parts)

    if not cognito_sign_in_allowed(client) and not others:
        error = error or "This app client has no identity provider enabled."
    return html(request, areq, "Sign in", build, error=error, message=message, status=status)


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

    return html(request, areq, "Change password", build, error=error,
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

    return html(request, areq, "Multi-factor authentication", build, error=error,
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

    return html(request, areq, "Choose how to verify", build, error=error)


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

    return html(request, areq, "Set up multi-factor authentication", build, error=error)


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
        fields = [templates.field("username", username_label(areq.pool),
                                  value=values.get("username", ""), autocomplete="username")]
        for name, label, kind in signup_fields(areq.pool):
            required = bool(attributes.definitions(areq.pool).get(name, {}).get("Required"))
            fields.append(templates.field(f"attr:{name}", label, type=kind,
                                          value=values.get(f"attr:{name}", ""),
                                          required=required))
        fields.append(templates.field("password", "Password", type="password",
                                      autocomplete="new-password"))
        fields.append(terms_notice(request.app.state.emu.store, areq))
        return templates.join([
            templates.form(areq.url("/signup"), csrf, fields, "Sign up", name="signup"),
            templates.links([(areq.url("/login"), "Already have an account? Sign in")])])

    return html(request, areq, "Sign up", build, error=error)


TERMS_LABELS = {"terms-of-use": "Terms of use", "privacy-policy": "Privacy policy"}


def terms_notice(store, areq: AuthRequest) -> Markup:
    """Managed login's line under the sign-up form once the client has both terms documents
    (domain/terms.py), linked in the page's language (`lang`, else English; no language
    cookie here). Enforcement is NONE, the model's only value: a notice, no checkbox. The
    classic hosted UI and managed login are one set of pages here, so both show it
    (UNCONFIRMED for the classic hosted UI)."""
    found = terms.sign_up_links(store, areq.client, areq.params.get("lang"))
    if not found:
        return Markup("")

    def link(name: str) -> str:
        label, url = templates.esc(TERMS_LABELS[name]), found[name]
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return label    # not a web address: shown without a link (no javascript: href)
        return (f'<a class="redirect-customizable" id="{name}" href="{templates.esc(url)}" '
                f'target="_blank" rel="noopener noreferrer">{label}</a>')

    return Markup(f'<p class="textDescription-customizable" id="terms">By signing up, you '
                  f'agree to our {link("terms-of-use")} and {link("privacy-policy")}.</p>')


def medium(details: dict) -> str:
    return "text message" if details.get("DeliveryMedium") == "SMS" else "email"


def confirm_page(request, areq, *, username: str = "", error=None, message=None) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        return templates.form(areq.url("/confirmuser"), csrf, [
            templates.field("username", username_label(areq.pool), value=username,
                            autocomplete="username"),
            templates.field("code", "Verification code", autocomplete="one-time-code",
                            required=False),
        ], "Confirm account", name="confirm", extra_buttons=[Markup(
            '<button type="submit" class="secondary" name="action" value="resend" '
            'formnovalidate>Resend code</button>')])

    return html(request, areq, "Confirm your account", build, error=error,
                 message=message or "Enter the code we sent you.")


def forgot_page(request, areq, *, username: str = "", error=None) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        return templates.join([
            templates.form(areq.url("/forgotpassword"), csrf, [
                templates.field("username", username_label(areq.pool), value=username,
                                autocomplete="username"),
            ], "Reset my password", name="forgot"),
            templates.links([(areq.url("/login"), "Back to sign in")])])

    return html(request, areq, "Forgot your password?", build, error=error,
                 message="Enter your username and we will send you a code to reset your "
                         "password.")


def confirm_forgot_page(request, areq, *, username: str = "", error=None,
                        message=None) -> HTMLResponse:
    def build(csrf: str) -> Markup:
        return templates.form(areq.url("/confirmforgotpassword"), csrf, [
            templates.field("username", username_label(areq.pool), value=username,
                            autocomplete="username"),
            templates.field("code", "Code", autocomplete="one-time-code"),
            templates.field("password", "New password", type="password",
                            autocomplete="new-password"),
            templates.field("confirm_password", "Enter new password again", type="password",
                            autocomplete="new-password"),
        ], "Change password", name="confirmforgot")

    return html(request, areq, "Reset your password", build, error=error, message=message)
