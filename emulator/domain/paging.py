"""Pagination tokens: opaque to clients, a store key underneath (lists are ordered by key)."""
import base64
import binascii
import json

from ..errors import invalid


def token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def after(value: str | None) -> str | None:
    """The key a token continues after; None for no token. A token we didn't issue is an
    InvalidParameterException (wording UNCONFIRMED)."""
    if not value:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(value.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        key = None
    if not isinstance(key, str):
        raise invalid("Invalid pagination token")
    return key
