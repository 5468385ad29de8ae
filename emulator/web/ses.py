"""Amazon SES v2 SendEmail, so that Lambda handlers can mail as they would in AWS.

Handlers run with AWS_ENDPOINT_URL_SESV2 pointing here (emulator/lambdas), so
`boto3.client("sesv2").send_email(...)` or the JS SDK's SendEmailCommand in a custom-auth
Create function delivers into the outbox instead of leaving the machine (and, with
--smtp-url, through the relay as real mail once this call commits: domain/outbox.py; one
mail per address, Cc and Bcc as To). Only simple (subject + body) content is supported; raw
and templated mail get a clear error.
"""
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..api import body as bodies
from ..domain import outbox
from ..errors import CognitoError
from .http import web_context


def _error(code: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"message": message}, status, headers={"x-amzn-ErrorType": code})


def _object(value, where: str) -> dict:
    """A member that must be a JSON object (absent or null: an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object.")
    return value


def _text(value, where: str) -> str | None:
    """Subject or a body part: {"Data": "..."} (absent or null: None)."""
    data = _object(value, where).get("Data")
    if data is not None and not isinstance(data, str):
        raise ValueError(f"{where}.Data must be a string.")
    return data


async def send_email(request: Request):
    settings = request.app.state.emu.settings
    try:
        body = bodies.decode(await bodies.read(request, settings.max_body_bytes,
                                               settings.body_timeout))
    except CognitoError as err:  # not JSON, too large, too slow
        return _error("BadRequestException", err.message, err.status)
    try:
        body = _object(body, "The request body")
        simple = _object(body.get("Content"), "Content").get("Simple")
        if not isinstance(simple, dict):
            return _error("BadRequestException", "Only Content.Simple is supported by this "
                          "emulator (Raw and Template mail are not).")
        destination = _object(body.get("Destination"), "Destination")
        recipients = []
        for part in ("ToAddresses", "CcAddresses", "BccAddresses"):
            addresses = destination.get(part) or []
            if not isinstance(addresses, list):
                raise ValueError(f"Destination.{part} must be a list of addresses.")
            recipients += [a for a in addresses if isinstance(a, str)]
        if not recipients:
            raise ValueError("Destination must name at least one address.")
        subject = _text(simple.get("Subject"), "Content.Simple.Subject")
        parts = _object(simple.get("Body"), "Content.Simple.Body")
        plain = _text(parts.get("Text"), "Content.Simple.Body.Text")
        markup = _text(parts.get("Html"), "Content.Simple.Body.Html")
        text = plain or markup or ""
        sender = body.get("FromEmailAddress")
        reply_to = body.get("ReplyToAddresses") or []
        if sender is not None and not isinstance(sender, str):
            raise ValueError("FromEmailAddress must be a string.")
        if not isinstance(reply_to, list) or not all(isinstance(a, str) for a in reply_to):
            raise ValueError("ReplyToAddresses must be a list of addresses.")
    except ValueError as err:
        return _error("BadRequestException", str(err))
    ctx = web_context(request, "/v2/email/outbound-emails")
    message_id = str(uuid.uuid4())
    with ctx.store.transaction():
        for address in recipients:
            outbox.send(ctx, pool_id="", username="", purpose="SES", medium="EMAIL",
                        destination=address, message=text, subject=subject,
                        details={"from": sender, "replyTo": ", ".join(reply_to) or None,
                                 "htmlBody": markup, "textBody": plain})
    return JSONResponse({"MessageId": message_id})


routes = [Route("/v2/email/outbound-emails", send_email, methods=["POST"])]
