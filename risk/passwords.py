"""Compromised-credential check: is this password one that breach corpora are full of?

    compromised_by("Password123!")   -> "list"      (None when the password passes)

Rules, tried in this order; the first that fires names the result (docs/RISK.md has the data
behind each choice, benchmarks/compromised.py measures them):
- "extra" / "file": a deployment's own lists (Config.compromised_passwords, plain, and
  Config.compromised_passwords_files, plain or SHA-1) hold the password, its lower-case form or
  one of its base words (risk.normalise.base_words: decorations stripped, leet undone).
- "list": a base word is in zxcvbn's 30,000 ranked common passwords.
- "words": a base word of at least WORD_MIN_LENGTH letters, decorations stripped but leet
  not undone, is an English word, a first name or a surname of zxcvbn's other dictionaries
  (not us_tv_and_film: its short entries made random 8-character passwords match).
- "guesses": zxcvbn estimates fewer than 10**min_guesses_log10 guesses (default 6, zxcvbn's
  score 0-1, "too guessable" / "very guessable"). zxcvbn costs ~0.5-1 ms, so it runs last
  and only on passwords of at most ZXCVBN_MAX_LENGTH characters (its cost grows fast: ~4 ms at
  32, ~70 ms at 64); a longer password is checked against the lists only. Its answers are
  remembered (GUESSES_CACHE of them) under a keyed BLAKE2b digest of the password whose key is
  drawn at start and never leaves the process: a user's next sign-in costs microseconds, and
  neither the password nor a digest anyone could look up is kept."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import lru_cache

from .breach_file import load, sha1
from .normalise import base_words, stripped_forms

MIN_GUESSES_LOG10 = 6.0
ZXCVBN_MAX_LENGTH = 20
WORD_MIN_LENGTH = 5
WORD_DICTIONARIES = ("english_wikipedia", "female_names", "male_names", "surnames")
RULES = ("extra", "file", "list", "words", "guesses")
GUESSES_CACHE = 4096
_CACHE_KEY = os.urandom(16)
_GUESSES: dict[bytes, float] = {}


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    # Imported lazily: loading zxcvbn's frequency lists takes a few tens of ms.
    from zxcvbn.matching import RANKED_DICTIONARIES

    return frozenset(RANKED_DICTIONARIES["passwords"])


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    from zxcvbn.matching import RANKED_DICTIONARIES

    return frozenset(w for name in WORD_DICTIONARIES for w in RANKED_DICTIONARIES[name]
                     if len(w) >= WORD_MIN_LENGTH)


def guesses_log10(password: str) -> float:
    """zxcvbn's estimate (log10 of the guesses an attacker needs)."""
    from zxcvbn import zxcvbn

    return float(zxcvbn(password)["guesses_log10"])


def _remembered_guesses(password: str) -> float:
    key = hashlib.blake2b(password.encode("utf-8", "surrogatepass"), key=_CACHE_KEY,
                          digest_size=16).digest()
    found = _GUESSES.get(key)
    if found is None:
        if len(_GUESSES) >= GUESSES_CACHE:
            _GUESSES.clear()
        found = _GUESSES[key] = guesses_log10(password)
    return found


def compromised_by(password: str | None, extra: frozenset[str] = frozenset(),
                   files: Iterable[str] = (),
                   min_guesses_log10: float = MIN_GUESSES_LOG10) -> str | None:
    """The first rule (RULES) that finds the password compromised, else None. `extra` holds
    lower-case passwords; `files` are paths for breach_file.load (cached per mtime)."""
    if not password:
        return None
    lowered = password.lower()
    bases = base_words(password)
    if extra and (lowered in extra or any(b in extra for b in bases)):
        return "extra"
    if files:
        digests = [sha1(password), sha1(lowered), *(sha1(b) for b in bases)]
        if any(load(path).contains(digests) for path in files):
            return "file"
    common = _common()
    if lowered in common or any(b in common for b in bases):
        return "list"
    words = _words()
    if any(form in words for form in stripped_forms(lowered)):
        return "words"
    if len(password) <= ZXCVBN_MAX_LENGTH and \
            _remembered_guesses(password) < min_guesses_log10:
        return "guesses"
    return None


def is_compromised(password: str | None, extra: frozenset[str] = frozenset(),
                   files: Iterable[str] = (),
                   min_guesses_log10: float = MIN_GUESSES_LOG10) -> bool:
    return compromised_by(password, extra, files, min_guesses_log10) is not None


def warm(files: Iterable[str] = ()) -> None:
    """Load the lists now (e.g. at server start) so the first sign-in doesn't pay for them;
    a file that can't be read raises breach_file.BreachFileError naming it."""
    _common()
    _words()
    guesses_log10("warm-up")
    for path in files:
        load(path)
