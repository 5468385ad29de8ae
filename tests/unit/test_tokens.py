"""Signing keys and tokens (emulator.auth.keys / emulator.auth.tokens) without a server:
tokens are verified with PyJWT against the JWKS, forged ones must be refused."""
import base64
import hashlib
import json
import re
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from emulator.api.context import Context
from emulator.auth import keys, tokens
from emulator.config import Settings
from emulator.domain import clients, pools, users
from emulator.domain import groups as group_domain
from emulator.errors import CognitoError
from emulator.service import Emulator

POOL_ID = "us-east-1_TokTest01"
T0 = 1_700_000_000.0
JWE_HEADER = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ"


def make_ctx(emu: Emulator) -> Context:
    return Context(emu=emu, operation="Test", request_id="req", region="us-east-1",
                   account_id="000000000000")


def make_pool(store, pool_id=POOL_ID, created=T0) -> dict:
    pool = {"Id": pool_id, "Name": "tokens", "CreationDate": created,
            "LastModifiedDate": created, "UsernameConfiguration": {"CaseSensitive": False}}
    pools.save(store, pool)
    return pool


def make_client(store, pool, **fields) -> dict:
    client = {"UserPoolId": pool["Id"], "ClientName": "app",
              "ClientId": uuid.uuid4().hex[:26], "EnableTokenRevocation": True, **fields}
    clients.save(store, client)
    return client


def make_user(store, pool, username="alice", **attrs) -> dict:
    attributes = {"sub": str(uuid.uuid4()), "email": f"{username}@example.com",
                  "email_verified": "true", **attrs}
    user = {"Username": username, "Attributes": attributes, "UserStatus": "CONFIRMED",
            "Enabled": True, "UserCreateDate": T0, "UserLastModifiedDate": T0}
    users.create(store, pool, user)
    return user


@pytest.fixture
def emu():
    e = Emulator(Settings(in_memory=True, port=9229))
    e.clock.pin(T0)
    yield e
    e.close()


@pytest.fixture
def ctx(emu):
    return make_ctx(emu)


@pytest.fixture
def world(ctx):
    pool = make_pool(ctx.store)
    client = make_client(ctx.store, pool)
    user = make_user(ctx.store, pool)
    return pool, client, user


def decode(ctx, token, *, audience=None):
    """Verify with PyJWT + our JWKS (PyJWT's exp check uses the pinned emulator time)."""
    jwks = keys.jwks(ctx, POOL_ID)
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.PyJWK(jwk)
    opts = {"verify_aud": audience is not None}
    return jwt.decode(token, key, algorithms=["RS256"], audience=audience, options=opts,
                      leeway=10 ** 10)  # expiry is ours to check, with the emulator clock


def refused(fn, *args, code="NotAuthorizedException", **kwargs) -> str:
    with pytest.raises(CognitoError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, (info.value.code, info.value.message)
    return info.value.message


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ------------------------------------------------------------------------------ keys

def test_jwks_has_two_distinct_rs256_keys(ctx, world):
    doc = keys.jwks(ctx, POOL_ID)
    assert len(doc["keys"]) == 2
    for k in doc["keys"]:
        assert set(k) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (k["alg"], k["e"], k["kty"], k["use"]) == ("RS256", "AQAB", "RSA", "sig")
        assert len(k["kid"]) == 44 and re.fullmatch(r"[A-Za-z0-9+/]{43}=", k["kid"])
        assert len(unb64url(k["n"])) == 256  # RSA-2048 modulus
    assert doc["keys"][0]["kid"] != doc["keys"][1]["kid"]
    # kid = base64(SHA-256(SubjectPublicKeyInfo DER)) of the published key
    k = doc["keys"][0]
    n, e = (int.from_bytes(unb64url(k[x]), "big") for x in ("n", "e"))
    der = rsa.RSAPublicNumbers(e, n).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert base64.b64encode(hashlib.sha256(der).digest()).decode() == k["kid"]


def test_keys_are_stored_once_and_cached(ctx, world):
    first = keys.jwks(ctx, POOL_ID)
    records = ctx.store.list(keys.KIND, POOL_ID)
    assert [k for k, _ in records] == ["access", "id"]
    assert all("BEGIN PRIVATE KEY" in r["privateKeyPem"] for _, r in records)
    assert keys.jwks(ctx, POOL_ID) == first                 # read back, now cached
    cached = ctx.emu.cache["signing_keys"][POOL_ID]
    assert keys.for_pool(ctx, world[0]) is cached           # no store read on a hit
    assert keys.jwks(ctx, POOL_ID) == first


def test_unknown_pool_has_no_jwks(ctx):
    assert refused(keys.jwks, ctx, "us-east-1_Missing00",
                   code="ResourceNotFoundException") == \
        "User pool us-east-1_Missing00 does not exist."


def test_recreated_pool_gets_new_keys(ctx, world):
    old = keys.jwks(ctx, POOL_ID)
    keys.jwks(ctx, POOL_ID)  # now cached
    ctx.store.delete_scope(POOL_ID)
    ctx.store.delete(pools.KIND, "", POOL_ID)
    make_pool(ctx.store, created=T0 + 5)  # same id, new pool: the stale cache must not be used
    new = keys.jwks(ctx, POOL_ID)
    assert {k["kid"] for k in new["keys"]}.isdisjoint(k["kid"] for k in old["keys"])
    assert keys.jwks(ctx, POOL_ID) == new
    keys.forget(ctx, POOL_ID)
    assert POOL_ID not in ctx.emu.cache["signing_keys"]
    assert keys.jwks(ctx, POOL_ID) == new


def test_keys_generated_in_a_rolled_back_transaction_are_not_kept(ctx, world):
    with pytest.raises(RuntimeError):
        with ctx.store.transaction():
            lost = keys.jwks(ctx, POOL_ID)
            raise RuntimeError("handler failed")
    assert ctx.store.list(keys.KIND, POOL_ID) == []
    kept = keys.jwks(ctx, POOL_ID)
    assert kept != lost and keys.jwks(ctx, POOL_ID) == kept


# ------------------------------------------------------------------------------ issue

def test_issue_claims(ctx, world):
    pool, client, user = world
    result = tokens.issue(ctx, pool, client, user, auth_time=T0 - 30)
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken", "RefreshToken"}
    assert result["ExpiresIn"] == 3600 and result["TokenType"] == "Bearer"
    sub = user["Attributes"]["sub"]
    iss = f"http://127.0.0.1:9229/{POOL_ID}"

    header = jwt.get_unverified_header(result["AccessToken"])
    assert header == {"kid": header["kid"], "alg": "RS256"} and list(header) == ["kid", "alg"]
    access = decode(ctx, result["AccessToken"])
    assert set(access) == {"sub", "iss", "client_id", "origin_jti", "event_id", "token_use",
                           "scope", "auth_time", "exp", "iat", "jti", "username"}
    assert access["sub"] == sub and access["iss"] == iss
    assert access["client_id"] == client["ClientId"] and access["username"] == "alice"
    assert access["token_use"] == "access" and access["scope"] == "aws.cognito.signin.user.admin"
    assert (access["auth_time"], access["iat"], access["exp"]) == \
        (int(T0) - 30, int(T0), int(T0) + 3600)
    for claim in ("origin_jti", "event_id", "jti"):
        uuid.UUID(access[claim])

    id_header = jwt.get_unverified_header(result["IdToken"])
    assert id_header["kid"] != header["kid"]  # signed with the other key
    idt = decode(ctx, result["IdToken"], audience=client["ClientId"])
    assert set(idt) == {"sub", "email", "email_verified", "iss", "cognito:username", "origin_jti",
                        "aud", "event_id", "token_use", "auth_time", "exp", "iat", "jti"}
    assert idt["email_verified"] is True and idt["email"] == "alice@example.com"
    assert idt["cognito:username"] == "alice" and idt["token_use"] == "id"
    assert idt["aud"] == client["ClientId"] and idt["iss"] == iss and idt["sub"] == sub
    assert idt["origin_jti"] == access["origin_jti"] and idt["event_id"] == access["event_id"]
    assert idt["jti"] != access["jti"]
    assert (idt["auth_time"], idt["iat"], idt["exp"]) == (int(T0) - 30, int(T0), int(T0) + 3600)
    # Raw JSON: sub appears once, booleans are JSON booleans
    raw = unb64url(result["IdToken"].split(".")[1]).decode()
    assert raw.count('"sub"') == 1 and '"email_verified":true' in raw


def test_issue_attributes_follow_read_attributes(ctx, world):
    pool, _, _ = world
    user = make_user(ctx.store, pool, "bob", **{
        "custom:tier": "7", "phone_number": "+15550100", "phone_number_verified": "false",
        "name": "Bob", "address": "1 Main St"})
    user["_password"] = {"salt": "00", "verifier": "00"}
    user["Attributes"]["_internal"] = "x"
    everything = make_client(ctx.store, pool)
    idt = decode(ctx, tokens.issue(ctx, pool, everything, user)["IdToken"])
    assert idt["custom:tier"] == "7" and idt["phone_number_verified"] is False
    assert idt["name"] == "Bob" and idt["address"] == {"formatted": "1 Main St"}
    assert not any(k.startswith("_") for k in idt)

    limited = make_client(ctx.store, pool, ReadAttributes=["email", "custom:tier"])
    idt = decode(ctx, tokens.issue(ctx, pool, limited, user)["IdToken"])
    assert idt["email"] == "bob@example.com" and idt["custom:tier"] == "7"
    assert "name" not in idt and "phone_number" not in idt and "email_verified" not in idt
    assert idt["sub"] == user["Attributes"]["sub"]


def test_issue_groups_roles_and_preferred_role(ctx, world):
    pool, client, user = world
    groups = [{"GroupName": "admins", "Precedence": 1, "RoleArn": "arn:aws:iam::1:role/admin"},
              {"GroupName": "staff", "Precedence": 5},
              {"GroupName": "readers", "RoleArn": "arn:aws:iam::1:role/read"}]
    result = tokens.issue(ctx, pool, client, user, groups=groups)
    idt, access = decode(ctx, result["IdToken"]), decode(ctx, result["AccessToken"])
    assert idt["cognito:groups"] == access["cognito:groups"] == ["admins", "staff", "readers"]
    assert idt["cognito:roles"] == ["arn:aws:iam::1:role/admin", "arn:aws:iam::1:role/read"]
    assert idt["cognito:preferred_role"] == "arn:aws:iam::1:role/admin"
    assert "cognito:roles" not in access

    tie = [{"GroupName": "a", "Precedence": 2, "RoleArn": "arn:aws:iam::1:role/a"},
           {"GroupName": "b", "Precedence": 2, "RoleArn": "arn:aws:iam::1:role/b"}]
    idt = decode(ctx, tokens.issue(ctx, pool, client, user, groups=tie)["IdToken"])
    assert "cognito:preferred_role" not in idt and len(idt["cognito:roles"]) == 2

    idt = decode(ctx, tokens.issue(ctx, pool, client, user, groups=[])["IdToken"])
    assert "cognito:groups" not in idt and "cognito:roles" not in idt


def test_issue_reads_the_users_groups(ctx, world):
    pool, client, user = world
    assert "cognito:groups" not in decode(ctx, tokens.issue(ctx, pool, client, user)["IdToken"])
    for name, precedence, role in (("zeta", 3, "arn:aws:iam::1:role/z"), ("alpha", None, None),
                                   ("mid", 0, None)):
        group = {"GroupName": name, "UserPoolId": POOL_ID, "CreationDate": T0,
                 "LastModifiedDate": T0}
        if precedence is not None:
            group["Precedence"] = precedence
        if role:
            group["RoleArn"] = role
        group_domain.create(ctx.store, POOL_ID, group)
        group_domain.add_user(ctx.store, pool, name, user)
    result = tokens.issue(ctx, pool, client, user)
    idt, access = decode(ctx, result["IdToken"]), decode(ctx, result["AccessToken"])
    assert idt["cognito:groups"] == access["cognito:groups"] == ["mid", "zeta", "alpha"]
    assert idt["cognito:roles"] == ["arn:aws:iam::1:role/z"]
    assert idt["cognito:preferred_role"] == "arn:aws:iam::1:role/z"


def test_issue_scopes_and_device_key(ctx, world):
    pool, client, user = world
    result = tokens.issue(ctx, pool, client, user, scopes=["openid", "email"],
                          device_key="us-east-1_0b6d6a0e-1111-2222-3333-444455556666",
                          refresh=False)
    assert "RefreshToken" not in result
    access = decode(ctx, result["AccessToken"])
    assert access["scope"] == "openid email"
    assert access["device_key"] == "us-east-1_0b6d6a0e-1111-2222-3333-444455556666"


@pytest.mark.parametrize("fields, lives", [
    ({}, (3600, 3600, 30 * 86400)),
    ({"AccessTokenValidity": 2, "IdTokenValidity": 3, "RefreshTokenValidity": 4},
     (7200, 10800, 4 * 86400)),
    ({"AccessTokenValidity": 5, "IdTokenValidity": 90, "RefreshTokenValidity": 60,
      "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "seconds",
                             "RefreshToken": "minutes"}},
     (300, 90, 3600)),
    ({"AccessTokenValidity": 1, "IdTokenValidity": 1, "RefreshTokenValidity": 0,
      "TokenValidityUnits": {"AccessToken": "days", "IdToken": "hours"}},
     (86400, 3600, 30 * 86400)),
])
def test_lifetimes(ctx, world, fields, lives):
    pool, _, user = world
    client = make_client(ctx.store, pool, **fields)
    result = tokens.issue(ctx, pool, client, user)
    access, idt = decode(ctx, result["AccessToken"]), decode(ctx, result["IdToken"])
    assert result["ExpiresIn"] == lives[0]
    assert (access["exp"] - access["iat"], idt["exp"] - idt["iat"]) == lives[:2]
    record = ctx.store.get(tokens.REFRESH_KIND, POOL_ID,
                           hashlib.sha256(result["RefreshToken"].encode()).hexdigest())
    assert record["expiresAt"] - record["issuedAt"] == lives[2]


def test_refresh_token_shape_and_storage(ctx, world):
    pool, client, user = world
    seen = set()
    for _ in range(20):
        token = tokens.issue(ctx, pool, client, user)["RefreshToken"]
        assert re.fullmatch(r"[A-Za-z0-9\-_=.]+", token)
        parts = token.split(".")
        assert len(parts) == 5 and parts[0] == JWE_HEADER
        assert json.loads(unb64url(parts[0])) == {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}
        seen.add(token)
    assert len(seen) == 20
    stored = ctx.store.list(tokens.REFRESH_KIND, POOL_ID)
    assert {k for k, _ in stored} == {hashlib.sha256(t.encode()).hexdigest() for t in seen}
    record = stored[0][1]
    assert set(record) == {"clientId", "username", "sub", "originJti", "authTime", "issuedAt",
                           "expiresAt", "revoked", "deviceKey", "scopes", "idToken"}
    assert record["scopes"] is None and record["idToken"] is True  # an API sign-in
    assert record["username"] == "alice" and record["clientId"] == client["ClientId"]
    dump = json.dumps([r for _, r in stored]
                      + [r for _, r in ctx.store.list(tokens.SESSION_KIND, POOL_ID)])
    assert not any(t.split(".")[1] in dump for t in seen)  # raw token never stored


def test_issue_speed(ctx, world):
    pool, client, user = world
    tokens.issue(ctx, pool, client, user, groups=[])  # warm: keys generated
    tokens.issue(ctx, pool, client, user, groups=[])  # read back and cached
    start = time.perf_counter()
    for _ in range(200):
        tokens.issue(ctx, pool, client, user, groups=[])
    per_call = (time.perf_counter() - start) / 200
    assert per_call < 0.02, per_call  # two RSA-2048 signatures: a few ms at most


# ------------------------------------------------------------------------------ authorize

def test_authorize_accepts_our_access_token(ctx, world):
    pool, client, user = world
    result = tokens.issue(ctx, pool, client, user)
    got_pool, got_user, claims = tokens.authorize(ctx, result["AccessToken"])
    assert got_pool["Id"] == POOL_ID and got_user["Username"] == "alice"
    assert claims["client_id"] == client["ClientId"]


def _forge(ctx, token, *, header=None, claims=None, signer=None):
    head, body, sig = token.split(".")
    h = json.loads(unb64url(head)) if header is None else header
    c = json.loads(unb64url(body))
    c.update(claims or {})
    new_head = b64url(json.dumps(h).encode())
    new_body = b64url(json.dumps(c).encode(errors="surrogatepass"))
    if signer is None:
        return f"{new_head}.{new_body}.{sig}"
    return f"{new_head}.{new_body}.{b64url(signer((new_head + '.' + new_body).encode()))}"


def test_authorize_refuses_forgeries(ctx, world):
    pool, client, user = world
    token = tokens.issue(ctx, pool, client, user)["AccessToken"]
    kid = jwt.get_unverified_header(token)["kid"]
    claims = json.loads(unb64url(token.split(".")[1]))
    public_pem = keys.for_pool(ctx, pool).access.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    forgeries = {
        "alg none": f"{b64url(json.dumps({'kid': kid, 'alg': 'none'}).encode())}."
                    f"{token.split('.')[1]}.",
        "HS256 keyed with the public key": _hs256(claims, kid, public_pem),
        "wrong key": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "tampered payload": _forge(ctx, token, claims={"username": "mallory"}),
        "alg swapped to RS512": _forge(ctx, token, header={"kid": kid, "alg": "RS512"}),
        "unknown kid": _forge(ctx, token, header={"kid": "x" * 44, "alg": "RS256"}),
        "id token": tokens.issue(ctx, pool, client, user)["IdToken"],
        "other pool in iss": _forge(ctx, token, claims={"iss": "http://x/us-east-1_Nope12345"}),
        "garbage": "not-a-token",
        "two parts": "a.b",
        "bad base64": "@@@.@@@.@@@",
        "array payload": f"{token.split('.')[0]}.{b64url(b'[1]')}.{token.split('.')[2]}",
        "surrogate in iss": _forge(ctx, token, claims={"iss": "http://x/us-east-1_\ud800"}),
        "non-ascii token": token[:-3] + "\u00e9\u00e9\u00e9",
        "numeric iss": _forge(ctx, token, claims={"iss": 5}),
    }
    for name, forged in forgeries.items():
        assert refused(tokens.authorize, ctx, forged) == "Invalid Access Token", name


def _hs256(claims, kid, secret: bytes) -> str:
    import hmac
    head = b64url(json.dumps({"kid": kid, "alg": "HS256"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


def test_authorize_expired_by_emulator_clock(ctx, world):
    pool, client, user = world
    token = tokens.issue(ctx, pool, client, user)["AccessToken"]
    ctx.emu.clock.advance(3599)
    tokens.authorize(ctx, token)
    ctx.emu.clock.advance(1)
    assert refused(tokens.authorize, ctx, token) == "Access Token has expired"


def test_authorize_scope_user_state(ctx, world):
    pool, client, user = world
    oauth = tokens.issue(ctx, pool, client, user, scopes=["openid"])["AccessToken"]
    assert refused(tokens.authorize, ctx, oauth) == "Access Token does not have required scopes"

    token = tokens.issue(ctx, pool, client, user)["AccessToken"]
    stored = users.get(ctx.store, pool, "alice")
    stored["Enabled"] = False
    users.save(ctx.store, pool, stored, previous=stored)
    assert refused(tokens.authorize, ctx, token) == "User is disabled."

    users.delete(ctx.store, pool, stored)
    assert refused(tokens.authorize, ctx, token, code="UserNotFoundException") == \
        "User does not exist."
    make_user(ctx.store, pool, "alice")  # same name, new person: old tokens are not theirs
    assert refused(tokens.authorize, ctx, token, code="UserNotFoundException") == \
        "User does not exist."


# ------------------------------------------------------------------------------ refresh

def test_refresh_keeps_session_claims(ctx, world):
    pool, client, user = world
    first = tokens.issue(ctx, pool, client, user, auth_time=T0 - 100,
                         device_key="us-east-1_aaaaaaaa-0000-0000-0000-000000000000")
    ctx.emu.clock.advance(1800)
    again = tokens.refresh(ctx, pool, client, first["RefreshToken"])
    assert set(again) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}
    old, new = decode(ctx, first["AccessToken"]), decode(ctx, again["AccessToken"])
    assert new["auth_time"] == int(T0) - 100 and new["origin_jti"] == old["origin_jti"]
    assert new["iat"] == int(T0) + 1800 and new["jti"] != old["jti"]
    assert new["device_key"] == old["device_key"]
    assert decode(ctx, again["IdToken"])["origin_jti"] == old["origin_jti"]
    tokens.authorize(ctx, again["AccessToken"])


def test_refresh_refusals(ctx, world):
    pool, client, user = world
    rt = tokens.issue(ctx, pool, client, user)["RefreshToken"]
    other = make_client(ctx.store, pool)
    bad = [("unknown", client, JWE_HEADER + ".a.b.c.d"),
           ("other client", other, rt),
           ("tampered", client, rt[:-2] + ("AA" if not rt.endswith("AA") else "BB"))]
    for name, c, token in bad:
        assert refused(tokens.refresh, ctx, pool, c, token) == "Invalid Refresh Token", name
    # A device key only matters when the sign-in recorded one (what Cognito does with a
    # missing key is unconfirmed): a contradicting one is refused.
    tokens.refresh(ctx, pool, client, rt,
                   device_key="us-east-1_ffffffff-0000-0000-0000-000000000000")
    dk = "us-east-1_aaaaaaaa-0000-0000-0000-000000000000"
    with_device = tokens.issue(ctx, pool, client, user, device_key=dk)["RefreshToken"]
    tokens.refresh(ctx, pool, client, with_device, device_key=dk)
    tokens.refresh(ctx, pool, client, with_device)
    assert refused(tokens.refresh, ctx, pool, client, with_device,
                   device_key="us-east-1_ffffffff-0000-0000-0000-000000000000") \
        == "Invalid Refresh Token"


def test_refresh_expiry_and_user_state(ctx, world):
    pool, _, user = world
    client = make_client(ctx.store, pool, RefreshTokenValidity=60,
                         TokenValidityUnits={"RefreshToken": "minutes"})
    rt = tokens.issue(ctx, pool, client, user)["RefreshToken"]
    ctx.emu.clock.advance(3599)
    tokens.refresh(ctx, pool, client, rt)
    ctx.emu.clock.advance(1)
    assert refused(tokens.refresh, ctx, pool, client, rt) == "Refresh Token has expired"

    rt = tokens.issue(ctx, pool, client, user)["RefreshToken"]
    stored = users.get(ctx.store, pool, "alice")
    stored["Enabled"] = False
    users.save(ctx.store, pool, stored, previous=stored)
    assert refused(tokens.refresh, ctx, pool, client, rt) == "User is disabled."
    users.delete(ctx.store, pool, stored)
    assert refused(tokens.refresh, ctx, pool, client, rt) == "User does not exist."


def test_rotation_with_grace_period(ctx, world):
    pool, _, user = world
    client = make_client(ctx.store, pool, RefreshTokenValidity=1,
                         RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30})
    assert tokens.rotation_enabled(client)
    first = tokens.issue(ctx, pool, client, user)
    ctx.emu.clock.advance(100)
    second = tokens.refresh(ctx, pool, client, first["RefreshToken"], rotate=True)
    assert second["RefreshToken"] not in (None, first["RefreshToken"])
    assert decode(ctx, second["AccessToken"])["origin_jti"] == \
        decode(ctx, first["AccessToken"])["origin_jti"]
    ctx.emu.clock.advance(30)  # retries inside the grace period still work
    retry = tokens.refresh(ctx, pool, client, first["RefreshToken"], rotate=True)
    ctx.emu.clock.advance(1)
    assert refused(tokens.refresh, ctx, pool, client, first["RefreshToken"], rotate=True,
                   code="RefreshTokenReuseException")
    third = tokens.refresh(ctx, pool, client, second["RefreshToken"], rotate=True)
    tokens.refresh(ctx, pool, client, retry["RefreshToken"], rotate=True)
    # Rotation keeps the sign-in's absolute expiry (1 day)
    ctx.emu.clock.advance(86400 - 131)
    assert refused(tokens.refresh, ctx, pool, client, third["RefreshToken"], rotate=True) \
        == "Refresh Token has expired"


def test_rotation_without_grace_invalidates_at_once(ctx, world):
    pool, _, user = world
    client = make_client(ctx.store, pool, RefreshTokenRotation={"Feature": "ENABLED"})
    rt = tokens.issue(ctx, pool, client, user)["RefreshToken"]
    new = tokens.refresh(ctx, pool, client, rt, rotate=True)["RefreshToken"]
    ctx.emu.clock.advance(0.5)
    refused(tokens.refresh, ctx, pool, client, rt, rotate=True, code="RefreshTokenReuseException")
    tokens.refresh(ctx, pool, client, new, rotate=True)


# ------------------------------------------------------------------------------ revoke / sign-out

def test_revoke_ends_one_session_only(ctx, world):
    pool, client, user = world
    a = tokens.issue(ctx, pool, client, user)
    b = tokens.issue(ctx, pool, client, user)
    a2 = tokens.refresh(ctx, pool, client, a["RefreshToken"])
    assert tokens.revoke(ctx, client, a["RefreshToken"]) is True
    assert refused(tokens.refresh, ctx, pool, client, a["RefreshToken"]) == \
        "Refresh Token has been revoked"
    for token in (a["AccessToken"], a2["AccessToken"]):
        assert refused(tokens.authorize, ctx, token) == "Access Token has been revoked"
    tokens.authorize(ctx, b["AccessToken"])
    tokens.refresh(ctx, pool, client, b["RefreshToken"])
    assert tokens.revoke(ctx, client, a["RefreshToken"]) is True  # again: still fine


def test_revoke_rotated_family(ctx, world):
    pool, _, user = world
    client = make_client(ctx.store, pool, RefreshTokenRotation={"Feature": "ENABLED",
                                                                "RetryGracePeriodSeconds": 60})
    first = tokens.issue(ctx, pool, client, user)
    second = tokens.refresh(ctx, pool, client, first["RefreshToken"], rotate=True)
    tokens.revoke(ctx, client, second["RefreshToken"])
    for rt in (first["RefreshToken"], second["RefreshToken"]):
        assert refused(tokens.refresh, ctx, pool, client, rt, rotate=True) == \
            "Refresh Token has been revoked"


def test_revoke_refusals(ctx, world):
    pool, client, user = world
    result = tokens.issue(ctx, pool, client, user)
    assert tokens.revoke(ctx, client, JWE_HEADER + ".a.b.c.d") is False
    assert tokens.revoke(ctx, client, "\ud800") is False
    refused(tokens.revoke, ctx, client, result["AccessToken"], code="UnsupportedTokenTypeException")
    refused(tokens.revoke, ctx, client, result["IdToken"], code="UnsupportedTokenTypeException")
    other = make_client(ctx.store, pool)
    refused(tokens.revoke, ctx, other, result["RefreshToken"], code="UnauthorizedException")
    off = make_client(ctx.store, pool, EnableTokenRevocation=False)
    refused(tokens.revoke, ctx, off, result["RefreshToken"], code="UnsupportedOperationException")
    tokens.refresh(ctx, pool, client, result["RefreshToken"])  # untouched by the refusals


def test_global_sign_out(ctx, world):
    pool, client, user = world
    other_user = make_user(ctx.store, pool, "carol")
    sessions = [tokens.issue(ctx, pool, client, user) for _ in range(3)]
    theirs = tokens.issue(ctx, pool, client, other_user)
    assert tokens.global_sign_out(ctx, pool, user) == 3
    for s in sessions:
        assert refused(tokens.authorize, ctx, s["AccessToken"]) == "Access Token has been revoked"
        assert refused(tokens.refresh, ctx, pool, client, s["RefreshToken"]) == \
            "Refresh Token has been revoked"
    tokens.authorize(ctx, theirs["AccessToken"])
    # Same (pinned) second: a sign-in right after the sign-out is not caught by it
    fresh = tokens.issue(ctx, pool, client, user)
    tokens.authorize(ctx, fresh["AccessToken"])
    tokens.refresh(ctx, pool, client, fresh["RefreshToken"])


def test_client_secret_check(ctx, world):
    pool, _, _ = world
    client = make_client(ctx.store, pool, ClientSecret="s" * 51)
    tokens.check_client_secret(client, "s" * 51, "UnauthorizedException")
    assert "secret was not received" in refused(tokens.check_client_secret, client, None,
                                                "UnauthorizedException",
                                                code="UnauthorizedException")
    refused(tokens.check_client_secret, client, "t" * 51, "NotAuthorizedException")
    tokens.check_client_secret(make_client(ctx.store, pool), None, "UnauthorizedException")


# ------------------------------------------------------------------------------ restart

def test_keys_and_revocations_survive_restart(tmp_path):
    settings = Settings(data_dir=str(tmp_path), port=9229)
    emu = Emulator(settings)
    ctx = make_ctx(emu)
    with ctx.store.transaction():
        pool = make_pool(ctx.store)
        client = make_client(ctx.store, pool)
        user = make_user(ctx.store, pool)
    with ctx.store.transaction():
        result = tokens.issue(ctx, pool, client, user)
    with ctx.store.transaction():
        tokens.revoke(ctx, client, result["RefreshToken"])
    kept = tokens.issue(ctx, pool, client, user)
    jwks = keys.jwks(ctx, POOL_ID)
    emu.close()

    emu = Emulator(settings)
    ctx = make_ctx(emu)
    assert keys.jwks(ctx, POOL_ID) == jwks
    assert refused(tokens.refresh, ctx, pool, client, result["RefreshToken"]) == \
        "Refresh Token has been revoked"
    tokens.authorize(ctx, kept["AccessToken"])
    tokens.refresh(ctx, pool, client, kept["RefreshToken"])
    emu.close()
