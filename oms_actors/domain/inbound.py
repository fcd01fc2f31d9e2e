"""Promises against inbound supply: units of a purchase order on its way, by location and day.

A unit promised from supply expected at location ``L`` on day ``D`` is held like a
reservation, at the site ``L^D`` (``promise_site``): the inventory shard counts those
holdings against the units expected that day (never more than are coming), an order's
allocation there reads "from L, expected D", and nothing at such a site can be released
to a location or shipped before the supply arrives. When it is received at ``L``, the
shard turns the promises into reservations of the stock now on hand there, first
promised first, within the same write (``StockBook.plan_receipt``).

``^`` is not allowed in location ids (``gateway.limits.ID_PATTERN``), so a site id is
either a location or a promise, never both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

PROMISE_SEP = "^"


def promise_site(location_id: str, day: str) -> str:
    """The site of supply expected at ``location_id`` on ``day`` (YYYY-MM-DD)."""
    return f"{location_id}{PROMISE_SEP}{day}"


def is_promise(site: str) -> bool:
    return PROMISE_SEP in site


def split_site(site: str) -> tuple[str, str]:
    """(location, expected day) of a promise site; (location, "") of a location."""
    location, _, day = site.partition(PROMISE_SEP)
    return location, day


def days_between(today: str, day: str) -> int:
    """Whole days from ``today`` to ``day`` (both YYYY-MM-DD), never below zero: supply
    overdue is expected any time now."""
    return max(0, (date.fromisoformat(day) - date.fromisoformat(today)).days)


def utc_today() -> str:
    """Today (YYYY-MM-DD, UTC): the day supply's dates and waits count from."""
    return datetime.now(UTC).date().isoformat()


def add_days(today: str, days: int) -> str:
    return (date.fromisoformat(today) + timedelta(days=days)).isoformat()
