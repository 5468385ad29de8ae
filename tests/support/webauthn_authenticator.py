"""A small software WebAuthn authenticator (plus the browser's part of the ceremony) for tests.

It plays what `navigator.credentials.create()` / `.get()` do with a platform passkey, and
answers in the JSON forms browsers give (`PublicKeyCredential.toJSON()`):

    auth = SoftAuthenticator()
    registration = auth.create(creation_options, origin="http://localhost:3000")
        # -> RegistrationResponseJSON: {id, rawId, type, response{clientDataJSON,
        #    attestationObject, transports, ...}, authenticatorAttachment, clientExtensionResults}
    assertion = auth.get(request_options, origin="http://localhost:3000")
        # -> AuthenticationResponseJSON: {id, rawId, type, response{clientDataJSON,
        #    authenticatorData, signature, userHandle}, ...}

Options may be given as the JSON string a server sends or as the decoded dict (byte fields as
base64url strings, as in PublicKeyCredential*OptionsJSON). Keys are ES256 (P-256), attestation
is "none", and every get() increases the credential's signature counter by `counter_step`
(0 imitates authenticators without a counter, such as synced passkeys).

For negative tests: clone() copies the authenticator with its keys and counters (a cloned
device: its counter falls behind), and add_credential() can put a fresh key under an existing
credential id (an impostor).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ES256 = -7
# authenticatorData flags (WebAuthn 6.1)
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class AuthenticatorError(Exception):
    """What the browser would report as a NotAllowedError / SecurityError."""


@dataclass
class Credential:
    id: bytes
    rp_id: str
    user_handle: bytes
    private_key: ec.EllipticCurvePrivateKey
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: ES256, -1: 1,           # kty EC2, alg ES256, crv P-256
                            -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


class SoftAuthenticator:
    def __init__(self, *, user_verified: bool = True, counter_step: int = 1,
                 aaguid: bytes = bytes(16)):
        self.user_verified = user_verified
        self.counter_step = counter_step
        self.aaguid = aaguid
        self.credentials: dict[bytes, Credential] = {}

    # -- registration: navigator.credentials.create() -------------------------------------
    def create(self, options: dict | str, *, origin: str) -> dict:
        options = _decode(options)
        rp_id = (options.get("rp") or {}).get("id") or urlsplit(origin).hostname
        _check_rp_id(rp_id, origin)
        algs = [p.get("alg") for p in options.get("pubKeyCredParams") or []]
        if algs and ES256 not in algs:
            raise AuthenticatorError("NotSupportedError: no ES256 in pubKeyCredParams")
        excluded = {from_b64url(c["id"]) for c in options.get("excludeCredentials") or []}
        if excluded & set(self.credentials):
            raise AuthenticatorError("InvalidStateError: a credential is already registered")
        user_handle = from_b64url(options["user"]["id"])
        credential = self.add_credential(rp_id, user_handle=user_handle)
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = self._auth_data(rp_id, AT, credential.sign_count) + \
            self.aaguid + len(credential.id).to_bytes(2, "big") + credential.id + \
            credential.cose_public_key()
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    # -- sign-in: navigator.credentials.get() ---------------------------------------------
    def get(self, options: dict | str, *, origin: str, credential_id: bytes | None = None) -> dict:
        options = _decode(options)
        rp_id = options.get("rpId") or urlsplit(origin).hostname
        _check_rp_id(rp_id, origin)
        allowed = [from_b64url(c["id"]) for c in options.get("allowCredentials") or []]
        candidates = [c for c in self.credentials.values() if c.rp_id == rp_id and
                      (not allowed or c.id in allowed) and
                      (credential_id is None or c.id == credential_id)]
        if not candidates:
            raise AuthenticatorError("NotAllowedError: no credential for this request")
        if options.get("userVerification") == "required" and not self.user_verified:
            raise AuthenticatorError("NotAllowedError: user verification required")
        credential = candidates[0]
        credential.sign_count += self.counter_step
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = self._auth_data(rp_id, 0, credential.sign_count)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    # -- helpers for tests ----------------------------------------------------------------
    def add_credential(self, rp_id: str, *, credential_id: bytes | None = None,
                       user_handle: bytes = b"", sign_count: int = 0) -> Credential:
        """A new key pair, under a new id or under `credential_id` (replacing a key there)."""
        credential = Credential(credential_id or secrets.token_bytes(16), rp_id, user_handle,
                                ec.generate_private_key(ec.SECP256R1()), sign_count)
        self.credentials[credential.id] = credential
        return credential

    def clone(self) -> SoftAuthenticator:
        """An independent copy with the same keys and counters (private keys are immutable,
        so sharing them is safe)."""
        twin = copy.copy(self)
        twin.credentials = {k: copy.copy(c) for k, c in self.credentials.items()}
        return twin

    def _auth_data(self, rp_id: str, extra_flags: int, sign_count: int) -> bytes:
        flags = UP | (UV if self.user_verified else 0) | BE | BS | extra_flags
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + \
            sign_count.to_bytes(4, "big")

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}, separators=(",", ":")).encode()


def _decode(options: dict | str) -> dict:
    options = json.loads(options) if isinstance(options, str) else options
    return options.get("publicKey", options)  # accept {publicKey: {...}} as browsers take it


def _check_rp_id(rp_id: str, origin: str) -> None:
    """The browser's rule: the RP ID is the origin's host or a registrable suffix of it."""
    host = urlsplit(origin).hostname or ""
    if not (host == rp_id or host.endswith("." + rp_id)):
        raise AuthenticatorError(f"SecurityError: RP ID {rp_id!r} is not valid for {origin}")
