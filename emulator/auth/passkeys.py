"""Passkeys (WebAuthn): registering a user's passkeys and checking the assertions they sign.

    start_registration(ctx, access_token)              StartWebAuthnRegistration
    complete_registration(ctx, access_token, cred)     CompleteWebAuthnRegistration
    list_credentials / delete_credential               ListWebAuthnCredentials / Delete...
    request_options(config, passkeys, timeout_ms)      the WEB_AUTHN sign-in challenge
    verify_assertion(ctx, pool, user, state, answer)   its answer (raises Rejected)

The `webauthn` package does the ceremony checks (challenge, origin, RP id hash, user presence
and verification, attestation "none"/self, signature, signature counter); this module adds
Cognito's rules (COGNITO_REFERENCE 2.7): the pool's WebAuthnConfiguration, at most 20
passkeys a user, ES256 and RS256 only, the errors of the API.

Records (scope = pool id, so a deleted pool takes them along):
    webauthn_credential    key "<sub>/<credential id>"  {credentialId, publicKey (COSE, b64url),
                           signCount, transports, attachment, rpId, aaguid, friendlyName,
                           createdAt, lastUsedAt}
    webauthn_registration  key "<sub>"   the pending StartWebAuthnRegistration: {challenge,
                           clientId, rpId, expiresAt} (one at a time)
Keyed by the user's sub, so a later user of the same name never inherits passkeys.

Origins (our choice for an offline emulator; Cognito's own list is not public): the
relying party's https origin and those of its subdomains (any port), plus
http://localhost:<port>, http://127.0.0.1:<port> and http://[::1]:<port> for local testing.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..errors import CognitoError, invalid
from ..store.base import expiry_index
from . import mfa, tokens

log = logging.getLogger("emulator.auth.passkeys")

CREDENTIAL = "webauthn_credential"
REGISTRATION = "webauthn_registration"
MAX_PASSKEYS = 20                       # per user (DG)
REGISTRATION_TIMEOUT_MS = 60000         # as in the API reference's example options
REGISTRATION_VALIDITY = 5 * 60          # seconds a Start challenge stays usable: UNCONFIRMED
# COSE algorithm ids: ES256, RS256. The `webauthn` package is imported only where a
# credential is checked: its import costs ~50 ms of every emulator start.
ALGORITHMS = [-7, -257]
LOOPBACK = ("localhost", "127.0.0.1", "::1")


class Rejected(Exception):
    """A sign-in assertion that does not verify; the message says why (for the log only)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, TypeError):
        return None


# --- the pool's configuration -----------------------------------------------------------------

def configuration(pool: dict) -> dict:
    """WebAuthnConfiguration as SetUserPoolMfaConfig stored it, with Cognito's defaults.
    RelyingPartyId may be None: no configured id and no domain to default to."""
    given = mfa.webauthn_configuration(pool) or {}
    return {"RelyingPartyId": given.get("RelyingPartyId") or default_relying_party(pool),
            "UserVerification": given.get("UserVerification") or "preferred",
            "FactorConfiguration": given.get("FactorConfiguration") or "SINGLE_FACTOR"}


def default_relying_party(pool: dict) -> str | None:
    """Cognito defaults the RP id to the custom domain, else the prefix domain's host name
    (DG). The prefix domain's host is the AWS one; offline, set RelyingPartyId instead."""
    if pool.get("CustomDomain"):
        return pool["CustomDomain"]
    if pool.get("Domain"):
        region = pool["Id"].split("_", 1)[0]
        return f"{pool['Domain']}.auth.{region}.amazoncognito.com"
    return None


def enabled(pool: dict) -> bool:
    """Passkeys are on when the pool's sign-in policy allows WEB_AUTHN as a first factor."""
    factors = ((pool.get("Policies") or {}).get("SignInPolicy") or {}) \
        .get("AllowedFirstAuthFactors") or ["PASSWORD"]
    return "WEB_AUTHN" in factors


def _require_config(pool: dict) -> dict:
    # Messages of both exceptions UNCONFIRMED (the model documents only the meaning).
    if not enabled(pool):
        raise CognitoError("WebAuthnNotEnabledException",
                           "Passkeys (WEB_AUTHN) are not enabled for this user pool.")
    config = configuration(pool)
    if not config["RelyingPartyId"]:
        raise CognitoError("WebAuthnConfigurationMissingException",
                           "The user pool has neither a passkey relying party id nor a domain.")
    return config


def origin_allowed(origin: str, rp_id: str) -> bool:
    try:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        parts.port  # noqa: B018  raises on a malformed port
    except ValueError:
        return False
    if parts.scheme == "https":
        return host == rp_id or host.endswith("." + rp_id)
    return parts.scheme == "http" and host in LOOPBACK


def _client_data(encoded) -> dict:
    """clientDataJSON of a credential, decoded (empty dict when unreadable)."""
    raw = from_b64url(encoded) if isinstance(encoded, str) else None
    try:
        data = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


# --- stored passkeys ------------------------------------------------------------------------

def credentials(store, pool: dict, user: dict) -> list[dict]:
    """The user's passkeys, oldest first."""
    rows = store.list(CREDENTIAL, pool["Id"], prefix=user["Attributes"]["sub"] + "/")
    return sorted((record for _, record in rows), key=lambda r: (r["createdAt"], r["credentialId"]))


def _credential_key(user: dict, credential_id: str) -> str:
    return f"{user['Attributes']['sub']}/{credential_id}"


def describe(record: dict) -> dict:
    """WebAuthnCredentialDescription."""
    out = {"CredentialId": record["credentialId"], "FriendlyCredentialName": record["friendlyName"],
           "RelyingPartyId": record["rpId"], "AuthenticatorTransports": record["transports"],
           "CreatedAt": record["createdAt"]}
    if record.get("attachment"):
        out["AuthenticatorAttachment"] = record["attachment"]
    return out


# --- registration ------------------------------------------------------------------------------

def start_registration(ctx, access_token: str) -> dict:
    pool, user, claims = tokens.authorize(ctx, access_token)
    config = _require_config(pool)
    existing = credentials(ctx.store, pool, user)
    if len(existing) >= MAX_PASSKEYS:
        raise _too_many()
    challenge = secrets.token_bytes(32)
    rp_id = config["RelyingPartyId"]
    until = ctx.now() + REGISTRATION_VALIDITY  # one never completed goes with the sweep
    ctx.store.put(REGISTRATION, pool["Id"], user["Attributes"]["sub"], {
        "challenge": b64url(challenge), "clientId": claims.get("client_id"), "rpId": rp_id,
        "expiresAt": until}, index=expiry_index(until))
    # The shape of the API reference's example (COGNITO_REFERENCE 2.7): a JSON object that
    # PublicKeyCredential.parseCreationOptionsFromJSON() takes as it is.
    options = {
        "authenticatorSelection": {"requireResidentKey": True, "residentKey": "required",
                                   "userVerification": config["UserVerification"]},
        "challenge": b64url(challenge),
        "excludeCredentials": [{"id": c["credentialId"], "type": "public-key"} for c in existing],
        "pubKeyCredParams": [{"alg": int(alg), "type": "public-key"} for alg in ALGORITHMS],
        "rp": {"id": rp_id, "name": rp_id},
        "timeout": REGISTRATION_TIMEOUT_MS,
        "user": {"displayName": user["Username"],
                 "id": b64url(user["Attributes"]["sub"].encode("utf-8")),
                 "name": user["Username"]},
    }
    return {"CredentialCreationOptions": options}


def _too_many() -> CognitoError:
    return CognitoError("LimitExceededException",  # wording UNCONFIRMED
                        f"A user can register at most {MAX_PASSKEYS} passkeys.")


# What the webauthn package says -> the Cognito exception it means.
_REGISTRATION_ERRORS = (
    ("Unexpected RP ID hash", "WebAuthnRelyingPartyMismatchException"),
    ("Unsupported credential public key alg", "WebAuthnCredentialNotSupportedException"),
    ("Unsupported attestation type", "WebAuthnCredentialNotSupportedException"),
    ("Attestation statement could not be verified", "WebAuthnCredentialNotSupportedException"),
    ("User verification is required", "WebAuthnCredentialNotSupportedException"),
    ("User presence was required", "WebAuthnCredentialNotSupportedException"),
)


def complete_registration(ctx, access_token: str, credential) -> dict:
    """Check the authenticator's answer to the pending Start and keep the new passkey.
    The pending challenge is used up by the attempt, whatever its outcome (the error
    commits that), so a failed answer needs a new Start."""
    pool, user, claims = tokens.authorize(ctx, access_token)
    config = _require_config(pool)
    if not isinstance(credential, dict):
        raise invalid("Credential must be a JSON object (RegistrationResponseJSON).")
    sub = user["Attributes"]["sub"]
    pending = ctx.store.get(REGISTRATION, pool["Id"], sub)
    if pending is None or ctx.now() >= pending["expiresAt"]:
        raise CognitoError("WebAuthnChallengeNotFoundException",  # wording UNCONFIRMED
                           "No passkey registration is pending for the user, or it expired: "
                           "call StartWebAuthnRegistration again.")
    ctx.store.delete(REGISTRATION, pool["Id"], sub)
    try:
        _check_registration(ctx, pool, user, claims, config, pending, credential)
    except CognitoError as err:
        err.commit = True
        raise
    return {}


def _check_registration(ctx, pool, user, claims, config, pending, credential) -> None:
    if claims.get("client_id") != pending["clientId"]:
        raise CognitoError("WebAuthnClientMismatchException",
                           "The access token is from another app client than the one that "
                           "started the passkey registration.")
    if pending["rpId"] != config["RelyingPartyId"]:
        raise CognitoError("WebAuthnRelyingPartyMismatchException",
                           "The user pool's relying party id changed during the registration.")
    from webauthn import verify_registration_response
    from webauthn.helpers import parse_registration_credential_json
    from webauthn.helpers.exceptions import InvalidJSONStructure, InvalidRegistrationResponse
    from webauthn.helpers.structs import COSEAlgorithmIdentifier
    try:
        parsed = parse_registration_credential_json(credential)
    except (InvalidJSONStructure, InvalidRegistrationResponse, ValueError, TypeError) as exc:
        raise invalid(f"Credential is not a valid RegistrationResponseJSON: {exc}") from None
    client_data = _client_data(credential["response"].get("clientDataJSON"))
    if client_data.get("challenge") != pending["challenge"]:
        raise CognitoError("WebAuthnChallengeNotFoundException",
                           "The credential answers a challenge that is not pending for the user.")
    origin = client_data.get("origin")
    if not isinstance(origin, str) or not origin_allowed(origin, config["RelyingPartyId"]):
        raise CognitoError("WebAuthnOriginNotAllowedException",
                           f"The origin {origin!r} is not allowed for the relying party id "
                           f"{config['RelyingPartyId']}.")
    try:
        verified = verify_registration_response(
            credential=parsed, expected_challenge=from_b64url(pending["challenge"]),
            expected_rp_id=config["RelyingPartyId"], expected_origin=origin,
            require_user_verification=config["UserVerification"] == "required",
            supported_pub_key_algs=[COSEAlgorithmIdentifier(a) for a in ALGORITHMS])
    except InvalidRegistrationResponse as exc:
        reason = str(exc)
        code = next((c for prefix, c in _REGISTRATION_ERRORS if reason.startswith(prefix)),
                    "InvalidParameterException")
        raise CognitoError(code, f"The passkey credential was refused: {reason}") from None
    except Exception as exc:  # malformed CBOR / keys deep inside the parser
        raise invalid(f"The passkey credential could not be read: {exc}") from None
    credential_id = b64url(verified.credential_id)
    existing = credentials(ctx.store, pool, user)
    if any(c["credentialId"] == credential_id for c in existing):
        raise invalid("This passkey is already registered for the user.")  # wording UNCONFIRMED
    if len(existing) >= MAX_PASSKEYS:
        raise _too_many()
    now = ctx.now()
    transports = credential["response"].get("transports")
    if not isinstance(transports, list):
        transports = []
    transports = [t for t in transports if isinstance(t, str)]
    attachment = credential.get("authenticatorAttachment")
    ctx.store.put(CREDENTIAL, pool["Id"], _credential_key(user, credential_id), {
        "credentialId": credential_id, "publicKey": b64url(verified.credential_public_key),
        "signCount": verified.sign_count, "transports": transports,
        "attachment": attachment if isinstance(attachment, str) else None,
        "rpId": config["RelyingPartyId"], "aaguid": verified.aaguid,
        # Cognito generates a name; how is UNCONFIRMED.
        "friendlyName": "Passkey " + datetime.fromtimestamp(now, UTC)
        .strftime("%Y-%m-%d %H:%M:%S UTC"),
        "createdAt": now, "lastUsedAt": None})


# --- list / delete ---------------------------------------------------------------------------

def list_credentials(ctx, access_token: str, next_token: str | None,
                     max_results: int | None) -> dict:
    pool, user, _ = tokens.authorize(ctx, access_token)
    found = credentials(ctx.store, pool, user)
    start = 0
    if next_token is not None:
        ids = [c["credentialId"] for c in found]
        if next_token not in ids:
            raise invalid("Invalid NextToken.")  # wording UNCONFIRMED
        start = ids.index(next_token) + 1
    limit = max_results or MAX_PASSKEYS  # 0 or absent: the most there can be
    page = found[start:start + limit]
    out = {"Credentials": [describe(c) for c in page]}
    if start + limit < len(found) and page:
        out["NextToken"] = page[-1]["credentialId"]
    return out


def delete_credential(ctx, access_token: str, credential_id: str) -> dict:
    pool, user, _ = tokens.authorize(ctx, access_token)
    key = _credential_key(user, credential_id)
    if ctx.store.get(CREDENTIAL, pool["Id"], key) is None:
        raise CognitoError("ResourceNotFoundException",  # wording UNCONFIRMED
                           "The user has no passkey with this credential id.")
    ctx.store.delete(CREDENTIAL, pool["Id"], key)
    return {}


# --- sign-in: the WEB_AUTHN challenge --------------------------------------------------------

def request_options(config: dict, passkeys: list[dict], timeout_ms: int) -> tuple[dict, dict]:
    """(PublicKeyCredentialRequestOptionsJSON, state for the session). `passkeys` may be
    empty (a simulated user): the options then look the same, with no allowCredentials."""
    challenge = b64url(secrets.token_bytes(32))
    options = {"challenge": challenge, "timeout": timeout_ms, "rpId": config["RelyingPartyId"],
               "allowCredentials": [{"type": "public-key", "id": c["credentialId"],
                                     **({"transports": c["transports"]} if c["transports"] else {})}
                                    for c in passkeys],
               "userVerification": config["UserVerification"]}
    return options, {"challenge": challenge, "rpId": config["RelyingPartyId"],
                     "userVerification": config["UserVerification"]}


def verify_assertion(ctx, pool: dict, user: dict, state: dict, answer) -> bool:
    """Check a CREDENTIAL answer (AuthenticationResponseJSON as a JSON string) against the
    challenge in `state` and the user's stored passkey; on success store the new signature
    counter and return whether the authenticator verified the user. Raises Rejected."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import parse_authentication_credential_json
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure
    try:
        data = json.loads(answer) if isinstance(answer, str) else answer
        parsed = parse_authentication_credential_json(data)
    except (ValueError, TypeError, InvalidJSONStructure, InvalidAuthenticationResponse) as exc:
        raise Rejected(f"not an AuthenticationResponseJSON ({exc})") from None
    credential_id = b64url(parsed.raw_id)
    key = _credential_key(user, credential_id)
    stored = ctx.store.get(CREDENTIAL, pool["Id"], key)
    if stored is None:
        raise Rejected(f"unknown credential id {credential_id}")
    if stored["rpId"] != state["rpId"]:
        raise Rejected(f"the passkey belongs to relying party {stored['rpId']}")
    handle = parsed.response.user_handle
    if handle and handle != user["Attributes"]["sub"].encode("utf-8"):
        raise Rejected("userHandle is not the user's")
    origin = _client_data(data["response"].get("clientDataJSON")).get("origin")
    if not isinstance(origin, str) or not origin_allowed(origin, state["rpId"]):
        raise Rejected(f"origin {origin!r} is not allowed for relying party {state['rpId']}")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=from_b64url(state["challenge"]),
            expected_rp_id=state["rpId"], expected_origin=origin,
            credential_public_key=from_b64url(stored["publicKey"]),
            credential_current_sign_count=stored["signCount"],
            require_user_verification=state["userVerification"] == "required")
    except InvalidAuthenticationResponse as exc:
        raise Rejected(str(exc)) from None
    except Exception as exc:  # malformed authenticator data / signature encodings
        raise Rejected(f"unreadable assertion ({exc})") from None
    stored["signCount"] = verified.new_sign_count
    stored["lastUsedAt"] = ctx.now()
    ctx.store.put(CREDENTIAL, pool["Id"], key, stored)
    return verified.user_verified
