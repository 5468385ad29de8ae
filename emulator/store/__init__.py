"""Storage backends behind one interface (see base.py)."""
import os

from .base import AlreadyExists, Store  # noqa: F401


def open_store(data_dir: str | None, in_memory: bool, url: str | None = None) -> Store:
    """The memory store, the PostgreSQL store at `url` (postgresql:// or postgres://), or
    SQLite in data_dir. StoreUnavailable or SchemaMismatch (base.py) when it can't open."""
    if in_memory:
        from .memory import MemoryStore
        return MemoryStore()
    if url:
        from .postgres import PostgresStore
        return PostgresStore(url)
    assert data_dir is not None, "a durable store needs a data directory"
    from .sqlite import SqliteStore
    return SqliteStore(os.path.join(data_dir, "emulator.sqlite3"))
