"""The file side of Store.snapshot()/restore(), shared by the backends.

A snapshot file is what its backend naturally is: the SQLite store writes a SQLite database
file (the same schema as `<data-dir>/emulator.sqlite3`, in rollback-journal mode so it is one
self-contained file); the memory store writes JSON, `{"format": MEMORY_FORMAT,
"schemaVersion": N, "records": [[kind, scope, key, value, {index name: value} | null], ...]}`.
A snapshot loads only into the backend that wrote it and only at the same schema version:
the other cases are refused with a SnapshotError naming the file's kind, never converted.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

from .base import SnapshotError

SQLITE_HEADER = b"SQLite format 3\x00"
MEMORY_FORMAT = "cognito-emulator-memory-snapshot"


def kind_of(path: str) -> str:
    """"sqlite" or "memory" by the file's first bytes; SnapshotError when there is no file
    or it is neither."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot file at {path}") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.lstrip().startswith(b"{"):
        return "memory"
    raise SnapshotError(f"{path} is not an emulator snapshot (neither a SQLite database nor "
                        "a memory-store JSON snapshot)")


def expect(path: str, backend: str) -> None:
    """Refuse a snapshot written by the other backend, with the reason."""
    found = kind_of(path)
    if found != backend:
        names = {"sqlite": "the SQLite store (a SQLite database file)",
                 "memory": "the in-memory store (JSON)"}
        raise SnapshotError(f"{path} is a snapshot of {names[found]}, but this emulator uses "
                            f"{names[backend].split(' (')[0]}: a snapshot loads only into the "
                            "backend that wrote it")


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
