"""The returns asked for, day by day, as the order shards counted them (``domain.return_report``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import redis.asyncio as aioredis

from oms_actors.domain.return_report import ReturnsReport, report
from oms_actors.store import keys

MAX_DAYS = 92  # a quarter: a report reads one hash per day


def days_between(first: dt.date, last: dt.date) -> list[str]:
    """The UTC days from ``first`` through ``last`` (yyyymmdd)."""
    return [(first + dt.timedelta(days=n)).strftime("%Y%m%d") for n in range((last - first).days + 1)]


async def read_days(
    client: aioredis.Redis, key_of: Callable[[str], str], first: dt.date, last: dt.date
) -> list[dict[str, int]]:
    """The counts of each day from ``first`` through ``last`` (``key_of``: a day's hash), in one round trip."""
    pipe = client.pipeline(transaction=False)
    for day in days_between(first, last):
        pipe.hgetall(key_of(day))
    return [{_text(k): int(v) for k, v in h.items()} for h in await pipe.execute()]


async def read_report(
    client: aioredis.Redis, first: dt.date, last: dt.date, *, skus: list[str], top: int
) -> ReturnsReport:
    """The report of the days from ``first`` through ``last``, in one round trip."""
    return report(await read_days(client, keys.returns_day, first, last), skus=skus, top=top)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
