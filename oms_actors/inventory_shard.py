"""InventoryShard: the single writer of stock for the SKUs that hash to it, at every location.

Calls run one at a time (a plain, synchronous Ray actor), so a check and the
write that follows it can never interleave with another call's: that is what
makes "never oversell" hold without locks. Each call takes a whole batch.
"""

from __future__ import annotations

import logging
from typing import Iterable

import redis

from oms_actors.domain.errors import FieldViolation, LineProblem, UnavailableError, ValidationError
from oms_actors.domain.stock import ReservationRequest, StockBook, StockLevelChange
from oms_actors.store.connection import connect
from oms_actors.store.inventory import InventoryStore
from oms_actors.wire import RESERVE_BATCH

log = logging.getLogger(__name__)

# (location_id, sku, on_hand, reserved, safety): compact to pickle across processes.
AvailabilityRow = tuple[str, str, int, int, int]


class InventoryShard:
    def __init__(self, shard: int, redis_url: str) -> None:
        self.shard = shard
        self.store = InventoryStore(connect(redis_url), shard)
        self.book = StockBook()
        self._stale = True
        self._reload()

    def _reload(self) -> None:
        """Memory is a cache of what is durable: rebuilt on (re)start and after any failed write,
        since a write whose reply was lost may or may not have been applied."""
        if not self._stale:
            return
        on_hand, safety, reservations = self._durably("load", self.store.load)
        self.book = StockBook.rebuild(on_hand=on_hand, safety=safety, reservations=reservations)
        self._stale = False
        log.info("inventory shard %d: %d stock rows, %d reservations", self.shard, len(on_hand), len(reservations))

    def ping(self) -> int:
        return self.shard

    def availability(
        self, skus: Iterable[str], locations: Iterable[str] | None = None, credit: Iterable[str] = ()
    ) -> list[AvailabilityRow]:
        """Stock rows of the SKUs; ``credit`` orders see what they hold themselves as available,
        so sourcing an order again plans against the same stock as the first time."""
        self._reload()
        wanted = set(locations) if locations else None
        own = self.book.held_by(credit)
        rows: list[AvailabilityRow] = []
        for sku in dict.fromkeys(skus):
            for loc in self.book.locations_of(sku):
                if wanted is None or loc in wanted:
                    r = self.book.row(loc, sku)
                    rows.append((loc, sku, r.on_hand, r.reserved - own.get((loc, sku), 0), r.safety))
        return rows

    def reserve(self, payload: bytes) -> dict[str, list[LineProblem]]:
        """Sets each order's holdings here (``wire.RESERVE_BATCH``), all-or-nothing per order;
        returns the refused orders with every failing line."""
        batch = RESERVE_BATCH.decode(payload)
        return self.reserve_requests(batch.requests, orders=batch.orders)

    def reserve_requests(
        self, requests: list[ReservationRequest], *, orders: Iterable[str] = ()
    ) -> dict[str, list[LineProblem]]:
        self._reload()
        plan = self.book.plan_reserve(requests, orders=orders)
        self._durably("reserve", self.store.write_reservations, plan.upserts, [])
        self.book.apply_reserve(plan)
        return plan.refused

    def release_orders(self, order_ids: list[str]) -> int:
        """Gives back everything the orders hold here; releasing twice is harmless."""
        self._reload()
        keys_ = self.book.plan_release(order_ids)
        self._durably("release", self.store.write_reservations, {}, keys_)
        self.book.apply_release(keys_)
        return len(keys_)

    def set_levels(self, changes: list[StockLevelChange]) -> int:
        self._reload()
        problems = [
            FieldViolation(field=f"levels[{i}]", description="on_hand and safety_stock must be >= 0")
            for i, c in enumerate(changes)
            if c.on_hand < 0 or c.safety < 0
        ]
        if problems:
            raise ValidationError.of(problems)
        self._durably("set stock", self.store.write_levels, changes)
        self.book.apply_stock_levels(changes)
        return len(changes)

    def reservations_of(self, order_ids: list[str]) -> dict[str, list[tuple[int, str, str, int]]]:
        """(line, location, sku, qty) held per order: for audits and tests."""
        held: dict[str, list[tuple[int, str, str, int]]] = {}
        for key in self.book.plan_release(order_ids):
            res = self.book.reservations[key]
            held.setdefault(key.order_id, []).append((key.line_number, key.location_id, res.sku, res.quantity))
        return held

    def _durably(self, what: str, fn, *args):
        try:
            return fn(*args)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
            self._stale = True
            raise UnavailableError(f"inventory shard {self.shard}: {what} failed: redis unavailable", dependency="redis") from exc
