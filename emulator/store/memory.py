"""In-memory backend for throw-away runs (`--in-memory`)."""
import marshal
import threading
from contextlib import contextmanager

from .base import AlreadyExists


def _copy(value):
    return marshal.loads(marshal.dumps(value))


class MemoryStore:
    def __init__(self):
        self._data: dict[tuple[str, str], dict[str, dict]] = {}
        self._lock = threading.RLock()
        self._depth = 0
        self._undo: list[tuple[str, str, str, dict | None]] = []

    # Values are copied in and out so callers can never mutate stored state by accident,
    # just as with the SQLite backend. Records are plain JSON-like data, which marshal
    # copies several times faster than copy.deepcopy (a hot path on every sign-in).
    def get(self, kind, scope, key):
        with self._lock:
            value = self._data.get((kind, scope), {}).get(key)
            return _copy(value) if value is not None else None

    def _write(self, kind, scope, key, value):
        bucket = self._data.setdefault((kind, scope), {})
        if self._depth:
            old = bucket.get(key)
            self._undo.append((kind, scope, key, old))
        if value is None:
            bucket.pop(key, None)
        else:
            bucket[key] = _copy(value)

    def put(self, kind, scope, key, value):
        with self._lock:
            self._write(kind, scope, key, value)

    def insert(self, kind, scope, key, value):
        with self._lock:
            if key in self._data.get((kind, scope), {}):
                raise AlreadyExists(key)
            self._write(kind, scope, key, value)

    def delete(self, kind, scope, key):
        with self._lock:
            if key not in self._data.get((kind, scope), {}):
                return False
            self._write(kind, scope, key, None)
            return True

    def list(self, kind, scope, *, after=None, prefix=None, limit=None):
        with self._lock:
            bucket = self._data.get((kind, scope), {})
            keys = sorted(k for k in bucket
                          if (after is None or k > after) and (prefix is None or k.startswith(prefix)))
            if limit is not None:
                keys = keys[:limit]
            return [(k, _copy(bucket[k])) for k in keys]

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
        with self._lock:
            self._depth += 1
            mark = len(self._undo)
            try:
                yield self
            except BaseException:
                # Roll back this level's writes, newest first.
                for kind, scope, key, old in reversed(self._undo[mark:]):
                    bucket = self._data.setdefault((kind, scope), {})
                    if old is None:
                        bucket.pop(key, None)
                    else:
                        bucket[key] = old
                del self._undo[mark:]
                raise
            finally:
                self._depth -= 1
                if not self._depth:
                    self._undo.clear()

    def wipe(self):
        with self._lock:
            self._data.clear()

    def close(self):
        pass
