"""SQLite backend: the default, durable across restarts (WAL mode)."""
import json
import os
import sqlite3
import threading
from contextlib import contextmanager

from . import snapshot_files
from .base import (  # noqa: F401  (SchemaMismatch: imported from here by callers)
    SCHEMA_VERSION,
    AfterCommit,
    AlreadyExists,
    SchemaMismatch,
    SnapshotError,
    prefix_end,
    run_after_commit,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (kind, scope, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_scope ON records (scope);
CREATE TABLE IF NOT EXISTS index_entries (
    kind TEXT NOT NULL, scope TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (kind, scope, name, value, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS index_entries_record ON index_entries (scope, kind, key);
"""
_ENTRIES = "SELECT name, value FROM index_entries WHERE scope=? AND kind=? AND key=?"


class SqliteStore(AfterCommit):
    def __init__(self, path: str):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        # One connection shared under a lock: handlers are short, and SQLite
        # serialises writers anyway. isolation_level=None lets us issue BEGIN
        # ourselves so a transaction spans several calls.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                     timeout=30)
        self._path = path
        self._lock = threading.RLock()
        # Per-thread transaction state (see transaction() and suspended()).
        self._tx = threading.local()
        c = self._conn
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute("PRAGMA busy_timeout=30000")
        c.executescript(_SCHEMA)
        row = c.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
        if row is None:
            c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise SchemaMismatch(
                f"{path} has schema version {row[0]}, newer than this emulator's {SCHEMA_VERSION}")
        elif int(row[0]) < SCHEMA_VERSION:
            # 1 -> 2: index_entries (created above, empty). The domain fills the indexes
            # of existing records when it starts (users.ensure_indexes).
            c.execute("UPDATE meta SET value=? WHERE name='schema_version'",
                      (str(SCHEMA_VERSION),))

    def get(self, kind, scope, key):
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM records WHERE kind=? AND scope=? AND key=?",
                (kind, scope, key)).fetchone()
        return json.loads(row[0]) if row else None

    def _state(self):
        tx = self._tx
        if not hasattr(tx, "depth"):
            tx.depth, tx.undo, tx.suspended, tx.after = 0, [], False, []
        return tx

    def _remember(self, kind, scope, key, entries):
        """Inside a transaction, note the old value and index entries: a transaction that
        was suspended has committed part of its work, and only this log can take that
        part back."""
        tx = self._state()
        if tx.depth:
            row = self._conn.execute(
                "SELECT value FROM records WHERE kind=? AND scope=? AND key=?",
                (kind, scope, key)).fetchone()
            tx.undo.append((kind, scope, key, row[0] if row else None, entries))

    def _entries(self, kind, scope, key) -> dict:
        return dict(self._conn.execute(_ENTRIES, (scope, kind, key)).fetchall())

    def _set_index(self, kind, scope, key, old: dict, new: dict | None):
        """Move one record's index entries from `old` to `new`, touching only what changed."""
        new = new or {}
        if old == new:
            return
        gone = [(kind, scope, n, v, key) for n, v in old.items() if new.get(n) != v]
        added = [(kind, scope, n, v, key) for n, v in new.items() if old.get(n) != v]
        if any(not isinstance(row[3], str) for row in added):
            raise TypeError("index values must be strings")
        if gone:
            self._conn.executemany("DELETE FROM index_entries WHERE kind=? AND scope=? AND "
                                   "name=? AND value=? AND key=?", gone)
        if added:
            self._conn.executemany("INSERT INTO index_entries VALUES (?,?,?,?,?)", added)

    @contextmanager
    def _atomic(self):
        """Outside a transaction, make a record and its index entries one commit."""
        if self._state().depth:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def put(self, kind, scope, key, value, *, index=None):
        with self._lock, self._atomic():
            old = self._entries(kind, scope, key)
            self._remember(kind, scope, key, old)
            self._conn.execute("INSERT OR REPLACE INTO records VALUES (?,?,?,?)",
                               (kind, scope, key, json.dumps(value, separators=(",", ":"))))
            self._set_index(kind, scope, key, old, index)

    def insert(self, kind, scope, key, value, *, index=None):
        with self._lock, self._atomic():
            try:
                self._conn.execute("INSERT INTO records VALUES (?,?,?,?)",
                                   (kind, scope, key, json.dumps(value, separators=(",", ":"))))
            except sqlite3.IntegrityError:
                raise AlreadyExists(key) from None
            tx = self._state()
            if tx.depth:
                tx.undo.append((kind, scope, key, None, {}))
            self._set_index(kind, scope, key, {}, index)

    def delete(self, kind, scope, key):
        with self._lock, self._atomic():
            old = self._entries(kind, scope, key)
            self._remember(kind, scope, key, old)
            cur = self._conn.execute("DELETE FROM records WHERE kind=? AND scope=? AND key=?",
                                     (kind, scope, key))
            self._set_index(kind, scope, key, old, None)
            return cur.rowcount > 0

    def list_by_index(self, kind, scope, name, *, value=None, prefix=None, after=None,
                      limit=None):
        # CROSS JOIN keeps index_entries the outer loop (SQLite's planner, without ANALYZE,
        # may otherwise walk every record of the scope); every constraint below is a seek
        # on its primary key, so no sort and O(page) rows read.
        sql = ("SELECT i.value, i.key, r.value FROM index_entries i CROSS JOIN records r "
               "ON r.kind=i.kind AND r.scope=i.scope AND r.key=i.key "
               "WHERE i.kind=? AND i.scope=? AND i.name=?")
        args: list = [kind, scope, name]
        if value is not None:
            sql += " AND i.value=?"
            args.append(value)
            if after is not None:  # as a key bound: a row value here would sort the rest
                if after[0] > value:
                    return []
                if after[0] == value:
                    sql += " AND i.key>?"
                    args.append(after[1])
                after = None
        elif prefix:
            sql += " AND i.value>=?"
            args.append(prefix)
            end = prefix_end(prefix)
            if end is not None:
                sql += " AND i.value<?"
                args.append(end)
        if after is not None:
            sql += " AND (i.value, i.key) > (?, ?)"
            args += list(after)
        sql += " ORDER BY i.value, i.key"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [(v, k, json.loads(r)) for v, k, r in rows]

    def list(self, kind, scope, *, after=None, prefix=None, limit=None):
        sql = "SELECT key, value FROM records WHERE kind=? AND scope=?"
        args: list = [kind, scope]
        if after is not None:
            sql += " AND key > ?"
            args.append(after)
        if prefix:
            # Range scan instead of LIKE so that '%' and '_' in keys are literal.
            sql += " AND key >= ? AND key < ?"
            args += [prefix, prefix + "\U0010ffff"]
        sql += " ORDER BY key"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [(k, json.loads(v)) for k, v in rows]

    def count(self, kind, scope):
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM records WHERE kind=? AND scope=?",
                                      (kind, scope)).fetchone()[0]

    def scopes(self, kind):
        with self._lock:
            rows = self._conn.execute("SELECT DISTINCT scope FROM records WHERE kind=? "
                                      "ORDER BY scope", (kind,)).fetchall()
        return [r[0] for r in rows]

    def delete_scope(self, scope):
        with self._lock, self._atomic():
            self._conn.execute("DELETE FROM records WHERE scope=?", (scope,))
            self._conn.execute("DELETE FROM index_entries WHERE scope=?", (scope,))

    @contextmanager
    def transaction(self):
        committed = []  # callbacks to run once the outermost level has committed
        with self._lock:
            tx = self._state()
            outer = tx.depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
                tx.suspended = False
            mark, hooks = len(tx.undo), len(tx.after)
            tx.depth += 1
            try:
                yield self
            except BaseException:
                tx.depth -= 1
                if outer and not tx.suspended:
                    self._conn.execute("ROLLBACK")
                else:  # an inner level, or work partly committed by suspended()
                    for kind, scope, key, old, entries in reversed(tx.undo[mark:]):
                        if old is None:
                            self._conn.execute(
                                "DELETE FROM records WHERE kind=? AND scope=? AND key=?",
                                (kind, scope, key))
                        else:
                            self._conn.execute("INSERT OR REPLACE INTO records VALUES (?,?,?,?)",
                                               (kind, scope, key, old))
                        self._set_index(kind, scope, key, self._entries(kind, scope, key),
                                        entries)
                    del tx.undo[mark:]
                    if outer:
                        self._conn.execute("COMMIT")
                del tx.after[hooks:]
                raise
            else:
                tx.depth -= 1
                if outer:
                    self._conn.execute("COMMIT")
            finally:
                if outer:
                    tx.undo.clear()
                    committed, tx.after = tx.after, []
        run_after_commit(committed)  # only reached when the outermost level committed

    @contextmanager
    def suspended(self):
        """Let other threads use the store while this one waits (on a Lambda function):
        commit what this transaction wrote so far and release the lock; a later rollback
        undoes that work from the undo log."""
        tx = self._state()
        held = tx.depth
        if not held:
            yield
            return
        self._conn.execute("COMMIT")
        tx.suspended = True
        for _ in range(held):
            self._lock.release()
        try:
            yield
        finally:
            for _ in range(held):
                self._lock.acquire()
            self._conn.execute("BEGIN IMMEDIATE")

    def wipe(self):
        with self._lock, self._atomic():
            self._conn.execute("DELETE FROM records")
            self._conn.execute("DELETE FROM index_entries")

    def snapshot(self, path):
        """SQLite's online backup, from a second connection in one step: it reads one WAL
        snapshot (committed data only) while this connection goes on writing."""
        if self._state().depth:
            raise RuntimeError("snapshot() inside a transaction: it would miss this one")

        def write(tmp):
            src = sqlite3.connect(self._path, timeout=30)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            except sqlite3.Error as exc:
                raise SnapshotError(f"cannot write {path}: {exc}") from None
            finally:
                dst.close()
                src.close()
        snapshot_files.write_atomically(path, write)

    def restore(self, path):
        """A backup from the file into the live connection, under the store's lock: other
        threads' transactions finish first, and the copy is itself one transaction."""
        snapshot_files.expect(path, "sqlite")
        try:
            src = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise SnapshotError(f"cannot open {path}: {exc}") from None
        try:
            try:
                row = src.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
                src.execute("SELECT 1 FROM records, index_entries LIMIT 0").fetchall()
            except sqlite3.DatabaseError:
                raise SnapshotError(f"{path} is a SQLite database but not an emulator "
                                    "snapshot (no meta, records or index_entries table)") from None
            if row is None or row[0] != str(SCHEMA_VERSION):
                raise SnapshotError(f"{path} has schema version {row[0] if row else 'none'}; "
                                    f"this emulator loads snapshots of version {SCHEMA_VERSION}")
            with self._lock:
                if self._state().depth:
                    raise RuntimeError("restore() inside a transaction")
                try:
                    src.backup(self._conn)
                except sqlite3.Error as exc:
                    raise SnapshotError(f"cannot load {path}: {exc}") from None
        finally:
            src.close()

    def close(self):
        with self._lock:
            self._conn.close()
