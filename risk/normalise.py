"""The base words a decorated password may hide: `Password123!` -> password, `P@ssw0rd` ->
password, `Welcome@2024` -> welcome, `1q2w3e4r!` -> 1q2w3e4r.

    base_words("Summer2024!")  ->  ("summer2024!", "summer2024", "summer", ...)

Steps (docs/RISK.md "Compromised credentials"): lower-case; strip the trailing symbols, or a
common suffix (up to 3 symbols, or up to 2 symbols + a digit run + up to 3 symbols, where the
digit run is at most 4 digits - a year, 123, 1234 - or an ascending run 12345...), and a
common prefix (up to 4 digits or 2 symbols); then undo leet substitutions in each result.
Every step also keeps the word it started from, so `trustno1` (a listed password that ends in
a digit) is still found. Leet characters with two readings (1 -> i/l, | -> i/l, 7 -> t/l)
are tried in every combination for up to MAX_AMBIGUOUS such characters, and uniformly (all
one reading) beyond: at most 2**MAX_AMBIGUOUS variants a word, never an exponential blow-up."""
from __future__ import annotations

import itertools
import re

# zxcvbn's l33t table read backwards: character -> the letters it may stand for.
LEET: dict[str, str] = {
    "4": "a", "@": "a", "8": "b", "(": "c", "{": "c", "[": "c", "<": "c", "3": "e",
    "6": "g", "9": "g", "1": "il", "!": "i", "|": "il", "0": "o", "$": "s", "5": "s",
    "+": "t", "7": "tl", "%": "x", "2": "z",
}
MAX_AMBIGUOUS = 3
MIN_BASE = 4            # shorter remainders are never looked up (the list's shortest is 4)

_SYMBOLS = r"[^a-z0-9]"
# up to 4 digits (a year, 123, 2024), or an ascending run of any length: 12345 ... 1234567890
_RUNS = "|".join("1234567890"[:n] for n in range(10, 4, -1))
_DIGITS = rf"(?:{_RUNS}|\d{{1,4}})"
_SUFFIX = re.compile(rf"(?:{_SYMBOLS}{{0,2}}{_DIGITS}{_SYMBOLS}{{0,3}}|{_SYMBOLS}{{1,3}})$")
_PREFIX = re.compile(rf"^(?:\d{{1,4}}|{_SYMBOLS}{{1,2}})")
_TRAILING_SYMBOLS = re.compile(rf"{_SYMBOLS}+$")


def stripped_forms(word: str) -> list[str]:
    """word, without its trailing symbols, without its whole common suffix, and each of those
    without a common prefix (duplicates and remainders shorter than MIN_BASE dropped)."""
    ends = [word, _TRAILING_SYMBOLS.sub("", word), _SUFFIX.sub("", word)]
    found = []
    for end in ends:
        for form in (end, _PREFIX.sub("", end)):
            if len(form) >= MIN_BASE and form not in found:
                found.append(form)
    return found


def _unleet(word: str) -> list[str]:
    """word with leet characters read as letters (at most 2**MAX_AMBIGUOUS variants)."""
    if not any(c in LEET for c in word):
        return []
    options = [LEET.get(c, c) for c in word]
    ambiguous = [i for i, o in enumerate(options) if len(o) > 1]
    if len(ambiguous) <= MAX_AMBIGUOUS:
        return ["".join(p) for p in itertools.product(*options)]
    return ["".join(o[min(k, len(o) - 1)] for o in options) for k in (0, 1)]


def base_words(password: str) -> tuple[str, ...]:
    """The candidates to look up, most literal first (no duplicates)."""
    found: dict[str, None] = {}
    for form in stripped_forms(password.lower()):
        found.setdefault(form)
        for plain in _unleet(form):
            # a decoded word may have exposed a decoration ("hell0!" -> "helloi" is no word,
            # but "p@ss!" -> "passi"): strip again, cheaply
            for again in stripped_forms(plain):
                found.setdefault(again)
    return tuple(found)
