"""The one exception the SAML library raises."""


class SamlError(Exception):
    """A SAML message or metadata document was refused.

    `reason` is a short stable code (tests and callers branch on it); `message` is a short
    sentence safe to show on an HTML error page (it never echoes attacker-controlled XML).
    Reasons: malformed, dtd, signature, unsigned, issuer, audience, recipient, destination,
    expired, not_yet_valid, in_response_to, unsolicited, too_old, encryption_required,
    decryption, subject, status, too_large, metadata.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
