"""Independent client side of Cognito SRP, for tests and benchmarks.

Deliberately shares no code with the srp library (srp/), so a bug there cannot hide behind
the same bug here. Follows amazon-cognito-identity-js: SALT and SRP_B are parsed as
integers and re-encoded, integers are hashed as minimal two's-complement bytes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

try:
    from gmpy2 import powmod as _powmod
except ImportError:  # pragma: no cover
    _powmod = pow

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
_N = int(N_HEX, 16)
_G = 2


def _tc(n: int) -> bytes:
    """Minimal big-endian two's-complement bytes of a non-negative int (Java toByteArray)."""
    return n.to_bytes(n.bit_length() // 8 + 1, "big")


def _h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _hi(*parts: bytes) -> int:
    return int.from_bytes(_h(*parts), "big")


_K = _hi(_tc(_N), _tc(_G))


def _x(salt: int, prefix: str, user_id: str, password: str) -> int:
    return _hi(_tc(salt), _h(f"{prefix}{user_id}:{password}".encode()))


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def timestamp(now: datetime | None = None) -> str:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    day = "MonTueWedThuFriSatSun"[now.weekday() * 3:][:3]
    month = "JanFebMarAprMayJunJulAugSepOctNovDec"[(now.month - 1) * 3:][:3]
    return f"{day} {month} {now.day} {now:%H:%M:%S} UTC {now.year}"


def device_verifier_config(device_group_key: str, device_key: str) -> tuple[str, dict]:
    """What a client sends to ConfirmDevice: (device_password, DeviceSecretVerifierConfig)."""
    password = base64.b64encode(secrets.token_bytes(40)).decode()
    salt = int.from_bytes(secrets.token_bytes(16), "big")
    v = int(_powmod(_G, _x(salt, device_group_key, device_key, password), _N))
    config = {
        "PasswordVerifier": base64.b64encode(_tc(v)).decode(),
        "Salt": base64.b64encode(_tc(salt)).decode(),
    }
    return password, config


class SrpClient:
    def __init__(self, pool_id, username, password, client_id=None, client_secret=None):
        self.pool_name = pool_id.split("_", 1)[1]
        self.username = username
        self.password = password
        self.client_id = client_id
        self.client_secret = client_secret
        # 256-bit a keeps tests fast; the server must not care about its size
        self.a = secrets.randbits(256) | 1
        self.A = int(_powmod(_G, self.a, _N))

    def _hash_for(self, username: str) -> dict:
        if self.client_secret is None:
            return {}
        return {"SECRET_HASH": secret_hash(username, self.client_id, self.client_secret)}

    def auth_params(self) -> dict:
        return {"USERNAME": self.username, "SRP_A": format(self.A, "x"),
                **self._hash_for(self.username)}

    def device_auth_params(self, device_key: str) -> dict:
        """ChallengeResponses for DEVICE_SRP_AUTH (reuses this client's A)."""
        return {"USERNAME": self.username, "DEVICE_KEY": device_key, "SRP_A": format(self.A, "x"),
                **self._hash_for(self.username)}

    def signature(self, prefix, user_id, password, params, ts) -> str:
        """Base64 PASSWORD_CLAIM_SIGNATURE for the challenge parameters and timestamp string."""
        B = int(params["SRP_B"], 16)
        if B % _N == 0:
            raise ValueError("SRP_B is invalid")
        u = _hi(_tc(self.A), _tc(B))
        if u == 0:
            raise ValueError("u is zero")
        x = _x(int(params["SALT"], 16), prefix, user_id, password)
        base = (B - _K * int(_powmod(_G, x, _N))) % _N
        S = int(_powmod(base, self.a + u * x, _N))
        prk = hmac.new(_tc(u), _tc(S), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        msg = (prefix.encode() + user_id.encode() + base64.b64decode(params["SECRET_BLOCK"])
               + ts.encode())
        return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()

    def answer(self, challenge_parameters: dict, now: datetime | None = None) -> dict:
        """ChallengeResponses for PASSWORD_VERIFIER."""
        user_id = challenge_parameters["USER_ID_FOR_SRP"]
        ts = timestamp(now)
        return {
            "PASSWORD_CLAIM_SIGNATURE": self.signature(
                self.pool_name, user_id, self.password, challenge_parameters, ts),
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge_parameters["SECRET_BLOCK"],
            "TIMESTAMP": ts,
            "USERNAME": user_id,
            **self._hash_for(user_id),
        }

    def answer_device(self, challenge_parameters: dict, device_group_key: str, device_key: str,
                      device_password: str, now: datetime | None = None) -> dict:
        """ChallengeResponses for DEVICE_PASSWORD_VERIFIER."""
        ts = timestamp(now)
        username = challenge_parameters.get("USERNAME", self.username)
        return {
            "PASSWORD_CLAIM_SIGNATURE": self.signature(
                device_group_key, device_key, device_password, challenge_parameters, ts),
            "PASSWORD_CLAIM_SECRET_BLOCK": challenge_parameters["SECRET_BLOCK"],
            "TIMESTAMP": ts,
            "USERNAME": username,
            "DEVICE_KEY": device_key,
            **self._hash_for(username),
        }
