"""Auth sessions (single use, expiry, binding) and the lockout arithmetic, without a server."""
import re

import pytest

from emulator.domain import auth_sessions, lockout
from emulator.errors import CognitoError
from emulator.sweep import sweep_expired
from tests.support.context import unit_context

POOL = {"Id": "us-east-1_AbCdEfGhI"}
CASELESS_POOL = {"Id": "us-east-1_ZyXwVuTsR", "UsernameConfiguration": {"CaseSensitive": False}}
CLIENT = {"ClientId": "a" * 26}
OTHER_CLIENT = {"ClientId": "b" * 26}


@pytest.fixture
def ctx():
    return unit_context()


def new(ctx, pool=POOL, client=CLIENT, **kw):
    kw.setdefault("username", "alice")
    kw.setdefault("challenge", "NEW_PASSWORD_REQUIRED")
    return auth_sessions.create(ctx, pool, client, **kw)


def message(exc_info):
    assert exc_info.value.code == "NotAuthorizedException"
    return exc_info.value.message


def test_token_is_opaque_url_safe_and_stored_by_hash(ctx):
    token = new(ctx, state={"x": 1})
    assert len(token) >= 20 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    [(key, record)] = ctx.store.list(auth_sessions.KIND, POOL["Id"])
    assert token not in key and token not in repr(record)
    assert record["state"] == {"x": 1} and record["clientId"] == CLIENT["ClientId"]
    assert record["expiresAt"] == ctx.now() + 180
    assert new(ctx) != token


def test_single_use(ctx):
    token = new(ctx)
    assert auth_sessions.peek(ctx, POOL, token)["username"] == "alice"
    assert auth_sessions.consume(ctx, POOL, CLIENT, token)["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert auth_sessions.peek(ctx, POOL, token) is None
    with pytest.raises(CognitoError) as e:
        auth_sessions.consume(ctx, POOL, CLIENT, token)
    assert message(e) == "Invalid session for the user."


def test_unknown_token_and_other_pool(ctx):
    token = new(ctx)
    with pytest.raises(CognitoError) as e:
        auth_sessions.consume(ctx, POOL, CLIENT, "x" * 64)
    assert message(e) == "Invalid session for the user."
    with pytest.raises(CognitoError):
        auth_sessions.consume(ctx, CASELESS_POOL, CLIENT, token)
    assert auth_sessions.peek(ctx, POOL, token) is not None  # untouched by the miss


def test_expiry_default_and_per_client(ctx):
    token = new(ctx)
    ctx.emu.clock.advance(179)
    assert auth_sessions.consume(ctx, POOL, CLIENT, token)
    token = new(ctx)
    ctx.emu.clock.advance(180)
    with pytest.raises(CognitoError) as e:
        auth_sessions.consume(ctx, POOL, CLIENT, token)
    assert message(e) == "Invalid session for the user, session is expired."
    assert auth_sessions.peek(ctx, POOL, token) is None  # an expired session is used up too

    slow = {"ClientId": "c" * 26, "AuthSessionValidity": 15}
    token = new(ctx, client=slow)
    ctx.emu.clock.advance(15 * 60 - 1)
    assert auth_sessions.consume(ctx, POOL, slow, token)


def test_bound_to_client(ctx):
    token = new(ctx)
    with pytest.raises(CognitoError) as e:
        auth_sessions.consume(ctx, POOL, OTHER_CLIENT, token)
    assert message(e) == "Invalid session for the user."
    with pytest.raises(CognitoError):  # and the wrong client used it up
        auth_sessions.consume(ctx, POOL, CLIENT, token)


def test_bound_to_user(ctx):
    token = new(ctx, username="alice", typed="alice@example.com")
    assert auth_sessions.consume(ctx, POOL, CLIENT, token, username="alice")
    token = new(ctx, username="alice", typed="alice@example.com")
    assert auth_sessions.consume(ctx, POOL, CLIENT, token, username="alice@example.com")
    token = new(ctx, username="alice")
    with pytest.raises(CognitoError) as e:
        auth_sessions.consume(ctx, POOL, CLIENT, token, username="bob")
    assert message(e) == "Invalid session for the user."
    token = new(ctx, username="alice")
    with pytest.raises(CognitoError):
        auth_sessions.consume(ctx, POOL, CLIENT, token, username="ALICE")  # case-sensitive pool
    token = new(ctx, pool=CASELESS_POOL, username="alice")
    assert auth_sessions.consume(ctx, CASELESS_POOL, CLIENT, token, username="ALICE")


def test_bound_to_challenge(ctx):
    token = new(ctx, challenge="PASSWORD_VERIFIER")
    with pytest.raises(CognitoError):
        auth_sessions.consume(ctx, POOL, CLIENT, token, challenge="NEW_PASSWORD_REQUIRED")


def test_chosen_secret_bytes(ctx):
    raw = bytes(range(48))
    token = new(ctx, raw=raw)
    assert token == auth_sessions.encode(raw) and auth_sessions.decode(token) == raw
    assert auth_sessions.decode(None) is None


def test_the_sweep_removes_only_dead_sessions(ctx):
    old = new(ctx)
    ctx.emu.clock.advance(200)
    young = new(ctx)
    kept = auth_sessions.consume(ctx, POOL, CLIENT, young)
    auth_sessions.restore(ctx, POOL, young, kept)  # a restored session keeps its expiry entry
    assert sweep_expired(ctx.store, ctx.now()) == {auth_sessions.KIND: 1}
    assert auth_sessions.peek(ctx, POOL, old) is None
    assert auth_sessions.peek(ctx, POOL, young) is not None
    ctx.emu.clock.advance(200)
    assert sweep_expired(ctx.store, ctx.now()) == {auth_sessions.KIND: 1}


# --- lockout ------------------------------------------------------------------------------------

def test_lock_durations():
    assert [lockout.lock_seconds(n) for n in range(1, 5)] == [0, 0, 0, 0]
    assert [lockout.lock_seconds(n) for n in range(5, 10)] == [1, 2, 4, 8, 16]
    assert lockout.lock_seconds(15) == 900 and lockout.lock_seconds(40) == 900


def test_lockout_state():
    user, t = {}, 1000.0
    for n in range(1, 5):
        assert lockout.record_failure(user, t) == n
        lockout.check(user, t)  # not locked yet
    assert lockout.record_failure(user, t) == 5
    with pytest.raises(CognitoError) as e:
        lockout.check(user, t + 0.99)
    assert (e.value.code, e.value.message) == \
        ("NotAuthorizedException", "Password attempts exceeded")
    lockout.check(user, t + 1)
    assert lockout.locked_until(user, t + 1) is None
    assert lockout.record_failure(user, t + 1) == 6
    assert lockout.locked_until(user, t + 2) == t + 3
    # 15 minutes without failures: the count starts over
    assert lockout.record_failure(user, t + 1 + 900) == 1
    assert lockout.record_success(user) is True
    assert lockout.record_success(user) is False and "_lockout" not in user
