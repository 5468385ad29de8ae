"""The token inspector: paste an ID, access or refresh token, see what it is.

    GET  /_emulator/tokens     the form
    POST /_emulator/tokens     form: token (+ the console's CSRF field) -> the same page with
                               the token's header and claims, whether its signature verifies
                               against the issuing pool's keys, its expiry by the emulator's
                               clock, and whether it was revoked

Nothing the token says is trusted: the header and claims are decoded without verification
only to be shown and to find the pool (the last path segment of `iss`, as
auth/tokens.verify_access does), and then checked with the pool's own keys (auth/keys.py,
RS256 only). Revocation is the API's: ID and access tokens are alive while their sign-in
session is (tokens.session_alive: RevokeToken, global sign-out, a revoked session end it);
a refresh token is found by its SHA-256 (tokens.refresh_record) in each pool. Anything that
isn't a token gets a message, never a 500.
"""
from __future__ import annotations

import base64
import binascii
import json
import re

import jwt
from starlette.requests import Request

from ...auth import keys
from ...auth import tokens as token_domain
from ...domain import pools
from ..http import web_context
from ..templates import esc
from . import layout
from .guard import console, csrf_field

MAX_TOKEN = 16 * 1024
_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)
_SIGNATURE_ONLY = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                   "verify_iat": False, "verify_aud": False, "verify_iss": False,
                   "verify_sub": False, "verify_jti": False}


class NotAToken(ValueError):
    pass


def _segment(part: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise NotAToken("a part of it is not base64url-encoded JSON") from None
    if not isinstance(value, dict):
        raise NotAToken("a part of it is JSON but not an object")
    return value


def _row(name: str, value: str, css: str = "") -> str:
    return f'<dt>{esc(name)}</dt><dd class="{esc(css)}">{value}</dd>'


def _verdict(ok: bool | None, text: str, css: str) -> str:
    kind = "ok" if ok else "bad" if ok is False else "muted"
    return f'<span class="{kind}" id="{esc(css)}" data-ok="{str(ok).lower()}">{esc(text)}</span>'


def _inspect_jwt(ctx, token: str, header: dict, claims: dict) -> str:
    now = ctx.now()
    rows = []
    iss = claims.get("iss")
    pool_id = iss.rsplit("/", 1)[-1] if isinstance(iss, str) else ""
    pool = pools.get(ctx.store, pool_id) if _POOL_ID.fullmatch(pool_id) else None
    use = claims.get("token_use")
    rows.append(_row("Kind", esc({"id": "ID token", "access": "access token"}.get(
        use, f"token_use {use!r}")), "kind"))
    rows.append(_row("Pool", esc(f'{pool.get("Name")} ({pool_id})') if pool else
                     esc(f"unknown ({pool_id or 'no iss'})"), "pool"))
    signed = None
    verified = False
    if pool is None:
        signature = _verdict(None, "not checked: no such pool", "signature")
    else:
        signing = keys.for_pool(ctx, pool, create=False)
        signed = signing.by_kid(str(header.get("kid"))) if signing else None
        if signed is None:
            signature = _verdict(False, "does not verify: the kid is none of the pool's keys",
                                 "signature")
        else:
            which = "ID" if signed is signing.id else "access"
            try:
                jwt.decode(token, signed.public, algorithms=["RS256"], options=_SIGNATURE_ONLY)
                verified = True
                signature = _verdict(True, f"verifies (RS256, the pool's {which} token key)",
                                     "signature")
                if use not in (which.lower(), None):
                    signature += ' <span class="bad">but token_use says otherwise</span>'
            except (jwt.PyJWTError, ValueError, TypeError) as err:
                signature = _verdict(False, f"does not verify ({err})", "signature")
    rows.append(_row("Signature", signature))
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        alive = now < exp
        text = (f"{'valid until' if alive else 'expired at'} {layout.when(exp)} "
                f"({layout.relative(exp - now)}, by the emulator clock)")
        rows.append(_row("Expiry", _verdict(alive, text, "expiry")))
    else:
        rows.append(_row("Expiry", _verdict(False, "no exp claim", "expiry")))
    if pool is not None and verified:
        alive = token_domain.session_alive(ctx.store, pool_id, claims)
        text = ("not revoked: its sign-in session is active" if alive else
                "revoked: its sign-in session was ended (RevokeToken, global sign-out or a "
                "revoked session)")
        rows.append(_row("Revocation", _verdict(alive, text, "revocation")))
    else:
        rows.append(_row("Revocation", _verdict(None, "not checked: the signature did not "
                                                      "verify", "revocation")))
    return (f'<div class="panel"><h2>Verdict</h2><dl class="facts">{"".join(rows)}</dl></div>'
            f'<div class="panel"><h2>Header</h2>'
            f'{layout.json_block(header, label="Header", css_class="header")}'
            f'<h2>Claims <span class="muted">(decoded, not trusted)</span></h2>'
            f'{layout.json_block(claims, label="Claims", css_class="claims")}'
            f'{_times(claims)}</div>')


def _times(claims: dict) -> str:
    shown = [(name, claims[name]) for name in ("auth_time", "iat", "exp")
             if isinstance(claims.get(name), (int, float)) and not isinstance(claims[name], bool)]
    if not shown:
        return ""
    rows = "".join(_row(name, esc(layout.when(value))) for name, value in shown)
    return f'<dl class="facts times">{rows}</dl>'


def _inspect_refresh(ctx, token: str, header: dict) -> str:
    now = ctx.now()
    for _, pool in ctx.store.list(pools.KIND, ""):
        record = token_domain.refresh_record(ctx.store, pool["Id"], token)
        if record is None:
            continue
        origin = {"sub": record.get("sub"), "origin_jti": record.get("originJti")}
        session = token_domain.session_alive(ctx.store, pool["Id"], origin)
        if record.get("revoked") or not session:
            revocation = _verdict(False, "revoked" + ("" if session else
                                  ": its sign-in session was ended"), "revocation")
        else:
            revocation = _verdict(True, "not revoked: its sign-in session is active",
                                  "revocation")
        grace = record.get("graceUntil")
        if grace is not None:
            revocation += (f'<div class="hint">rotated: usable until {esc(layout.when(grace))}'
                           f'</div>')
        exp = record.get("expiresAt") or 0
        expiry = _verdict(now < exp, f"{'valid until' if now < exp else 'expired at'} "
                          f"{layout.when(exp)} ({layout.relative(exp - now)}, by the emulator "
                          f"clock)", "expiry")
        rows = [_row("Kind", "refresh token", "kind"),
                _row("Pool", esc(f'{pool.get("Name")} ({pool["Id"]})'), "pool"),
                _row("Signature", _verdict(True, "known: its SHA-256 is on record (refresh "
                                           "tokens are opaque; nothing to verify)",
                                           "signature")),
                _row("Client", esc(record.get("clientId")), "mono"),
                _row("Username", esc(record.get("username")), "user"),
                _row("Issued", esc(layout.when(record.get("issuedAt")))),
                _row("Expiry", expiry), _row("Revocation", revocation)]
        return (f'<div class="panel"><h2>Verdict</h2><dl class="facts">{"".join(rows)}</dl>'
                f'</div><div class="panel"><h2>Header</h2>'
                f'{layout.json_block(header, label="Header", css_class="header")}</div>')
    return ('<div class="panel"><h2>Verdict</h2><dl class="facts">'
            + _row("Kind", "refresh token (by its shape)", "kind")
            + _row("Signature", _verdict(False, "unknown: no pool issued it (or its pool is "
                                                "gone)", "signature"))
            + "</dl></div>")


def inspect(ctx, token: str) -> str:
    """The verdict panels for a pasted token; NotAToken when it is none."""
    parts = token.split(".")
    if len(parts) == 3:
        header, claims = _segment(parts[0]), _segment(parts[1])
        return _inspect_jwt(ctx, token, header, claims)
    if len(parts) == 5:
        header = _segment(parts[0])
        if "enc" not in header:
            raise NotAToken("five parts but its header names no encryption (enc)")
        return _inspect_refresh(ctx, token, header)
    raise NotAToken(f"a JWT has 3 dot-separated parts and a refresh token 5; this has "
                    f"{len(parts)}")


def _form(request: Request, token: str = "") -> str:
    return (f'<form class="inspect panel" method="post" action="/_emulator/tokens">'
            f'{csrf_field(request)}'
            f'<label for="token">Token (ID, access or refresh)</label>'
            f'<textarea id="token" name="token" rows="6" required spellcheck="false" '
            f'autocomplete="off">{esc(token)}</textarea>'
            f'<p><button class="primary" type="submit">Inspect</button></p></form>')


@console
async def token_page(request: Request):
    if request.method != "POST":     # GET, HEAD
        return layout.page("Token inspector", _form(request), current="/_emulator/tokens",
                           crumbs=[("", "Token inspector")])
    token = "".join((request.state.form.get("token") or "").split())
    error, result = None, ""
    if not token:
        error = "Paste a token."
    elif len(token) > MAX_TOKEN:
        error = f"That is longer than any token ({len(token)} characters)."
    else:
        try:
            result = inspect(web_context(request, "Console.InspectToken"), token)
        except NotAToken as err:
            error = f"Not a token: {err}."
    return layout.page("Token inspector", _form(request, token) + result, error=error,
                       status=200 if error is None else 400, current="/_emulator/tokens",
                       crumbs=[("", "Token inspector")])
