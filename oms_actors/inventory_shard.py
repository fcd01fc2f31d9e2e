"""InventoryShard: the single writer of stock for the SKUs that hash to it, at every location.

Calls run one at a time (a plain, synchronous Ray actor), so a check and the
write that follows it can never interleave with another call's: that is what
makes "never oversell" hold without locks. Each call takes a whole batch, and
every call follows one pattern: plan against memory (changing nothing), commit
the plan to Redis in one transaction, then apply it to memory.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, TypeVar

import redis

from oms_actors import gc_tuning
from oms_actors.direct import DirectServer, Endpoint
from oms_actors.domain import ledger
from oms_actors.domain.errors import (
    FailedPreconditionError,
    FieldViolation,
    LineProblem,
    UnavailableError,
    ValidationError,
)
from oms_actors.domain.inbound import promise_site
from oms_actors.domain.ledger import Consumption, FeedMessage, FeedOutcome, Restock
from oms_actors.domain.stock import Reservation, ReservationRequest, StockBook, StockLevelChange
from oms_actors.event_loop import loop_name
from oms_actors.store.connection import connect
from oms_actors.store.inventory import InventoryStore, ShardChanges
from oms_actors.wire import RESERVE_BATCH

log = logging.getLogger(__name__)
T = TypeVar("T")

# (location_id, sku, on_hand, reserved, safety): compact to pickle across processes.
AvailabilityRow = tuple[str, str, int, int, int]
# The same, plus inbound supply: ((day, units, promised of them), ...).
AvailabilityView = tuple[str, str, int, int, int, tuple[tuple[str, int, int], ...]]


class InventoryShard:
    def __init__(self, shard: int, redis_url: str) -> None:
        gc_tuning.tune()
        self.shard = shard
        self.store = InventoryStore(connect(redis_url), shard)
        self.book = StockBook()
        # Loaded on the first call, not here: a constructor that fails (Redis down
        # while Ray restarts this actor) would leave the actor dead for good.
        self._stale = True
        # Sourcing's reads and reservations and the gateways' availability queries come
        # over a socket, not through Ray (see direct.py). Serving it makes this an async
        # actor: Ray then runs the plain methods on the event loop too, one at a time, so
        # the shard is still one writer at a time.
        self.direct = DirectServer(
            self,
            (
                "reserve", "reserve_seen", "availability", "availability_seen", "availability_view",
                "consume", "restock", "inbound_availability",
            ),  # fmt: skip
        )

    def _reload(self) -> None:
        """Memory is a cache of what is durable: rebuilt on (re)start and after any failed write,
        since a write whose reply was lost may or may not have been applied."""
        if not self._stale:
            return
        state = self._durably("load", self.store.load)
        book = StockBook.rebuild(on_hand=state.on_hand, safety=state.safety, reservations=state.reservations)
        book.feed_positions = dict(state.feed_positions)
        book.apply_inbound(state.inbound)
        book.consumed = set(state.consumed)
        self.book = book
        self._stale = False
        log.info(
            "inventory shard %d: %d stock rows, %d reservations", self.shard, len(state.on_hand), len(state.reservations)
        )

    def _commit(self, what: str, changes: ShardChanges) -> None:
        self._durably(what, self.store.commit, changes)
        touched = {(e.location_id, e.sku) for e in changes.entries}
        touched.update((k.location_id, r.sku) for k, r in changes.reservations.items())
        touched.update((c.location_id, c.sku) for c in changes.safety)
        before = {key: self.book.available(key) for key in touched}
        self.book.apply_on_hand((e.location_id, e.sku, e.after) for e in changes.entries)
        self.book.apply_reserve_changes(changes.reservations)
        self.book.apply_safety(changes.safety)
        self.book.feed_positions.update(changes.feed_positions)
        self.book.apply_inbound(changes.inbound)
        self.book.consumed.update(changes.consumed)
        self.book.committed(before)

    async def direct_endpoint(self) -> Endpoint | None:
        return await self.direct.endpoint()

    def stats(self) -> dict[str, Any]:
        book = self.book
        stats: dict[str, Any] = {
            "shard": self.shard,
            "direct": dict(self.direct.served),
            "event_loop": loop_name(),
            "loaded": not self._stale,  # its book read from Redis (on the first call that needs it)
        }
        if not self._stale:  # for the metrics: what the shard holds, and the changes it committed
            stats |= {
                "stock_rows": len(book.on_hand),
                "reservations": len(book.reservations),
                "reserved_units": sum(book.reserved.values()),
                "commits": book.commits,
            }
        return stats

    def ping(self) -> int:
        return self.shard

    # -- reads ----------------------------------------------------------------

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

    def availability_seen(self, skus: Iterable[str]) -> tuple[str, int, dict[str, int], list[AvailabilityRow]]:
        """Availability a sourcer may keep and plan later batches from: (epoch, commits so
        far, rise count per SKU, rows). A later ``reserve_seen`` naming the rise counts is
        refused for SKUs whose availability rose since. Credits no order: for orders that
        hold nothing."""
        rows = self.availability(skus)
        rises = {sku: self.book.rises.get(sku, 0) for sku in dict.fromkeys(skus)}
        return self.book.epoch, self.book.commits, rises, rows

    def reserve_seen(self, payload: bytes) -> tuple[str, int, dict[str, list[LineProblem]]]:
        """``reserve``, answering also the epoch and the commit count it left, so the caller
        can tell whether availability it read earlier already shows these reservations."""
        refused = self.reserve(payload)
        return self.book.epoch, self.book.commits, refused

    def availability_view(self, skus: Iterable[str], locations: Iterable[str] | None = None) -> list[AvailabilityView]:
        """Availability with inbound supply by day and what is promised of it, for GetAvailability."""
        book = self.book
        return [
            (
                *row,
                tuple(
                    (day, units, book.reserved.get((promise_site(row[0], day), row[1]), 0))
                    for day, units in sorted(book.inbound.get((row[0], row[1]), {}).items())
                ),
            )
            for row in self.availability(skus, locations)
        ]

    def reservations_of(self, order_ids: list[str]) -> dict[str, list[tuple[int, str, str, int]]]:
        """(line, location, sku, qty) held per order."""
        self._reload()
        held: dict[str, list[tuple[int, str, str, int]]] = {}
        for key in self.book.plan_release(order_ids):
            res = self.book.reservations[key]
            held.setdefault(key.order_id, []).append((key.line_number, key.location_id, res.sku, res.quantity))
        return held

    # -- reservations ---------------------------------------------------------

    def reserve(self, payload: bytes) -> dict[str, list[LineProblem]]:
        """Sets each order's holdings here (``wire.RESERVE_BATCH``), all-or-nothing per order;
        returns the refused orders with every failing line."""
        batch = RESERVE_BATCH.decode(payload)
        return self.reserve_requests(batch.requests, orders=batch.orders, epoch=batch.epoch, seen=batch.seen)

    def reserve_requests(
        self,
        requests: list[ReservationRequest],
        *,
        orders: Iterable[str] = (),
        epoch: str = "",
        seen: dict[str, int] | None = None,
    ) -> dict[str, list[LineProblem]]:
        """``seen``: rise counts the plans were made with (``availability_seen``); an order
        with a SKU whose availability rose since is refused, to be planned again."""
        self._reload()
        stale = self.book.stale(epoch, seen) if seen else set()
        refused: dict[str, list[LineProblem]] = {}
        for req in requests:
            if req.sku in stale:
                refused.setdefault(req.order_id, []).append(
                    LineProblem(line_number=req.line_number, sku=req.sku, reason="availability rose since it was read")
                )
        if refused:
            requests = [r for r in requests if r.order_id not in refused]
            orders = [oid for oid in orders if oid not in refused]
        plan = self.book.plan_reserve(requests, orders=orders)
        self._commit("reserve", ShardChanges(reservations=plan.upserts))
        return {**refused, **plan.refused}

    def release_orders(self, order_ids: list[str]) -> int:
        """Gives back everything the orders hold here; releasing twice is harmless."""
        self._reload()
        keys_ = self.book.plan_release(order_ids)
        releases = {k: Reservation(sku=self.book.reservations[k].sku, quantity=0) for k in keys_}
        self._commit("release", ShardChanges(reservations=releases))
        return len(keys_)

    def consume(self, items: list[Consumption]) -> int:
        """Shipped units leave stock and their reservation: all items or none."""
        self._reload()
        entries, upserts, problems = ledger.plan_consumption(self.book, items)
        if problems:
            raise FailedPreconditionError("cannot ship what is not reserved and on hand", code="NOT_RESERVED", lines=problems)
        done = [item.ref for item in items if item.ref not in self.book.consumed]
        self._commit("consume", ShardChanges(entries=entries, reservations=upserts, consumed=done))
        return len(entries)

    def restock(self, items: list[Restock]) -> int:
        self._reload()
        bad = [FieldViolation(field=f"items[{i}].quantity", description="must be positive") for i, r in enumerate(items) if r.quantity <= 0]
        if bad:
            raise ValidationError.of(bad)
        done = [r.ref for r in items if r.ref and r.ref not in self.book.consumed]
        self._commit("restock", ShardChanges(entries=ledger.plan_restock(self.book, items), consumed=done))
        return len(items)

    # -- levels and feeds -----------------------------------------------------

    def set_levels(self, changes: list[StockLevelChange]) -> int:
        self._reload()
        problems = [
            FieldViolation(field=f"levels[{i}]", description="on_hand and safety_stock must be >= 0")
            for i, c in enumerate(changes)
            if c.on_hand < 0 or c.safety < 0
        ]
        if problems:
            raise ValidationError.of(problems)
        self._commit("set stock", ShardChanges(entries=ledger.plan_levels(self.book, changes), safety=changes))
        return len(changes)

    def check_feed(self, msg: FeedMessage) -> tuple[str, int, list[LineProblem]]:
        """What applying would do, changing nothing: lets the gateway refuse a message that
        some partition cannot take before any partition takes it."""
        self._reload()
        plan = ledger.plan_feed(self.book, msg, self.book.feed_positions.get((msg.feed_id, msg.location_id), 0))
        return plan.outcome.value, plan.last_sequence, plan.problems

    def apply_feed(self, msg: FeedMessage) -> tuple[str, int]:
        """Applies this partition's part of one feed message once: (outcome, last sequence)."""
        self._reload()
        position = (msg.feed_id, msg.location_id)
        plan = ledger.plan_feed(self.book, msg, self.book.feed_positions.get(position, 0))
        if plan.problems:
            raise FailedPreconditionError(
                f"feed {msg.feed_id} message {msg.sequence} would take stock below zero; nothing applied",
                code="NEGATIVE_STOCK",
                lines=plan.problems,
            )
        if plan.outcome is FeedOutcome.APPLIED:
            self._commit("feed", ShardChanges(entries=plan.entries, feed_positions={position: msg.sequence}))
        return plan.outcome.value, plan.last_sequence

    def set_inbound(self, supplies: list[tuple[str, str, str, int]]) -> tuple[int, list[str]]:
        """(location, sku, day, units) absolute per day; 0 removes it. Supply set below what
        was promised against it gives up the promises beyond it, last promised first, in the
        same write; answers the count and the orders that lost a promise (to source again)."""
        self._reload()
        released, orders = self.book.plan_inbound(supplies)
        self._commit("inbound", ShardChanges(inbound=list(supplies), reservations=released))
        return len(supplies), sorted(orders)

    def receive_inbound(self, items: list[tuple[str, str, str, int, str]]) -> tuple[int, list[tuple[str, int, str, int]]]:
        """Supply arrived: (location, sku, expected day, units, ref), once per ref. On hand
        rises and the promises against the day become reservations of the stock that arrived,
        first promised first (``StockBook.plan_receipt``), in one write. Answers the units
        received and the promises kept: (order, line, location, units)."""
        self._reload()
        bad = [
            FieldViolation(field=f"items[{i}].quantity", description="must be positive")
            for i, (_, _, _, units, _) in enumerate(items)
            if units <= 0
        ]
        if bad:
            raise ValidationError.of(bad)
        plan = self.book.plan_receipt(items)
        entries = [
            ledger.LedgerEntry(location_id=loc, sku=sku, kind=ledger.EntryKind.RECEIPT, change=units, after=after, ref=ref)
            for loc, sku, units, after, ref in plan.entries
        ]
        self._commit(
            "receipt",
            ShardChanges(entries=entries, inbound=plan.inbound, reservations=plan.reservations, consumed=plan.refs),
        )
        return sum(units for _, _, units, _, _ in plan.entries), plan.kept

    def inbound_availability(self, skus: list[str], until_day: str, credit: list[str]) -> list[tuple[str, str, int]]:
        """Supply expected by ``until_day`` still free to promise: (promise site, sku, units);
        ``credit`` orders see their own promises as free."""
        self._reload()
        return self.book.inbound_rows(skus, until_day, credit)

    # -- audit ----------------------------------------------------------------

    def audit(self) -> dict[str, Any]:
        """What this partition holds, checked against its own ledger and its stored state."""
        self._reload()
        entries = self._durably("audit", self.store.ledger)
        from_ledger = ledger.replay(entries)
        stored = self._durably("audit", self.store.stored_on_hand)
        differences = []
        for key in sorted(set(from_ledger) | set(stored) | set(self.book.on_hand)):
            expected = from_ledger.get(key, 0)
            for source, actual in (("stored", stored.get(key, 0)), ("memory", self.book.on_hand.get(key, 0))):
                if actual != expected:
                    differences.append((key[0], key[1], expected, actual, f"{source} on hand differs from the ledger"))
        reservations = [
            (k.order_id, k.line_number, k.location_id, r.sku, r.quantity) for k, r in self.book.reservations.items()
        ]
        # At a promise site the promises are checked against the supply expected that day.
        oversold = [
            (loc, sku, self.book.row(loc, sku).on_hand, held)
            for (loc, sku), held in self.book.reserved.items()
            if held > self.book.row(loc, sku).on_hand
        ]
        return {
            "rows": len(self.book.on_hand),
            "ledger_entries": len(entries),
            "differences": differences,
            "reservations": reservations,
            "oversold": oversold,
        }

    def _durably(self, what: str, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
            self._stale = True
            raise UnavailableError(f"inventory shard {self.shard}: {what} failed: redis unavailable", dependency="redis") from exc
