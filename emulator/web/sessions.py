"""The hosted UI's browser session cookie and CSRF tokens.

Managed login keeps a signed-in browser signed in for 1 hour whatever the token lifetimes
(reference 6.5): a second /oauth2/authorize within the hour skips the login page. With
session tracking, an app client's SSOSession MaxValidityMinutes sets its own window
(domain/user_sessions.py) and the cookie lives as long as the longest. The cookie is
{pool, username, sub, authTime, exp, sid} signed with HMAC-SHA256 under a key kept in the
store (kind "hosted_ui_key", scope ""), so sessions survive a restart on a data directory
and die with /_emulator/reset. `sid` names the SSO session record (kind "sso_session"):
once RevokeUserSession / AdminRevokeUserSession deletes it, the cookie no longer signs in.
One cookie per pool, because every pool's pages are served on the same host when it is
found by client_id. HttpOnly, SameSite=Lax.

CSRF: every form carries `_csrf` = HMAC(key, XSRF-TOKEN cookie). The cookie is random per
browser (set with the first form); a POST must bring both, matching (Cognito's pages use
an XSRF-TOKEN cookie and a `_csrf` field too).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets

from ..domain import user_sessions
from ..store import AlreadyExists

LIFETIME_SECONDS = 3600
KEY_KIND = "hosted_ui_key"
_CACHE = "hosted_ui_key"
CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"


def cookie_name(pool_id: str) -> str:
    return f"cognito-{pool_id}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(emu) -> bytes:
    """The per-deployment HMAC key, created on first use."""
    cached = emu.cache.get(_CACHE)
    if cached is not None:
        return cached
    store = emu.store
    with store.transaction():
        record = store.get(KEY_KIND, "", "cookie")
        if record is None:
            record = {"key": secrets.token_hex(32)}
            try:
                store.insert(KEY_KIND, "", "cookie", record)
            except AlreadyExists:
                record = store.get(KEY_KIND, "", "cookie")
    key = bytes.fromhex(record["key"])
    emu.cache[_CACHE] = key
    return key


def _mac(key: bytes, purpose: str, data: str) -> str:
    return _b64(hmac.new(key, f"{purpose}\x00{data}".encode(), hashlib.sha256).digest())


# --- the signed-in session -----------------------------------------------------------------

def encode(emu, *, pool_id: str, user: dict, auth_time: float, now: float,
           saml: dict | None = None, session_id: str | None = None,
           lifetime: int = LIFETIME_SECONDS) -> str:
    """saml: {provider, nameId, nameIdFormat, sessionIndex} of a SAML sign-in, kept for
    single logout. session_id: the SSO session record this cookie stands for."""
    session = {"pool": pool_id, "username": user["Username"], "sub": user["Attributes"]["sub"],
               "authTime": int(auth_time), "exp": int(now) + lifetime}
    if session_id:
        session["sid"] = session_id
    if saml:
        session["saml"] = saml
    body = _b64(json.dumps(session, separators=(",", ":")).encode())
    return f"{body}.{_mac(signing_key(emu), 'session', body)}"


def decode(emu, value: str | None, *, pool_id: str, now: float) -> dict | None:
    """The session in a cookie value: None unless signed by us, for this pool, unexpired."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(signing_key(emu), "session", body)):
        return None
    try:
        session = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(session, dict) or session.get("pool") != pool_id:
        return None
    if not isinstance(session.get("exp"), int) or now >= session["exp"]:
        return None
    sid = session.get("sid")
    if sid is not None and not (isinstance(sid, str) and isinstance(session.get("sub"), str)
                                and user_sessions.sso_alive(emu.store, pool_id, session["sub"],
                                                            sid, now)):
        return None  # the SSO session was revoked (or has ended)
    return session


def set_cookie(response, pool_id: str, value: str) -> None:
    # max-age: the session's lifetime, from the sign-in that made the cookie.
    try:
        body = json.loads(_unb64(value.split(".")[0]))
        max_age = max(int(body["exp"]) - int(body["authTime"]), 0)
    except (ValueError, KeyError, TypeError, binascii.Error):
        max_age = LIFETIME_SECONDS
    response.set_cookie(cookie_name(pool_id), value, max_age=max_age or LIFETIME_SECONDS,
                        path="/", httponly=True, samesite="lax")


def clear_cookie(response, pool_id: str) -> None:
    response.delete_cookie(cookie_name(pool_id), path="/", httponly=True, samesite="lax")


# --- CSRF ----------------------------------------------------------------------------------

def csrf_for(emu, browser_token: str) -> str:
    return _mac(signing_key(emu), "csrf", browser_token)


def csrf_cookie(request) -> tuple[str, bool]:
    """(the browser's XSRF-TOKEN, whether it is new and must be set on the response)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and 16 <= len(current) <= 128:
        return current, False
    return secrets.token_urlsafe(24), True


def set_csrf_cookie(response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, path="/", httponly=True, samesite="lax")


def csrf_ok(emu, request, form: dict) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    given = form.get(CSRF_FIELD)
    if not cookie or not isinstance(given, str):
        return False
    return hmac.compare_digest(given, csrf_for(emu, cookie))
