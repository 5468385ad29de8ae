"""The risk signals. Each is a small function of (ctx, facts, config) that returns an explanation
when it fires, else None. Weights live in Config.weights so a workshop can tune them."""
from __future__ import annotations

from dataclasses import dataclass

from .geo import Location, distance_km

NEW_DEVICE = "NEW_DEVICE"
NEW_IP = "NEW_IP"
NEW_COUNTRY = "NEW_COUNTRY"
NEW_CITY = "NEW_CITY"
IMPOSSIBLE_TRAVEL = "IMPOSSIBLE_TRAVEL"
UNUSUAL_HOUR = "UNUSUAL_HOUR"
FAILED_ATTEMPTS_USER = "FAILED_ATTEMPTS_USER"
FAILED_ATTEMPTS_IP = "FAILED_ATTEMPTS_IP"
BAD_IP_REPUTATION = "BAD_IP_REPUTATION"
MATCHES_INVALID_FEEDBACK = "MATCHES_INVALID_FEEDBACK"
RECENT_INVALID_FEEDBACK = "RECENT_INVALID_FEEDBACK"
# Not scored: they bypass the level (see engine.assess) but are listed so a person can see why.
IP_BLOCKED = "IP_BLOCKED_BY_EXCEPTION"
COMPROMISED_CREDENTIALS = "COMPROMISED_CREDENTIALS"

DEFAULT_WEIGHTS = {
    NEW_DEVICE: 25.0,
    NEW_IP: 10.0,
    NEW_COUNTRY: 30.0,
    NEW_CITY: 15.0,
    IMPOSSIBLE_TRAVEL: 40.0,
    UNUSUAL_HOUR: 10.0,
    FAILED_ATTEMPTS_USER: 20.0,
    FAILED_ATTEMPTS_IP: 20.0,
    BAD_IP_REPUTATION: 45.0,
    MATCHES_INVALID_FEEDBACK: 40.0,
    RECENT_INVALID_FEEDBACK: 10.0,
    IP_BLOCKED: 100.0,
    COMPROMISED_CREDENTIALS: 0.0,
}


@dataclass(frozen=True)
class Signal:
    name: str
    weight: float
    explanation: str

    def as_dict(self) -> dict:
        return {"name": self.name, "weight": self.weight, "explanation": self.explanation}


@dataclass(frozen=True)
class Facts:
    """What the history says, computed once per assessment."""
    trusted: tuple        # events that count as the user's own: SUCCESS or VALID, never INVALID
    devices: frozenset
    ips: frozenset
    countries: frozenset
    places: frozenset     # (country, city)
    hours: tuple          # UTC hours of trusted events
    last_located: dict | None  # latest trusted event before now with coordinates
    invalid: tuple        # events marked INVALID
    user_failures: int    # FAILURE events in the velocity window
    ip_failures: int      # failures from this IP (any user) in the velocity window


def _hour(t: float) -> int:
    return int(t // 3600) % 24


def new_device(ctx, loc, f, cfg):
    # No fingerprint (no EncodedData) means nothing to compare: silence, not suspicion.
    if ctx.device_id and f.trusted and ctx.device_id not in f.devices:
        return f"device {ctx.device_id!r} not seen in {len(f.trusted)} trusted events"


def new_ip(ctx, loc, f, cfg):
    if ctx.ip and f.trusted and ctx.ip not in f.ips:
        return f"IP address {ctx.ip} not seen before"


def new_country(ctx, loc, f, cfg):
    if loc and loc.country and f.countries and loc.country not in f.countries:
        return f"country {loc.country} not seen before (known: {', '.join(sorted(f.countries))})"


def new_city(ctx, loc, f, cfg):
    # Only within a known country: a new country already says the city is new.
    if (loc and loc.city and loc.country in f.countries
            and (loc.country, loc.city) not in f.places):
        return f"city {loc.city}, {loc.country} not seen before"


def impossible_travel(ctx, loc, f, cfg):
    prev = f.last_located
    if not (loc and loc.lat is not None and prev):
        return None
    km = distance_km(Location(prev.get("country"), prev.get("city"), prev["lat"], prev["lon"]), loc)
    if km is None or km < cfg.min_travel_km:
        return None
    hours = max(ctx.now - prev["time"], 1.0) / 3600.0
    speed = km / hours
    if speed > cfg.max_travel_kmh:
        return (f"{km:.0f} km from {prev.get('city') or prev.get('country')} "
                f"in {hours * 60:.0f} min ({speed:.0f} km/h > {cfg.max_travel_kmh:.0f} km/h)")


def unusual_hour(ctx, loc, f, cfg):
    if len(f.hours) < cfg.unusual_hour_min_history:
        return None
    h = _hour(ctx.now)
    w = cfg.unusual_hour_window
    if all(min((h - p) % 24, (p - h) % 24) > w for p in f.hours):
        return f"{h:02d}h UTC is more than {w}h from every usual sign-in hour"


def failed_attempts_user(ctx, loc, f, cfg):
    if f.user_failures >= cfg.user_failure_threshold:
        return (f"{f.user_failures} failed attempts for this user "
                f"in the last {cfg.velocity_window:.0f} s")


def failed_attempts_ip(ctx, loc, f, cfg):
    if f.ip_failures >= cfg.ip_failure_threshold:
        return (f"{f.ip_failures} failed attempts from {ctx.ip} "
                f"in the last {cfg.velocity_window:.0f} s")


def bad_ip_reputation(ctx, loc, f, cfg):
    net = cfg.bad_ranges.match(ctx.ip)
    if net is not None:
        return f"IP address {ctx.ip} is in the bad-reputation range {net}"


def matches_invalid_feedback(ctx, loc, f, cfg):
    for ev in f.invalid:
        if ctx.device_id and ev.get("device_id") == ctx.device_id:
            return f"device {ctx.device_id!r} was used in an event marked Invalid"
        if ctx.ip and ev.get("ip") == ctx.ip:
            return f"IP address {ctx.ip} was used in an event marked Invalid"


def recent_invalid_feedback(ctx, loc, f, cfg):
    recent = [e for e in f.invalid if ctx.now - e.get("time", 0) <= cfg.invalid_feedback_window]
    if recent and matches_invalid_feedback(ctx, loc, f, cfg) is None:
        return (f"{len(recent)} event(s) marked Invalid "
                f"in the last {cfg.invalid_feedback_window / 86400:.0f} days")


# Evaluation order = the order signals are listed in an assessment.
SCORED = (
    (NEW_DEVICE, new_device),
    (NEW_IP, new_ip),
    (NEW_COUNTRY, new_country),
    (NEW_CITY, new_city),
    (IMPOSSIBLE_TRAVEL, impossible_travel),
    (UNUSUAL_HOUR, unusual_hour),
    (FAILED_ATTEMPTS_USER, failed_attempts_user),
    (FAILED_ATTEMPTS_IP, failed_attempts_ip),
    (BAD_IP_REPUTATION, bad_ip_reputation),
    (MATCHES_INVALID_FEEDBACK, matches_invalid_feedback),
    (RECENT_INVALID_FEEDBACK, recent_invalid_feedback),
)
