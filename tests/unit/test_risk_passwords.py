"""The compromised-credential check (risk/passwords.py, risk/normalise.py, risk/breach_file.py):
decorated breached passwords are found, the zxcvbn rule and its threshold, breach files in the
plain, SHA-1 and SHA-1 range formats, and no false positives on random strong passwords."""
import hashlib
import os
import random
import string

import pytest

from risk import (
    BreachFileError,
    Config,
    Context,
    History,
    assess,
    breach_file,
    compromised_by,
    is_compromised,
)
from risk.normalise import LEET, MAX_AMBIGUOUS, base_words


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest().upper()


# --- normalisation ----------------------------------------------------------------------------

@pytest.mark.parametrize("password,base", [
    ("Password123!", "password"),
    ("PASSWORD", "password"),
    ("P@ssw0rd", "password"),
    ("Pa$$w0rd", "password"),
    ("Welcome@2024", "welcome"),
    ("Summer2024!", "summer"),
    ("Admin@123", "admin"),
    ("Trustno1!", "trustno1"),          # a listed password ending in a digit keeps it
    ("1q2w3e4r!", "1q2w3e4r"),
    ("2024Password!", "password"),      # a year in front
    ("!!Dragon", "dragon"),
    ("Hell0!", "hello"),                # leet at the edge: stripped symbols first, then 0 -> o
    ("$ecret1!", "secret"),
    ("M1chael", "michael"),             # 1 -> i ...
    ("Wor1d", "world"),                 # ... and 1 -> l
    ("Qwerty1234567890", "qwerty"),     # an ascending digit run of any length
])
def test_base_words(password, base):
    assert base in base_words(password)


@pytest.mark.parametrize("password,not_base", [
    ("Dragon83920", "dragon"),          # five digits that are no run: not a common suffix
    ("Dragon12349876", "dragon"),       # nor is a run that goes on with other digits
    ("Dragon#4829!7563", "dragon"),     # one decoration is stripped, not two
    ("abc", "abc"),                     # shorter than MIN_BASE: never looked up
])
def test_decorations_are_bounded(password, not_base):
    assert not_base not in base_words(password)


def test_leet_variants_do_not_blow_up():
    ambiguous = [c for c, letters in LEET.items() if len(letters) > 1]
    word = "".join(ambiguous * 6)               # 18 characters with two readings each
    # 6 stripped forms, each with at most 2**MAX_AMBIGUOUS readings, each stripped again
    assert len(base_words(word)) <= 6 * (1 + 2 ** MAX_AMBIGUOUS * 6)
    few = "p" + "1" * MAX_AMBIGUOUS + "x"       # every combination while there are few
    assert {"piiix", "plllx", "pilix"} <= set(base_words(few))


# --- the rules ----------------------------------------------------------------------------------

BREACHED = ["Password123!", "Summer2024!", "Qwerty123!", "P@ssw0rd", "Welcome1!", "Passw0rd!",
            "Iloveyou1!", "Letmein123!", "Admin@123", "Football1!", "Monkey123!", "Dragon2023!",
            "Sunshine1!", "Princess1!", "Baseball1!", "Abc123456!", "Trustno1!", "Winter2023!",
            "Spring2025!", "Autumn2022!", "Hello123!", "Welcome@2024", "Qwerty@123", "1q2w3e4r!",
            "Zaq12wsx!"]


@pytest.mark.parametrize("password", BREACHED)
def test_well_known_breached_passwords_are_caught(password):
    assert compromised_by(password) is not None


@pytest.mark.parametrize("password,rule", [
    ("Password123!", "list"),
    ("Autumn2022!", "words"),            # a first name (zxcvbn's female_names) + year
    ("Login123!", "words"),              # an English word
    ("aaaaaaaa", "guesses"),             # no word at all, but zxcvbn: ~10**2 guesses
    ("abcdefgh1!", "guesses"),
    ("Tr0ub4dor&3-horse", None),
    ("Quiet-Lantern-58x", None),
    ("", None),
    (None, None),
])
def test_rule(password, rule):
    assert compromised_by(password) == rule
    assert is_compromised(password) is (rule is not None)


def test_guesses_threshold_and_length_limit():
    assert compromised_by("abcdefgh1!") == "guesses"                 # ~10**4.3
    assert compromised_by("abcdefgh1!", min_guesses_log10=4.0) is None
    assert compromised_by("kx7Qm2vL", min_guesses_log10=9.0) == "guesses"   # ~10**8
    assert compromised_by("kx7Qm2vL") is None
    # zxcvbn runs up to ZXCVBN_MAX_LENGTH (20) characters only
    assert compromised_by("ab" * 10) == "guesses"
    assert compromised_by("ab" * 11) is None


def test_short_words_of_other_dictionaries_are_not_looked_up():
    # "kina" (a female name) from "46^KIn4-": only zxcvbn's password list takes 4 letters
    assert compromised_by("46^KIn4-") is None


def random_strong(rng: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + string.punctuation
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(12, 20)))


def test_no_false_positives_on_random_strong_passwords():
    """benchmarks/compromised.py measures 10,000 (docs/RISK.md); 1,000 here keep it quick."""
    rng = random.Random(20240601)
    flagged = [p for p in (random_strong(rng) for _ in range(1000)) if compromised_by(p)]
    assert flagged == []


# --- breach files -------------------------------------------------------------------------------

def write(path, lines) -> str:
    path.write_text("".join(f"{line}\r\n" for line in lines))
    return str(path)


def test_plain_file_is_case_insensitive_and_normalised(tmp_path):
    path = write(tmp_path / "leak.txt", ["Zebra-Kettle-Mosaic", "hunter two"])
    assert breach_file.load(path).format == "plain"
    for password in ("Zebra-Kettle-Mosaic", "zebra-kettle-mosaic", "ZEBRA-KETTLE-MOSAIC2024!",
                     "Hunter two", "hunter two"):
        assert compromised_by(password, files=[path]) == "file", password
    assert compromised_by("Zebra-Kettle-Mosaic-x7", files=[path]) is None


def test_sha1_file_exact_and_normalised(tmp_path):
    # the Pwned Passwords download: HASH:COUNT, upper-case hex, hashes of exact passwords
    path = write(tmp_path / "pwned.txt", [f"{sha1('Zebra-Kettle-Mosaic')}:12",
                                          f"{sha1('orchid-lamp-basket')}:3",
                                          sha1("no-count-line").lower()])
    found = breach_file.load(path)
    assert (found.format, len(found)) == ("sha1", 3)
    assert compromised_by("Zebra-Kettle-Mosaic", files=[path]) == "file"
    assert compromised_by("zebra-kettle-mosaic", files=[path]) is None    # hashes are exact
    assert compromised_by("Orchid-Lamp-Basket2024!", files=[path]) == "file"  # base word
    assert compromised_by("NO-COUNT-LINE", files=[path]) == "file"            # lower-cased
    assert compromised_by("Orchid-Lamp-Basket-9x", files=[path]) is None


def test_sha1_range_file_takes_its_prefix_from_the_name(tmp_path):
    full = sha1("Zebra-Kettle-Mosaic")
    path = write(tmp_path / f"{full[:5]}.txt", [f"{full[5:]}:7", f"{'0' * 35}:1"])
    assert breach_file.load(path).format == "sha1-range"
    assert compromised_by("Zebra-Kettle-Mosaic", files=[path]) == "file"
    # without a 5-hex name the same lines are read as plain passwords
    other = write(tmp_path / "range.txt", [f"{full[5:]}:7"])
    assert breach_file.load(other).format == "plain"


def test_file_is_reloaded_when_it_changes_and_kept_when_it_goes(tmp_path):
    path = tmp_path / "leak.txt"
    write(path, ["Zebra-Kettle-Mosaic"])
    first = breach_file.load(str(path))
    assert breach_file.load(str(path)) is first                  # cached
    write(path, ["Orchid-Lamp-Basket", "another-entry"])
    os.utime(path, ns=(1, 1))                                    # a different mtime for sure
    assert compromised_by("Orchid-Lamp-Basket", files=[str(path)]) == "file"
    assert compromised_by("Zebra-Kettle-Mosaic", files=[str(path)]) is None
    path.unlink()
    assert compromised_by("Orchid-Lamp-Basket", files=[str(path)]) == "file"


def test_missing_file_names_it(tmp_path):
    missing = str(tmp_path / "nowhere.txt")
    with pytest.raises(BreachFileError, match="nowhere.txt"):
        breach_file.load(missing)


def test_engine_reports_the_rule_without_the_password(tmp_path):
    path = write(tmp_path / "leak.txt", ["Zebra-Kettle-Mosaic"])
    config = Config(compromised_passwords_files=(path,))
    for password, why in (("Zebra-Kettle-Mosaic", "configured file"),
                          ("Password123!", "commonly breached"),
                          ("aaaaaaaa", "too easy to guess")):
        a = assess(Context(now=1e9, password=password), History(), config)
        signal = a.signals[-1]
        assert a.compromised and signal.name == "COMPROMISED_CREDENTIALS"
        assert why in signal.explanation and password.lower() not in signal.explanation.lower()
    strong = assess(Context(now=1e9, password="Quiet-Lantern-58x"), History(), config)
    assert not strong.compromised
    threshold = Config(compromised_min_guesses_log10=1.0)
    assert not assess(Context(now=1e9, password="aaaaaaaa"), History(), threshold).compromised


def test_zxcvbn_answers_are_remembered_without_the_password():
    from risk import passwords
    before = len(passwords._GUESSES)
    assert compromised_by("Quiet-Lantern-61y") is None
    assert compromised_by("Quiet-Lantern-61y") is None
    assert len(passwords._GUESSES) == before + 1
    assert all(isinstance(k, bytes) and len(k) == 16 for k in passwords._GUESSES)


# --- the config file's `risk:` (emulator/seed.py -> domain/risk_config.engine_config) ---------

def test_config_file_settings_reach_the_engine(tmp_path):
    from types import SimpleNamespace

    from emulator import seed
    from emulator.domain import risk_config
    write(tmp_path / "leak.txt", ["Zebra-Kettle-Mosaic"])
    config = tmp_path / "emulator.yaml"
    config.write_text("risk:\n  compromised_passwords_file: leak.txt\n"
                      "  compromised_passwords: [Workshop-Leak-2024]\n"
                      "  compromised_min_guesses_log10: 4\n")
    world = seed.risk_from_file(str(config))
    assert world["compromised_passwords_files"] == [str(tmp_path / "leak.txt")]
    engine = risk_config.engine_config(SimpleNamespace(extra={"risk": world}), "pool", None)
    assert engine.compromised_min_guesses_log10 == 4.0
    assert engine.compromised_passwords_files == (str(tmp_path / "leak.txt"),)
    for password, compromised in (("Zebra-Kettle-Mosaic", True), ("workshop-leak-2024", True),
                                  ("abcdefgh1!", False)):     # ~10**4.3: above 4
        found = assess(Context(now=1e9, password=password), History(), engine).compromised
        assert found is compromised, password


@pytest.mark.parametrize("body,message", [
    ("  compromised_passwords_file: gone.txt\n", "gone.txt: No such file or directory"),
    ("  compromised_passwords_file: {a: 1}\n", "expected a path or a list of paths"),
    ("  compromised_passwords: Password1\n", "expected a list of passwords"),
    ("  compromised_min_guesses_log10: six\n", "expected a number"),
    ("  compromised: yes\n", "expected a mapping with 'geo', 'bad_ip_ranges', 'compromised_"),
])
def test_config_file_mistakes_stop_the_start(tmp_path, body, message):
    from emulator import seed
    config = tmp_path / "emulator.yaml"
    config.write_text("risk:\n" + body)
    with pytest.raises(seed.SeedError, match=message):
        seed.risk_from_file(str(config))
