"""ID, access and refresh tokens: issue, refresh, authorize, revoke, global sign-out.

ID and access tokens are RS256 JWS made and checked with PyJWT, signed with the pool's keys
(auth/keys.py), claims as reference §6.2/6.3. Refresh tokens are opaque strings shaped like
Cognito's JWE; only their SHA-256 is stored.

Records (scope = pool id):
    refresh_token  key sha256(token) -> {clientId, username, sub, originJti, authTime,
                   issuedAt, expiresAt, revoked, deviceKey, graceUntil?}
    token_session  key "<sub>/<origin_jti>" -> {clientId, username, authTime, issuedAt,
                   expiresAt, originSessionId?} + the session-tracking fields of
                   domain/user_sessions.tracking_fields (sessionId "tkn...", createdAt,
                   lastActiveAt, deviceType, lastIp). One per authentication: every token
                   minted from it shares its origin_jti. RevokeToken, global sign-out,
                   Revoke/AdminRevokeUserSession and the per-user maximum delete it, which is
                   what makes the refresh token and the access tokens of that sign-in refused.
                   (An exact record rather than a "signed out at" timestamp: a timestamp with
                   one-second token times can't tell a token issued just before a sign-out
                   from one issued just after it.)
"""
import base64
import hashlib
import hmac
import json
import os
import re
import uuid

import jwt
from jwt.types import Options

from .. import triggers
from ..domain import groups as group_domain
from ..domain import pools, user_sessions, users
from ..errors import CognitoError
from . import keys

REFRESH_KIND = "refresh_token"
SESSION_KIND = "token_session"
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
# Protected header of Cognito's refresh tokens: {"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}
_JWE_HEADER = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ"

_POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)  # UserPoolIdType
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# token -> (client field, default lifetime in seconds, unit when the record gives none)
_VALIDITY = {"AccessToken": ("AccessTokenValidity", 3600, "hours"),
             "IdToken": ("IdTokenValidity", 3600, "hours"),
             "RefreshToken": ("RefreshTokenValidity", 30 * 86400, "days")}


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


class _KidFirst(json.JSONEncoder):
    """PyJWT writes the JWS header's alg first; Cognito's header reads {"kid":..,"alg":"RS256"}
    (its tokens start "eyJraWQi"), so the header goes out in that order. The claims (never
    just these two names) pass through as PyJWT encodes them."""

    def encode(self, o):
        if isinstance(o, dict) and o.keys() == {"kid", "alg"}:
            o = {"kid": o["kid"], "alg": o["alg"]}
        return super().encode(o)


def _sign(key: keys.SigningKey, claims: dict) -> str:
    # typ None: Cognito's header carries no "typ" (PyJWT would add "JWT").
    return jwt.encode(claims, key.private, algorithm="RS256",
                      headers={"kid": key.kid, "typ": None}, json_encoder=_KidFirst,
                      sort_headers=False)


class Unsigned:
    """A token whose claims are final, signed only once the call's transaction has committed
    (api/calls.run finishes it): an RSA signature is about a third of a sign-in's CPU, and
    the store runs transactions one at a time."""
    __slots__ = ("key", "claims")

    def __init__(self, key: keys.SigningKey, claims: dict):
        self.key, self.claims = key, claims

    def after_commit(self) -> str:
        return _sign(self.key, self.claims)


def _token(ctx, key: keys.SigningKey, claims: dict) -> str | Unsigned:
    """The signed token, or (Context.sign_after_commit) one to sign after the commit."""
    if ctx.sign_after_commit is None:
        return _sign(key, claims)
    token = Unsigned(key, claims)
    ctx.sign_after_commit.append(token)
    return token


def _digest(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode(errors="surrogatepass")).hexdigest()


def _session_key(sub: str, origin_jti: str) -> str:
    return f"{sub}/{origin_jti}"


def session_alive(store, pool_id: str, claims: dict) -> bool:
    """Whether the sign-in session a token was issued in (its sub and origin_jti) is still on:
    RevokeToken and global sign-out end it. Access tokens here, ID tokens at identity pools
    with ServerSideTokenCheck."""
    sub, origin = claims.get("sub"), claims.get("origin_jti")
    return bool(sub and origin) and store.get(
        SESSION_KIND, pool_id, _session_key(str(sub), str(origin))) is not None


def issuer(settings, pool: dict) -> str:
    """The pool's token issuer (`iss`): the settings' issuer style, and in the aws style the
    pool's IssuerConfiguration (UPDATED: https://issuer-cognito-idp.<region>.amazonaws.com)."""
    return settings.issuer(pool["Id"], (pool.get("IssuerConfiguration") or {}).get("Type"))


def lifetime(client: dict, which: str) -> int:
    """Seconds a token lives for this client; `which` is AccessToken, IdToken or RefreshToken."""
    field, default, unit = _VALIDITY[which]
    value = client.get(field)
    if not value:  # absent, or RefreshTokenValidity 0 ("use the default")
        return default
    unit = (client.get("TokenValidityUnits") or {}).get(which) or unit
    return int(value) * _UNIT_SECONDS[unit]


def rotation_enabled(client: dict) -> bool:
    return (client.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def revocation_enabled(client: dict) -> bool:
    return client.get("EnableTokenRevocation", True) is not False


def _invalid(message: str = "Invalid Refresh Token") -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


# --- claims -------------------------------------------------------------------------------

def _preferred_role(groups: list[dict]) -> str | None:
    """Role of the group with the lowest Precedence; none when that lowest value is shared
    (Cognito then names no preferred role). Groups without Precedence rank last."""
    with_role = [g for g in groups if g.get("RoleArn")]
    if not with_role:
        return None
    rank = [g.get("Precedence") if g.get("Precedence") is not None else float("inf")
            for g in with_role]
    best = min(rank)
    winners = [g for g, r in zip(with_role, rank, strict=True) if r == best]
    return winners[0]["RoleArn"] if len(winners) == 1 else None


def _identities_claim(value):
    """The attribute stores primary / dateCreated as a boolean and a number; ID tokens
    carry every field of an entry as a string ("primary": "true")."""
    try:
        entries = json.loads(value)
    except (TypeError, ValueError):
        return value
    if not isinstance(entries, list):
        return entries
    return [{k: (str(v).lower() if isinstance(v, bool) else v if v is None else str(v))
             for k, v in entry.items()} if isinstance(entry, dict) else entry
            for entry in entries]


def _id_attributes(client: dict, attrs: dict) -> dict:
    readable = client.get("ReadAttributes")
    out = {}
    for name, value in attrs.items():
        if name == "sub" or name.startswith("_") or (readable is not None and name not in readable):
            continue
        if name in ("email_verified", "phone_number_verified"):
            value = str(value).lower() == "true"
        elif name == "identities":
            value = _identities_claim(value)
        elif name == "address":
            # OIDC wants an object; Cognito stores the attribute as a plain string.
            # Shape inside the token UNCONFIRMED; {"formatted": ...} is the OIDC form.
            value = {"formatted": value}
        out[name] = value
    return out


# --- issue --------------------------------------------------------------------------------

def issue(ctx, pool: dict, client: dict, user: dict, *, auth_time=None, scopes=None,
          device_key=None, refresh=True, origin_jti=None, refresh_token=None, groups=None,
          event_id=None, id_token=True, nonce=None, source: str = "Authentication",
          client_metadata: dict | None = None, origin_session: str | None = None) -> dict:
    """AuthenticationResult {AccessToken, ExpiresIn, TokenType, IdToken, RefreshToken?}.

    A call without origin_jti is a new authentication (new session); refreshes pass the
    session's origin_jti and auth_time. refresh=False mints no refresh token; refresh_token
    hands back an existing one instead of minting. `groups` overrides the user's groups
    (GroupType dicts sorted by precedence); `scopes` (list) replaces the API scope;
    id_token=False / nonce are for OAuth flows. `source` is the pre token generation
    trigger source suffix (Authentication, NewPasswordChallenge, RefreshTokens,
    AuthenticateDevice, HostedAuth); `client_metadata` goes to that trigger.
    `origin_session`: the SSO (hosted-UI) session a new token session came through.
    """
    now = ctx.now()
    iat = int(now)
    auth_time = int(auth_time if auth_time is not None else now)
    new_session = origin_jti is None
    origin_jti = origin_jti or str(uuid.uuid4())
    event_id = event_id or str(uuid.uuid4())
    if groups is None:
        groups = group_domain.for_user(ctx.store, pool, user)
    iss = issuer(ctx.settings, pool)
    sub = user["Attributes"]["sub"]
    client_id = client["ClientId"]
    access_life = lifetime(client, "AccessToken")
    id_life = lifetime(client, "IdToken")
    group_names = [g["GroupName"] for g in groups]
    roles = [g["RoleArn"] for g in groups if g.get("RoleArn")]
    preferred = _preferred_role(groups)
    scope_list = list(scopes) if scopes is not None else [ADMIN_SCOPE]

    access = {"sub": sub}
    if device_key:
        access["device_key"] = device_key
    if group_names:
        access["cognito:groups"] = group_names
    access.update({
        "iss": iss, "client_id": client_id,
        # Cognito adds origin_jti only with token revocation on; we always do, since
        # revocation and sign-out checks hang on it (UNCONFIRMED difference, harmless).
        "origin_jti": origin_jti, "event_id": event_id, "token_use": "access",
        "scope": " ".join(scope_list),
        "auth_time": auth_time, "exp": iat + access_life, "iat": iat,
        "jti": str(uuid.uuid4()), "username": user["Username"]})

    claims = None
    if id_token:
        claims = {"sub": sub}
        if group_names:
            claims["cognito:groups"] = group_names
            if preferred:
                claims["cognito:preferred_role"] = preferred
        claims.update(_id_attributes(client, user["Attributes"]))
        claims.update({"iss": iss, "cognito:username": user["Username"]})
        if nonce is not None:
            claims["nonce"] = nonce
        claims["origin_jti"] = origin_jti
        if roles:
            claims["cognito:roles"] = roles
        claims.update({"aud": client_id, "event_id": event_id, "token_use": "id",
                       "auth_time": auth_time, "exp": iat + id_life, "iat": iat,
                       "jti": str(uuid.uuid4())})

    # The pre token generation trigger sees the groups and scopes about to be issued and
    # may change both tokens; it runs before anything of this sign-in is stored.
    _pre_token_generation(ctx, pool, client, user, source=source,
                          client_metadata=client_metadata, groups=(group_names, roles, preferred),
                          scopes=scope_list, id_claims=claims, access_claims=access)

    signing = keys.for_pool(ctx, pool)
    result = {"AccessToken": _token(ctx, signing.access, access), "ExpiresIn": access_life,
              "TokenType": "Bearer"}
    if claims is not None:
        result["IdToken"] = _token(ctx, signing.id, claims)

    session_end = now + max(access_life, id_life)
    if refresh_token is not None:
        result["RefreshToken"] = refresh_token
    elif refresh:
        expires = now + lifetime(client, "RefreshToken")
        result["RefreshToken"] = _mint_refresh(ctx, pool, client, user, origin_jti=origin_jti,
                                               auth_time=auth_time, expires_at=expires,
                                               device_key=device_key, scopes=scopes,
                                               id_token=id_token)
        session_end = expires + max(access_life, id_life)
    if new_session:
        _make_room(ctx, pool["Id"], sub)
        record = {"clientId": client_id, "username": user["Username"],
                  "authTime": auth_time, "issuedAt": now, "expiresAt": session_end,
                  **user_sessions.tracking_fields(ctx, "tkn")}
        if origin_session:
            record["originSessionId"] = origin_session
        ctx.store.put(SESSION_KIND, pool["Id"], _session_key(sub, origin_jti), record)
    return result


def _make_room(ctx, pool_id: str, sub: str) -> None:
    """Before a new token session: with session tracking enabled, the user's least recently
    used sessions go until one more fits under MaxPerUser (documented: the next successful
    authentication evicts; lowering the maximum evicts nothing by itself). Ended sessions
    (past expiresAt) are cleared on the way. Without tracking nothing is evicted
    (UNCONFIRMED: the documentation ties the maximum to session tracking's configuration)."""
    config = user_sessions.pool_config(ctx.store, pool_id)
    if config["UserSessionTracking"] != "ENABLED":
        return
    live = []
    for key, record in ctx.store.list(SESSION_KIND, pool_id, prefix=sub + "/"):
        if ctx.now() >= record["expiresAt"]:
            ctx.store.delete(SESSION_KIND, pool_id, key)
        else:
            live.append((record.get("lastActiveAt", record["issuedAt"]), key))
    excess = len(live) - config["TokenSession"]["MaxPerUser"] + 1
    for _, key in sorted(live)[:max(excess, 0)]:
        ctx.store.delete(SESSION_KIND, pool_id, key)


def client_credentials_token(ctx, pool: dict, client: dict, scopes: list[str]) -> dict:
    """The token endpoint's answer to a client_credentials grant: an access token for the app
    client itself - no user, so sub = client_id (UNCONFIRMED, reference 6.3), the custom
    scopes - and no ID or refresh token."""
    now = int(ctx.now())
    life = lifetime(client, "AccessToken")
    claims = {"sub": client["ClientId"], "token_use": "access", "scope": " ".join(scopes),
              "auth_time": now, "iss": issuer(ctx.settings, pool), "exp": now + life,
              "iat": now, "version": 2, "jti": str(uuid.uuid4()),
              "client_id": client["ClientId"]}
    token = _sign(keys.for_pool(ctx, pool).access, claims)
    return {"access_token": token, "expires_in": life, "token_type": "Bearer"}


def sign(key: keys.SigningKey, claims: dict) -> str:
    """Sign claims the way every token here is signed (for auth/derived_tokens.py)."""
    return _sign(key, claims)


def id_attributes(client: dict, attrs: dict) -> dict:
    """The user-attribute claims of an ID token issued to `client` (its ReadAttributes)."""
    return _id_attributes(client, attrs)


# --- the pre token generation trigger ------------------------------------------------------

# Claims no pre token generation response may add, change or suppress (DG: the V1 list,
# plus what the current guide adds for V2/V3). A response that names one is not refused:
# the claim is left as it was (UNCONFIRMED - the guide says only "can't modify").
_PROTECTED = frozenset({
    "acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat",
    "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use",
    "username", "client_id", "event_id", "device_key", "version", "scope"})
# Claims that take no list/object values (the guide's "complex values" rule).
_SIMPLE_ONLY = frozenset({"phone_number_verified", "email_verified", "updated_at", "address"})
_GROUP_CLAIMS = ("cognito:groups", "cognito:roles", "cognito:preferred_role")


def _pre_token_generation(ctx, pool: dict, client: dict, user: dict, *, source: str,
                          client_metadata: dict | None, groups: tuple, scopes: list[str],
                          id_claims: dict | None, access_claims: dict) -> None:
    """Call the pool's pre token generation function (if any) and apply its answer to the
    claim dicts in place. V1_0 events change the ID token (and groups in both tokens);
    V2_0/V3_0 events change both tokens and the access token's scopes."""
    if triggers.configured(pool, "PreTokenGeneration") is None:
        return
    version = triggers.pre_token_version(pool)
    names, roles, preferred = groups
    request = {"userAttributes": triggers.user_attributes(user),
               "groupConfiguration": {"groupsToOverride": list(names),
                                      "iamRolesToOverride": list(roles),
                                      "preferredRole": preferred}}
    if version != "1":
        request["scopes"] = list(scopes)
    if client_metadata:
        request["clientMetadata"] = client_metadata
    key = "claimsOverrideDetails" if version == "1" else "claimsAndScopeOverrideDetails"
    response = triggers.call(ctx, pool, "PreTokenGeneration", f"TokenGeneration_{source}",
                             user_name=user["Username"], client_id=client["ClientId"],
                             request=request, response={key: None}, version=version)
    details = (response or {}).get(key)
    if details is None:
        return
    if not isinstance(details, dict):
        raise triggers.invalid_response()
    if version == "1":
        id_part, access_part = details, None
    else:
        id_part = _part(details, "idTokenGeneration")
        access_part = _part(details, "accessTokenGeneration")
    if "groupOverrideDetails" in details:
        _override_groups(details["groupOverrideDetails"], id_claims, access_claims)
    if id_claims is not None and id_part:
        _override_claims(id_part, id_claims, access=False, complex_values=version != "1")
    if access_part:
        _override_claims(access_part, access_claims, access=True, complex_values=True)
        _override_scopes(access_part, access_claims)


def _part(details: dict, name: str) -> dict | None:
    value = details.get(name)
    if value is not None and not isinstance(value, dict):
        raise triggers.invalid_response()
    return value


def _strings(value, *, allow_none=True) -> list[str]:
    if value is None and allow_none:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise triggers.invalid_response()
    return value


def _override_groups(override, id_claims: dict | None, access_claims: dict) -> None:
    """groupOverrideDetails replaces the group configuration in both tokens; an empty or
    null object suppresses the groups (DG)."""
    if override is not None and not isinstance(override, dict):
        raise triggers.invalid_response()
    override = override or {}
    names = _strings(override.get("groupsToOverride"))
    roles = _strings(override.get("iamRolesToOverride"))
    preferred = override.get("preferredRole")
    if preferred is not None and not isinstance(preferred, str):
        raise triggers.invalid_response()
    for claims in (id_claims, access_claims):
        if claims is None:
            continue
        for claim in _GROUP_CLAIMS:
            claims.pop(claim, None)
        if names:
            claims["cognito:groups"] = names
    if id_claims is not None:
        if roles:
            id_claims["cognito:roles"] = roles
        if preferred:
            id_claims["cognito:preferred_role"] = preferred


def _override_claims(part: dict, claims: dict, *, access: bool, complex_values: bool) -> None:
    add = part.get("claimsToAddOrOverride")
    if add is not None and not isinstance(add, dict):
        raise triggers.invalid_response()
    suppress = set(_strings(part.get("claimsToSuppress")))
    for name, value in (add or {}).items():
        if name in suppress:
            continue  # suppression wins over an override of the same claim (DG)
        if name.startswith("cognito:") or name.startswith("dev:"):
            continue  # cognito: claims are Cognito's; dev: attributes can only be suppressed
        if name in _PROTECTED and not (access and name == "aud" and value == claims["client_id"]):
            continue  # an access token may carry aud only as its own client id (DG)
        if isinstance(value, (list, dict)) and (not complex_values or name in _SIMPLE_ONLY):
            continue
        claims[name] = value
    for name in suppress:
        if name == "cognito:groups":
            # Suppressing the groups takes the roles with them (DG).
            for claim in _GROUP_CLAIMS:
                claims.pop(claim, None)
        elif name in _PROTECTED or (name.startswith("cognito:") and name not in _GROUP_CLAIMS):
            continue
        else:
            claims.pop(name, None)


def _override_scopes(part: dict, access_claims: dict) -> None:
    scopes = access_claims.get("scope", "").split()
    for scope in _strings(part.get("scopesToAdd")):
        if scope not in scopes:
            scopes.append(scope)
    suppressed = set(_strings(part.get("scopesToSuppress")))
    scopes = [s for s in scopes if s not in suppressed]
    if scopes:
        access_claims["scope"] = " ".join(scopes)
    else:
        access_claims.pop("scope", None)


def _mint_refresh(ctx, pool, client, user, *, origin_jti, auth_time, expires_at,
                  device_key, scopes=None, id_token=True) -> str:
    # Looks like Cognito's JWE (header . encrypted key . IV . ciphertext . tag) but is just
    # randomness: the record behind its hash holds everything.
    parts = [_b64url(os.urandom(n)).decode() for n in (256, 12, 384, 16)]
    token = ".".join([_JWE_HEADER, *parts])
    ctx.store.put(REFRESH_KIND, pool["Id"], _digest(token), {
        "clientId": client["ClientId"], "username": user["Username"],
        "sub": user["Attributes"]["sub"], "originJti": origin_jti, "authTime": auth_time,
        "issuedAt": ctx.now(), "expiresAt": expires_at, "revoked": False,
        "deviceKey": device_key,
        # What the sign-in granted (OAuth scopes; whether an ID token came with it), so a
        # refresh issues the same again. None: the API sign-in's default scope.
        "scopes": list(scopes) if scopes is not None else None, "idToken": id_token})
    return token


# --- refresh ------------------------------------------------------------------------------

def refresh_record(store, pool_id: str, refresh_token: str) -> dict | None:
    """The stored record of a refresh token (found by its SHA-256), judged by nothing: for
    the console's token inspector."""
    return store.get(REFRESH_KIND, pool_id, _digest(refresh_token))


def refresh_owner(ctx, pool: dict, refresh_token: str) -> dict | None:
    """The user a refresh token was issued to (None if the token is unknown), without
    judging the token: callers check a SECRET_HASH over this user's names first."""
    record = ctx.store.get(REFRESH_KIND, pool["Id"], _digest(refresh_token))
    return users.get(ctx.store, pool, record["username"]) if record else None


def refresh(ctx, pool: dict, client: dict, refresh_token: str, *, rotate=False,
            device_key=None, client_metadata: dict | None = None) -> dict:
    """New tokens for a refresh token (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, the
    token endpoint). They keep the sign-in's auth_time, origin_jti and device key. With
    rotate, a new refresh token (same absolute expiry) comes back and the presented one
    stays usable for the client's RetryGracePeriodSeconds. The pre token generation trigger
    sees TokenGeneration_RefreshTokens - also for GetTokensFromRefreshToken, which the DG's
    API table lists under TokenGeneration_Authentication (UNCONFIRMED; a refresh is a
    refresh)."""
    store, pool_id, now = ctx.store, pool["Id"], ctx.now()
    digest = _digest(refresh_token)
    record = store.get(REFRESH_KIND, pool_id, digest)
    if record is None or record["clientId"] != client["ClientId"]:
        raise _invalid()
    if record["revoked"]:
        raise _invalid("Refresh Token has been revoked")
    if record.get("graceUntil") is not None and now > record["graceUntil"]:
        # Rotated out and past its grace period. Message UNCONFIRMED.
        raise CognitoError("RefreshTokenReuseException", "Refresh Token has been reused")
    if now >= record["expiresAt"]:
        raise _invalid("Refresh Token has expired")
    session_key = _session_key(record["sub"], record["originJti"])
    session = store.get(SESSION_KIND, pool_id, session_key)
    if session is None:
        # RevokeToken, global sign-out, a revoked or evicted session
        raise _invalid("Refresh Token has been revoked")
    user = users.get(store, pool, record["username"])
    if user is None or user["Attributes"].get("sub") != record["sub"]:
        raise _invalid("User does not exist.")  # message UNCONFIRMED
    if not user.get("Enabled", True):
        raise _invalid("User is disabled.")
    # Remembered-device clients send the device key; refuse only a key that contradicts
    # the sign-in's (what Cognito does with a missing key: UNCONFIRMED).
    if device_key and record.get("deviceKey") and device_key != record["deviceKey"]:
        raise _invalid()
    result = issue(ctx, pool, client, user, auth_time=record["authTime"],
                   origin_jti=record["originJti"], device_key=record.get("deviceKey"),
                   refresh=False, source="RefreshTokens", client_metadata=client_metadata,
                   scopes=record.get("scopes"), id_token=record.get("idToken", True))
    store.put(SESSION_KIND, pool_id, session_key, user_sessions.touch(ctx, session))
    if rotate:
        result["RefreshToken"] = _mint_refresh(
            ctx, pool, client, user, origin_jti=record["originJti"],
            auth_time=record["authTime"], expires_at=record["expiresAt"],
            device_key=record.get("deviceKey"), scopes=record.get("scopes"),
            id_token=record.get("idToken", True))
        if record.get("graceUntil") is None:
            grace = (client.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds") or 0
            record["graceUntil"] = now + grace
            store.put(REFRESH_KIND, pool_id, digest, record)
    return result


# --- authorize (self-service operations) ----------------------------------------------------

def _bad_access() -> CognitoError:
    return CognitoError("NotAuthorizedException", "Invalid Access Token")


# PyJWT checks the signature (and alg) only: expiry is judged by the emulator clock, and
# nothing else about the claims is checked (an aud an access token may carry included).
_SIGNATURE_ONLY: Options = {"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                            "verify_iat": False, "verify_aud": False, "verify_iss": False,
                            "verify_sub": False, "verify_jti": False}
_UNVERIFIED: Options = {"verify_signature": False}
# What a token that isn't one (wrong shape, base64, JSON, a str that isn't UTF-8) raises.
_MALFORMED = (jwt.PyJWTError, ValueError, TypeError)


def verify_access(ctx, access_token: str) -> tuple[dict, dict]:
    """(pool, claims) of one of our access tokens: RS256 signature by the pool's access key,
    token_use "access", not expired by the emulator clock. Nothing else is checked."""
    if not isinstance(access_token, str):  # PyJWT would take bytes too
        raise _bad_access()
    try:
        unverified = jwt.decode_complete(access_token, options=_UNVERIFIED)
    except _MALFORMED:
        raise _bad_access() from None
    header, claims = unverified["header"], unverified["payload"]
    if not isinstance(claims.get("iss"), str):
        raise _bad_access()
    # The signature proves the issuer, so the pool id is simply the last path segment
    # (tokens stay valid if the issuer style or port changes between runs).
    pool_id = claims["iss"].rsplit("/", 1)[-1]
    pool = pools.get(ctx.store, pool_id) if _POOL_ID.fullmatch(pool_id) else None
    if pool is None:
        raise _bad_access()
    signing = keys.for_pool(ctx, pool, create=False)
    if signing is None or header.get("kid") != signing.access.kid:
        raise _bad_access()
    # Exactly RS256 with our access key: no "none", no HMAC keyed with a public key.
    try:
        claims = jwt.decode(access_token, signing.access.public, algorithms=["RS256"],
                            options=_SIGNATURE_ONLY)
    except _MALFORMED:
        raise _bad_access() from None
    if claims.get("token_use") != "access":
        raise _bad_access()
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise _bad_access()
    if ctx.now() >= exp:
        raise CognitoError("NotAuthorizedException", "Access Token has expired")
    return pool, claims


def authorize(ctx, access_token: str) -> tuple[dict, dict, dict]:
    """(pool, user, claims) for an AccessToken parameter (GetUser, ChangePassword, ...)."""
    pool, claims = verify_access(ctx, access_token)
    if ADMIN_SCOPE not in str(claims.get("scope", "")).split():
        raise CognitoError("NotAuthorizedException", "Access Token does not have required scopes")
    sub = claims.get("sub")
    if not session_alive(ctx.store, pool["Id"], claims):
        raise CognitoError("NotAuthorizedException", "Access Token has been revoked")
    user = users.get(ctx.store, pool, str(claims.get("username", "")))
    if user is None or user["Attributes"].get("sub") != sub:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    if not user.get("Enabled", True):
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    return pool, user, claims


# --- revocation ---------------------------------------------------------------------------

def check_client_secret(client: dict, given: str | None, code: str) -> None:
    """ClientSecret on RevokeToken / GetTokensFromRefreshToken (code: the exception to raise).
    Messages UNCONFIRMED; the missing-secret one mirrors Cognito's SECRET_HASH wording."""
    from ..domain import clients
    if not clients.has_secret(client):
        return
    cid = client["ClientId"]
    if not given:
        raise CognitoError(code,
                           f"Client {cid} is configured for secret but secret was not received")
    if not any(hmac.compare_digest(s.encode(), given.encode()) for s in clients.secrets(client)):
        raise CognitoError(code, f"Unable to verify secret for client {cid}")


def revoke(ctx, client: dict, refresh_token: str) -> bool:
    """RevokeToken: the refresh token and every token sharing its origin_jti stop working.
    False when the token isn't one of ours (RFC 7009: not an error)."""
    if not revocation_enabled(client):  # message text UNCONFIRMED
        raise CognitoError("UnsupportedOperationException",
                           "Token revocation is not enabled for this app client.")
    if refresh_token.count(".") == 2:  # a JWS: ID or access token
        raise CognitoError("UnsupportedTokenTypeException", "Unsupported token type.")
    pool_id = client["UserPoolId"]
    digest = _digest(refresh_token)
    record = ctx.store.get(REFRESH_KIND, pool_id, digest)
    if record is None:
        return False
    if record["clientId"] != client["ClientId"]:
        raise CognitoError("UnauthorizedException",
                           "The token was not issued to this client.")  # text UNCONFIRMED
    if not record["revoked"]:
        record["revoked"] = True
        ctx.store.put(REFRESH_KIND, pool_id, digest, record)
    ctx.store.delete(SESSION_KIND, pool_id, _session_key(record["sub"], record["originJti"]))
    return True


def global_sign_out(ctx, pool: dict, user: dict) -> int:
    """End every session of the user: all refresh tokens and access tokens issued so far are
    refused (tokens from later sign-ins are not). Returns how many sessions ended."""
    sessions = ctx.store.list(SESSION_KIND, pool["Id"], prefix=user["Attributes"]["sub"] + "/")
    for key, _ in sessions:
        ctx.store.delete(SESSION_KIND, pool["Id"], key)
    return len(sessions)


# --- session tracking (ListUserSessions, RevokeUserSession and the Admin twins) -------------

def tracked_sessions(ctx, pool: dict, user: dict, *, current: dict | None = None) -> list[dict]:
    """SessionType items of the user's live token and SSO sessions (expired ones are not
    "active" and are left out, as revoked ones are gone). `current`: the caller's access
    token claims, whose token session is IsCurrentSession."""
    pool_id, sub, now = pool["Id"], user["Attributes"]["sub"], ctx.now()
    mine = _session_key(sub, str(current.get("origin_jti"))) if current else None
    items = []
    for key, record in ctx.store.list(SESSION_KIND, pool_id, prefix=sub + "/"):
        if now >= record["expiresAt"]:
            continue
        if "sessionId" not in record:  # a session from before tracking fields existed
            record.update(sessionId=user_sessions.new_session_id("tkn"),
                          createdAt=record["issuedAt"], lastActiveAt=record["issuedAt"],
                          deviceType="unknown", lastIp="")
            ctx.store.put(SESSION_KIND, pool_id, key, record)
        items.append(user_sessions.item(record, "TOKEN", current=key == mine))
    for _, record in user_sessions.sso_sessions(ctx.store, pool_id, sub):
        if now < record["expiresAt"]:
            items.append(user_sessions.item(record, "SSO"))
    return items


def revoke_tracked(ctx, pool: dict, user: dict, session_id: str, *, linked: bool,
                   current: dict | None = None) -> None:
    """Revoke one of the user's sessions: a token session's record goes (its refresh
    tokens and access tokens are refused from now on, as after RevokeToken); an SSO
    session's record goes (its cookie no longer signs in). linked (LINKED): a token
    session's parent SSO session too; an SSO session's token sessions too. `current`: the
    caller's claims - its own token session can't be revoked (documented; the code
    InvalidParameterException and its wording are UNCONFIRMED)."""
    pool_id, sub = pool["Id"], user["Attributes"]["sub"]
    token_rows = ctx.store.list(SESSION_KIND, pool_id, prefix=sub + "/")
    sso_rows = user_sessions.sso_sessions(ctx.store, pool_id, sub)
    token = next(((k, r) for k, r in token_rows if r.get("sessionId") == session_id), None)
    sso = next(((k, r) for k, r in sso_rows if r["sessionId"] == session_id), None)
    if token is None and sso is None:
        raise user_sessions.session_not_found(session_id)
    if token is not None and current is not None \
            and token[0] == _session_key(sub, str(current.get("origin_jti"))):
        raise CognitoError("InvalidParameterException",
                           "The session of the access token in the request can't be revoked.")
    if token is not None:
        ctx.store.delete(SESSION_KIND, pool_id, token[0])
        parent = token[1].get("originSessionId")
        if linked and parent:
            for key, record in sso_rows:
                if record["sessionId"] == parent:
                    user_sessions.end_sso(ctx.store, pool_id, key)
    else:
        assert sso is not None
        user_sessions.end_sso(ctx.store, pool_id, sso[0])
        if linked:
            for key, record in token_rows:
                if record.get("originSessionId") == session_id:
                    ctx.store.delete(SESSION_KIND, pool_id, key)
