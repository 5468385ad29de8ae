"""Create auth challenge: WebAuthn request options for the browser, the challenge for Verify.

publicChallengeParameters go to the client (ChallengeParameters of the InitiateAuth answer):
    passkeyOptions = JSON of PublicKeyCredentialRequestOptionsJSON
                     {challenge, timeout, rpId, allowCredentials, userVerification}
The page turns it into navigator.credentials.get({publicKey: ...}) (e.g. with
PublicKeyCredential.parseRequestOptionsFromJSON) and answers with the assertion's JSON.
privateChallengeParameters stay in the pool and reach Verify only: the challenge.
"""
import secrets

import passkeys
import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    UserVerificationRequirement,
)


def handler(event, context):
    request = event["request"]
    # A fresh random challenge every time: an assertion signed for one sign-in is useless
    # for any other (that is what stops replays).
    challenge = secrets.token_bytes(32)

    # With PreventUserExistenceErrors, Cognito also asks for unknown users (userNotFound):
    # answer the same way (an empty list), so the reply doesn't tell who has an account.
    stored = [] if request.get("userNotFound") else passkeys.credentials(event["userName"])
    allow = [PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c["id"]),
                                           transports=_transports(c))
             for c in stored]

    options = webauthn.generate_authentication_options(
        rp_id=passkeys.RP_ID,
        challenge=challenge,
        timeout=passkeys.TIMEOUT_MS,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED,  # a passkey is two factors
    )
    event["response"]["publicChallengeParameters"] = {
        "passkeyOptions": webauthn.options_to_json(options)}
    event["response"]["privateChallengeParameters"] = {
        "challenge": bytes_to_base64url(challenge)}
    event["response"]["challengeMetadata"] = "PASSKEY"
    return event


def _transports(credential: dict) -> list | None:
    """The stored transport hints ("internal", "usb", "hybrid"...) the browser may use."""
    known = {t.value for t in AuthenticatorTransport}
    return [AuthenticatorTransport(t) for t in credential.get("transports") or []
            if t in known] or None
