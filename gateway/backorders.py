"""Arriving stock serves backordered orders first come, first served, across order shards.

Each order shard knows only its own backlog; left to themselves, two shards re-source
at the same time and a younger order in one takes the units an older order in the
other waits for. A run asks every shard for its oldest waiting orders, merges them by
the time they were placed, and has each shard re-source its stretch of that queue in
turn. Triggers that come while a run is going are merged into the next run, so a burst
of feed messages costs one pass over the backlog, not one per message.

Only order: each shard still sources, reserves and records its own orders. A trigger
lost in a crash is caught by the shards' periodic pass (oldest first within a shard).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Sequence
from typing import Any

from oms_actors.order_shard import BACKORDER_BATCH

log = logging.getLogger(__name__)


class BackorderRuns:
    """Serves backordered orders in the order they were placed when stock arrives for them."""

    def __init__(self, shards: Sequence[Any], *, limit: int = BACKORDER_BATCH) -> None:
        self._shards = shards
        self._limit = limit
        self._pending: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    def arrived(self, skus: Sequence[str]) -> None:
        """Stock arrived for these SKUs: a run will look at the orders waiting for them (no wait here)."""
        if not skus:
            return
        self._pending.update(skus)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def drain(self) -> None:
        """Waits for the runs asked for so far (shutdown, tests)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        while self._pending:
            skus = sorted(self._pending)
            self._pending.clear()
            try:
                await self.serve(skus)
            except Exception as exc:  # the shards' periodic pass catches up
                log.warning("backorder run for %d SKUs failed: %s", len(skus), exc)

    async def serve(self, skus: list[str]) -> int:
        """One run: the oldest orders waiting for these SKUs, re-sourced oldest first; how many were."""
        self.runs += 1
        backlogs = await asyncio.gather(*(s.backorders_for.remote(skus, self._limit) for s in self._shards))
        queue = sorted(
            (placed, order_id, shard) for shard, rows in enumerate(backlogs) for placed, order_id in rows
        )[: self._limit]
        served = 0
        # A shard's consecutive stretch of the queue is one call; the next stretch waits for
        # it, since the older orders must have taken what they can first.
        for shard, stretch in itertools.groupby(queue, key=lambda row: row[2]):
            served += await self._shards[shard].resource_orders.remote([oid for _, oid, _ in stretch], skus)
        return served
