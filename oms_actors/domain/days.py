"""Calendar days at a location: its own date in its time zone, where its daily limits begin and end."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_ZONE_NAME = 64


def today(now_s: float | None = None) -> str:
    """The UTC day (what a location without a time zone counts in)."""
    return dt.datetime.fromtimestamp(time.time() if now_s is None else now_s, dt.timezone.utc).strftime("%Y%m%d")


@lru_cache(maxsize=1024)
def zone(name: str) -> dt.tzinfo:
    """The time zone of an IANA name (UTC for "")."""
    return ZoneInfo(name) if name else dt.timezone.utc


def is_time_zone(name: str) -> bool:
    """An IANA time zone name the service can count days in ("" is UTC)."""
    if not name:
        return True
    if len(name) > MAX_ZONE_NAME or name.startswith("/") or ".." in name:
        return False
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def local_days(locations: Iterable[str], zones: Mapping[str, str], now_s: float | None = None) -> dict[str, str]:
    """Each location's current day (yyyymmdd) in its time zone (``zones``; UTC where it has none)."""
    now = dt.datetime.fromtimestamp(time.time() if now_s is None else now_s, dt.timezone.utc)
    by_zone: dict[str, str] = {}
    out = {}
    for loc in locations:
        name = zones.get(loc, "")
        day = by_zone.get(name)
        if day is None:
            day = by_zone[name] = now.astimezone(zone(name)).strftime("%Y%m%d")
        out[loc] = day
    return out
