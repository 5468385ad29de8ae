"""Verify auth challenge response: check the WebAuthn assertion the client sent as ANSWER.

The assertion must be signed by the registered key of a passkey of this user, over this
sign-in's challenge, for our RP ID and origin, with the user verified, and its signature
counter must have gone up (a counter that falls behind means a cloned authenticator).
Any doubt answers answerCorrect = false; the reason goes to the emulator's log.
"""
import json

import passkeys
from webauthn import base64url_to_bytes, verify_authentication_response
from webauthn.helpers.exceptions import WebAuthnException


def handler(event, context):
    request = event["request"]
    event["response"]["answerCorrect"] = False
    if request.get("userNotFound"):
        return event

    username = event["userName"]
    try:
        assertion = json.loads(request["challengeAnswer"])
        credential = passkeys.find(username, assertion.get("id"))
        if credential is None:
            print(f"passkey rejected for {username}: unknown credential id")
            return event
        verified = verify_authentication_response(
            credential=assertion,
            expected_challenge=base64url_to_bytes(
                request["privateChallengeParameters"]["challenge"]),
            expected_rp_id=passkeys.RP_ID,
            expected_origin=passkeys.ORIGINS,
            credential_public_key=base64url_to_bytes(credential["publicKey"]),
            credential_current_sign_count=credential["signCount"],
            require_user_verification=True,
        )
    except (ValueError, AttributeError, KeyError, WebAuthnException) as exc:
        # ValueError covers answers that aren't JSON; WebAuthnException every failed check.
        print(f"passkey rejected for {username}: {exc}")
        return event

    # Keep the new counter; False if a concurrent sign-in already used this count.
    if passkeys.record_use(username, credential["id"], verified.new_sign_count):
        event["response"]["answerCorrect"] = True
    else:
        print(f"passkey rejected for {username}: signature counter already used")
    return event
