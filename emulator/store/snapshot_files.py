"""The file side of Store.snapshot()/restore(), shared by the backends.

A snapshot file is what its backend naturally is: the SQLite store writes a SQLite database
file (the same schema as `<data-dir>/emulator.sqlite3`, in rollback-journal mode so it is one
self-contained file); the memory store writes JSON, `{"format": MEMORY_FORMAT,
"schemaVersion": N, "records": [[kind, scope, key, value, {index name: value} | null], ...]}`;
the PostgreSQL store writes PG_HEADER, a line `{"schemaVersion": N}`, then one such record
array a line (JSON lines: written and read as a stream).
A snapshot loads only into the backend that wrote it and only at the same schema version:
the other cases are refused with a SnapshotError naming the file's kind, never converted.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable

from .base import SnapshotError

SQLITE_HEADER = b"SQLite format 3\x00"
MEMORY_FORMAT = "cognito-emulator-memory-snapshot"
PG_HEADER = b"cognito-emulator-postgresql-snapshot\n"
NAMES = {"sqlite": "the SQLite store (a SQLite database file)",
         "memory": "the in-memory store (JSON)",
         "postgresql": "the PostgreSQL store (JSON lines)"}


def kind_of(path: str) -> str:
    """"sqlite", "memory" or "postgresql" by the file's first bytes; SnapshotError when there
    is no file or it is none of them."""
    try:
        with open(path, "rb") as f:
            head = f.read(max(len(SQLITE_HEADER), len(PG_HEADER)))
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot file at {path}") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_HEADER):
        return "postgresql"
    if head.lstrip().startswith(b"{"):
        return "memory"
    raise SnapshotError(f"{path} is not an emulator snapshot (not a SQLite database, a "
                        "memory-store JSON snapshot or a PostgreSQL-store snapshot)")


def expect(path: str, backend: str) -> None:
    """Refuse a snapshot written by another backend, with the reason; a SQLite database or
    JSON file that is no snapshot at all is named as such."""
    found = kind_of(path)
    if found != backend:
        if not _looks_like(path, found):
            raise SnapshotError(f"{path} is a {'SQLite database' if found == 'sqlite' else 'JSON'}"
                                " file but not an emulator snapshot")
        raise SnapshotError(f"{path} is a snapshot of {NAMES[found]}, but this emulator uses "
                            f"{NAMES[backend].split(' (')[0]}: a snapshot loads only into the "
                            "backend that wrote it")


def _looks_like(path: str, kind: str) -> bool:
    """Whether a file of another backend's kind is that backend's snapshot (by its tables or
    its format field), so a refusal can say which it is."""
    if kind == "sqlite":
        try:
            db = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)
            try:
                db.execute("SELECT 1 FROM meta, records, index_entries LIMIT 0").fetchall()
            finally:
                db.close()
        except sqlite3.Error:
            return False
    elif kind == "memory":
        with open(path, "rb") as f:
            return MEMORY_FORMAT.encode() in f.read(200)
    return True


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """write(temporary path) beside `path`, then rename it over `path`: a reader never sees
    half a snapshot, and a failure leaves the old file."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise SnapshotError(f"cannot write {path}: no directory {folder}")
    if os.path.isdir(path):
        raise SnapshotError(f"cannot write {path}: it is a directory")
    tmp = f"{path}.tmp-{os.getpid()}-{threading.get_ident()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise SnapshotError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
