"""Passkey (WebAuthn) operations of the signed-in user: thin wrappers over
emulator.auth.passkeys."""
from ..api.registry import operation
from ..auth import passkeys


@operation("StartWebAuthnRegistration")
def start_web_authn_registration(ctx, params):
    return passkeys.start_registration(ctx, params["AccessToken"])


@operation("CompleteWebAuthnRegistration")
def complete_web_authn_registration(ctx, params):
    return passkeys.complete_registration(ctx, params["AccessToken"], params["Credential"])


@operation("ListWebAuthnCredentials")
def list_web_authn_credentials(ctx, params):
    return passkeys.list_credentials(ctx, params["AccessToken"], params.get("NextToken"),
                                     params.get("MaxResults"))


@operation("DeleteWebAuthnCredential")
def delete_web_authn_credential(ctx, params):
    return passkeys.delete_credential(ctx, params["AccessToken"], params["CredentialId"])
