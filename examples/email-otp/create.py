"""Create auth challenge: make a 6-digit code and email it to the user.

- The code goes to Verify in privateChallengeParameters (never to the client).
- publicChallengeParameters tell the sign-in page where the code went (masked address).
- challengeMetadata "CODE-<code>" lands in request.session, so a retry after a wrong code
  reuses the code already sent instead of mailing a new one each time.

Sending: Amazon SES (boto3 `sesv2.send_email`), exactly as in AWS. The emulator runs this
function with AWS_ENDPOINT_URL_SESV2 pointing at itself, so the mail lands in its outbox
(GET /_emulator/messages?destination=<address>) instead of leaving the machine.
"""
import secrets

import boto3

SENDER = "no-reply@example.com"  # in AWS: an SES-verified identity


def handler(event, context):
    request = event["request"]
    session = request["session"]
    not_found = request.get("userNotFound", False)
    email = request["userAttributes"].get("email") or event["userName"]

    previous = (session[-1].get("challengeMetadata") or "") if session else ""
    if previous.startswith("CODE-"):
        code = previous[len("CODE-"):]          # another try: same code, no new email
    else:
        code = f"{secrets.randbelow(1_000_000):06d}"   # secrets, not random: unguessable
        if not not_found:
            # With PreventUserExistenceErrors, Cognito also asks for unknown users
            # (userNotFound): they get a challenge that looks the same, but no email.
            send_email(email, "Your sign-in code",
                       f"Your sign-in code is {code}. It works for 3 minutes.")

    event["response"]["publicChallengeParameters"] = {"email": mask(email)}
    event["response"]["privateChallengeParameters"] = {"code": code}
    event["response"]["challengeMetadata"] = f"CODE-{code}"
    return event


def mask(email: str) -> str:
    """alice@example.com -> a***@example.com: enough for the user to recognise."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


def send_email(to: str, subject: str, body: str) -> None:
    boto3.client("sesv2").send_email(
        FromEmailAddress=SENDER, Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}}})
