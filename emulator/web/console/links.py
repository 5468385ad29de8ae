"""The console's addresses for pools and users, in one place (every page links to them).
Names go in the query string, never in the path: a username may hold '/', '?' or '#'."""
from __future__ import annotations

from urllib.parse import urlencode


def _url(path: str, **query) -> str:
    given = {k: v for k, v in query.items() if v not in (None, "")}
    return path + (f"?{urlencode(given)}" if given else "")


def pool(pool_id: str) -> str:
    return _url("/_emulator/pool", pool=pool_id)


def users(pool_id: str, *, filter: str | None = None, after: str | None = None,
          **more) -> str:
    return _url("/_emulator/users", pool=pool_id, filter=filter, after=after, **more)


def user(pool_id: str, username: str, **more) -> str:
    return _url("/_emulator/user", pool=pool_id, user=username, **more)


def action(pool_id: str, username: str, name: str) -> str:
    return _url("/_emulator/user/action", pool=pool_id, user=username, action=name)


def events(pool_id: str, username: str) -> str:
    return _url("/_emulator/events", pool=pool_id, user=username)
