"""The running emulator's state: settings, store, clock. One per process (or per test)."""
import logging
import weakref

from .clock import Clock
from .config import Settings, smtp_target
from .mail import Relay
from .store import open_store
from .sweep import Sweeper

log = logging.getLogger("emulator")
# Each running emulator by id(store): domain code handed only a store (the history that
# users.py and groups.py record, domain/pitr_history.py) reads the clock and settings here.
_BY_STORE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def for_store(store) -> "Emulator | None":
    return _BY_STORE.get(id(store))


class Emulator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.clock = Clock()
        self.store = open_store(settings.data_dir, settings.in_memory)
        _BY_STORE[id(self.store)] = self
        # Caches of derived, immutable data (e.g. parsed signing keys) keyed by pool.
        self.cache: dict = {}
        # --smtp-url: every email the outbox records is also mailed (domain/outbox.py).
        target = smtp_target(settings)
        self.mail: Relay | None = Relay(target) if target else None
        self.sweeper: Sweeper | None = None  # start_sweeper()

    def reset(self) -> None:
        """Wipe every record (POST /_emulator/reset) and put the clock back."""
        self.store.wipe()
        self.cache.clear()
        self.clock.reset()

    def snapshot(self, path: str) -> None:
        """Save every record to `path` (POST /_emulator/snapshot; Store.snapshot)."""
        self.store.snapshot(path)

    def restore(self, path: str) -> None:
        """Replace every record with a snapshot's (POST /_emulator/restore) and drop what
        was derived from the old ones. The clock is not part of a snapshot: it stays."""
        self.store.restore(path)
        self.cache.clear()

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
