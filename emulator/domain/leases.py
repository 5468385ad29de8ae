"""Background work a process does on a record, as the other processes on the store see it.

A user import or a point-in-time recovery runs in a thread of the process that started it;
that process knows the thread is alive. Another process on the same store (`serve
--workers`, replicas on one PostgreSQL) only sees the record: so the record names its runner
and when the runner last renewed its lease (`lease()`, wall-clock time, written with the
record's progress), and `alive_elsewhere` trusts a fresh lease. A process that dies stops
renewing: after `seconds` the work reads as cut off everywhere, as it does at once in the
runner's own process after a restart (a new runner id).
"""
from __future__ import annotations

import os
import time
import uuid

_BOOT = uuid.uuid4().hex[:12]


def runner() -> str:
    """This process (the pid too: `serve --workers` forks after this module is imported)."""
    return f"{_BOOT}-{os.getpid()}"


def lease() -> dict:
    """The fields to write into the record: its runner is this process, as of now."""
    return {"_runner": runner(), "_beatAt": time.time()}


def alive_elsewhere(record: dict, seconds: float) -> bool | None:
    """None when this process runs (or ran) the record's work - ask its own thread list;
    else whether the other runner's lease is younger than `seconds`."""
    if record.get("_runner", runner()) == runner():
        return None
    return time.time() - record.get("_beatAt", 0) < seconds
