#!/usr/bin/env python3
"""The compromised-credential check (risk/passwords.py) on data: which well-known breached
passwords it catches and by which rule, its false-positive rate on random strong passwords,
and what one call costs.

    .venv/bin/python benchmarks/compromised.py                 # 10,000 random, about 15 s
    .venv/bin/python benchmarks/compromised.py --random 1000   # a smoke check
    .venv/bin/python benchmarks/compromised.py --markdown      # the tables for docs/RISK.md

Random strong passwords: random.Random(SEED), 12-20 characters drawn uniformly from letters,
digits and punctuation (94 symbols). Rows "random 8/10" do the same at a fixed length, to show
where the rules start to touch short random passwords. zxcvbn's own estimate is printed for
every row, so the threshold can be judged against it. Costs: median of --repeat calls each, in
process, after risk.warm(): the first call for a password, and a later one (zxcvbn's answer is
remembered, risk/passwords.py).
"""
from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import risk  # noqa: E402  (the checkout's own, not an installed one)
from risk import passwords  # noqa: E402
from risk.passwords import (  # noqa: E402
    MIN_GUESSES_LOG10,
    ZXCVBN_MAX_LENGTH,
    compromised_by,
    guesses_log10,
)

SEED = 20240601
ALPHABET = string.ascii_letters + string.digits + string.punctuation
BREACHED = [
    "Password123!", "Summer2024!", "Qwerty123!", "P@ssw0rd", "Welcome1!", "Passw0rd!",
    "Iloveyou1!", "Letmein123!", "Admin@123", "Football1!", "Monkey123!", "Dragon2023!",
    "Sunshine1!", "Princess1!", "Baseball1!", "Abc123456!", "Trustno1!", "Winter2023!",
    "Spring2025!", "Autumn2022!", "Hello123!", "Welcome@2024", "Qwerty@123", "1q2w3e4r!",
    "Zaq12wsx!", "Pa$$w0rd", "Changeme1!", "Shadow123!", "Master123!", "Superman1!",
    "Michael1!", "Charlie1!", "Jordan23!", "Liverpool1!", "Batman123!", "Starwars1!",
    "Login123!", "Secret123!", "Qazwsx123!", "Aa123456!", "Computer1!", "Welcome123",
]


def random_passwords(count: int, low: int, high: int, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))
            for _ in range(count)]


def median_us(password: str, repeat: int, remembered: bool) -> float:
    """Median cost of one call: the first for this password (zxcvbn's answer not remembered
    yet) or a later one (remembered, as for a user's next sign-in)."""
    times = []
    compromised_by(password)
    for _ in range(repeat):
        if not remembered:
            passwords._GUESSES.clear()
        start = time.perf_counter()
        compromised_by(password)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--random", type=int, default=10_000, help="random strong passwords")
    parser.add_argument("--repeat", type=int, default=200, help="calls per cost figure")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()
    risk.warm()
    md = args.markdown

    print("| password | caught | rule | zxcvbn guesses_log10 |" if md else
          f"{'password':16} {'caught':6} {'rule':8} zxcvbn guesses_log10")
    if md:
        print("|---|---|---|---|")
    caught = 0
    for password in BREACHED:
        rule = compromised_by(password)
        caught += rule is not None
        cells = (password, "yes" if rule else "NO", rule or "-", f"{guesses_log10(password):.2f}")
        print("| `{}` | {} | {} | {} |".format(*cells) if md else
              "{:16} {:6} {:8} {}".format(*cells))
    print(f"\ncaught {caught} of {len(BREACHED)}\n")

    rows = [(f"random 12-20 (seed {SEED})", random_passwords(args.random, 12, 20)),
            ("random 10", random_passwords(args.random // 5, 10, 10, SEED + 1)),
            ("random 8", random_passwords(args.random // 5, 8, 8, SEED + 2))]
    print("| sample | passwords | flagged | by rule | lowest zxcvbn guesses_log10 |" if md else
          f"{'sample':26} {'n':>6} {'flagged':>8}  by rule / lowest guesses_log10")
    if md:
        print("|---|---|---|---|---|")
    for label, sample in rows:
        rules = [compromised_by(p) for p in sample]
        flagged = [r for r in rules if r]
        by_rule = ", ".join(f"{r} {flagged.count(r)}" for r in sorted(set(flagged))) or "-"
        lowest = min(guesses_log10(p) for p in sample if len(p) <= ZXCVBN_MAX_LENGTH)
        rate = f"{len(flagged)} ({len(flagged) / len(sample):.2%})"
        print(f"| {label} | {len(sample):,} | {rate} | {by_rule} | {lowest:.2f} |" if md else
              f"{label:26} {len(sample):>6} {rate:>8}  {by_rule} / {lowest:.2f}")

    print(f"\nthreshold: flagged below 10**{MIN_GUESSES_LOG10:g} guesses, zxcvbn on passwords "
          f"of at most {ZXCVBN_MAX_LENGTH} characters\n")
    costs = [("`Password123!` (list: fast path)", "Password123!"),
             ("`Autumn2022!` (words)", "Autumn2022!"),
             ("random 12 (all rules, zxcvbn)", random_passwords(1, 12, 12, 1)[0]),
             ("random 16 (all rules, zxcvbn)", random_passwords(1, 16, 16, 2)[0]),
             ("random 20 (all rules, zxcvbn)", random_passwords(1, 20, 20, 3)[0]),
             ("random 32 (lists only: too long for zxcvbn)", random_passwords(1, 32, 32, 4)[0])]
    print("| password | µs per call, first | µs, same password again |" if md else
          "cost per call, median µs: first / same password again")
    if md:
        print("|---|---|---|")
    for label, password in costs:
        first, again = (median_us(password, args.repeat, r) for r in (False, True))
        print(f"| {label} | {first:,.0f} | {again:,.0f} |" if md else
              f"  {label:46} {first:8,.0f} {again:8,.0f}")
    return 0 if caught == len(BREACHED) else 1


if __name__ == "__main__":
    sys.exit(main())
