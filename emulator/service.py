"""The running emulator's state: settings, store, clock. One per process (or per test)."""
import logging

from .clock import Clock
from .config import Settings
from .store import open_store

log = logging.getLogger("emulator")


class Emulator:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.clock = Clock()
        self.store = open_store(settings.data_dir, settings.in_memory)
        # Caches of derived, immutable data (e.g. parsed signing keys) keyed by pool.
        self.cache: dict = {}

    def reset(self) -> None:
        """Wipe every record (POST /_emulator/reset) and put the clock back."""
        self.store.wipe()
        self.cache.clear()
        self.clock.reset()

    def close(self) -> None:
        from . import lambdas
        lambdas.shutdown(self)      # stop the function workers this emulator started
        self.store.close()
