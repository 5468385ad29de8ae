"""Storage backends behind one interface (see base.py)."""
import os

from .base import AlreadyExists, Store  # noqa: F401


def open_store(data_dir: str | None, in_memory: bool) -> Store:
    if in_memory:
        from .memory import MemoryStore
        return MemoryStore()
    assert data_dir is not None, "a durable store needs a data directory"
    from .sqlite import SqliteStore
    return SqliteStore(os.path.join(data_dir, "emulator.sqlite3"))
