"""The running emulator's state: settings, store, clock. One per process (or per test).

Several processes may share one durable store (`serve --workers N`, replicas on one
PostgreSQL). What they must agree on and can't read from records each time lives in one
record (STATE): the clock's reading and a generation token. `sync()` reads it once per
request (app.py) and the sweeper before each sweep: the clock takes over the reading, and a
new generation empties `cache`. Whatever invalidates cached data (reset, restore, a changed
log-delivery configuration) calls `invalidate()`, which writes a new token.
"""
import logging
import uuid
import weakref

from . import trust
from .clock import Clock
from .config import Settings, smtp_target
from .mail import Relay
from .store import open_store
from .sweep import Sweeper

log = logging.getLogger("emulator")
STATE = ("emulator_state", "", "shared")  # (kind, scope, key) of the shared record
# Each running emulator by id(store): domain code handed only a store (the history that
# users.py and groups.py record, domain/pitr_history.py) reads the clock and settings here.
_BY_STORE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def for_store(store) -> "Emulator | None":
    return _BY_STORE.get(id(store))


class _StoredClock:
    """The clock's part of the STATE record (clock.Keeper)."""

    def __init__(self, store):
        self.store = store

    def transaction(self):
        return self.store.transaction()

    def read(self) -> dict | None:
        return (self.store.get(*STATE) or {}).get("clock")

    def write(self, state: dict) -> None:
        self.store.put(*STATE, {**(self.store.get(*STATE) or {}), "clock": state})


class Emulator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = open_store(settings.data_dir, settings.in_memory, settings.store)
        trust.configure(settings.trust_ca)  # --trust-ca, for the calls out over HTTPS
        # A durable store may be open in other processes too; memory never is.
        self.shared = not settings.in_memory
        self.clock = Clock(_StoredClock(self.store) if self.shared else None)
        _BY_STORE[id(self.store)] = self
        # Caches of derived data (e.g. parsed signing keys) keyed by pool; emptied when the
        # store's generation changes (sync).
        self.cache: dict = {}
        self._generation: str | None = None
        self.sync()
        # --smtp-url: every email the outbox records is also mailed (domain/outbox.py).
        target = smtp_target(settings)
        self.mail: Relay | None = Relay(target) if target else None
        self.sweeper: Sweeper | None = None  # start_sweeper()

    def sync(self) -> None:
        """Take over what other processes on the store changed: the clock, and (a new
        generation) empty the cache. One point read; nothing for a memory store."""
        if not self.shared:
            return
        record = self.store.get(*STATE) or {}
        self.clock.load(record.get("clock"))
        generation = record.get("generation")
        if generation != self._generation:
            self.cache.clear()
            self._generation = generation

    def invalidate(self) -> None:
        """Derived data cached from the store is stale, in every process: a new generation
        (written with the caller's transaction, if any) and this process's cache emptied."""
        self.cache.clear()
        if self.shared:
            record = self.store.get(*STATE) or {}
            self.store.put(*STATE, {**record, "generation": uuid.uuid4().hex})
            self._generation = None  # the next sync() reads the new one

    def reset(self) -> None:
        """Wipe every record (POST /_emulator/reset) and put the clock back."""
        with self.store.transaction():
            self.store.wipe()
            self.clock.load(None)
            if self.shared:
                self.store.put(*STATE, {"clock": self.clock.dump()})
            self.invalidate()

    def snapshot(self, path: str) -> None:
        """Save every record to `path` (POST /_emulator/snapshot; Store.snapshot)."""
        self.store.snapshot(path)

    def restore(self, path: str) -> None:
        """Replace every record with a snapshot's (POST /_emulator/restore) and drop what
        was derived from the old ones. The clock is not part of a snapshot: it stays."""
        self.sync()                 # the clock as the other processes see it: it stays
        self.store.restore(path)
        if self.shared:             # the snapshot brought its own STATE record
            self.store.put(*STATE, {"clock": self.clock.dump()})
        self.invalidate()

    def start_sweeper(self) -> None:
        """--sweep-interval: a thread that deletes expired records every so many seconds
        (sweep.py); close() stops it. Called by the server (cli.py), not by in-process apps."""
        if self.settings.sweep_interval > 0 and self.sweeper is None:
            self.sweeper = Sweeper(self, self.settings.sweep_interval)

    def close(self) -> None:
        from . import lambdas
        if self.sweeper is not None:
            self.sweeper.stop()     # before the store: a sweep writes to it
        lambdas.shutdown(self)      # stop the function workers this emulator started
        if self.mail is not None:
            self.mail.close()       # before the store: the relay records what it sent
        self.store.close()
