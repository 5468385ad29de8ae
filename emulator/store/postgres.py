"""PostgreSQL backend: one database shared by any number of emulator processes.

The contract is SQLite's (base.py), kept across processes as well as threads:

- Transactions run one at a time, everywhere. The domain relies on that for read-check-write
  (lockout counters, unique usernames), which SQLite's BEGIN IMMEDIATE gives for free. Here
  each outermost transaction first takes one transaction-level advisory lock (_TX_LOCK), so
  every process's writers queue on it; a thread lock in front keeps this process's waiting
  threads from each holding a pooled connection. Writes outside a transaction are
  one-statement transactions under the same lock.
- Inner levels and suspended() use SQLite's undo log: each write inside a transaction notes
  the record's old value and index entries, so an inner level that fails, or a transaction
  that fails after suspended() committed part of it, is taken back by writing those back.
- Reads inside a transaction use the thread's connection (they see its own writes); reads
  outside one use a pooled connection in autocommit (committed data only).
- Values are JSON text in a text column, not jsonb: jsonb reorders object members (the
  domain's responses keep theirs) and refuses "\\u0000". Text columns are COLLATE "C", so
  ORDER BY is code-point order as in SQLite (UTF-8 byte order = code-point order).
- PostgreSQL text cannot hold U+0000, which the other stores take in keys and index values
  (an attribute value, say). _enc writes it as U+0001 U+0001 and U+0001 as U+0001 U+0002: an
  order- and prefix-preserving code, so ranges and ORDER BY still work; _dec reads it back.
- Snapshots (snapshot_files.py): PG_HEADER, a JSON line {"schemaVersion": N}, then one JSON
  line per record, [kind, scope, key, value, {index name: value} | null], read from one
  REPEATABLE READ transaction, so one instant while others go on writing.
"""
from __future__ import annotations

import builtins
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from . import snapshot_files
from .base import (
    SCHEMA_VERSION,
    AfterCommit,
    AlreadyExists,
    SchemaMismatch,
    SnapshotError,
    StoreUnavailable,
    prefix_end,
    run_after_commit,
)

# pg_advisory_xact_lock keys: every store transaction, and schema creation at start-up.
_TX_LOCK = 0x436F676E69746F01    # "Cognito" + 1
_SCHEMA_LOCK = 0x436F676E69746F02

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind text COLLATE "C" NOT NULL, scope text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL, value text NOT NULL,
    PRIMARY KEY (kind, scope, key));
CREATE INDEX IF NOT EXISTS records_scope ON records (scope);
CREATE TABLE IF NOT EXISTS index_entries (
    kind text COLLATE "C" NOT NULL, scope text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, scope, name, value, key));
CREATE INDEX IF NOT EXISTS index_entries_record ON index_entries (scope, kind, key);
"""
_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({_TX_LOCK})"  # one round trip
# Round trips are most of this backend's cost, so each write is one statement that also
# answers the record's old value and index entries (for the undo log and the index diff):
# every part of a statement sees the rows as they were before it.
_ENTRIES = ("(SELECT json_object_agg(name, value) FROM index_entries "
            "WHERE kind=%(k)s AND scope=%(s)s AND key=%(key)s)")
_PUT = ("WITH old AS (SELECT value FROM records WHERE kind=%(k)s AND scope=%(s)s AND key=%(key)s),"
        " up AS (INSERT INTO records VALUES (%(k)s, %(s)s, %(key)s, %(v)s) "
        "ON CONFLICT (kind, scope, key) DO UPDATE SET value=EXCLUDED.value) "
        "SELECT (SELECT value FROM old), " + _ENTRIES)
_DELETE = ("WITH old AS (DELETE FROM records WHERE kind=%(k)s AND scope=%(s)s AND key=%(key)s "
           "RETURNING value) SELECT (SELECT value FROM old), " + _ENTRIES)
# A record's index entries: drop pairs (gone_n[i], gone_v[i]), add (new_n[i], new_v[i]).
_MOVE = ("WITH gone AS (DELETE FROM index_entries WHERE kind=%(k)s AND scope=%(s)s AND "
         "key=%(key)s AND (name, value) IN (SELECT * FROM unnest(%(gone_n)s::text[], "
         "%(gone_v)s::text[]))) INSERT INTO index_entries SELECT %(k)s, %(s)s, n, v, %(key)s "
         "FROM unnest(%(new_n)s::text[], %(new_v)s::text[]) AS t(n, v)")
PG_HEADER = snapshot_files.PG_HEADER
_ESCAPED = re.compile("\x01(.)", re.S)


def _dump(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _enc(text: str) -> str:
    if "\x00" in text or "\x01" in text:
        return text.replace("\x01", "\x01\x02").replace("\x00", "\x01\x01")
    return text


def _dec(text: str) -> str:
    if "\x01" in text:
        return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "\x01" else "\x01", text)
    return text


def _enc_index(index: dict | None) -> dict:
    return {_enc(n): _enc(v) if isinstance(v, str) else v for n, v in (index or {}).items()}


def _dec_index(index: dict | None) -> dict | None:
    return None if index is None else {_dec(n): _dec(v) for n, v in index.items()}


def _prefix_range(column: str, prefix: str) -> tuple[str, list[str]]:
    """The SQL (and its arguments) for `column` starting with `prefix` (encoded): a range,
    not LIKE, so '%' and '_' stay literal and the btree answers it."""
    end = prefix_end(prefix)
    if end is None:
        return f" AND {column} >= %s", [prefix]
    return f" AND {column} >= %s AND {column} < %s", [prefix, end]


def describe(url: str) -> str:
    """The URL without its password, for banners and messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql (unparsable URL)"
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname', '')}"


class PostgresStore(AfterCommit):
    def __init__(self, url: str, *, max_connections: int = 10):
        self._url = url
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                self._create_schema(conn)
        except psycopg.Error as exc:  # one line, for the start banner's place
            reason = " ".join(str(exc).split()) or type(exc).__name__
            doing = "connect to" if isinstance(exc, psycopg.OperationalError) else "set up"
            raise StoreUnavailable(f"cannot {doing} {describe(url)}: {reason}") from None
        self._pool = ConnectionPool(url, kwargs={"autocommit": True}, min_size=1,
                                    max_size=max_connections, open=True, name="store")
        self._lock = threading.Lock()   # this process's turn; _TX_LOCK is everyone's
        self._tx = threading.local()

    def _create_schema(self, conn: psycopg.Connection) -> None:
        """Tables and the schema version, under an advisory lock: two processes starting at
        once would otherwise race on CREATE TABLE IF NOT EXISTS."""
        row = conn.execute("SHOW server_encoding").fetchone()
        if row is None or row[0] != "UTF8":
            raise StoreUnavailable(f"{describe(self._url)} has encoding {row and row[0]}: "
                                   "the store needs a UTF8 database")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(_SCHEMA)
            found = conn.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
            if found is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', %s)",
                             (str(SCHEMA_VERSION),))
            elif int(found[0]) > SCHEMA_VERSION:
                raise SchemaMismatch(f"{describe(self._url)} has schema version {found[0]}, "
                                     f"newer than this emulator's {SCHEMA_VERSION}")
            elif int(found[0]) < SCHEMA_VERSION:  # migrations go here; 2 is the first
                conn.execute("UPDATE meta SET value=%s WHERE name='schema_version'",
                             (str(SCHEMA_VERSION),))

    # --- per-thread transaction state --------------------------------------------------------

    def _state(self):
        tx = self._tx
        if not hasattr(tx, "depth"):
            tx.depth, tx.undo, tx.after, tx.conn = 0, [], [], None
            tx.suspended, tx.paused = False, False
            # What this transaction read or wrote, by (kind, scope, key): JSON text or None
            # (absent). Valid while it holds the lock (tx.conn): no other transaction can
            # write meanwhile. A request reads its pool and client several times; each
            # read is a round trip here, where SQLite's is a function call.
            tx.seen = {}
        return tx

    @contextmanager
    def _reader(self) -> Iterator[psycopg.Connection]:
        tx = self._state()
        if tx.conn is not None:
            yield tx.conn
        else:  # outside a transaction, or in a suspended one
            with self._pool.connection() as conn:
                yield conn

    def _begin(self, conn: psycopg.Connection) -> None:
        conn.execute(_BEGIN)

    def _open(self, tx) -> None:
        """This thread's turn: the thread lock, a connection, BEGIN and the advisory lock.
        tx.conn is set exactly while the thread holds both (see _release)."""
        self._lock.acquire()
        try:
            conn = self._pool.getconn()
            try:
                self._begin(conn)
            except BaseException:
                self._pool.putconn(conn)
                raise
        except BaseException:
            self._lock.release()
            raise
        tx.conn = conn

    def _release(self, tx) -> None:
        tx.seen.clear()
        if tx.conn is None:
            return
        conn, tx.conn = tx.conn, None
        try:
            self._pool.putconn(conn)  # rolls back what is still open on it
        finally:
            self._lock.release()

    @contextmanager
    def _writer(self) -> Iterator[tuple[psycopg.Connection, bool]]:
        """The connection to write on and whether to log undo: the thread's transaction, or
        a one-write transaction of its own under the lock."""
        tx = self._state()
        if tx.conn is not None:
            yield tx.conn, True
            return
        with self._lock, self._pool.connection() as conn:
            self._begin(conn)
            try:
                yield conn, bool(tx.depth)  # paused: still undone if the transaction fails
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- reads -------------------------------------------------------------------------------

    def get(self, kind, scope, key):
        tx, where = self._state(), (_enc(kind), _enc(scope), _enc(key))
        if tx.conn is not None and where in tx.seen:
            text = tx.seen[where]
        else:
            with self._reader() as conn:
                row = conn.execute("SELECT value FROM records WHERE kind=%s AND scope=%s AND "
                                   "key=%s", where).fetchone()
            text = row[0] if row else None
            if tx.conn is not None:
                tx.seen[where] = text
        return json.loads(text) if text is not None else None

    def _saw(self, kind, scope, key, text: str | None) -> None:
        """A write of this transaction, for get() (encoded names)."""
        tx = self._state()
        if tx.conn is not None:
            tx.seen[(kind, scope, key)] = text

    def list(self, kind, scope, *, after=None, prefix=None, limit=None):
        sql = "SELECT key, value FROM records WHERE kind=%s AND scope=%s"
        args: list[Any] = [_enc(kind), _enc(scope)]
        if after is not None:
            sql += " AND key > %s"
            args.append(_enc(after))
        if prefix:
            clause, bounds = _prefix_range("key", _enc(prefix))
            sql += clause
            args += bounds
        sql += " ORDER BY key"
        if limit is not None:
            sql += " LIMIT %s"
            args.append(limit)
        with self._reader() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [(_dec(k), json.loads(v)) for k, v in rows]

    def list_by_index(self, kind, scope, name, *, value=None, prefix=None, after=None,
                      limit=None):
        # A keyset range scan of index_entries' primary key, each row joined to its record by
        # the records' primary key: O(page) rows read, however deep the page.
        sql = ("SELECT i.value, i.key, r.value FROM index_entries i JOIN records r "
               "ON r.kind=i.kind AND r.scope=i.scope AND r.key=i.key "
               "WHERE i.kind=%s AND i.scope=%s AND i.name=%s")
        args: list[Any] = [_enc(kind), _enc(scope), _enc(name)]
        if value is not None:
            sql += " AND i.value=%s"
            args.append(_enc(value))
            if after is not None:
                if after[0] > value:
                    return []
                if after[0] == value:
                    sql += " AND i.key > %s"
                    args.append(_enc(after[1]))
                after = None
        elif prefix:
            clause, bounds = _prefix_range("i.value", _enc(prefix))
            sql += clause
            args += bounds
        if after is not None:
            sql += " AND (i.value, i.key) > (%s, %s)"
            args += [_enc(after[0]), _enc(after[1])]
        sql += " ORDER BY i.value, i.key"
        if limit is not None:
            sql += " LIMIT %s"
            args.append(limit)
        with self._reader() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [(_dec(v), _dec(k), json.loads(r)) for v, k, r in rows]

    def count(self, kind, scope):
        with self._reader() as conn:
            row = conn.execute("SELECT count(*) FROM records WHERE kind=%s AND scope=%s",
                               (_enc(kind), _enc(scope))).fetchone()
        return row[0] if row else 0

    def scopes(self, kind):
        with self._reader() as conn:
            rows = conn.execute("SELECT DISTINCT scope FROM records WHERE kind=%s ORDER BY scope",
                                (_enc(kind),)).fetchall()
        return [_dec(r[0]) for r in rows]

    # --- writes ------------------------------------------------------------------------------

    def _old(self, conn, sql: str, **args) -> tuple[str | None, dict]:
        """Run _PUT or _DELETE; the record's old (value, index entries)."""
        row = conn.execute(sql, args).fetchone()
        return (row[0], row[1] or {}) if row else (None, {})

    def _set_index(self, conn, kind, scope, key, old: dict, new: dict | None) -> None:
        """Move one record's index entries from `old` to `new`, touching only what changed
        (everything here _enc-oded already)."""
        new = new or {}
        if old == new:
            return
        gone = [(n, v) for n, v in old.items() if new.get(n) != v]
        added = [(n, v) for n, v in new.items() if old.get(n) != v]
        if any(not isinstance(v, str) for _, v in added):
            raise TypeError("index values must be strings")
        conn.execute(_MOVE, {"k": kind, "s": scope, "key": key,
                             "gone_n": [n for n, _ in gone], "gone_v": [v for _, v in gone],
                             "new_n": [n for n, _ in added], "new_v": [v for _, v in added]})

    def put(self, kind, scope, key, value, *, index=None):
        text = _dump(value)
        if index and any(not isinstance(v, str) for v in index.values()):
            raise TypeError("index values must be strings")  # before anything is written
        kind, scope, key, index = _enc(kind), _enc(scope), _enc(key), _enc_index(index)
        with self._writer() as (conn, log):
            old, entries = self._old(conn, _PUT, k=kind, s=scope, key=key, v=text)
            if log:
                self._state().undo.append((kind, scope, key, old, entries))
            self._set_index(conn, kind, scope, key, entries, index)
            self._saw(kind, scope, key, text)

    def insert(self, kind, scope, key, value, *, index=None):
        text = _dump(value)
        if index and any(not isinstance(v, str) for v in index.values()):
            raise TypeError("index values must be strings")
        kind, scope, key, index = _enc(kind), _enc(scope), _enc(key), _enc_index(index)
        with self._writer() as (conn, log):
            # ON CONFLICT rather than catching the violation: an error would abort the whole
            # PostgreSQL transaction, and the caller's transaction goes on after AlreadyExists.
            cur = conn.execute("INSERT INTO records VALUES (%s,%s,%s,%s) "
                               "ON CONFLICT (kind, scope, key) DO NOTHING",
                               (kind, scope, key, text))
            if cur.rowcount == 0:
                raise AlreadyExists(_dec(key))
            if log:
                self._state().undo.append((kind, scope, key, None, {}))
            self._set_index(conn, kind, scope, key, {}, index)
            self._saw(kind, scope, key, text)

    def delete(self, kind, scope, key):
        kind, scope, key = _enc(kind), _enc(scope), _enc(key)
        with self._writer() as (conn, log):
            old, entries = self._old(conn, _DELETE, k=kind, s=scope, key=key)
            if log:
                self._state().undo.append((kind, scope, key, old, entries))
            self._set_index(conn, kind, scope, key, entries, None)
            self._saw(kind, scope, key, None)
            return old is not None

    def delete_scope(self, scope):
        self._state().seen.clear()
        with self._writer() as (conn, _):
            conn.execute("DELETE FROM records WHERE scope=%s", (_enc(scope),))
            conn.execute("DELETE FROM index_entries WHERE scope=%s", (_enc(scope),))

    def wipe(self):
        self._state().seen.clear()
        with self._writer() as (conn, _):
            conn.execute("DELETE FROM records; DELETE FROM index_entries")

    # --- transactions ------------------------------------------------------------------------

    def _undo(self, conn, entries) -> None:
        self._state().seen.clear()
        for kind, scope, key, old, index in reversed(entries):
            sql, args = (_DELETE, {}) if old is None else (_PUT, {"v": old})
            now = self._old(conn, sql, k=kind, s=scope, key=key, **args)[1]
            self._set_index(conn, kind, scope, key, now, index)

    @contextmanager
    def transaction(self):
        tx = self._state()
        outer = tx.depth == 0
        committed: list = []  # callbacks to run once the outermost level has committed
        if outer:
            self._open(tx)
            tx.suspended = False
        mark, hooks = len(tx.undo), len(tx.after)
        tx.depth += 1
        try:
            yield self
        except BaseException:
            tx.depth -= 1
            if outer:
                if tx.conn is not None:  # None: suspended() could not take the turn back
                    tx.conn.execute("ROLLBACK")  # also ends one an SQL error aborted
                if tx.suspended:  # take back what suspended() committed
                    if tx.conn is None:
                        self._open(tx)
                    else:
                        self._begin(tx.conn)
                    self._undo(tx.conn, tx.undo)
                    tx.conn.execute("COMMIT")
            else:
                self._undo(tx.conn, tx.undo[mark:])
            del tx.undo[mark:]
            del tx.after[hooks:]
            raise
        else:
            tx.depth -= 1
            if outer:
                tx.conn.execute("COMMIT")
        finally:
            if outer:
                tx.undo.clear()
                committed, tx.after = tx.after, []
                self._release(tx)
        run_after_commit(committed)  # only reached when the outermost level committed

    @contextmanager
    def suspended(self):
        """Commit what this transaction wrote so far and let every other transaction run
        (the advisory lock ends with the commit) while this thread waits on a Lambda
        function; a later failure undoes that work from the undo log. The connection goes
        back to the pool meanwhile: many sign-ins may wait on functions at once."""
        tx = self._state()
        if not tx.depth or tx.paused:
            yield
            return
        tx.conn.execute("COMMIT")
        tx.suspended = tx.paused = True
        self._release(tx)
        try:
            yield
        finally:
            tx.paused = False
            self._open(tx)

    # --- snapshots ---------------------------------------------------------------------------

    def snapshot(self, path):
        if self._state().depth:
            raise RuntimeError("snapshot() inside a transaction: it would miss this one")

        def write(tmp):
            with self._pool.connection() as conn, open(tmp, "w", encoding="utf-8") as f:
                f.write(PG_HEADER.decode() + _dump({"schemaVersion": SCHEMA_VERSION}) + "\n")
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    with conn.cursor(name="snapshot") as cur:
                        cur.itersize = 2000
                        cur.execute(
                            "SELECT kind, scope, key, value, (SELECT json_object_agg(name, "
                            "value) FROM index_entries i WHERE i.scope=r.scope AND "
                            "i.kind=r.kind AND i.key=r.key) FROM records r")
                        for kind, scope, key, value, entries in cur:
                            names = (_dec(kind), _dec(scope), _dec(key))
                            f.write(f"[{_dump(names)[1:-1]},{value},"
                                    f"{_dump(_dec_index(entries))}]\n")
                finally:
                    conn.execute("COMMIT")
        snapshot_files.write_atomically(path, write)

    def _read_snapshot(self, path) -> builtins.list[tuple[str, str, str, str, dict | None]]:
        snapshot_files.expect(path, "postgresql")
        try:
            with open(path, encoding="utf-8") as f:
                f.readline()  # PG_HEADER, checked by expect()
                head = json.loads(f.readline() or "null")
                if not isinstance(head, dict) or head.get("schemaVersion") != SCHEMA_VERSION:
                    found = head.get("schemaVersion") if isinstance(head, dict) else "none"
                    raise SnapshotError(f"{path} has schema version {found}; this emulator "
                                        f"loads snapshots of version {SCHEMA_VERSION}")
                rows = []
                for line in f:
                    kind, scope, key, value, entries = json.loads(line)
                    if not (isinstance(value, dict) and isinstance(entries, dict | None)
                            and all(isinstance(v, str) for v in (entries or {}).values())):
                        raise ValueError("not a record")
                    rows.append((_enc(kind), _enc(scope), _enc(key), _dump(value),
                                 _enc_index(entries) if entries is not None else None))
        except (OSError, ValueError, TypeError) as exc:
            raise SnapshotError(f"{path}: malformed PostgreSQL-store snapshot ({exc})") from None
        return rows

    def restore(self, path):
        """Parse the whole file first, then replace everything in one transaction under the
        lock: other transactions finish first, and readers see the old or the new store."""
        rows = self._read_snapshot(path)
        if self._state().depth:
            raise RuntimeError("restore() inside a transaction")
        entries = [(kind, scope, n, v, key) for kind, scope, key, _, named in rows
                   for n, v in (named or {}).items()]
        with self._writer() as (conn, _), conn.cursor() as cur:
            cur.execute("DELETE FROM records; DELETE FROM index_entries")
            with cur.copy("COPY records (kind, scope, key, value) FROM STDIN") as copy:
                for kind, scope, key, value, _ in rows:
                    copy.write_row((kind, scope, key, value))
            with cur.copy("COPY index_entries (kind, scope, name, value, key) FROM STDIN") as copy:
                for row in entries:
                    copy.write_row(row)

    def close(self):
        self._pool.close()
