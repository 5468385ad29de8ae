"""Point-in-time recovery's memory: a versioned copy of every write to a pool's users,
groups and memberships, kept for a window, and the pause on those writes while a recovery
is active. A leaf: users.py and groups.py call record() inside the transaction of each
write; pitr.py (the recovery itself) reads the history back.

Records (scope = pool id):
    "pitr_version"  key = "<kind>\\t<record key>\\t<time, %017.6f>" -> {"at", "value"}: the
                    record's restorable state from that time on; value None = deleted.
                    Kinds: "user" (restorable fields only, see project()), "group",
                    "group_member" (memberships; "user_group" is its mirror, rebuilt).
    "pitr_active"   key "" -> {"RestoreId"}: the pool's latest recovery, read by the pause.
    "pitr_restore"  key = RestoreId -> the recovery (written by pitr.py).

A record already in the store before its first recorded write gets a base version at time 0
("as it has always been") so that the state at any earlier time is known. Versions older than
the window (--pitr-window-days) are pruned at each write of the key, and the whole pool now
and then: of those, only the newest survives (the state at the window's start), and not even
that when it is a deletion.

The pause (InitiatePointInTimeRecovery: "Amazon Cognito blocks operations that write to the
user pool ... Sign-in and read operations continue to work"): while a recovery previews or
restores, a write that changes what a recovery restores raises OperationNotEnabledException
(the code is UNCONFIRMED: it is in every write operation's error list); writes of sign-in
state alone (codes, lockout counters: fields project() leaves out) go through. So completing
NEW_PASSWORD_REQUIRED or MFA_SETUP fails meanwhile, as the docs say.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from .. import service
from ..errors import CognitoError
from . import leases

VERSION = "pitr_version"
ACTIVE = "pitr_active"
RESTORE = "pitr_restore"
KINDS = ("user", "group", "group_member")
DEFAULT_WINDOW_DAYS = 14.0       # the Plus plan's recovery period (the longest documented)
PREVIEW_LIFETIME = 24 * 3600     # docs: start or cancel "within 24 hours after you initiate"

# Which user fields a recovery restores: the profile (every public field), the password
# verifier, and the MFA settings; the other '_' fields are flow state (codes, pending
# challenges, lockout counters, provider links) and stay as they are.
MFA_FIELDS = ("UserMFASettingList", "PreferredMfaSetting", "MFAOptions", "_totp",
              "_webAuthnMfa")
PASSWORD_FIELD = "_password"
_KEPT_PRIVATE = (PASSWORD_FIELD, "_totp", "_webAuthnMfa")

# RestoreStatusType, and which of them pause writes.
GENERATING, GENERATED = "PREVIEW_GENERATING", "PREVIEW_GENERATED"
CANCELLED, GENERATION_FAILED = "PREVIEW_CANCELLED", "PREVIEW_GENERATION_FAILED"
EXPIRED, RESTORING, COMPLETED = "PREVIEW_EXPIRED", "RESTORING", "RESTORE_COMPLETED"
INTERNAL_ERROR, ABORTED = "TEMPORARY_INTERNAL_ERROR_SEE_SUPPORT_CASE", "AWS_ABORTED"
PAUSING = (GENERATING, GENERATED, RESTORING, INTERNAL_ERROR, ABORTED)  # per the model's docs

_RUNNING: set[str] = set()       # RestoreIds whose thread runs in this process
# Another process's recovery counts as running this long after it was written (leases.py;
# not renewed: a preview or restore of an emulator's pool takes seconds).
LEASE_SECONDS = 300.0
_LOCK = threading.Lock()
_BYPASS = threading.local()      # pools whose restore thread may write meanwhile


def now(store) -> float:
    """The emulator's clock (history is stamped with it); real time for a bare store."""
    emu = service.for_store(store)
    return emu.clock.now() if emu is not None else time.time()


def window_seconds(store) -> float:
    """How long history is kept (--pitr-window-days)."""
    emu = service.for_store(store)
    days = emu.settings.pitr_window_days if emu is not None else DEFAULT_WINDOW_DAYS
    return float(days) * 86400


def _stamp(at: float) -> str:
    return f"{at:017.6f}"


def prefix(kind: str, key: str | None = None) -> str:
    return f"{kind}\t" if key is None else f"{kind}\t{key}\t"


def project(kind: str, value: dict | None) -> dict | None:
    """The part of a record a recovery restores (users: without flow state)."""
    if value is None or kind != "user":
        return value
    return {k: v for k, v in value.items() if not k.startswith("_") or k in _KEPT_PRIVATE}


# --- recording -----------------------------------------------------------------------------

def record(store, pool_id: str, kind: str, key: str, value: dict | None) -> None:
    """Note that (kind, pool_id, key) is about to become `value` (None: deleted). Call it
    inside the write's transaction, before the write: it may refuse (the pause)."""
    new = project(kind, value)
    start = prefix(kind, key)
    versions = store.list(VERSION, pool_id, prefix=start)
    if versions:
        latest = versions[-1][1]["value"]
    else:
        latest = project(kind, store.get(kind, pool_id, key))
    if new == latest:
        return  # nothing a recovery restores changes (sign-in state, a repeated add)
    at = now(store)
    check_writable(store, pool_id, at)
    if not versions and latest is not None:
        store.put(VERSION, pool_id, start + _stamp(0), {"at": 0, "value": latest})
    store.put(VERSION, pool_id, start + _stamp(at), {"at": at, "value": new})
    # Only this key's old versions go here: a whole-pool prune inside a write is a scan that
    # grows with the pool (InitiatePointInTimeRecovery prunes the pool, prune_pool).
    _prune(store, pool_id, versions, at - window_seconds(store))


def _prune(store, pool_id: str, versions: list[tuple[str, dict]], cutoff: float) -> None:
    """Of one key's versions (oldest first), drop those before the cutoff except the newest
    of them (the state at the window's start), and that one too when it is a deletion (no
    version at or before a time already means "did not exist")."""
    old = [(k, v) for k, v in versions if v["at"] < cutoff]
    if not old:
        return
    doomed = old if old[-1][1]["value"] is None else old[:-1]
    for k, _ in doomed:
        store.delete(VERSION, pool_id, k)


def prune_pool(store, pool_id: str) -> None:
    cutoff = now(store) - window_seconds(store)
    with store.transaction():
        for versions in _by_key(store.list(VERSION, pool_id)).values():
            _prune(store, pool_id, versions, cutoff)


def _by_key(rows) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = {}
    for k, v in rows:
        kind, key, _ = k.split("\t")
        out.setdefault((kind, key), []).append((k, v))
    return out


def state_at(store, pool_id: str, kind: str, at: float) -> dict[str, dict | None]:
    """Every key of `kind` with history: its restorable state at time `at` (None: it did not
    exist). Keys without history have not changed within the window."""
    out = {}
    for (_, key), versions in _by_key(store.list(VERSION, pool_id,
                                                 prefix=prefix(kind))).items():
        value = None
        for _, version in versions:
            if version["at"] > at:
                break
            value = version["value"]
        out[key] = value
    return out


def earliest(store, pool_id: str) -> float | None:
    """When the pool's oldest kept history starts (None: no history at all)."""
    times = [v["at"] for _, v in store.list(VERSION, pool_id)]
    return min(times) if times else None


# --- the pause and the recovery's status ---------------------------------------------------

def settle(restoration: dict, at: float) -> dict:
    """A recovery as it reads now: a preview not started or cancelled within 24 hours has
    expired; a preview or restore whose thread is gone (the emulator stopped meanwhile) failed:
    PREVIEW_GENERATION_FAILED, or TEMPORARY_INTERNAL_ERROR_SEE_SUPPORT_CASE mid-restore (which
    keeps writes paused, as the model says; UNCONFIRMED that a restart is such a case)."""
    status = restoration["RestoreStatus"]
    if status in (GENERATING, GENERATED) and at >= restoration["_initiatedAt"] + PREVIEW_LIFETIME:
        return {**restoration, "RestoreStatus": EXPIRED}
    if status == GENERATING and not _alive(restoration):
        return {**restoration, "RestoreStatus": GENERATION_FAILED}
    if status == RESTORING and not _alive(restoration):
        return {**restoration, "RestoreStatus": INTERNAL_ERROR}
    return restoration


def active(store, pool_id: str, at: float) -> dict | None:
    """The pool's recovery that pauses writes now, if any (settled)."""
    pointer = store.get(ACTIVE, pool_id, "")
    if pointer is None:
        return None
    restoration = store.get(RESTORE, pool_id, pointer["RestoreId"])
    if restoration is None:
        return None
    restoration = settle(restoration, at)
    return restoration if restoration["RestoreStatus"] in PAUSING else None


def check_writable(store, pool_id: str, at: float) -> None:
    if pool_id in getattr(_BYPASS, "pools", ()):
        return
    if active(store, pool_id, at) is not None:
        # Wording ours (UNCONFIRMED).
        raise CognitoError("OperationNotEnabledException",
                           "Write operations in the user pool are paused while a point-in-time "
                           "recovery is in progress.")


@contextmanager
def restoring(pool_id: str):
    """This thread may write to the pool during its recovery (the restore itself)."""
    pools = getattr(_BYPASS, "pools", set())
    _BYPASS.pools = pools | {pool_id}
    try:
        yield
    finally:
        _BYPASS.pools = pools


def mark_running(restore_id: str) -> None:
    with _LOCK:
        _RUNNING.add(restore_id)


def mark_done(restore_id: str) -> None:
    with _LOCK:
        _RUNNING.discard(restore_id)


def _alive(restoration: dict) -> bool:
    """Its thread runs: here, or in another process on the store within its lease."""
    elsewhere = leases.alive_elsewhere(restoration, LEASE_SECONDS)
    return is_running(restoration["RestoreId"]) if elsewhere is None else elsewhere


def is_running(restore_id: str) -> bool:
    with _LOCK:
        return restore_id in _RUNNING
