"""Remembered devices (COGNITO_REFERENCE 2.9, 3.5): device records, ConfirmDevice and the
device operations. The device SRP steps of a sign-in are in auth/device_auth.py.

Tracking is on when the pool has a DeviceConfiguration. A sign-in without a known
DEVICE_KEY then gets NewDeviceMetadata {DeviceKey "<region>_<uuid>", DeviceGroupKey}; the
client proves possession later with device SRP (identity prefix = DeviceGroupKey, user id
= DeviceKey), after registering a verifier with ConfirmDevice. A remembered device replaces
MFA when ChallengeRequiredOnNewDevice is true ("suppress MFA on remembered devices");
otherwise its DEVICE_SRP_AUTH follows the MFA step.

Records (scope = pool id):
    device          key "<sub>/<DeviceKey>" -> {DeviceKey, DeviceGroupKey, username, confirmed,
                    remembered, name, salt, verifier (hex), lastIp, createdAt, modifiedAt,
                    lastAuthAt}
    device_pending  key DeviceKey -> {"token"}: the open DEVICE_SRP_AUTH session, for
                    amazon-cognito-identity-js, which may answer DEVICE_SRP_AUTH with a stale
                    Session (or none) - reference 2.4
"""
from __future__ import annotations

import base64
import binascii
import secrets
import string
import uuid

import srp

from ..errors import CognitoError, invalid
from . import paging

KIND = "device"
PENDING = "device_pending"
PASSED = "DEVICE_SRP_AUTH"
LIST_LIMIT = 60
NOT_FOUND = "Device does not exist."     # CIJS retries without the key on "device" in it
_ALNUM = string.ascii_letters + string.digits
# How long a device key from NewDeviceMetadata waits for ConfirmDevice before a sweep may
# drop it (Cognito's limit, if any, is UNCONFIRMED); one new key in _PRUNE_EVERY sweeps.
UNCONFIRMED_LIFETIME = 24 * 3600
_PRUNE_EVERY = 64


def not_found() -> CognitoError:
    return CognitoError("ResourceNotFoundException", NOT_FOUND)


# --- configuration -------------------------------------------------------------------------

def tracking(pool: dict) -> bool:
    return bool(pool.get("DeviceConfiguration"))


def replaces_mfa(pool: dict) -> bool:
    return bool((pool.get("DeviceConfiguration") or {}).get("ChallengeRequiredOnNewDevice"))


def opt_in(pool: dict) -> bool:
    return bool((pool.get("DeviceConfiguration") or {}).get("DeviceOnlyRememberedOnUserPrompt"))


# --- records -------------------------------------------------------------------------------

def _key(user: dict, device_key: str) -> str:
    return f"{user['Attributes']['sub']}/{device_key}"


def get(store, pool: dict, user: dict, device_key: str | None) -> dict | None:
    if not device_key:
        return None
    return store.get(KIND, pool["Id"], _key(user, device_key))


def require(store, pool: dict, user: dict, device_key: str) -> dict:
    """A confirmed device of the user, else ResourceNotFoundException."""
    device = get(store, pool, user, device_key)
    if device is None or not device.get("confirmed"):
        raise not_found()
    return device


def save(store, pool: dict, user: dict, device: dict) -> None:
    store.put(KIND, pool["Id"], _key(user, device["DeviceKey"]), device)


def new_device(ctx, pool: dict, user: dict) -> dict:
    """A device key handed out with NewDeviceMetadata, waiting for ConfirmDevice."""
    region = pool["Id"].split("_", 1)[0]
    now = ctx.now()
    if secrets.randbelow(_PRUNE_EVERY) == 0:
        prune(ctx.store, pool["Id"], now)
    # DeviceGroupKey format is UNCONFIRMED; observed values look like "-" + 9 characters.
    device = {"DeviceKey": f"{region}_{uuid.uuid4()}",
              "DeviceGroupKey": "-" + "".join(secrets.choice(_ALNUM) for _ in range(9)),
              "username": user["Username"], "confirmed": False, "remembered": False,
              "name": None, "salt": None, "verifier": None, "lastIp": ctx.source_ip,
              "createdAt": now, "modifiedAt": now, "lastAuthAt": now}
    save(ctx.store, pool, user, device)
    return device


def prune(store, pool_id: str, now: float) -> int:
    """Forget device keys handed out but never confirmed for UNCONFIRMED_LIFETIME (every
    sign-in without a device key on a tracking pool makes one); returns how many."""
    dead = [k for k, d in store.list(KIND, pool_id)
            if not d.get("confirmed") and now - d["createdAt"] > UNCONFIRMED_LIFETIME]
    for k in dead:
        store.delete(KIND, pool_id, k)
    return len(dead)


def public(device: dict) -> dict:
    """DeviceType."""
    attributes = [{"Name": "device_status", "Value": "valid"}]
    if device.get("name"):
        attributes.append({"Name": "device_name", "Value": device["name"]})
    if device.get("lastIp"):
        attributes.append({"Name": "last_ip_used", "Value": device["lastIp"]})
    attributes.append({"Name": "dev:device_remembered_status",
                       "Value": "remembered" if device.get("remembered") else "not_remembered"})
    return {"DeviceKey": device["DeviceKey"], "DeviceAttributes": attributes,
            "DeviceCreateDate": device["createdAt"],
            "DeviceLastModifiedDate": device["modifiedAt"],
            "DeviceLastAuthenticatedDate": device["lastAuthAt"]}


def _b64_int(value, what: str) -> int:
    if not isinstance(value, str) or not value:
        raise invalid(f"DeviceSecretVerifierConfig.{what} is required.")  # wording UNCONFIRMED
    try:
        number = int.from_bytes(base64.b64decode(value, validate=True), "big")
    except (binascii.Error, ValueError):
        raise invalid(f"DeviceSecretVerifierConfig.{what} is not valid base64.") from None
    if number <= 0:
        raise invalid(f"DeviceSecretVerifierConfig.{what} is not valid.")
    return number


def confirm(ctx, pool: dict, user: dict, device_key: str, config: dict | None,
            name: str | None) -> bool:
    """ConfirmDevice: store the device's SRP verifier. Returns UserConfirmationNecessary
    (true in opt-in mode: the device stays not remembered until UpdateDeviceStatus)."""
    device = get(ctx.store, pool, user, device_key)
    if device is None:
        raise not_found()
    if device.get("confirmed"):
        # Exception from the model; wording UNCONFIRMED.
        raise CognitoError("DeviceKeyExistsException", "Device key already exists.")
    config = config or {}
    verifier = _b64_int(config.get("PasswordVerifier"), "PasswordVerifier")
    salt = _b64_int(config.get("Salt"), "Salt")
    if verifier % srp.N == 0:
        raise invalid("DeviceSecretVerifierConfig.PasswordVerifier is not valid.")
    necessary = opt_in(pool)
    device.update({"confirmed": True, "remembered": not necessary, "name": name,
                   "salt": format(salt, "x"), "verifier": format(verifier, "x"),
                   "modifiedAt": ctx.now()})
    save(ctx.store, pool, user, device)
    return necessary


def update_status(ctx, pool: dict, user: dict, device_key: str, status: str | None) -> None:
    device = require(ctx.store, pool, user, device_key)
    if status is None:
        return
    device["remembered"] = status == "remembered"
    device["modifiedAt"] = ctx.now()
    save(ctx.store, pool, user, device)


def forget(ctx, pool: dict, user: dict, device_key: str) -> None:
    require(ctx.store, pool, user, device_key)
    ctx.store.delete(KIND, pool["Id"], _key(user, device_key))
    ctx.store.delete(PENDING, pool["Id"], device_key)


def forget_all(store, pool: dict, user: dict) -> None:
    """Every device of a user (for a user being deleted)."""
    for key, _ in store.list(KIND, pool["Id"], prefix=user["Attributes"]["sub"] + "/"):
        store.delete(KIND, pool["Id"], key)


def list_devices(store, pool: dict, user: dict, *, limit: int | None,
                 pagination_token: str | None) -> dict:
    """(Admin)ListDevices: the user's confirmed devices in key order, paged."""
    limit = limit or LIST_LIMIT
    prefix = user["Attributes"]["sub"] + "/"
    after = paging.after(pagination_token)
    found: list[tuple[str, dict]] = []
    more = False
    while not more:
        batch = store.list(KIND, pool["Id"], prefix=prefix, after=after, limit=200)
        for key, device in batch:
            if not device.get("confirmed"):
                continue
            if len(found) == limit:
                more = True
                break
            found.append((key, device))
        if len(batch) < 200:
            break
        after = batch[-1][0]
    out = {"Devices": [public(d) for _, d in found]}
    if more and found:
        out["PaginationToken"] = paging.token(found[-1][0])
    return out
