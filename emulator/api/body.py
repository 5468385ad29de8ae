"""Reading a request body, for the JSON API and the web endpoints' forms, and decoding JSON 1.1.

- `read`: at most `max_body_bytes` (413 past it, checked on Content-Length first), and the
  missing bytes of a body must come within `body_timeout` seconds of each other (408):
  uvicorn itself waits for ever for a body shorter than its Content-Length. A client that
  hangs up mid-body gets nothing (ClientGone: nobody is left to answer).
- `decode`: strict JSON text. The bytes must be UTF-8 (json.loads alone lets UTF-8-encoded
  surrogates through); no string may hold a lone surrogate, which a \\uD800-\\uDFFF escape
  can make (Unicode has none, and they could not be written back); NaN and Infinity are not
  JSON; values nest at most MAX_DEPTH levels (the body object is level 1): deeper would run
  into Python's recursion limit in the parser or, later, wherever the value is walked or
  written.
"""
from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.requests import ClientDisconnect, Request

from ..errors import CognitoError

MAX_DEPTH = 100
NOT_JSON = "Request body is not valid UTF-8 JSON."


class ClientGone(Exception):
    """The client closed the connection before its body was complete."""


async def read(request: Request, limit: int, timeout: float) -> bytes:
    """The whole body: CognitoError 413 past `limit` bytes, 408 when no bytes came for
    `timeout` seconds; ClientGone when the client hung up."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    chunks = request.stream().__aiter__()
    try:
        while True:
            with anyio.move_on_after(timeout) as waited:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    return bytes(body)
            if waited.cancelled_caught:
                raise CognitoError("RequestTimeoutException",
                                   f"The request body did not arrive within {timeout:g} "
                                   "seconds.", 408)
            body += chunk
            if len(body) > limit:
                raise too_large(limit)
    except ClientDisconnect:
        raise ClientGone from None


def too_large(limit: int) -> CognitoError:
    return CognitoError("RequestEntityTooLargeException",
                        f"Request body is larger than the limit of {limit} bytes.", 413)


def _not_a_number(name: str):
    raise ValueError(f"{name} is not JSON")


def decode(body: bytes) -> Any:
    """The JSON value of a request body; CognitoError SerializationException when it is not
    strict UTF-8 JSON nesting at most MAX_DEPTH levels."""
    try:
        text = body.decode("utf-8-sig")  # a byte order mark is allowed, as json.loads allows it
        value = json.loads(text or "{}", parse_constant=_not_a_number)
    except (ValueError, UnicodeDecodeError):  # JSONDecodeError, int too long, ...
        raise CognitoError("SerializationException", NOT_JSON) from None
    except RecursionError:  # far past MAX_DEPTH: the parser itself gave up
        raise _too_deep() from None
    _check_tree(value, MAX_DEPTH, lone_surrogates_possible="\\u" in text)
    return value


def _too_deep() -> CognitoError:
    return CognitoError("SerializationException",
                        f"Request body is nested deeper than {MAX_DEPTH} levels.")


def _check_tree(value: object, limit: int, lone_surrogates_possible: bool) -> None:
    """Refuse a value nesting more than `limit` levels (a scalar is level 0, the body object
    level 1), or holding a string with a lone surrogate (only a \\u escape can make one, the
    bytes being strict UTF-8). Without recursion; strings are visited only when the text has
    an escape, so a usual body costs a step per container."""
    level = [value]
    depth = 1
    while level:
        inner: list = []
        for item in level:
            if isinstance(item, str):
                if lone_surrogates_possible:
                    _refuse_lone_surrogate(item)
                continue
            if not isinstance(item, (dict, list)):
                continue
            if depth > limit:
                raise _too_deep()
            children = list(item.values()) if isinstance(item, dict) else item
            if isinstance(item, dict) and lone_surrogates_possible:
                inner.extend(item)  # the keys
            inner.extend(c for c in children if isinstance(c, (dict, list))
                         or (lone_surrogates_possible and isinstance(c, str)))
        level = inner
        depth += 1


def _refuse_lone_surrogate(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # Unicode has no lone surrogates, and they can't be written back
        raise CognitoError("SerializationException", NOT_JSON) from None
