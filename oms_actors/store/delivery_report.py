"""The shipment steps, day by day, as the order shards counted them (``domain.delivery_report``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import redis.asyncio as aioredis

from oms_actors.domain.delivery_report import DeliveryReport, report
from oms_actors.store import keys
from oms_actors.store.return_report import days_between, read_days


async def read_report(
    client: aioredis.Redis, first: dt.date, last: dt.date, *, locations: Collection[str] = ()
) -> DeliveryReport:
    """The report of the days from ``first`` through ``last``, in one round trip."""
    counts = await read_days(client, keys.deliveries_day, first, last)
    return report(zip(days_between(first, last), counts), locations=locations)
