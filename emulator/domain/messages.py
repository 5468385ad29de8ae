"""What the pool says to its users: message texts from the pool's templates (or from the
pool's CustomMessage trigger), masked destinations, and delivery into the outbox.
Returns CodeDeliveryDetails as the API does.

A message is composed (templates, then the CustomMessage trigger) and then delivered; the
two steps are separate so a caller can run the trigger - which may veto the call - before
it writes anything, and deliver after its writes (prepare_code / prepare_invitation +
deliver). send_code / send_invitation do both at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import triggers
from . import outbox

DEFAULT_CODE_EMAIL = "Your verification code is {####}. "
DEFAULT_CODE_SUBJECT = "Your verification code"
DEFAULT_CODE_SMS = "Your verification code is {####}. "
DEFAULT_INVITE_EMAIL = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_SMS = "Your username is {username} and temporary password is {####}. "

CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
LINK_PARAMETER = "{##Click Here##}"

# CustomMessage_<source> for each code purpose when the caller names none.
_SOURCE_OF = {"SIGN_UP": "SignUp", "FORGOT_PASSWORD": "ForgotPassword",
              "VERIFY_ATTRIBUTE": "VerifyUserAttribute"}


def mask(medium: str, destination: str) -> str:
    if medium == "EMAIL" and "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(destination) - 5, 0) + destination[-4:]


def medium_of(attribute: str) -> str:
    return "EMAIL" if attribute == "email" else "SMS"


@dataclass
class Letter:
    """One composed message, ready for the outbox."""
    pool_id: str
    username: str
    purpose: str
    medium: str
    destination: str
    message: str
    subject: str | None
    code: str | None
    secret: bool = False


@dataclass
class Prepared:
    letters: list[Letter] = field(default_factory=list)
    details: dict | None = None   # CodeDeliveryDetails of a code message


def deliver(ctx, prepared: Prepared | None) -> dict | None:
    """Put composed messages in the outbox; returns the CodeDeliveryDetails, if any."""
    if prepared is None:
        return None
    for letter in prepared.letters:
        outbox.send(ctx, pool_id=letter.pool_id, username=letter.username,
                    purpose=letter.purpose, medium=letter.medium,
                    destination=letter.destination, message=letter.message,
                    subject=letter.subject, code=letter.code, secret=letter.secret)
    return prepared.details


# --- the CustomMessage trigger ---------------------------------------------------------------

def _customise(ctx, pool: dict, user: dict, source: str, *, client_id: str | None,
               client_metadata: dict | None, invitation: bool) -> dict | None:
    """Ask the pool's CustomMessage function for the texts: None when no trigger is set,
    else {"smsMessage", "emailMessage", "emailSubject"} as it answered (values may be None)."""
    if triggers.configured(pool, "CustomMessage") is None:
        return None
    request = {"userAttributes": triggers.user_attributes(user),
               "codeParameter": CODE_PARAMETER,
               "linkParameter": LINK_PARAMETER,
               "usernameParameter": USERNAME_PARAMETER if invitation else None}
    if client_metadata:
        request["clientMetadata"] = client_metadata
    return triggers.call(ctx, pool, "CustomMessage", f"CustomMessage_{source}",
                         user_name=user["Username"], client_id=client_id, request=request,
                         response={"smsMessage": None, "emailMessage": None,
                                   "emailSubject": None})


def _chosen(custom: dict | None, medium: str, text: str, subject: str | None, *,
            invitation: bool) -> tuple[str, str | None]:
    """The function's text where it gave a usable one, else the template's. A custom text
    must hold the code placeholder ({username} too for invitations); one that doesn't is
    ignored and the default goes out - what users of the real service report seeing
    (UNCONFIRMED; the DG says only that the placeholders are required)."""
    if not custom:
        return text, subject
    if medium == "EMAIL":
        given, given_subject = custom.get("emailMessage"), custom.get("emailSubject")
    else:
        given, given_subject = custom.get("smsMessage"), None
    if isinstance(given, str) and given and CODE_PARAMETER in given and \
            (not invitation or USERNAME_PARAMETER in given):
        text = given
    if medium == "EMAIL" and isinstance(given_subject, str) and given_subject:
        subject = given_subject
    return text, subject


# --- codes -------------------------------------------------------------------------------

def code_text(pool: dict, medium: str) -> tuple[str, str | None]:
    t = pool.get("VerificationMessageTemplate", {})
    if medium == "EMAIL":
        return (t.get("EmailMessage") or pool.get("EmailVerificationMessage")
                or DEFAULT_CODE_EMAIL,
                t.get("EmailSubject") or pool.get("EmailVerificationSubject")
                or DEFAULT_CODE_SUBJECT)
    return t.get("SmsMessage") or pool.get("SmsVerificationMessage") or DEFAULT_CODE_SMS, None


def prepare_code(ctx, pool: dict, user: dict, *, purpose: str, code: str, attribute: str,
                 source: str | None = None, client_id: str | None = None,
                 client_metadata: dict | None = None, event_user: dict | None = None) -> Prepared:
    """Compose a verification/reset code message to the user's `attribute` (email or
    phone_number). `source` is the CustomMessage trigger source suffix (SignUp,
    ResendCode, ForgotPassword, UpdateUserAttribute, VerifyUserAttribute, Authentication);
    `event_user` the user the trigger event describes, if not `user` itself."""
    medium = medium_of(attribute)
    destination = user["Attributes"][attribute]
    text, subject = code_text(pool, medium)
    custom = _customise(ctx, pool, event_user or user, source or _SOURCE_OF.get(purpose, purpose),
                        client_id=client_id, client_metadata=client_metadata, invitation=False)
    text, subject = _chosen(custom, medium, text, subject, invitation=False)
    letter = Letter(pool["Id"], user["Username"], purpose, medium, destination,
                    text.replace(CODE_PARAMETER, code), subject, code)
    return Prepared([letter], {"Destination": mask(medium, destination), "DeliveryMedium": medium,
                               "AttributeName": attribute})


def send_code(ctx, pool: dict, user: dict, *, purpose: str, code: str, attribute: str,
              source: str | None = None, client_id: str | None = None,
              client_metadata: dict | None = None, event_user: dict | None = None) -> dict:
    """Send a verification/reset code (see prepare_code); returns CodeDeliveryDetails."""
    return deliver(ctx, prepare_code(ctx, pool, user, purpose=purpose, code=code,
                                     attribute=attribute, source=source, client_id=client_id,
                                     client_metadata=client_metadata, event_user=event_user))


# --- invitations (AdminCreateUser) and welcome messages ------------------------------------

def prepare_invitation(ctx, pool: dict, user: dict, *, password: str | None, mediums: list[str],
                       client_metadata: dict | None = None, purpose: str = "TEMPORARY_PASSWORD",
                       source: str | None = "AdminCreateUser",
                       client_id: str | None = None) -> Prepared:
    """AdminCreateUser's welcome message with the temporary password (and the welcome
    message of migrated users: password None, source None = no CustomMessage call; see
    signup.migrate_user)."""
    t = pool.get("AdminCreateUserConfig", {}).get("InviteMessageTemplate", {})
    attrs = user["Attributes"]
    mediums = [m for m in mediums if attrs.get("email" if m == "EMAIL" else "phone_number")]
    if not mediums:
        return Prepared()
    custom = _customise(ctx, pool, user, source, client_id=client_id,
                        client_metadata=client_metadata, invitation=True) if source else None
    out = Prepared()
    for medium in mediums:
        attribute = "email" if medium == "EMAIL" else "phone_number"
        if medium == "EMAIL":
            text, subject = t.get("EmailMessage") or DEFAULT_INVITE_EMAIL, \
                t.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
        else:
            text, subject = t.get("SMSMessage") or DEFAULT_INVITE_SMS, None
        text, subject = _chosen(custom, medium, text, subject, invitation=True)
        text = text.replace(USERNAME_PARAMETER, user["Username"]) \
            .replace(CODE_PARAMETER, password or "")
        out.letters.append(Letter(pool["Id"], user["Username"], purpose, medium,
                                  attrs[attribute], text, subject, password,
                                  secret=password is not None))
    return out


def send_invitation(ctx, pool: dict, user: dict, *, password: str | None, mediums: list[str],
                    client_metadata: dict | None = None, purpose: str = "TEMPORARY_PASSWORD",
                    source: str | None = "AdminCreateUser", client_id: str | None = None) -> None:
    deliver(ctx, prepare_invitation(ctx, pool, user, password=password, mediums=mediums,
                                    client_metadata=client_metadata, purpose=purpose,
                                    source=source, client_id=client_id))
