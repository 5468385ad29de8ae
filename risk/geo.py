"""Offline geolocation: a configurable CIDR table first, then iptocc for the country alone."""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from functools import lru_cache

import iptocc

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Location:
    country: str | None  # ISO 3166-1 alpha-2, e.g. "US"
    city: str | None = None
    lat: float | None = None
    lon: float | None = None

    def as_dict(self) -> dict:
        return {"country": self.country, "city": self.city, "lat": self.lat, "lon": self.lon}


@lru_cache(maxsize=4096)
def parse_ip(ip: str | None):
    """An ip_address, or None for a missing / malformed one (never raises)."""
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip.strip())
    except ValueError:
        return None


class IPRanges:
    """A set of CIDR blocks ("10.0.0.0/8", "2001:db8::/32", or a bare address)."""

    def __init__(self, cidrs=()):
        # strict=False: Cognito accepts host bits set in e.g. "192.168.1.5/24"
        self.networks = tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs or ())

    def match(self, ip: str | None):
        """The first network containing ip, or None."""
        addr = parse_ip(ip)
        if addr is None:
            return None
        for net in self.networks:
            if addr.version == net.version and addr in net:
                return net
        return None

    def __contains__(self, ip) -> bool:
        return self.match(ip) is not None

    def __bool__(self) -> bool:
        return bool(self.networks)


class GeoTable:
    """CIDR -> Location, longest prefix wins. Entries are plain dicts:
    {"cidr": "203.0.113.0/24", "country": "FR", "city": "Paris", "lat": 48.85, "lon": 2.35}."""

    def __init__(self, entries=()):
        rows = []
        for e in entries or ():
            net = ipaddress.ip_network(e["cidr"].strip(), strict=False)
            loc = Location(e.get("country"), e.get("city"), _num(e.get("lat")), _num(e.get("lon")))
            rows.append((net, loc))
        rows.sort(key=lambda r: -r[0].prefixlen)
        self.rows = tuple(rows)

    def lookup(self, ip: str | None) -> Location | None:
        addr = parse_ip(ip)
        if addr is None:
            return None
        for net, loc in self.rows:
            if addr.version == net.version and addr in net:
                return loc
        return None


def _num(v):
    return None if v is None else float(v)


def locate(ip: str | None, table: GeoTable | None = None) -> Location | None:
    """Where ip is: the table's entry if any, else the country from iptocc (no city, no
    coordinates), else None (private, reserved, malformed or unknown addresses)."""
    if table is not None:
        hit = table.lookup(ip)
        if hit is not None:
            return hit
    addr = parse_ip(ip)
    if addr is None or not addr.is_global:
        return None
    cc = _country(str(addr))
    return Location(cc) if cc else None


@lru_cache(maxsize=4096)
def _country(ip: str) -> str | None:
    return iptocc.country_code(ip)


def distance_km(a: Location, b: Location) -> float | None:
    """Great-circle (haversine) distance, or None when either side lacks coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
