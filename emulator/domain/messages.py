"""What the pool says to its users: message texts from the pool's templates, masked
destinations, and delivery into the outbox. Returns CodeDeliveryDetails as the API does."""
from . import outbox

DEFAULT_CODE_EMAIL = "Your verification code is {####}. "
DEFAULT_CODE_SUBJECT = "Your verification code"
DEFAULT_CODE_SMS = "Your verification code is {####}. "
DEFAULT_INVITE_EMAIL = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_SMS = "Your username is {username} and temporary password is {####}. "


def mask(medium: str, destination: str) -> str:
    if medium == "EMAIL" and "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(destination) - 5, 0) + destination[-4:]


def medium_of(attribute: str) -> str:
    return "EMAIL" if attribute == "email" else "SMS"


def _code_text(pool: dict, medium: str) -> tuple[str, str | None]:
    t = pool.get("VerificationMessageTemplate", {})
    if medium == "EMAIL":
        return (t.get("EmailMessage") or pool.get("EmailVerificationMessage") or DEFAULT_CODE_EMAIL,
                t.get("EmailSubject") or pool.get("EmailVerificationSubject") or DEFAULT_CODE_SUBJECT)
    return t.get("SmsMessage") or pool.get("SmsVerificationMessage") or DEFAULT_CODE_SMS, None


def send_code(ctx, pool: dict, user: dict, *, purpose: str, code: str, attribute: str) -> dict:
    """Send a verification/reset code to the user's `attribute` (email or phone_number)."""
    medium = medium_of(attribute)
    destination = user["Attributes"][attribute]
    text, subject = _code_text(pool, medium)
    outbox.send(ctx, pool_id=pool["Id"], username=user["Username"], purpose=purpose,
                medium=medium, destination=destination, message=text.replace("{####}", code),
                subject=subject, code=code)
    return {"Destination": mask(medium, destination), "DeliveryMedium": medium,
            "AttributeName": attribute}


def send_invitation(ctx, pool: dict, user: dict, *, password: str, mediums: list[str]) -> None:
    """AdminCreateUser's welcome message with the temporary password."""
    t = pool.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    attrs = user["Attributes"]
    for medium in mediums:
        attribute = "email" if medium == "EMAIL" else "phone_number"
        if not attrs.get(attribute):
            continue
        if medium == "EMAIL":
            text, subject = t.get("EmailMessage") or DEFAULT_INVITE_EMAIL, \
                t.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
        else:
            text, subject = t.get("SMSMessage") or DEFAULT_INVITE_SMS, None
        text = text.replace("{username}", user["Username"]).replace("{####}", password)
        outbox.send(ctx, pool_id=pool["Id"], username=user["Username"],
                    purpose="TEMPORARY_PASSWORD", medium=medium, destination=attrs[attribute],
                    message=text, subject=subject, code=password, secret=True)
