"""assess(): context + history + config -> Assessment. Pure: no clock, storage or randomness,
so the same inputs always give the same result."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import signals as S
from .geo import GeoTable, IPRanges, locate
from .passwords import MIN_GUESSES_LOG10, compromised_by

EVENTS = ("SIGN_IN", "SIGN_UP", "FORGOT_PASSWORD", "PASSWORD_CHANGE")
FLOWS = ("STANDARD", "CUSTOM")
LEVELS = ("NO_RISK", "LOW", "MEDIUM", "HIGH")
# Explanations by rule (risk/passwords.py); never a word of the password itself.
COMPROMISED_WHY = {
    "extra": "the password is in the configured list of compromised passwords",
    "file": "the password is in the configured file of breached passwords",
    "list": "the password is in the list of commonly breached passwords",
    "words": "the password is a common word or name with common decorations",
    "guesses": "the password is too easy to guess (zxcvbn estimate)",
}


@dataclass(frozen=True)
class Context:
    now: float                       # the emulator clock (epoch seconds), never time.time()
    ip: str | None = None
    device_id: str | None = None     # from EncodedData; None when the client sent none
    user_agent: str | None = None
    event: str = "SIGN_IN"           # one of EVENTS
    flow: str = "STANDARD"           # one of FLOWS
    password: str | None = None      # only to check compromised credentials; never kept

    def __repr__(self):  # keep the password out of logs and tracebacks
        return (f"Context(now={self.now!r}, ip={self.ip!r}, device_id={self.device_id!r}, "
                f"event={self.event!r}, flow={self.flow!r}, "
                f"password={'***' if self.password else None})")


@dataclass(frozen=True)
class History:
    """The user's past events as plain dicts: {time, ip, country, city, lat, lon, device_id,
    outcome: "SUCCESS"|"FAILURE", feedback: "VALID"|"INVALID"|None}; any order, extra keys ignored.
    ip_failures: times of recent failed attempts from the request's IP, for any user."""
    events: tuple | list = ()
    ip_failures: tuple | list = ()


@dataclass(frozen=True)
class Config:
    geo: tuple | list = ()              # [{"cidr", "country", "city", "lat", "lon"}]
    bad_ip_ranges: tuple | list = ()    # IP reputation: CIDRs that score BAD_IP_REPUTATION
    blocked_ip_ranges: tuple | list = ()  # RiskExceptionConfiguration.BlockedIPRangeList
    skipped_ip_ranges: tuple | list = ()  # RiskExceptionConfiguration.SkippedIPRangeList
    weights: dict = field(default_factory=dict)   # overrides of signals.DEFAULT_WEIGHTS
    thresholds: tuple = (20.0, 40.0, 70.0)        # score >= LOW, MEDIUM, HIGH
    # hours either side of a usual hour that still count as usual
    unusual_hour_window: int = 2
    unusual_hour_min_history: int = 5   # trusted events needed before hours mean anything
    velocity_window: float = 900.0      # seconds
    user_failure_threshold: int = 3
    ip_failure_threshold: int = 5
    max_travel_kmh: float = 900.0       # faster than an airliner = impossible travel
    min_travel_km: float = 100.0        # nearer than this is the same area (geo-table noise)
    invalid_feedback_window: float = 30 * 86400.0
    # Compromised credentials (risk/passwords.py): extra plain passwords (compared after
    # normalisation, case-insensitively), breach files (risk/breach_file.py: plain or SHA-1),
    # and the zxcvbn rule's threshold (flag below 10**compromised_min_guesses_log10 guesses).
    compromised_passwords: tuple | list = ()
    compromised_passwords_files: tuple | list = ()
    compromised_min_guesses_log10: float = MIN_GUESSES_LOG10
    # Derived from the fields above by __post_init__; not constructor arguments, and left out of
    # repr, ==, and hash (as before they were declared).
    geo_table: GeoTable = field(init=False, repr=False, compare=False)
    bad_ranges: IPRanges = field(init=False, repr=False, compare=False)
    blocked_ranges: IPRanges = field(init=False, repr=False, compare=False)
    skipped_ranges: IPRanges = field(init=False, repr=False, compare=False)
    weight_of: dict[str, float] = field(init=False, repr=False, compare=False)
    extra_passwords: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per Config; callers should cache a Config per pool / client.
        object.__setattr__(self, "geo_table", GeoTable(self.geo))
        object.__setattr__(self, "bad_ranges", IPRanges(self.bad_ip_ranges))
        object.__setattr__(self, "blocked_ranges", IPRanges(self.blocked_ip_ranges))
        object.__setattr__(self, "skipped_ranges", IPRanges(self.skipped_ip_ranges))
        object.__setattr__(self, "weight_of", {**S.DEFAULT_WEIGHTS, **(self.weights or {})})
        object.__setattr__(self, "extra_passwords",
                           frozenset(p.lower() for p in self.compromised_passwords or ()))

    @classmethod
    def from_risk_configuration(cls, risk_configuration: dict | None, **kw) -> Config:
        """Take the exception lists from a RiskConfigurationType dict (as the API has it)."""
        exc = (risk_configuration or {}).get("RiskExceptionConfiguration") or {}
        return cls(blocked_ip_ranges=tuple(exc.get("BlockedIPRangeList") or ()),
                   skipped_ip_ranges=tuple(exc.get("SkippedIPRangeList") or ()), **kw)


@dataclass(frozen=True)
class Assessment:
    level: str                   # one of LEVELS
    score: float                 # 0..100
    signals: tuple               # Signal, in evaluation order
    compromised: bool
    location: dict | None        # {country, city, lat, lon}: store it with the event
    blocked_by_exception: bool = False
    skipped: bool = False
    event: str = "SIGN_IN"
    flow: str = "STANDARD"

    def as_dict(self) -> dict:
        return {"level": self.level, "score": self.score,
                "signals": [s.as_dict() for s in self.signals], "compromised": self.compromised,
                "location": self.location, "blocked_by_exception": self.blocked_by_exception,
                "skipped": self.skipped, "event": self.event, "flow": self.flow}


def level_for(score: float, thresholds=(20.0, 40.0, 70.0)) -> str:
    low, medium, high = thresholds
    if score >= high:
        return "HIGH"
    if score >= medium:
        return "MEDIUM"
    if score >= low:
        return "LOW"
    return "NO_RISK"


def _trusted(ev: dict) -> bool:
    fb = ev.get("feedback")
    if fb == "INVALID":
        return False
    return ev.get("outcome") == "SUCCESS" or fb == "VALID"


def _facts(ctx: Context, history: History, cfg: Config) -> S.Facts:
    since = ctx.now - cfg.velocity_window
    past = [e for e in history.events if e.get("time", 0) <= ctx.now]
    trusted = tuple(e for e in past if _trusted(e))
    located = [e for e in trusted if e.get("lat") is not None and e.get("lon") is not None]
    return S.Facts(
        trusted=trusted,
        devices=frozenset(e["device_id"] for e in trusted if e.get("device_id")),
        ips=frozenset(e["ip"] for e in trusted if e.get("ip")),
        countries=frozenset(e["country"] for e in trusted if e.get("country")),
        places=frozenset((e.get("country"), e["city"]) for e in trusted if e.get("city")),
        hours=tuple(S._hour(e["time"]) for e in trusted if "time" in e),
        # max() keeps the first of equal times: deterministic for a given history order
        last_located=max(located, key=lambda e: e["time"]) if located else None,
        invalid=tuple(e for e in past if e.get("feedback") == "INVALID"),
        user_failures=sum(1 for e in past
                          if e.get("outcome") == "FAILURE" and e.get("time", 0) > since),
        ip_failures=sum(1 for t in history.ip_failures if since < t <= ctx.now),
    )


def assess(ctx: Context, history: History | None = None,
           config: Config | None = None) -> Assessment:
    cfg = config or DEFAULT_CONFIG
    history = history or History()
    loc = locate(ctx.ip, cfg.geo_table)
    where = loc.as_dict() if loc else None
    common: dict[str, Any] = {"location": where, "event": ctx.event, "flow": ctx.flow}

    # Exception lists come first and replace scoring (RiskExceptionConfiguration semantics).
    # An address in both lists is blocked: the stricter reading (UNCONFIRMED).
    net = cfg.blocked_ranges.match(ctx.ip)
    if net is not None:
        sig = S.Signal(S.IP_BLOCKED, cfg.weight_of[S.IP_BLOCKED],
                       f"IP address {ctx.ip} is in BlockedIPRangeList ({net})")
        return Assessment("HIGH", 100.0, (sig,), False, blocked_by_exception=True, **common)
    if cfg.skipped_ranges.match(ctx.ip) is not None:
        # "Risk detection isn't performed": compromised credentials are skipped too (UNCONFIRMED).
        return Assessment("NO_RISK", 0.0, (), False, skipped=True, **common)

    facts = _facts(ctx, history, cfg)
    fired = []
    for name, check in S.SCORED:
        why = check(ctx, loc, facts, cfg)
        if why:
            fired.append(S.Signal(name, cfg.weight_of[name], why))
    score = min(100.0, max(0.0, sum(s.weight for s in fired)))

    rule = compromised_by(ctx.password, cfg.extra_passwords, cfg.compromised_passwords_files,
                          cfg.compromised_min_guesses_log10)
    compromised = rule is not None
    if rule is not None:
        fired.append(S.Signal(S.COMPROMISED_CREDENTIALS, cfg.weight_of[S.COMPROMISED_CREDENTIALS],
                              COMPROMISED_WHY[rule]))
    return Assessment(level_for(score, cfg.thresholds), score, tuple(fired), compromised, **common)


DEFAULT_CONFIG = Config()
