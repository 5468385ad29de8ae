"""The device steps of a sign-in (COGNITO_REFERENCE 2.9): which remembered device a sign-in
names, the DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER challenges that prove it (device SRP:
identity prefix = DeviceGroupKey, user id = DeviceKey), and the NewDeviceMetadata a sign-in
from a new device gets. The device records themselves: domain/devices.py.
"""
from __future__ import annotations

import base64
import secrets

import srp

from ..domain import auth_sessions, clients, users
from ..domain.devices import PASSED, PENDING, get, new_device, not_found, require, save
from ..errors import CognitoError
from . import shared


def check_known(signin, responses: dict) -> None:
    """An answer naming a DEVICE_KEY that isn't one of the user's confirmed devices gets
    ResourceNotFoundException before anything is used up: amazon-cognito-identity-js then
    forgets the key and sends the same answer again without it."""
    if not signin.tracks_devices():
        return
    user = users.find(signin.store, signin.pool, str(responses.get("USERNAME") or ""))
    if user is None:
        return
    device = get(signin.store, signin.pool, user, responses["DEVICE_KEY"])
    if device is None or not device.get("confirmed"):
        raise not_found()


def sign_in_device(signin, user: dict, progress: dict) -> dict | None:
    """The confirmed device this sign-in names (DEVICE_KEY), if tracking is on."""
    if not signin.tracks_devices():
        return None
    key = signin.device_key or progress.get("deviceKey")
    device = get(signin.store, signin.pool, user, key)
    return device if device is not None and device.get("confirmed") else None


def needs_srp(device: dict | None, progress: dict) -> bool:
    return bool(device and device.get("remembered") and device.get("verifier")
                and PASSED not in progress.get("passed", ()))


def challenge(signin, user: dict, progress: dict, device: dict) -> dict:
    """DEVICE_SRP_AUTH (parameters UNCONFIRMED; clients ignore them)."""
    progress["deviceKey"] = device["DeviceKey"]
    out = shared.challenge(signin, user["Username"], "DEVICE_SRP_AUTH",
                          {"USERNAME": user["Username"], "DEVICE_KEY": device["DeviceKey"]},
                          progress)
    signin.store.put(PENDING, signin.pool["Id"], device["DeviceKey"], {"token": out["Session"]})
    return out


def _device_srp_session(signin, session: str | None, device_key: str) -> dict:
    """The DEVICE_SRP_AUTH session, used up: the Session sent if it is one, else the open one
    of this device (CIJS sends the MFA step's Session again, or none)."""
    pool_id = signin.pool["Id"]
    if session:
        record = auth_sessions.peek(signin.ctx, signin.pool, session)
        if record is not None and record.get("challenge") == "DEVICE_SRP_AUTH":
            signin.store.delete(PENDING, pool_id, device_key)
            return auth_sessions.consume(signin.ctx, signin.pool, signin.client, session,
                                    challenge="DEVICE_SRP_AUTH")
    pending = signin.store.get(PENDING, pool_id, device_key)
    if pending is None:
        raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
    signin.store.delete(PENDING, pool_id, device_key)
    return auth_sessions.consume(signin.ctx, signin.pool, signin.client, pending["token"],
                            challenge="DEVICE_SRP_AUTH")


def answer_srp_auth(signin, responses: dict, session: str | None) -> dict:
    """DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} -> DEVICE_PASSWORD_VERIFIER."""
    with shared.committing():
        username = shared.required(responses, "USERNAME")
        device_key = shared.required(responses, "DEVICE_KEY")
        A = shared.parse_srp_a(shared.required(responses, "SRP_A"))
        record = _device_srp_session(signin, session, device_key)
        user = shared.session_user(signin, record, username)
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  shared.accepted_names(username, user, record["typed"]))
        progress = shared.resumed_progress(record, "PASSWORD")
        if progress.get("deviceKey") != device_key:
            raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
        device = require(signin.store, signin.pool, user, device_key)
        verifier = int(device["verifier"], 16)
        b, B = srp.server_round1(verifier, A)
        raw = secrets.token_bytes(48)
        parameters = {"SRP_B": format(B, "x"), "SALT": srp.pad_hex(int(device["salt"], 16)),
                      "SECRET_BLOCK": base64.b64encode(raw).decode("ascii"),
                      "USERNAME": user["Username"], "DEVICE_KEY": device_key}
        state = {"deviceSrp": {"A": format(A, "x"), "B": format(B, "x"), "b": format(b, "x"),
                               "deviceKey": device_key}}
        return shared.challenge(signin, user["Username"], "DEVICE_PASSWORD_VERIFIER", parameters,
                               progress, state=state, raw=raw)


def answer_password_verifier(signin, responses: dict, session: str | None) -> dict:
    """DEVICE_PASSWORD_VERIFIER: the device's SRP proof (same math as the user's, with
    DeviceGroupKey and DeviceKey). Like PASSWORD_VERIFIER, the session is also found by
    its SECRET_BLOCK when no Session comes."""
    with shared.committing():
        username = shared.required(responses, "USERNAME")
        device_key = shared.required(responses, "DEVICE_KEY")
        block = shared.required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
        claim = shared.required(responses, "PASSWORD_CLAIM_SIGNATURE")
        timestamp = shared.required(responses, "TIMESTAMP")
        raw = srp.decode_b64(block)
        token = session or (auth_sessions.encode(raw) if raw else None)
        if not token:
            raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
        record = auth_sessions.consume(signin.ctx, signin.pool, signin.client, token,
                                  challenge="DEVICE_PASSWORD_VERIFIER")
        state = record["state"].get("deviceSrp") or {}
        if raw is None or raw != auth_sessions.decode(token) or \
                state.get("deviceKey") != device_key:
            raise CognitoError("NotAuthorizedException", auth_sessions.INVALID)
        shared.check_timestamp(signin, timestamp)
        user = shared.session_user(signin, record, username)
        clients.check_secret_hash(signin.client, responses.get("SECRET_HASH"),
                                  shared.accepted_names(username, user, record["typed"]))
        device = require(signin.store, signin.pool, user, device_key)
        A, B, b = (int(state[k], 16) for k in ("A", "B", "b"))
        try:
            expected = srp.server_round2_signature(device["DeviceGroupKey"], device_key,
                                                   int(device["verifier"], 16), A, B, b, raw,
                                                   timestamp)
        except srp.SrpError:
            expected = None
        if expected is None or not srp.verify_claim(expected, claim):
            # Real 400 body for a wrong DEVICE_PASSWORD_VERIFIER proof:
            # jonsaw/amazon-cognito-identity-dart#62 (aws/aws-sdk-net-extensions-cognito#73).
            raise CognitoError("NotAuthorizedException", shared.INCORRECT)
    progress = shared.resumed_progress(record, "PASSWORD")
    progress.setdefault("passed", []).append(PASSED)
    progress["deviceVerified"] = device_key
    return signin.next_step(user, progress)


def for_tokens(signin, user: dict, device: dict | None) -> tuple[str | None, dict | None]:
    """(device_key claim, NewDeviceMetadata) for the tokens about to be issued; `device` is
    sign_in_device(). A known device gets its last sign-in noted; a sign-in without one,
    on a tracking pool, gets a new device key."""
    if not signin.tracks_devices():
        return None, None
    if device is not None:
        device.update({"lastAuthAt": signin.now(), "lastIp": signin.ctx.source_ip})
        save(signin.store, signin.pool, user, device)
        return device["DeviceKey"], None
    device = new_device(signin.ctx, signin.pool, user)
    return device["DeviceKey"], {"DeviceKey": device["DeviceKey"],
                                 "DeviceGroupKey": device["DeviceGroupKey"]}
