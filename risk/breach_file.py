"""A deployment's own list of breached passwords, read from a file once and kept as sorted
SHA-1 digests (20 bytes an entry; looked up by binary search).

Formats, told apart by reading the whole file (docs/RISK.md "Compromised credentials"):
- SHA-1: every non-blank line is `HASH` or `HASH:COUNT`, HASH 40 hex digits (the downloadable
  Pwned Passwords corpus; case-insensitive). The hash is of the exact password.
- SHA-1 range: every line is `SUFFIX:COUNT` with a 35-hex SUFFIX, the answer of the Pwned
  Passwords range API saved as `<5-hex prefix>.txt` (the prefix comes from the file name).
- plain: anything else, one password a line (line ends stripped, nothing else), compared
  case-insensitively (entries are lower-cased before hashing).

    found = load("/data/breached.txt")           # BreachFileError names the file if unreadable
    found.contains(candidate_digests)

load() caches per path and re-reads when the file's mtime or size changes; once loaded, a file
that becomes unreadable keeps its last good contents (a sign-in never fails on it)."""
from __future__ import annotations

import bisect
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

_FULL = re.compile(r"^([0-9A-Fa-f]{40})(?::\d+)?$")
_RANGE = re.compile(r"^([0-9A-Fa-f]{35}):\d+$")
_PREFIX = re.compile(r"^[0-9A-Fa-f]{5}$")
DIGEST = 20


class BreachFileError(ValueError):
    """The file can't be read; the message names it."""


def sha1(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).digest()


class _Digests:
    """A read-only sequence view of a sorted blob of 20-byte digests (for bisect)."""

    def __init__(self, blob: bytes):
        self.blob = blob

    def __len__(self) -> int:
        return len(self.blob) // DIGEST

    def __getitem__(self, i: int) -> bytes:
        return self.blob[i * DIGEST:(i + 1) * DIGEST]


@dataclass(frozen=True, eq=False)
class BreachList:
    path: str
    format: str          # "sha1" | "sha1-range" | "plain"
    digests: bytes       # sorted, DIGEST bytes each
    case_folded: bool    # plain lists: entries were lower-cased

    def __len__(self) -> int:
        return len(self.digests) // DIGEST

    def __contains__(self, digest: bytes) -> bool:
        view = _Digests(self.digests)
        i = bisect.bisect_left(view, digest)
        return i < len(view) and view[i] == digest

    def contains(self, digests: Iterable[bytes]) -> bool:
        return any(d in self for d in digests)


def parse(path: str, text: str) -> BreachList:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    stem = os.path.splitext(os.path.basename(path))[0]
    full = [_FULL.match(line) for line in lines]
    ranged = [_RANGE.match(line) for line in lines] if _PREFIX.match(stem) else [None]
    found: list[bytes]
    if lines and all(full):
        found = [bytes.fromhex(m.group(1)) for m in full if m]
        kind, folded = "sha1", False
    elif lines and all(ranged):
        found = [bytes.fromhex(stem + m.group(1)) for m in ranged if m]
        kind, folded = "sha1-range", False
    else:
        # plain: a password's own spaces count, only the line end is dropped
        found = [sha1(line.lower()) for line in text.splitlines() if line]
        kind, folded = "plain", True
    return BreachList(path, kind, b"".join(sorted(set(found))), folded)


_LOADED: dict[str, tuple[tuple[int, int], BreachList]] = {}


def load(path: str) -> BreachList:
    """The file's list, read once per (mtime, size). Raises BreachFileError when the file
    can't be read and was never read before."""
    key = os.path.abspath(path)
    cached = _LOADED.get(key)
    try:
        st = os.stat(key)
        stamp = (st.st_mtime_ns, st.st_size)
        if cached and cached[0] == stamp:
            return cached[1]
        with open(key, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        if cached:
            return cached[1]
        raise BreachFileError(f"compromised passwords file {path}: {exc.strerror or exc}") \
            from None
    found = parse(path, text)
    _LOADED[key] = (stamp, found)
    return found
