"""An independent RFC 6238 TOTP generator for tests (HMAC-SHA1, 30 s, 6 digits).

Shares no code with emulator.auth.mfa, so a bug there can't hide behind the same bug here.
Checked against the RFC 6238 appendix B vectors in tests/api/test_mfa.py."""
import base64
import hashlib
import hmac


def code(secret_b32: str, at: float, *, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows at epoch time `at` for a base32 secret."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    return code_for_key(key, int(at // step), digits=digits)


def code_for_key(key: bytes, counter: int, *, digits: int = 6, digest=hashlib.sha1) -> str:
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)
