"""Adaptive-authentication notices: the email a user gets when an automated response fires
(block, allow with notify, optional / required MFA) and the risk level's Notify is true
(COGNITO_REFERENCE 5.6). Rendered from the effective risk configuration's
AccountTakeoverRiskConfiguration.NotifyConfiguration (BlockEmail / NoActionEmail / MfaEmail)
into the outbox, to the user's email address even when it isn't verified.

Placeholders: {username} {ip-address} {city} {country} {login-time} {device-name}
{one-click-link-valid} {one-click-link-invalid} {event-id} {feedback-token}.

The one-click links point at the emulator (/_emulator/risk/feedback, emulator/web/
risk_feedback.py); real Cognito hosts them on the user pool's domain."""
from __future__ import annotations

import html
import time
from urllib.parse import urlencode

from . import outbox

PURPOSE = "ACCOUNT_TAKEOVER_NOTIFICATION"
FEEDBACK_PATH = "/_emulator/risk/feedback"

# Texts used when the configuration has no template for the action. AWS doesn't publish the
# console's default wording in the docs we could find: these are our own (UNCONFIRMED).
DEFAULT_TEMPLATES = {
    "BlockEmail": {
        "Subject": "Blocked sign-in attempt",
        "TextBody": (
            "We blocked an unrecognized sign-in to your account ({username}).\n"
            "Time: {login-time}\nDevice: {device-name}\nLocation: {city}, {country}\n"
            "IP address: {ip-address}\n\n"
            "If this was you, let us know: {one-click-link-valid}\n"
            "If this wasn't you, change your password and tell us: {one-click-link-invalid}\n"),
        "HtmlBody": (
            "<p>We blocked an unrecognized sign-in to your account ({username}).</p>"
            "<ul><li>Time: {login-time}</li><li>Device: {device-name}</li>"
            "<li>Location: {city}, {country}</li><li>IP address: {ip-address}</li></ul>"
            "<p>If this was you, <a href=\"{one-click-link-valid}\">let us know</a>. "
            "If this wasn't you, change your password and "
            "<a href=\"{one-click-link-invalid}\">tell us</a>.</p>"),
    },
    "NoActionEmail": {
        "Subject": "New sign-in to your account",
        "TextBody": (
            "We noticed an unrecognized sign-in to your account ({username}).\n"
            "Time: {login-time}\nDevice: {device-name}\nLocation: {city}, {country}\n"
            "IP address: {ip-address}\n\n"
            "If this was you: {one-click-link-valid}\n"
            "If this wasn't you, change your password and tell us: {one-click-link-invalid}\n"),
        "HtmlBody": (
            "<p>We noticed an unrecognized sign-in to your account ({username}).</p>"
            "<ul><li>Time: {login-time}</li><li>Device: {device-name}</li>"
            "<li>Location: {city}, {country}</li><li>IP address: {ip-address}</li></ul>"
            "<p>If this was you, <a href=\"{one-click-link-valid}\">let us know</a>. "
            "If this wasn't you, change your password and "
            "<a href=\"{one-click-link-invalid}\">tell us</a>.</p>"),
    },
    "MfaEmail": {
        "Subject": "Verification required for a new sign-in",
        "TextBody": (
            "We asked for multi-factor authentication on a sign-in to your account "
            "({username}).\n"
            "Time: {login-time}\nDevice: {device-name}\nLocation: {city}, {country}\n"
            "IP address: {ip-address}\n\n"
            "If this was you: {one-click-link-valid}\n"
            "If this wasn't you, change your password and tell us: {one-click-link-invalid}\n"),
        "HtmlBody": (
            "<p>We asked for multi-factor authentication on a sign-in to your account "
            "({username}).</p>"
            "<ul><li>Time: {login-time}</li><li>Device: {device-name}</li>"
            "<li>Location: {city}, {country}</li><li>IP address: {ip-address}</li></ul>"
            "<p>If this was you, <a href=\"{one-click-link-valid}\">let us know</a>. "
            "If this wasn't you, change your password and "
            "<a href=\"{one-click-link-invalid}\">tell us</a>.</p>"),
    },
}


def feedback_links(base_url: str, pool_id: str, username: str, event_id: str,
                   token: str) -> dict[str, str]:
    """{"Valid": url, "Invalid": url}: the one-click links of one event."""
    def link(value: str) -> str:
        query = urlencode({"pool": pool_id, "username": username, "event": event_id,
                           "token": token, "value": value})
        return f"{base_url}{FEEDBACK_PATH}?{query}"
    return {"Valid": link("Valid"), "Invalid": link("Invalid")}


def login_time(epoch: float) -> str:
    # Cognito's format for {login-time} is not documented (UNCONFIRMED).
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def placeholders(base_url: str, pool_id: str, user: dict, event: dict,
                 token: str) -> dict[str, str]:
    context = event.get("EventContextData") or {}
    links = feedback_links(base_url, pool_id, user["Username"], event["EventId"], token)
    return {"username": user["Username"], "ip-address": context.get("IpAddress") or "",
            "city": context.get("City") or "", "country": context.get("Country") or "",
            "login-time": login_time(event["CreationDate"]),
            "device-name": context.get("DeviceName") or "Unknown device",
            "one-click-link-valid": links["Valid"], "one-click-link-invalid": links["Invalid"],
            "event-id": event["EventId"], "feedback-token": token}


def render(text: str | None, values: dict[str, str], *, as_html: bool = False) -> str | None:
    """Replace each {placeholder}; values are HTML-escaped in HTML bodies (a device name is
    whatever User-Agent the caller sent)."""
    if text is None:
        return None
    for name, value in values.items():
        text = text.replace("{" + name + "}", html.escape(value) if as_html else value)
    return text


def template_for(notify_configuration: dict | None, email: str) -> dict:
    configured = (notify_configuration or {}).get(email)
    return configured if configured else DEFAULT_TEMPLATES[email]


def send(ctx, pool: dict, user: dict, event: dict, decision, token: str) -> dict | None:
    """Render decision.email for the event into the outbox. None when the user has no
    email address (nothing can be sent; Cognito's behaviour there is UNCONFIRMED)."""
    address = user["Attributes"].get("email")
    if not address:
        return None
    from . import risk_config
    rc = risk_config.effective(ctx.store, pool, event.get("_clientId")) or {}
    notify = (rc.get("AccountTakeoverRiskConfiguration") or {}).get("NotifyConfiguration") or {}
    template = template_for(notify, decision.email)
    values = placeholders(ctx.settings.base_url, pool["Id"], user, event, token)
    text = render(template.get("TextBody"), values)
    body = render(template.get("HtmlBody"), values, as_html=True)
    subject = render(template["Subject"], values)
    # The outbox keeps one text; the notice's other parts ride along for tests and people.
    return outbox.send(ctx, pool_id=pool["Id"], username=user["Username"], purpose=PURPOSE,
                       medium="EMAIL", destination=address, subject=subject,
                       message=text if text is not None else body,
                       details={"htmlBody": body, "textBody": text, "template": decision.email,
                                "from": notify.get("From"), "replyTo": notify.get("ReplyTo"),
                                "sourceArn": notify.get("SourceArn"),
                                "eventId": event["EventId"]})
