"""The emulator's clock: real time unless a test pins or advances it.

Every expiry (codes, sessions, tokens) reads this clock, so a test suite can
move time forward instead of sleeping.
"""
import threading
import time


class Clock:
    def __init__(self):
        self._lock = threading.Lock()
        self._pinned: float | None = None
        self._offset = 0.0

    def now(self) -> float:
        pinned = self._pinned
        return pinned if pinned is not None else time.time() + self._offset

    def pin(self, at: float | None = None) -> float:
        with self._lock:
            self._pinned = self.now() if at is None else float(at)
            return self._pinned

    def advance(self, seconds: float) -> float:
        with self._lock:
            if self._pinned is not None:
                self._pinned += seconds
            else:
                self._offset += seconds
            return self.now()

    def release(self) -> float:
        """Back to running time, keeping the current reading (time never jumps back)."""
        with self._lock:
            if self._pinned is not None:
                self._offset = self._pinned - time.time()
                self._pinned = None
            return self.now()

    def reset(self) -> None:
        with self._lock:
            self._pinned = None
            self._offset = 0.0

    def state(self) -> dict:
        return {"now": self.now(), "pinned": self._pinned is not None, "offset": self._offset}
