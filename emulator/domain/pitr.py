"""Point-in-time recovery of a user pool: InitiatePointInTimeRecovery,
DescribePointInTimeRecovery, ListPointInTimeRecoveries, StartPointInTimeRecovery,
CancelPointInTimeRecovery. The history it reads is kept by pitr_history.py.

Record (kind "pitr_restore", scope = pool id, key = RestoreId) is the RestorationType that
Describe shows, plus private '_' fields (_initiatedAt, and _startedAt / _completedAt).

Lifecycle (the model's RestoreStatus): Initiate answers PREVIEW_GENERATING and pauses writes;
a background thread computes the preview -> PREVIEW_GENERATED. Start -> RESTORING; a
background thread reverts the pool's users, groups and memberships in chunks, each chunk one
store transaction (API calls interleave; reads and sign-ins keep working) -> RESTORE_COMPLETED.
Cancel (PREVIEW_GENERATING / PREVIEW_GENERATED) -> PREVIEW_CANCELLED; neither started nor
cancelled within 24 hours of Initiate -> PREVIEW_EXPIRED. The recovery targets the pool it is
initiated in ("restores user data in the user pool to its state at the recovery point").

What is restored (model: "user profiles and attributes, group memberships, passwords, MFA
settings, and passkeys"; "Users who changed their password after the recovery point keep their
current password"): each user's profile (attributes, status, enabled, dates) and MFA settings;
the password verifier of users the recovery re-creates (an existing user keeps theirs); groups;
memberships; aliases follow the attributes (users.create / users.save). Users the recovery
deletes go as AdminDeleteUser takes them (lifecycle.delete_user: devices, links too). Passkeys
are not restored (their records are not in the history).

The preview (RestorePreviewType) counts per entity what the recovery creates (existed then,
deleted since), updates (changed since) and deletes (created since): "Users" (profiles),
"Groups" (a group whose members changed counts as updated: UNCONFIRMED), "User MFAs" (a user's
MFA settings as one entity: UNCONFIRMED). "Passkeys" is left out (not tracked).
"""
from __future__ import annotations

import logging
import threading
import uuid

from ..errors import CognitoError, invalid, not_found
from . import groups, leases, lifecycle, paging, pitr_history, pools, user_import, users
from .pitr_history import COMPLETED, GENERATED, GENERATING, MFA_FIELDS, PASSWORD_FIELD, RESTORING

log = logging.getLogger("emulator.pitr")

KIND = pitr_history.RESTORE
DAY = 86400
PLAN_DAYS = {"ESSENTIALS": 1, "PLUS": 14}   # docs: "up to 1 day ... up to 14 days in the past"
MIN_AGE_SECONDS = 15 * 60                   # docs: "at least 15 minutes in the past"
ACCOUNT_ACTIVE_LIMIT = 5                    # docs: "up to five active recoveries" per account
POOL_PREVIEWS_PER_DAY = 3                   # docs: "up to three recovery previews of a user pool"
ACCOUNT_PREVIEWS_PER_DAY = 10               # docs: "ten recovery previews in an ... account"
POOL_PREVIEWS_PER_30_DAYS = 10              # docs: "ten ... of a user pool in a 30-day period"
CHUNK = 50                                  # changes per store transaction while restoring
DEFAULT_PAGE = 60                           # model: MaxResults 1-60, default 60
_PASSWORD_STATUSES = ("FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")


def _restore_not_found(restore_id: str) -> CognitoError:
    return not_found(f"Point-in-time recovery {restore_id} does not exist.")  # wording UNCONFIRMED


def _limit(message: str) -> CognitoError:
    return CognitoError("LimitExceededException", message)


def _conflict(message: str) -> CognitoError:
    return CognitoError("ConcurrentModificationException", message)


def public(restoration: dict) -> dict:
    """RestorationType: without private fields (and without a preview until it exists)."""
    return {k: v for k, v in restoration.items() if not k.startswith("_")}


def summary(restoration: dict) -> dict:
    """RestorationDescriptionType (ListPointInTimeRecoveries: no preview)."""
    return {k: restoration[k] for k in ("RestoreId", "RestoreStatus", "RestoreTimestamp")}


def require(ctx, pool: dict, restore_id: str) -> dict:
    restoration = ctx.store.get(KIND, pool["Id"], restore_id)
    if restoration is None:
        raise _restore_not_found(restore_id)
    return pitr_history.settle(restoration, ctx.now())


def _all(store, pool_id: str, at: float) -> list[dict]:
    return [pitr_history.settle(r, at) for _, r in store.list(KIND, pool_id)]


def list_page(ctx, pool: dict, *, token: str | None, limit: int) -> tuple[list[dict], str | None]:
    """Most recent first (model: "lists the most recent recoveries first"); the token names
    the last recovery of the previous page."""
    items = _all(ctx.store, pool["Id"], ctx.now())
    items.sort(key=lambda r: (r["_initiatedAt"], r["RestoreId"]), reverse=True)
    return paging.page_of(items, "RestoreId", token, limit)


# --- Initiate -------------------------------------------------------------------------------

def recovery_period(store, pool: dict) -> float:
    """Seconds back a pool may recover: its plan's period, or the history kept if shorter."""
    days = PLAN_DAYS.get(pool.get("UserPoolTier", "ESSENTIALS"), 0)
    return min(days * DAY, pitr_history.window_seconds(store))


def initiate(ctx, pool: dict, restore_at: float) -> dict:
    store, now, pool_id = ctx.store, ctx.now(), pool["Id"]
    tier = pool.get("UserPoolTier", "ESSENTIALS")
    if tier not in PLAN_DAYS:
        # Docs: "Your user pool must be on the Essentials or Plus feature plan". Wording ours.
        raise CognitoError("FeatureUnavailableInTierException",
                           f"Point-in-time recovery is not available in the {tier} feature "
                           "plan. Upgrade to Essentials or Plus.")
    # Wordings of the time checks are ours (UNCONFIRMED); the rules are the model's.
    if restore_at > now - MIN_AGE_SECONDS:
        raise invalid("RestoreTimestamp must be at least 15 minutes in the past.")
    if restore_at < pool["CreationDate"]:
        raise invalid("RestoreTimestamp can't be earlier than the creation time of the user "
                      "pool.")
    period = recovery_period(store, pool)
    if restore_at < now - period:
        raise invalid(f"RestoreTimestamp must be within the recovery period of the user pool: "
                      f"{period / DAY:g} days.")
    mine = _all(store, pool_id, now)
    if any(r["RestoreStatus"] in pitr_history.PAUSING for r in mine):
        # Docs: "A user pool can have only one active recovery at a time." Code UNCONFIRMED.
        raise _conflict("The user pool already has an active point-in-time recovery.")
    jobs, _ = user_import.list_jobs(ctx, pool, token=None, limit=10**9)
    if any(job["Status"] in user_import.ACTIVE for job in jobs):
        # Docs: "You can't initiate a recovery while a user import job is in progress".
        # Code UNCONFIRMED.
        raise _conflict("A user import job is in progress in the user pool.")
    # Limits (docs); all LimitExceededException, wordings ours.
    if any(r["RestoreStatus"] == COMPLETED and now - r.get("_completedAt", 0) < DAY
           for r in mine):
        raise _limit("The user pool was recovered in the past 24 hours: one recovery of a "
                     "user pool can complete in a 24-hour period.")
    if sum(now - r["_initiatedAt"] < DAY for r in mine) >= POOL_PREVIEWS_PER_DAY:
        raise _limit(f"At most {POOL_PREVIEWS_PER_DAY} recovery previews of a user pool can be "
                     "created in a 24-hour period.")
    if sum(now - r["_initiatedAt"] < 30 * DAY for r in mine) >= POOL_PREVIEWS_PER_30_DAYS:
        raise _limit(f"At most {POOL_PREVIEWS_PER_30_DAYS} recovery previews of a user pool "
                     "can be created in a 30-day period.")
    account = _account_recoveries(store, pool, now)
    if sum(r["RestoreStatus"] in pitr_history.PAUSING for r in account) >= ACCOUNT_ACTIVE_LIMIT:
        raise _limit(f"The account has {ACCOUNT_ACTIVE_LIMIT} active point-in-time "
                     "recoveries.")
    if sum(now - r["_initiatedAt"] < DAY for r in account) >= ACCOUNT_PREVIEWS_PER_DAY:
        raise _limit(f"At most {ACCOUNT_PREVIEWS_PER_DAY} recovery previews can be created in "
                     "an account in a 24-hour period.")
    pitr_history.prune_pool(store, pool_id)
    restoration = {"RestoreId": str(uuid.uuid4()), "RestoreStatus": GENERATING,
                   "RestoreTimestamp": restore_at,
                   # "The end of the period of changes that the recovery reverts ... shortly
                   # after the time that you initiated the recovery": writes pause now.
                   "TriggerTimestamp": now,
                   "_initiatedAt": now, **leases.lease()}
    store.put(KIND, pool_id, restoration["RestoreId"], restoration)
    store.put(pitr_history.ACTIVE, pool_id, "", {"RestoreId": restoration["RestoreId"]})
    pitr_history.mark_running(restoration["RestoreId"])
    # The thread starts once this call commits (a refused call leaves nothing running).
    store.after_commit(lambda: _launch(ctx.emu, pool_id, restoration["RestoreId"], _preview))
    return restoration


def _account_recoveries(store, pool: dict, now: float) -> list[dict]:
    """Every recovery of the pool's account (the docs count some limits per account)."""
    account = pools.owner(pool)[0]
    out = []
    for pool_id in store.scopes(KIND):
        other = pools.get(store, pool_id)
        if other is not None and pools.owner(other)[0] == account:
            out.extend(_all(store, pool_id, now))
    return out


# --- Start and Cancel ------------------------------------------------------------------------

def start(ctx, pool: dict, restoration: dict) -> dict:
    if restoration["RestoreStatus"] != GENERATED:
        # Model: "You can start a recovery when its status is PREVIEW_GENERATED." Code and
        # wording UNCONFIRMED.
        raise _conflict(f"The recovery can't be started: its status is "
                        f"{restoration['RestoreStatus']}.")
    restoration = {**restoration, "RestoreStatus": RESTORING, "_startedAt": ctx.now(),
                   **leases.lease()}
    ctx.store.put(KIND, pool["Id"], restoration["RestoreId"], restoration)
    pitr_history.mark_running(restoration["RestoreId"])
    ctx.store.after_commit(lambda: _launch(ctx.emu, pool["Id"], restoration["RestoreId"],
                                           _restore))
    return restoration


def cancel(ctx, pool: dict, restoration: dict) -> dict:
    if restoration["RestoreStatus"] not in (GENERATING, GENERATED):
        # Model: cancel "when its status is PREVIEW_GENERATING or PREVIEW_GENERATED"; "You
        # can't cancel a recovery after you start it". Code and wording UNCONFIRMED.
        raise _conflict(f"The recovery can't be cancelled: its status is "
                        f"{restoration['RestoreStatus']}.")
    restoration = {**restoration, "RestoreStatus": pitr_history.CANCELLED}
    restoration.pop("RestorePreview", None)  # "discards the recovery preview"
    ctx.store.put(KIND, pool["Id"], restoration["RestoreId"], restoration)
    return restoration


# --- the background work ---------------------------------------------------------------------

def _launch(emu, pool_id: str, restore_id: str, work) -> None:
    threading.Thread(target=_run, args=(emu, pool_id, restore_id, work), daemon=True,
                     name=f"pitr-{restore_id}").start()


def _run(emu, pool_id: str, restore_id: str, work) -> None:
    try:
        work(emu, pool_id, restore_id)
    except Exception:
        log.exception("point-in-time recovery %s failed", restore_id)
    finally:
        # A preview or restore that ended without its status moving on now settles as
        # PREVIEW_GENERATION_FAILED or TEMPORARY_INTERNAL_ERROR_SEE_SUPPORT_CASE.
        pitr_history.mark_done(restore_id)


def _current(store, pool_id: str, restore_id: str, status: str) -> dict | None:
    restoration = store.get(KIND, pool_id, restore_id)
    if restoration is None:
        return None
    restoration = pitr_history.settle(restoration, pitr_history.now(store))
    return restoration if restoration["RestoreStatus"] == status else None


def _preview(emu, pool_id: str, restore_id: str) -> None:
    store = emu.store
    with store.transaction():
        restoration = _current(store, pool_id, restore_id, GENERATING)
        pool = pools.get(store, pool_id)
        if restoration is None or pool is None:
            return  # cancelled (or the pool deleted) meanwhile
        changes = plan(store, pool, restoration["RestoreTimestamp"])
        store.put(KIND, pool_id, restore_id, {**restoration, "RestoreStatus": GENERATED,
                                              "RestorePreview": preview(changes)})


def _restore(emu, pool_id: str, restore_id: str) -> None:
    store = emu.store
    with store.transaction():
        restoration = _current(store, pool_id, restore_id, RESTORING)
        pool = pools.get(store, pool_id)
        if restoration is None or pool is None:
            return
        # Recomputed from the store as it is now: only sign-in state can have changed since
        # the preview, and that is not restored.
        changes = plan(store, pool, restoration["RestoreTimestamp"])
    with pitr_history.restoring(pool_id):
        for step in _steps(pool, changes):
            with store.transaction():
                if _current(store, pool_id, restore_id, RESTORING) is None:
                    return
                pool = pools.get(store, pool_id)
                if pool is None:
                    return
                for change in step:
                    change(store, pool)
    with store.transaction():
        restoration = _current(store, pool_id, restore_id, RESTORING)
        if restoration is not None:
            store.put(KIND, pool_id, restore_id, {**restoration, "RestoreStatus": COMPLETED,
                                                  "_completedAt": pitr_history.now(store)})


# --- the plan: what differs between now and the recovery point -------------------------------

def _mfa(user: dict | None) -> dict | None:
    if user is None:
        return None
    settings = {k: user[k] for k in MFA_FIELDS if user.get(k)}
    return settings or None


def _profile(user: dict | None) -> dict | None:
    """What counts as the user's profile. UserLastModifiedDate is left out: a user whose
    password alone changed (kept, per the docs) is not "updated" (UNCONFIRMED); a user
    restored for other reasons gets the date of the recovery point back."""
    if user is None:
        return None
    return {k: v for k, v in user.items()
            if not k.startswith("_") and k not in MFA_FIELDS and k != "UserLastModifiedDate"}


def plan(store, pool: dict, at: float) -> dict:
    """Per kind, {key: (now, then)} for every key whose restorable state differs."""
    pool_id = pool["Id"]
    out = {}
    for kind in pitr_history.KINDS:
        differ = {}
        for key, then in pitr_history.state_at(store, pool_id, kind, at).items():
            current = pitr_history.project(kind, store.get(kind, pool_id, key))
            if kind == "user" and current is not None and then is not None:
                same = _profile(current) == _profile(then) and _mfa(current) == _mfa(then)
            else:
                same = current == then
            if not same:
                differ[key] = (current, then)
        out[kind] = differ
    return out


def _count(pairs, view) -> dict:
    counts = {"CreateCount": 0, "UpdateCount": 0, "DeleteCount": 0}
    for current, then in pairs:
        current, then = view(current), view(then)
        if current is None and then is not None:
            counts["CreateCount"] += 1
        elif current is not None and then is None:
            counts["DeleteCount"] += 1
        elif current != then:
            counts["UpdateCount"] += 1
    return counts


def preview(changes: dict) -> list[dict]:
    user_pairs = list(changes["user"].values())
    group_pairs = dict(changes["group"])
    for key in changes["group_member"]:
        name = key.split(groups._SEP, 1)[0]
        if name not in group_pairs:
            # A group whose members changed, itself unchanged: updated (UNCONFIRMED).
            group_pairs[name] = ({"members": "now"}, {"members": "then"})
    return [{"Entity": "Users", **_count(user_pairs, _profile)},
            {"Entity": "Groups", **_count(group_pairs.values(), lambda g: g)},
            {"Entity": "User MFAs", **_count(user_pairs, _mfa)}]


def _restored_user(current: dict, then: dict) -> dict:
    """The user as it stood then, keeping today's flow state and password (docs: "Users who
    changed their password after the recovery point keep their current password"). A status
    tied to the password then (FORCE_CHANGE_PASSWORD, RESET_REQUIRED) that the kept password
    has since resolved stays as it is now (UNCONFIRMED)."""
    user = {k: v for k, v in current.items()
            if k.startswith("_") and k not in pitr_history.project("user", current)}
    user.update(then)
    kept = current.get(PASSWORD_FIELD)
    user[PASSWORD_FIELD] = kept
    if kept != then.get(PASSWORD_FIELD) and (then.get("UserStatus") in _PASSWORD_STATUSES or
                                             current.get("UserStatus") in _PASSWORD_STATUSES):
        user["UserStatus"] = current["UserStatus"]
    return user


def _steps(pool: dict, changes: dict):
    """The changes as chunks of callables (store, pool), in an order that keeps the pool
    consistent after each chunk: memberships and groups out, users out, groups and users in,
    memberships in. A user whose alias another still holds is retried at the end, all such
    users in one transaction (aliases that swapped owners)."""
    sep = groups._SEP
    removals, additions = [], []
    for key, (_, then) in changes["group_member"].items():
        name, user_key = key.split(sep, 1)
        if then is None:
            removals.append(lambda s, p, n=name, u=user_key: groups.remove_member(s, p["Id"], n, u))
        else:
            additions.append((name, user_key))
    group_out, group_in = [], []
    for name, (current, then) in changes["group"].items():
        if then is None:
            group_out.append(lambda s, p, n=name: groups.delete(s, p["Id"], n))
        elif current is None:
            group_in.append(lambda s, p, g=then: groups.create(s, p["Id"], g))
        else:
            group_in.append(lambda s, p, g=then: groups.save(s, g))
    user_out, user_in, deferred = [], [], []
    for key, (_, then) in changes["user"].items():
        if then is None:
            user_out.append(lambda s, p, k=key: _delete_user(s, p, k))
        else:
            user_in.append(lambda s, p, k=key, t=then: _put_user(s, p, k, t, deferred))

    def add_member(s, p, name, user_key):
        if groups.get(s, p["Id"], name) and s.get(users.KIND, p["Id"], user_key):
            groups.add_member(s, p["Id"], name, user_key)

    ordered = removals + group_out + user_out + group_in + user_in
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i:i + CHUNK]
    if deferred:
        yield [lambda s, p: _put_deferred(s, p, deferred)]
    members = [lambda s, p, n=n, u=u: add_member(s, p, n, u) for n, u in additions]
    for i in range(0, len(members), CHUNK):
        yield members[i:i + CHUNK]


def _delete_user(store, pool: dict, key: str) -> None:
    user = store.get(users.KIND, pool["Id"], key)
    if user is not None:
        lifecycle.delete_user(store, pool, user)


def _put_user(store, pool: dict, key: str, then: dict, deferred: list) -> None:
    current = store.get(users.KIND, pool["Id"], key)
    try:
        with store.transaction():
            if current is None:
                users.create(store, pool, then)
            else:
                users.save(store, pool, _restored_user(current, then), previous=current)
    except CognitoError as err:
        if err.code not in ("AliasExistsException", "UsernameExistsException"):
            raise
        deferred.append((key, then))


def _put_deferred(store, pool: dict, deferred: list) -> None:
    """Users whose aliases others held when their turn came: out with their aliases, then in."""
    currents = {key: store.get(users.KIND, pool["Id"], key) for key, _ in deferred}
    for current in currents.values():
        if current is not None:
            users.delete(store, pool, current)
    for key, then in deferred:
        current = currents[key]
        users.create(store, pool, then if current is None else _restored_user(current, then))
