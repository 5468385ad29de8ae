"""Per-pool token signing keys and the JWKS that publishes them.

Each pool owns two RSA-2048 key pairs, one for ID tokens and one for access tokens (real
Cognito signs the two with different keys, so their `kid`s differ). They are generated on
first use and stored (kind "signing_key", scope = pool id, key "id"/"access") so tokens keep
verifying across restarts. Parsing a PEM costs milliseconds, so the parsed keys are cached
in `emu.cache`; the cache is only trusted for the pool it was loaded for (same CreationDate),
and `forget()` drops it when a pool goes away.
"""
import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..domain import pools
from ..store import AlreadyExists

KIND = "signing_key"
USES = ("id", "access")
_CACHE = "signing_keys"


def _b64url_uint(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey
    public: rsa.RSAPublicKey
    jwk: dict


@dataclass(frozen=True)
class PoolKeys:
    id: SigningKey
    access: SigningKey
    created: object  # the pool's CreationDate when loaded: tells a recreated pool apart

    def by_kid(self, kid: str) -> SigningKey | None:
        return self.id if kid == self.id.kid else self.access if kid == self.access.kid else None


def kid_for(public: rsa.RSAPublicKey) -> str:
    """44-char standard base64 of SHA-256 over the SubjectPublicKeyInfo DER. Looks like the
    kids Cognito publishes; how Cognito really derives them is UNCONFIRMED (reference §6.1)."""
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def _load(record: dict) -> SigningKey:
    private = serialization.load_pem_private_key(record["privateKeyPem"].encode(), None,
                                                 unsafe_skip_rsa_key_validation=True)
    public = private.public_key()
    numbers = public.public_numbers()
    jwk = {"alg": "RS256", "e": _b64url_uint(numbers.e), "kid": record["kid"], "kty": "RSA",
           "n": _b64url_uint(numbers.n), "use": "sig"}
    return SigningKey(record["kid"], private, public, jwk)


def _generate(now: float) -> dict:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return {"kid": kid_for(private.public_key()), "privateKeyPem": pem, "createdAt": now}


def for_pool(ctx, pool: dict, *, create: bool = True) -> PoolKeys | None:
    """The pool's two signing keys, generated and stored on first use (None when they don't
    exist yet and create is False: nothing can have been signed with them)."""
    cache = ctx.emu.cache.setdefault(_CACHE, {})
    pool_id = pool["Id"]
    created = pool.get("CreationDate")
    hit = cache.get(pool_id)
    if hit is not None and hit.created == created:
        return hit
    store = ctx.store
    records = {}
    fresh = False
    for use in USES:
        record = store.get(KIND, pool_id, use)
        if record is None:
            if not create:
                return None
            record = _generate(ctx.now())
            try:
                store.insert(KIND, pool_id, use, record)
                fresh = True
            except AlreadyExists:  # someone else won the race: use theirs
                record = store.get(KIND, pool_id, use)
        records[use] = record
    keys = PoolKeys(_load(records["id"]), _load(records["access"]), created)
    # Freshly generated keys may still be rolled back with the caller's transaction; cache
    # them only once they have been read back from the store (the next call).
    if not fresh:
        cache[pool_id] = keys
    return keys


def forget(ctx, pool_id: str) -> None:
    """Drop cached keys (call when a pool is deleted; its records go with delete_scope)."""
    ctx.emu.cache.get(_CACHE, {}).pop(pool_id, None)


def jwks(ctx, pool_id: str) -> dict:
    """The pool's JWKS document; ResourceNotFoundException for an unknown pool."""
    keys = for_pool(ctx, pools.require(ctx.store, pool_id))
    return {"keys": [keys.id.jwk, keys.access.jwk]}
