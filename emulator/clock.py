"""The emulator's clock: real time unless a test pins or advances it.

Every expiry (codes, sessions, tokens) reads this clock, so a test suite can
move time forward instead of sleeping.

Processes sharing one store must agree on the time: given a `shared` keeper (service.py
keeps the reading in the store), each change is read, applied and written back in one store
transaction, and `load()` takes over what another process wrote (once per request).
"""
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Protocol

State = tuple[float | None, float]  # (pinned reading or None, offset from real time)


class Keeper(Protocol):
    """Where a shared clock's state lives (service.py: a record in the store)."""

    def transaction(self) -> contextlib.AbstractContextManager: ...

    def read(self) -> dict | None: ...

    def write(self, state: dict) -> None: ...


class Clock:
    def __init__(self, shared: Keeper | None = None):
        self._lock = threading.Lock()
        self._state: State = (None, 0.0)  # replaced whole: readers need no lock
        self._shared = shared

    def now(self) -> float:
        pinned, offset = self._state
        return pinned if pinned is not None else time.time() + offset

    def pin(self, at: float | None = None) -> float:
        return self._change(lambda pinned, offset: (self.now() if at is None else float(at),
                                                    offset))

    def advance(self, seconds: float) -> float:
        return self._change(lambda pinned, offset: (pinned + seconds, offset)
                            if pinned is not None else (None, offset + seconds))

    def release(self) -> float:
        """Back to running time, keeping the current reading (time never jumps back)."""
        return self._change(lambda pinned, offset: (None, pinned - time.time())
                            if pinned is not None else (None, offset))

    def reset(self) -> None:
        self._change(lambda pinned, offset: (None, 0.0))

    def state(self) -> dict:
        pinned, offset = self._state
        return {"now": self.now(), "pinned": pinned is not None, "offset": offset}

    def dump(self) -> dict:
        pinned, offset = self._state
        return {"pinned": pinned, "offset": offset}

    def load(self, state: dict | None) -> None:
        """Take over a dump() (another process's change); None: real time."""
        state = state or {}
        pinned = state.get("pinned")
        self._state = (None if pinned is None else float(pinned),
                       float(state.get("offset") or 0.0))

    def _change(self, step: Callable[[float | None, float], State]) -> float:
        # The store's lock before the clock's, always (service.Emulator.reset takes them so).
        shared = self._shared
        with shared.transaction() if shared else contextlib.nullcontext():
            with self._lock:
                if shared:
                    self.load(shared.read())
                self._state = step(*self._state)
                if shared:
                    shared.write(self.dump())
                return self.now()
