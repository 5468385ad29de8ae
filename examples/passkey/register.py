"""Registering a passkey: the two steps your app's backend runs for a signed-in user.

    options_json, state = begin(cognito, access_token)
        # send options_json to the page: navigator.credentials.create({publicKey: ...});
        # keep `state` server-side (e.g. in the web session) until the answer comes back
    credential = finish(state, registration_response)
        # registration_response: the page's PublicKeyCredential.toJSON() (dict or JSON string)

Only a signed-in user may add a passkey, so begin() asks Cognito who the access token
belongs to (GetUser). The user signs in the first time some other way (a password, an
email code) and adds a passkey afterwards. The credential goes into the store of
passkeys.py, where the Create and Verify handlers find it.
"""
import json

import passkeys
import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)


def begin(cognito, access_token: str) -> tuple[str, dict]:
    """Registration options (JSON for the browser) and the state finish() needs."""
    user = cognito.get_user(AccessToken=access_token)
    username = user["Username"]
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    options = webauthn.generate_registration_options(
        rp_id=passkeys.RP_ID,
        rp_name=passkeys.RP_NAME,
        user_name=attributes.get("email", username),
        user_display_name=attributes.get("name", username),
        # The user handle: the pool's stable `sub`, never anything personal.
        user_id=attributes["sub"].encode(),
        timeout=passkeys.TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        # Don't register the same authenticator twice.
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c["id"]))
            for c in passkeys.credentials(username)],
        supported_pub_key_algs=[COSEAlgorithmIdentifier.ECDSA_SHA_256,
                                COSEAlgorithmIdentifier.EDDSA,
                                COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256],
    )
    state = {"username": username, "challenge": bytes_to_base64url(options.challenge)}
    return webauthn.options_to_json(options), state


def finish(state: dict, response) -> dict:
    """Check the authenticator's answer and store the new credential; returns what was
    stored. Raises webauthn.helpers.exceptions.InvalidRegistrationResponse if it is not
    valid (wrong challenge, origin or RP ID, no user verification...)."""
    if isinstance(response, str):
        response = json.loads(response)
    verified = webauthn.verify_registration_response(
        credential=response,
        expected_challenge=webauthn.base64url_to_bytes(state["challenge"]),
        expected_rp_id=passkeys.RP_ID,
        expected_origin=passkeys.ORIGINS,
        require_user_verification=True,
    )
    credential = {
        "id": bytes_to_base64url(verified.credential_id),
        "publicKey": bytes_to_base64url(verified.credential_public_key),
        "signCount": verified.sign_count,
        "transports": (response.get("response") or {}).get("transports") or [],
    }
    passkeys.add(state["username"], credential)
    return credential
