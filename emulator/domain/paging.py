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


def page_of(items: list[dict], id_member: str, value: str | None,
            limit: int) -> tuple[list[dict], str | None]:
    """One page of an already ordered list that is not a store range (newest-first job and
    recovery lists): the items after the one whose `id_member` the token names, and the
    next token when more follow. A token naming no item is InvalidParameterException."""
    start = 0
    key = after(value)
    if key is not None:
        position = next((i for i, item in enumerate(items) if item[id_member] == key), None)
        if position is None:
            raise invalid("Invalid pagination token")
        start = position + 1
    page = items[start:start + limit]
    more = start + limit < len(items)
    return page, (token(page[-1][id_member]) if more and page else None)
