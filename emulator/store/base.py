"""The storage interface every backend implements.

The store is deliberately plain: records are JSON-able dicts filed under
(kind, scope, key). `scope` is usually a user-pool id, so deleting a pool is one
`delete_scope`; "" holds service-wide records. Lists come back ordered by key,
which is what pagination tokens are built on.

The domain layer (emulator/domain) decides what the kinds are; backends know
nothing about Cognito.

Secondary indexes: `put`/`insert` take `index={name: value}` (strings), the entries under
which `list_by_index` finds the record again, ordered by (value, key). They are the record's
complete set: each write replaces them (no `index` = none), `delete` and `delete_scope`
drop them, and they are written, rolled back and undone (suspended()) together with the
record, in the same transaction. The domain decides what to index and how to normalise
values (case folding, say); the store compares values as plain code-point strings.
"""
from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Protocol

log = logging.getLogger("emulator.store")
SCHEMA_VERSION = 2  # 2: the index_entries table (secondary indexes)
Records = list[tuple[str, dict]]  # (key, record) pairs, as Store.list returns them
Index = dict[str, str]             # {index name: value}, a record's index entries
IndexedRecords = list[tuple[str, str, dict]]  # (value, key, record), as list_by_index returns


class AlreadyExists(Exception):
    """insert() found a record under that key (the race-free uniqueness check)."""


class SnapshotError(Exception):
    """snapshot()/restore() could not use that file: missing, unreadable, not a snapshot, or
    a snapshot of the other backend or another schema version. The message says which."""


class SchemaMismatch(Exception):
    """The store was written by a newer emulator (a higher schema version)."""


class StoreUnavailable(Exception):
    """The store cannot be opened (an unreachable or unusable database); the message is one
    line that says why."""


class Store(Protocol):
    def get(self, kind: str, scope: str, key: str) -> dict | None: ...

    def put(self, kind: str, scope: str, key: str, value: dict, *,
            index: Index | None = None) -> None:
        """Insert or replace; the record's index entries become exactly `index`."""

    def insert(self, kind: str, scope: str, key: str, value: dict, *,
               index: Index | None = None) -> None:
        """Insert; raises AlreadyExists when the key is taken (and writes no entries)."""

    def delete(self, kind: str, scope: str, key: str) -> bool: ...

    def list(self, kind: str, scope: str, *, after: str | None = None,
             prefix: str | None = None, limit: int | None = None) -> Records:
        """Records of one kind in one scope, ordered by key, keys > `after`."""

    def list_by_index(self, kind: str, scope: str, name: str, *, value: str | None = None,
                      prefix: str | None = None, after: tuple[str, str] | None = None,
                      limit: int | None = None) -> IndexedRecords:
        """Records whose entry `name` equals `value` (or starts with `prefix`; neither: every
        entry), as (value, key, record) ordered by (value, key), only those after the
        (value, key) pair `after`. A range scan: a page costs O(page), however deep."""

    def count(self, kind: str, scope: str) -> int: ...

    def scopes(self, kind: str) -> builtins.list[str]:
        """Distinct scopes holding records of `kind`."""

    def delete_scope(self, scope: str) -> None: ...

    def transaction(self) -> AbstractContextManager:
        """All writes inside commit together or not at all (re-entrant). Transactions of
        different threads run one at a time, except while one is suspended()."""

    def after_commit(self, fn: Callable[[], object]) -> None:
        """Run fn() once this thread's outermost transaction has committed (at once outside
        a transaction), after the store is released; never if that transaction rolls back.
        An inner level that rolls back drops what it registered; suspended() commits nothing
        here. Callbacks run in the order given; keep them quick (hand work to a queue). One
        that raises is logged and the others still run."""

    def suspended(self) -> AbstractContextManager:
        """Inside a transaction: let other threads' transactions run while this thread
        waits on something slow (a Lambda function). What this transaction wrote so far
        becomes visible to them; if it later fails, its writes are still undone."""

    def wipe(self) -> None: ...

    def snapshot(self, path: str) -> None:
        """Write the whole store to `path` (replaced atomically): every committed record with
        its index entries, as of one instant, while other threads go on writing. SQLite: a
        SQLite database file; memory: JSON; PostgreSQL: JSON lines (snapshot_files.py). Not
        inside a transaction of this thread."""

    def restore(self, path: str) -> None:
        """Replace the whole store with a snapshot() of the same backend and schema version,
        at once for every thread (it waits for running transactions). SnapshotError, and
        the store unchanged, when the file is not such a snapshot."""

    def close(self) -> None: ...


EXPIRES = "expires"  # the index of records that expire: their "expiresAt", see expiry_index


def expiry_index(at: float) -> Index:
    """The index entry that files a record under its expiry time (epoch seconds), for
    delete_expired. Fixed width, so code-point order is time order (until the year 5138)."""
    return {EXPIRES: f"{max(float(at), 0.0):018.6f}"}


def delete_expired(store, kind: str, scope: str, now: float, *, limit: int) -> int:
    """Delete, in one transaction, up to `limit` records of one kind and scope whose
    "expiresAt" has passed (now >= expiresAt), earliest first; how many. Only records
    written with expiry_index are found. Readers still check "expiresAt" themselves: this
    reclaims space, it decides nothing."""
    with store.transaction():
        rows = store.list_by_index(kind, scope, EXPIRES, limit=limit)
        dead = [key for _, key, record in rows if now >= record["expiresAt"]]
        for key in dead:
            store.delete(kind, scope, key)
    return len(dead)


def prefix_end(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix` (code-point order), so
    `prefix <= v < prefix_end(prefix)` is a range scan; None when there is none."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if last == 0xD800:
            last = 0xE000  # surrogates can't be stored
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return None


def sorted_items(items: Iterable[tuple[str, dict]]) -> list[tuple[str, dict]]:
    return sorted(items, key=lambda kv: kv[0])


class AfterCommit:
    """Store.after_commit for a backend whose per-thread `_state()` has `depth` (transaction
    nesting) and `after` (the callbacks its transaction() runs once the outermost level
    has committed, and drops with what rolls back)."""

    def after_commit(self, fn: Callable[[], object]) -> None:
        tx = self._state()  # type: ignore[attr-defined]
        if tx.depth:
            tx.after.append(fn)
        else:
            run_after_commit([fn])


def run_after_commit(callbacks: builtins.list[Callable[[], object]]) -> None:
    """Run the callbacks a committed transaction collected (Store.after_commit)."""
    for fn in callbacks:
        try:
            fn()
        except Exception:
            log.exception("an after-commit callback failed")
