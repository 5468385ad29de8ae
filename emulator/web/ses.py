"""Amazon SES v2 SendEmail, so that Lambda handlers can mail as they would in AWS.

Handlers run with AWS_ENDPOINT_URL_SESV2 pointing here (emulator/lambdas), so
`boto3.client("sesv2").send_email(...)` or the JS SDK's SendEmailCommand in a custom-auth
Create function delivers into the outbox instead of leaving the machine. Only simple
(subject + body) content is supported; raw and templated mail get a clear error.
"""
import json
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..domain import outbox
from .http import web_context


def _error(code: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"message": message}, status, headers={"x-amzn-ErrorType": code})


async def send_email(request: Request):
    try:
        body = json.loads(await request.body() or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return _error("BadRequestException", "Request body is not a JSON object.")
    content = body.get("Content") or {}
    simple = content.get("Simple")
    if not isinstance(simple, dict):
        return _error("BadRequestException", "Only Content.Simple is supported by this emulator "
                      "(Raw and Template mail are not).")
    destination = body.get("Destination") or {}
    recipients = [a for part in ("ToAddresses", "CcAddresses", "BccAddresses")
                  for a in destination.get(part) or [] if isinstance(a, str)]
    if not recipients:
        return _error("BadRequestException", "Destination must name at least one address.")
    subject = (simple.get("Subject") or {}).get("Data")
    parts = simple.get("Body") or {}
    text = (parts.get("Text") or {}).get("Data") or (parts.get("Html") or {}).get("Data") or ""
    ctx = web_context(request, "/v2/email/outbound-emails")
    message_id = str(uuid.uuid4())
    with ctx.store.transaction():
        for address in recipients:
            outbox.send(ctx, pool_id="", username="", purpose="SES", medium="EMAIL",
                        destination=address, message=text, subject=subject)
    return JSONResponse({"MessageId": message_id})


routes = [Route("/v2/email/outbound-emails", send_email, methods=["POST"])]
