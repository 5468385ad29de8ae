"""Server SRP math against two independent clients: pycognito and tests/support/srp_client."""
import base64
import secrets
from datetime import UTC, datetime

import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

import srp
from tests.support.srp_client import SrpClient, device_verifier_config, secret_hash

POOL_ID = "us-east-1_AbCdEfGhI"
USER_ID = "3f1c2a9e-0b7d-4e1a-9c55-2d8e6f4b7a10"  # canonical username, what USER_ID_FOR_SRP carries
PASSWORD = "Correct-Horse-9"

SALTS = [
    None,  # random 16 bytes
    (1 << 127) | 12345,  # high bit set: pad_hex adds "00"
    0x0ABC,  # short, leading-zero nibble: pad_hex adds "0"
]


def challenge(identity_prefix, user_id, salt, verifier, A, username=None):
    """Round 1 as the handler will do it; returns (server state, ChallengeParameters)."""
    b, B = srp.server_round1(verifier, A)
    block = secrets.token_bytes(48)
    params = {
        "SALT": srp.pad_hex(salt),
        "SRP_B": format(B, "x"),
        "SECRET_BLOCK": base64.b64encode(block).decode(),
        "USER_ID_FOR_SRP": user_id,
        "USERNAME": username or user_id,
    }
    return (b, B, block), params


def server_accepts(identity_prefix, user_id, verifier, A, state, responses):
    b, B, block = state
    assert base64.b64decode(responses["PASSWORD_CLAIM_SECRET_BLOCK"]) == block
    expected = srp.server_round2_signature(
        identity_prefix, user_id, verifier, A, B, b, block, responses["TIMESTAMP"]
    )
    assert len(expected) == 32
    return srp.verify_claim(expected, responses["PASSWORD_CLAIM_SIGNATURE"])


def pycognito_client(password, **kw):
    # a truthy dummy client keeps AWSSRP from building a boto3 client; no network is used
    return AWSSRP(USER_ID, password, POOL_ID, "client123", client=object(), **kw)


# --- user SRP ---------------------------------------------------------------------------------

@pytest.mark.parametrize("salt_in", SALTS)
@pytest.mark.parametrize("password,ok", [(PASSWORD, True), ("wrong-password", False)])
def test_pycognito_user_srp(salt_in, password, ok):
    name = srp.pool_name(POOL_ID)
    salt, v = srp.make_verifier(name, USER_ID, PASSWORD, salt_in)
    client = pycognito_client(password)
    A = client.large_a_value
    state, params = challenge(name, USER_ID, salt, v, A)
    responses = client.process_challenge(params, {"USERNAME": "alias@example.com"})
    assert srp.parse_timestamp(responses["TIMESTAMP"]) is not None
    assert server_accepts(name, USER_ID, v, A, state, responses) is ok


@pytest.mark.parametrize("salt_in", SALTS)
@pytest.mark.parametrize("password,ok", [(PASSWORD, True), ("wrong-password", False)])
def test_srp_client_user_srp(salt_in, password, ok):
    name = srp.pool_name(POOL_ID)
    salt, v = srp.make_verifier(name, USER_ID, PASSWORD, salt_in)
    client = SrpClient(POOL_ID, "alias@example.com", password, "client123", "s3cret")
    auth = client.auth_params()
    assert auth["SECRET_HASH"] == secret_hash("alias@example.com", "client123", "s3cret")
    A = srp.int_from_hex(auth["SRP_A"])
    state, params = challenge(name, USER_ID, salt, v, A)
    responses = client.answer(params)
    assert responses["USERNAME"] == USER_ID
    assert responses["SECRET_HASH"] == secret_hash(USER_ID, "client123", "s3cret")
    assert server_accepts(name, USER_ID, v, A, state, responses) is ok


def test_signature_binds_timestamp_and_user():
    name = srp.pool_name(POOL_ID)
    salt, v = srp.make_verifier(name, USER_ID, PASSWORD)
    client = SrpClient(POOL_ID, USER_ID, PASSWORD)
    A = client.A
    (b, B, block), params = challenge(name, USER_ID, salt, v, A)
    r = client.answer(params, now=datetime(2025, 5, 7, 0, 9, 40, tzinfo=UTC))
    assert r["TIMESTAMP"] == "Wed May 7 00:09:40 UTC 2025"
    good = srp.server_round2_signature(name, USER_ID, v, A, B, b, block, r["TIMESTAMP"])
    assert srp.verify_claim(good, r["PASSWORD_CLAIM_SIGNATURE"])
    # the zero-padded spelling of the same instant is a different message
    padded = srp.server_round2_signature(name, USER_ID, v, A, B, b, block,
                                         "Wed May 07 00:09:40 UTC 2025")
    assert not srp.verify_claim(padded, r["PASSWORD_CLAIM_SIGNATURE"])
    other = srp.server_round2_signature(name, "someone-else", v, A, B, b, block, r["TIMESTAMP"])
    assert not srp.verify_claim(other, r["PASSWORD_CLAIM_SIGNATURE"])


# --- device SRP -------------------------------------------------------------------------------

DEVICE_GROUP_KEY = "-abcDEF12"
DEVICE_KEY = "us-east-1_7c5b9e2a-1f3d-4a6b-8c9d-0e1f2a3b4c5d"


def stored_device_verifier(config):
    """What ConfirmDevice stores from DeviceSecretVerifierConfig."""
    return srp.int_from_b64(config["Salt"]), srp.int_from_b64(config["PasswordVerifier"])


@pytest.mark.parametrize("tamper", [False, True])
def test_pycognito_device_srp(tamper):
    device_password, config = generate_hash_device(DEVICE_GROUP_KEY, DEVICE_KEY)
    salt, v = stored_device_verifier(config)
    assert srp.check_password(DEVICE_GROUP_KEY, DEVICE_KEY, device_password, salt, v)
    client = pycognito_client(
        PASSWORD,
        device_key=DEVICE_KEY,
        device_group_key=DEVICE_GROUP_KEY,
        device_password=device_password + ("x" if tamper else ""),
    )
    A = client.large_a_value
    state, params = challenge(DEVICE_GROUP_KEY, DEVICE_KEY, salt, v, A, username=USER_ID)
    responses = client.process_device_challenge(params)
    assert responses["DEVICE_KEY"] == DEVICE_KEY
    assert server_accepts(DEVICE_GROUP_KEY, DEVICE_KEY, v, A, state, responses) is not tamper


@pytest.mark.parametrize("tamper", [False, True])
def test_srp_client_device_srp(tamper):
    device_password, config = device_verifier_config(DEVICE_GROUP_KEY, DEVICE_KEY)
    salt, v = stored_device_verifier(config)
    assert srp.int_to_b64(v) == config["PasswordVerifier"]
    client = SrpClient(POOL_ID, USER_ID, PASSWORD)
    A = srp.int_from_hex(client.device_auth_params(DEVICE_KEY)["SRP_A"])
    state, params = challenge(DEVICE_GROUP_KEY, DEVICE_KEY, salt, v, A, username=USER_ID)
    responses = client.answer_device(
        params, DEVICE_GROUP_KEY, DEVICE_KEY, device_password + ("x" if tamper else "")
    )
    assert server_accepts(DEVICE_GROUP_KEY, DEVICE_KEY, v, A, state, responses) is not tamper


# --- primitives -------------------------------------------------------------------------------

def test_constants():
    assert srp.G == 2
    assert srp.N.bit_length() == 3072
    assert srp.K == 0x538282C4354742D7CBBDE2359FCF67F9F5B3A6B08791E5011B43B8A5B66D9EE6


@pytest.mark.parametrize(
    "n,hex_",
    [
        (0, "00"),
        (0x1, "01"),
        (0x7F, "7f"),
        (0x80, "0080"),
        (0xABC, "0abc"),  # odd length: one zero nibble, no "00" even though 'a' is high
        (0x1234, "1234"),
        (0xFF00, "00ff00"),
    ],
)
def test_pad_hex(n, hex_):
    assert srp.pad_hex(n) == hex_


def test_pool_name():
    assert srp.pool_name("us-east-1_AbCdEfGhI") == "AbCdEfGhI"
    assert srp.pool_name("eu-west-2_a_b") == "a_b"


def test_check_password_and_salt():
    salt, v = srp.make_verifier("Pool", "user", "pw")
    assert 0 <= salt < 1 << 128
    assert srp.check_password("Pool", "user", "pw", salt, v)
    assert not srp.check_password("Pool", "user", "pw2", salt, v)
    assert not srp.check_password("Pool", "user2", "pw", salt, v)
    assert not srp.check_password("Pool", "user", "pw", salt + 1, v)
    assert srp.make_verifier("Pool", "user", "pw", salt) == (salt, v)
    assert srp.make_verifier("Pool", "user", "pw")[0] != salt


@pytest.mark.parametrize(
    "ts,expected",
    [
        ("Tue May 6 00:09:40 UTC 2025", datetime(2025, 5, 6, 0, 9, 40, tzinfo=UTC)),
        ("Tue May 06 00:09:40 UTC 2025", datetime(2025, 5, 6, 0, 9, 40, tzinfo=UTC)),
        ("Thu Nov 26 05:04:53 UTC 2026", datetime(2026, 11, 26, 5, 4, 53, tzinfo=UTC)),
        ("", None),
        ("garbage", None),
        ("Tue Foo 6 00:09:40 UTC 2025", None),
        ("Tue Feb 30 00:09:40 UTC 2025", None),
        ("Tue May 6 24:09:40 UTC 2025", None),
        ("Tue May 6 00:09:40 GMT 2025", None),
        ("Tue May 6 00:09:40 UTC 2025 ", None),
        ("2025-05-06T00:09:40Z", None),
    ],
)
def test_parse_timestamp(ts, expected):
    assert srp.parse_timestamp(ts) == expected


def test_format_timestamp_roundtrip():
    dt = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert srp.format_timestamp(dt) == "Fri Jan 2 03:04:05 UTC 2026"
    assert srp.parse_timestamp(srp.format_timestamp(dt)) == dt
    assert srp.format_timestamp(dt.replace(tzinfo=None)) == "Fri Jan 2 03:04:05 UTC 2026"


@pytest.mark.parametrize("A", [0, srp.N, 5 * srp.N, -1])
def test_round1_rejects_bad_A(A):
    with pytest.raises(srp.SrpError):
        srp.server_round1(12345, A)


def test_int_from_hex_rejects_garbage():
    assert srp.int_from_hex("0aF") == 0xAF
    for bad in ["", "0x12", "12 ", "zz", None]:
        with pytest.raises(srp.SrpError):
            srp.int_from_hex(bad)


def test_verify_claim_encodings():
    sig = bytes(range(32))
    std = base64.b64encode(sig).decode()
    assert std.endswith("=")
    assert srp.verify_claim(sig, std)
    assert srp.verify_claim(sig, std.rstrip("="))
    assert srp.verify_claim(sig, base64.urlsafe_b64encode(sig).decode())
    assert not srp.verify_claim(sig, base64.b64encode(sig[:-1] + b"\x00").decode())
    assert not srp.verify_claim(sig, "not base64 !!")
    assert not srp.verify_claim(sig, "")


@pytest.mark.parametrize("exp", [0, 1, 255, 256, 65535, 2**256 - 1, 2**256, 2**300 + 12345])
def test_fixed_base_table_matches_pow(exp):
    assert srp.g_pow(exp) == pow(srp.G, exp, srp.N)


def test_fixed_base_table_random_exponents():
    for _ in range(50):
        e = secrets.randbits(256)
        assert srp.g_pow(e) == pow(srp.G, e, srp.N)
