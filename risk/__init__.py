"""Threat protection: a heuristic, deterministic risk engine with no knowledge of HTTP or storage.

    a = assess(Context(now, ip, device_id, ...), History(events, ip_failures), Config(...))
    d = decide(a, risk_configuration, effective_mode(add_ons, flow), mfa_eligible)

See docs/RISK.md."""
from .actions import DEFAULT_ACCOUNT_TAKEOVER_ACTIONS, Decision, decide, effective_mode
from .breach_file import BreachFileError
from .engine import LEVELS, Assessment, Config, Context, History, assess, level_for
from .geo import GeoTable, IPRanges, Location, distance_km, locate
from .passwords import compromised_by, is_compromised, warm
from .signals import DEFAULT_WEIGHTS, Signal

__all__ = ["assess", "decide", "effective_mode", "level_for", "Context", "History", "Config",
           "Assessment", "Decision", "Signal", "LEVELS", "DEFAULT_WEIGHTS",
           "DEFAULT_ACCOUNT_TAKEOVER_ACTIONS", "GeoTable", "IPRanges", "Location", "locate",
           "distance_km", "is_compromised", "compromised_by", "warm", "BreachFileError"]
