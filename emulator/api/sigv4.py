"""Reading (not verifying) SigV4 Authorization headers.

The emulator holds no IAM secrets, so it cannot check a signature; it does
insist that signed operations carry a well-formed header, as AWS would, and takes
the region and account from it.
"""
import re

from ..errors import CognitoError

_CRED = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


def parse(header: str | None) -> tuple[str, str] | None:
    """(access_key_id, region) from an Authorization header, None when absent."""
    if not header:
        return None
    if not header.startswith("AWS4-HMAC-SHA256 "):
        raise CognitoError("IncompleteSignatureException",
                           "Authorization header requires 'AWS4-HMAC-SHA256' algorithm.")
    m = _CRED.search(header)
    if not m or "Signature=" not in header or "SignedHeaders=" not in header:
        raise CognitoError("IncompleteSignatureException",
                           "Authorization header requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters.")
    return m.group(1), m.group(3)


def account_for(access_key_id: str, default: str) -> str:
    """The call's account: LocalStack's convention, a 12-digit access key id names the
    account; anything else (AKIA..., "testing") is the default account. What the account
    and region keep apart: api/scope.py."""
    return access_key_id if re.fullmatch(r"\d{12}", access_key_id) else default
