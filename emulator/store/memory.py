"""In-memory backend for throw-away runs (`--in-memory`)."""
import bisect
import json
import marshal
import threading
from contextlib import contextmanager

from . import snapshot_files
from .base import SCHEMA_VERSION, AfterCommit, AlreadyExists, SnapshotError, run_after_commit


def _copy(value):
    return marshal.loads(marshal.dumps(value))


class MemoryStore(AfterCommit):
    def __init__(self):
        self._data: dict[tuple[str, str], dict[str, dict]] = {}
        # Secondary indexes: (kind, scope, name) -> sorted [(value, key)], and each record's
        # own entries, (kind, scope) -> {key: {name: value}}, to move them on a write.
        self._index: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        self._entries: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
        self._lock = threading.RLock()
        # Per-thread transaction state: depth and an undo log. Per thread because a
        # transaction that is suspended() (waiting on a Lambda function) lets other
        # threads run theirs meanwhile.
        self._tx = threading.local()

    def _state(self):
        tx = self._tx
        if not hasattr(tx, "depth"):
            tx.depth, tx.undo, tx.after = 0, [], []
        return tx

    # Values are copied in and out so callers can never mutate stored state by accident,
    # just as with the SQLite backend. Records are plain JSON-like data, which marshal
    # copies several times faster than copy.deepcopy (a hot path on every sign-in).
    def get(self, kind, scope, key):
        with self._lock:
            value = self._data.get((kind, scope), {}).get(key)
            return _copy(value) if value is not None else None

    def _write(self, kind, scope, key, value, index=None):
        bucket = self._data.setdefault((kind, scope), {})
        tx = self._state()
        if tx.depth:
            old_index = self._entries.get((kind, scope), {}).get(key)
            tx.undo.append((kind, scope, key, bucket.get(key), old_index))
        self._set(kind, scope, key, None if value is None else _copy(value), index)

    def _set(self, kind, scope, key, value, index):
        """Store (or drop, value None) one record and make its index entries `index`."""
        bucket = self._data.setdefault((kind, scope), {})
        if value is None:
            bucket.pop(key, None)
            index = None
        else:
            bucket[key] = value
        entries = self._entries.setdefault((kind, scope), {})
        old = entries.get(key) or {}
        new = dict(index) if index else {}
        if old == new:
            return
        for name, v in old.items():
            if new.get(name) != v:
                lst = self._index[(kind, scope, name)]
                del lst[bisect.bisect_left(lst, (v, key))]
        for name, v in new.items():
            if old.get(name) != v:
                if not isinstance(v, str):
                    raise TypeError(f"index value for {name!r} must be a string")
                bisect.insort(self._index.setdefault((kind, scope, name), []), (v, key))
        if new:
            entries[key] = new
        else:
            entries.pop(key, None)

    def put(self, kind, scope, key, value, *, index=None):
        with self._lock:
            self._write(kind, scope, key, value, index)

    def insert(self, kind, scope, key, value, *, index=None):
        with self._lock:
            if key in self._data.get((kind, scope), {}):
                raise AlreadyExists(key)
            self._write(kind, scope, key, value, index)

    def delete(self, kind, scope, key):
        with self._lock:
            if key not in self._data.get((kind, scope), {}):
                return False
            self._write(kind, scope, key, None)
            return True

    def list(self, kind, scope, *, after=None, prefix=None, limit=None):
        with self._lock:
            bucket = self._data.get((kind, scope), {})
            keys = sorted(k for k in bucket if (after is None or k > after)
                          and (prefix is None or k.startswith(prefix)))
            if limit is not None:
                keys = keys[:limit]
            return [(k, _copy(bucket[k])) for k in keys]

    def list_by_index(self, kind, scope, name, *, value=None, prefix=None, after=None,
                      limit=None):
        with self._lock:
            lst = self._index.get((kind, scope, name), [])
            low = value if value is not None else (prefix or "")
            start = bisect.bisect_left(lst, (low,))
            if after is not None:
                start = max(start, bisect.bisect_right(lst, tuple(after)))
            bucket = self._data.get((kind, scope), {})
            out = []
            for i in range(start, len(lst)):  # no slicing: a page costs O(page)
                v, k = lst[i]
                if (limit is not None and len(out) >= limit) or \
                        (value is not None and v != value) or \
                        (prefix is not None and not v.startswith(prefix)):
                    break
                out.append((v, k, _copy(bucket[k])))
            return out

    def count(self, kind, scope):
        with self._lock:
            return len(self._data.get((kind, scope), {}))

    def scopes(self, kind):
        with self._lock:
            return sorted(s for (k, s), bucket in self._data.items() if k == kind and bucket)

    def delete_scope(self, scope):
        with self._lock:
            for (kind, s), bucket in list(self._data.items()):
                if s == scope:
                    for key in list(bucket):
                        self._write(kind, s, key, None)

    @contextmanager
    def transaction(self):
        committed = []  # callbacks to run once the outermost level has committed
        with self._lock:
            tx = self._state()
            tx.depth += 1
            mark, hooks = len(tx.undo), len(tx.after)
            try:
                yield self
            except BaseException:
                # Roll back this level's writes, newest first.
                for kind, scope, key, old, old_index in reversed(tx.undo[mark:]):
                    self._set(kind, scope, key, old, old_index)
                del tx.undo[mark:]
                del tx.after[hooks:]
                raise
            finally:
                tx.depth -= 1
                if not tx.depth:
                    tx.undo.clear()
                    committed, tx.after = tx.after, []
        run_after_commit(committed)  # only reached when the outermost level committed

    @contextmanager
    def suspended(self):
        """Let other threads use the store while this one waits (on a Lambda function).
        Writes made so far stay visible to them; a later rollback still undoes them."""
        tx = self._state()
        held = tx.depth  # transaction() holds the lock once per level
        for _ in range(held):
            self._lock.release()
        try:
            yield
        finally:
            for _ in range(held):
                self._lock.acquire()

    def wipe(self):
        with self._lock:
            self._data.clear()
            self._index.clear()
            self._entries.clear()

    def snapshot(self, path):
        """JSON (snapshot_files.py), serialised under the lock: one instant, between
        transactions."""
        with self._lock:
            if self._state().depth:
                raise RuntimeError("snapshot() inside a transaction: it would miss this one")
            records = [[kind, scope, key, value, self._entries.get((kind, scope), {}).get(key)]
                       for (kind, scope), bucket in self._data.items()
                       for key, value in bucket.items()]
            text = json.dumps({"format": snapshot_files.MEMORY_FORMAT,
                               "schemaVersion": SCHEMA_VERSION, "records": records},
                              separators=(",", ":"))

        def write(tmp):
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
        snapshot_files.write_atomically(path, write)

    def restore(self, path):
        """Parse and rebuild the dicts and sorted index lists aside, then swap them in under
        the lock."""
        snapshot_files.expect(path, "memory")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot load {path}: {exc}") from None
        if not isinstance(doc, dict) or doc.get("format") != snapshot_files.MEMORY_FORMAT:
            raise SnapshotError(f"{path} is JSON but not an emulator memory-store snapshot")
        if doc.get("schemaVersion") != SCHEMA_VERSION:
            raise SnapshotError(f"{path} has schema version {doc.get('schemaVersion')}; this "
                                f"emulator loads snapshots of version {SCHEMA_VERSION}")
        data: dict = {}
        entries: dict = {}
        index: dict = {}
        try:
            for kind, scope, key, value, named in doc["records"]:
                data.setdefault((kind, scope), {})[key] = value
                if named:
                    entries.setdefault((kind, scope), {})[key] = named
                    for name, v in named.items():
                        index.setdefault((kind, scope, name), []).append((v, key))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise SnapshotError(f"{path}: malformed memory-store snapshot") from None
        for lst in index.values():
            lst.sort()
        with self._lock:
            if self._state().depth:
                raise RuntimeError("restore() inside a transaction")
            self._data, self._index, self._entries = data, index, entries

    def close(self):
        pass
