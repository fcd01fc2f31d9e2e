"""Stock of one inventory partition: on hand, safety stock, reservations, inbound supply and
the promises made against it. Pure, no I/O.

Every change is split in two steps, ``plan_*`` (checks everything, returns the
changes, touches nothing) and ``apply_*`` (mutates memory). The shard writes
the planned changes to Redis between the two, so memory never runs ahead of
what is durable, and a refused request changes nothing anywhere.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import msgspec

from oms_actors.domain.errors import LineProblem
from oms_actors.domain.inbound import PROMISE_SEP, promise_site, split_site

StockKey = tuple[str, str]  # (location_id, sku)


class ReservationKey(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    order_id: str
    line_number: int
    location_id: str


class ReservationRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Hold ``quantity`` units of a line at a location (the total held, not a delta)."""

    order_id: str
    line_number: int
    location_id: str
    sku: str
    quantity: int
    # Units that must remain available after this reservation: a channel's safety stock.
    keep: int = 0

    @property
    def key(self) -> ReservationKey:
        return ReservationKey(order_id=self.order_id, line_number=self.line_number, location_id=self.location_id)


class Reservation(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    sku: str
    quantity: int


def available_units(on_hand: int, reserved: int, safety: int) -> int:
    """What can still be promised at a location: on hand less reserved less safety stock,
    never below zero (reserved plus safety may exceed what is on hand after a count)."""
    return max(0, on_hand - reserved - safety)


@dataclass(frozen=True, kw_only=True, slots=True)
class StockRow:
    on_hand: int
    reserved: int
    safety: int

    @property
    def available(self) -> int:
        return available_units(self.on_hand, self.reserved, self.safety)


@dataclass(frozen=True, kw_only=True, slots=True)
class StockLevelChange:
    location_id: str
    sku: str
    on_hand: int
    safety: int


@dataclass(frozen=True, kw_only=True)
class ReservePlan:
    """The outcome of checking a batch: what to write, and which orders were refused and why."""

    upserts: dict[ReservationKey, Reservation] = field(default_factory=dict)
    refused: dict[str, list[LineProblem]] = field(default_factory=dict)


@dataclass(kw_only=True)
class ReceiptPlan:
    """What a receipt changes: ledger entries (location, sku, change, after, ref), the
    expected supply left per day, reservations, and the promises kept (order, line,
    location, units) by stock that arrived."""

    entries: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    inbound: list[tuple[str, str, str, int]] = field(default_factory=list)
    reservations: dict[ReservationKey, Reservation] = field(default_factory=dict)
    kept: list[tuple[str, int, str, int]] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)


@dataclass
class StockBook:
    on_hand: dict[StockKey, int] = field(default_factory=dict)
    safety: dict[StockKey, int] = field(default_factory=dict)
    reservations: dict[ReservationKey, Reservation] = field(default_factory=dict)
    # Derived from ``reservations``; kept so availability is O(1).
    reserved: defaultdict[StockKey, int] = field(default_factory=lambda: defaultdict(int))
    by_order: defaultdict[str, set[ReservationKey]] = field(default_factory=lambda: defaultdict(set))
    # sku -> locations holding a stock row for it; availability reads it on every order.
    sites_of: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # location -> SKUs with a row there; a complete snapshot zeroes the ones it does not list.
    skus_of: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # (feed id, location) -> last sequence number applied.
    feed_positions: dict[tuple[str, str], int] = field(default_factory=dict)
    # Shipments already taken out of stock, by consumption ref: a repeat changes nothing.
    consumed: set[str] = field(default_factory=set)
    # (location, sku) -> {expected day (YYYY-MM-DD): units}: supply not yet on hand.
    inbound: defaultdict[StockKey, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    # sku -> locations with supply of it on its way.
    inbound_at: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # sku -> how many times its availability rose somewhere, in this book's life (``epoch``).
    # A sourcer that plans from availability it read earlier names the counts it saw when
    # it reserves: a plan that still fits stock that only fell since is still optimal, one
    # made before a rise may not be (see ``stale``).
    rises: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    epoch: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    # Changes committed in this epoch: orders a reader's snapshot against a reservation.
    commits: int = 0

    @classmethod
    def rebuild(
        cls,
        *,
        on_hand: dict[StockKey, int],
        safety: dict[StockKey, int],
        reservations: dict[ReservationKey, Reservation],
    ) -> StockBook:
        book = cls(on_hand=dict(on_hand), safety=dict(safety))
        for loc, sku in on_hand:
            book._index(loc, sku)
        book._put_reservations(reservations)
        return book

    def _index(self, loc: str, sku: str) -> None:
        self.sites_of[sku].add(loc)
        self.skus_of[loc].add(sku)

    def skus_at(self, location_id: str) -> list[str]:
        return sorted(self.skus_of.get(location_id, ()))

    def row(self, location_id: str, sku: str) -> StockRow:
        """A location's stock; at a promise site (``inbound.promise_site``), the units expected
        that day as on hand and the promises made against them as reserved."""
        key = (location_id, sku)
        if PROMISE_SEP in location_id:
            site, day = split_site(location_id)
            return StockRow(on_hand=self.inbound.get((site, sku), {}).get(day, 0), reserved=self.reserved.get(key, 0), safety=0)
        return StockRow(
            on_hand=self.on_hand.get(key, 0), reserved=self.reserved.get(key, 0), safety=self.safety.get(key, 0)
        )

    def available(self, key: StockKey) -> int:
        if PROMISE_SEP in key[0]:
            return self.row(*key).available
        return available_units(self.on_hand.get(key, 0), self.reserved.get(key, 0), self.safety.get(key, 0))

    def committed(self, before: dict[StockKey, int]) -> None:
        """Counts a change, and a rise for each SKU whose availability at a location is now
        above ``before`` (availability read before the change, per row it touched)."""
        self.commits += 1
        for sku in {sku for (loc, sku), was in before.items() if self.available((loc, sku)) > was}:
            self.rises[sku] += 1

    def stale(self, epoch: str, seen: dict[str, int]) -> set[str]:
        """The SKUs whose availability rose since a reader saw ``seen`` (rise counts) in ``epoch``."""
        if epoch != self.epoch:
            return set(seen)
        return {sku for sku, count in seen.items() if self.rises.get(sku, 0) != count}

    def locations_of(self, sku: str) -> list[str]:
        return sorted(self.sites_of.get(sku, ()))

    def held_by(self, order_ids: Iterable[str]) -> defaultdict[StockKey, int]:
        """(location, sku) -> units the given orders hold here."""
        held: defaultdict[StockKey, int] = defaultdict(int)
        for oid in order_ids:
            for key in self.by_order.get(oid, ()):
                held[(key.location_id, self.reservations[key].sku)] += self.reservations[key].quantity
        return held

    def plan_reserve(self, requests: list[ReservationRequest], *, orders: Iterable[str] = ()) -> ReservePlan:
        """Each order's requests become its complete holding in this partition.

        Replacing, not adding, is what makes sourcing an order twice harmless:
        the same plan holds the same units, and a new plan gives back what the
        old one held elsewhere. ``orders`` names orders that should hold nothing
        here now even if no request names them. All-or-nothing per order, in
        arrival order: a refused order keeps what it held, and every failing
        line is reported.
        """
        by_order: dict[str, list[ReservationRequest]] = {oid: [] for oid in orders}
        for req in requests:
            by_order.setdefault(req.order_id, []).append(req)
        plan = ReservePlan()
        taken: defaultdict[StockKey, int] = defaultdict(int)  # net change of orders accepted earlier in this batch
        for order_id, reqs in by_order.items():
            problems: list[LineProblem] = []
            wanted: dict[ReservationKey, ReservationRequest] = {}
            for req in reqs:
                if req.quantity < 0 or req.key in wanted:
                    problems.append(LineProblem(line_number=req.line_number, sku=req.sku, reason="malformed reservation"))
                wanted[req.key] = req
            deltas: defaultdict[StockKey, int] = defaultdict(int)
            held = self.by_order.get(order_id, set())
            for key in held:
                res = self.reservations[key]
                deltas[(key.location_id, res.sku)] -= res.quantity
            for req in wanted.values():
                deltas[(req.location_id, req.sku)] += req.quantity
            for (loc, sku), delta in deltas.items():
                if delta <= 0:
                    continue
                row = self.row(loc, sku)
                free = row.on_hand - row.reserved - taken[(loc, sku)] - row.safety
                keep = max((r.keep for r in wanted.values() if r.location_id == loc and r.sku == sku), default=0)
                if delta > free - keep:
                    line = next(r.line_number for r in wanted.values() if r.location_id == loc and r.sku == sku)
                    problems.append(
                        LineProblem(
                            line_number=line,
                            sku=sku,
                            reason=f"{loc} has {max(0, free - keep)} available, {delta} more requested",
                        )
                    )
            if problems:
                plan.refused[order_id] = problems
                continue
            for key, delta in deltas.items():
                taken[key] += delta
            for key in held - wanted.keys():
                plan.upserts[key] = Reservation(sku=self.reservations[key].sku, quantity=0)
            for key, req in wanted.items():
                plan.upserts[key] = Reservation(sku=req.sku, quantity=req.quantity)
        return plan

    def apply_reserve(self, plan: ReservePlan) -> None:
        self._put_reservations(plan.upserts)

    def apply_reserve_changes(self, upserts: dict[ReservationKey, Reservation]) -> None:
        """New quantities per key; 0 removes the reservation."""
        self._put_reservations(upserts)

    def plan_release(self, order_ids: list[str]) -> list[ReservationKey]:
        return [key for oid in order_ids for key in sorted(self.by_order.get(oid, ()), key=_key_order)]

    def apply_release(self, keys: list[ReservationKey]) -> None:
        self._put_reservations(
            {k: Reservation(sku=self.reservations[k].sku, quantity=0) for k in keys if k in self.reservations}
        )

    def apply_on_hand(self, levels: Iterable[tuple[str, str, int]]) -> None:
        """(location, sku, on hand after) for each change, in order."""
        for loc, sku, after in levels:
            self.on_hand[(loc, sku)] = after
            self._index(loc, sku)

    def apply_safety(self, changes: list[StockLevelChange]) -> None:
        for c in changes:
            if c.safety:
                self.safety[(c.location_id, c.sku)] = c.safety
            else:
                self.safety.pop((c.location_id, c.sku), None)

    def apply_stock_levels(self, changes: list[StockLevelChange]) -> None:
        self.apply_on_hand((c.location_id, c.sku, c.on_hand) for c in changes)
        self.apply_safety(changes)

    def apply_inbound(self, supplies: Iterable[tuple[str, str, str, int]]) -> None:
        """(location, sku, day, units): absolute; 0 removes the day."""
        for loc, sku, day, qty in supplies:
            days = self.inbound[(loc, sku)]
            if qty > 0:
                days[day] = qty
                self._index(loc, sku)
                self.inbound_at[sku].add(loc)
            else:
                days.pop(day, None)
                if not days:
                    del self.inbound[(loc, sku)]
                    self.inbound_at[sku].discard(loc)

    # -- promises against inbound supply ---------------------------------------

    def inbound_rows(
        self, skus: Iterable[str], until_day: str, credit: Iterable[str] = ()
    ) -> list[tuple[str, str, int]]:
        """(promise site, sku, units still free to promise) of supply expected by ``until_day``;
        ``credit`` orders see what they were promised themselves as free (sourcing them again)."""
        own = self.held_by(credit)
        rows = []
        for sku in dict.fromkeys(skus):
            for loc in sorted(self.inbound_at.get(sku, ())):
                for day, units in sorted(self.inbound.get((loc, sku), {}).items()):
                    if day <= until_day:
                        site = promise_site(loc, day)
                        free = units - self.reserved.get((site, sku), 0) + own.get((site, sku), 0)
                        if free > 0:
                            rows.append((site, sku, free))
        return rows

    def promises_at(self, buckets: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[ReservationKey]]:
        """The promises made against each (location, sku, day), first promised first (order
        ids are time-ordered). A scan: receipts and supply changes are rare next to orders."""
        found: dict[tuple[str, str, str], list[ReservationKey]] = {b: [] for b in buckets}
        for key, res in self.reservations.items():
            if PROMISE_SEP in key.location_id:
                loc, day = split_site(key.location_id)
                keys = found.get((loc, res.sku, day))
                if keys is not None:
                    keys.append(key)
        for keys in found.values():
            keys.sort(key=lambda k: (k.order_id, k.line_number))
        return found

    def plan_inbound(
        self, supplies: list[tuple[str, str, str, int]]
    ) -> tuple[dict[ReservationKey, Reservation], set[str]]:
        """Supply set lower than what was promised against it (a purchase order cut or
        cancelled): the promises beyond it, last promised first, are given up. Answers the
        reservation changes and the orders that lost a promise (to be sourced again)."""
        changes: dict[ReservationKey, Reservation] = {}
        orders: set[str] = set()
        buckets = {(loc, sku, day): qty for loc, sku, day, qty in supplies}
        promised = self.promises_at(set(buckets))
        for bucket, keys in promised.items():
            over = sum(self.reservations[k].quantity for k in keys) - max(0, buckets[bucket])
            for key in reversed(keys):
                if over <= 0:
                    break
                res = self.reservations[key]
                cut = min(over, res.quantity)
                changes[key] = Reservation(sku=res.sku, quantity=res.quantity - cut)
                orders.add(key.order_id)
                over -= cut
        return changes, orders

    def plan_receipt(self, items: list[tuple[str, str, str, int, str]]) -> ReceiptPlan:
        """Supply that arrived: (location, sku, expected day, units, ref). On hand rises, the
        day's expected units fall (not below zero: more may come than was expected), and the
        promises against them become reservations of the units now on hand there, first
        promised first, as many as arrived. A ref seen before changes nothing."""
        plan = ReceiptPlan()
        fresh = [i for i in items if i[4] not in self.consumed]
        promised = self.promises_at({(loc, sku, day) for loc, sku, day, _, _ in fresh})
        expected: dict[tuple[str, str, str], int] = {}
        on_hand: dict[StockKey, int] = {}
        held: dict[ReservationKey, Reservation] = {}

        def current(key: ReservationKey) -> int:
            res = held.get(key) or self.reservations.get(key)
            return res.quantity if res is not None else 0

        for loc, sku, day, units, ref in fresh:
            bucket = (loc, sku, day)
            before = on_hand.get((loc, sku), self.on_hand.get((loc, sku), 0))
            on_hand[(loc, sku)] = before + units
            plan.entries.append((loc, sku, units, before + units, ref))
            expected[bucket] = max(0, expected.get(bucket, self.inbound.get((loc, sku), {}).get(day, 0)) - units)
            left = units
            for key in promised.get(bucket, []):
                if left <= 0:
                    break
                move = min(left, current(key))
                if move <= 0:
                    continue
                target = ReservationKey(order_id=key.order_id, line_number=key.line_number, location_id=loc)
                held[key] = Reservation(sku=sku, quantity=current(key) - move)
                held[target] = Reservation(sku=sku, quantity=current(target) + move)
                plan.kept.append((key.order_id, key.line_number, loc, move))
                left -= move
            plan.refs.append(ref)
        plan.inbound = [(loc, sku, day, units) for (loc, sku, day), units in expected.items()]
        plan.reservations = held
        return plan

    def _put_reservations(self, reservations: dict[ReservationKey, Reservation]) -> None:
        for key, res in reservations.items():
            old = self.reservations.get(key)
            if old is not None:
                self._count(key.location_id, old.sku, -old.quantity)
            if res.quantity > 0:
                self.reservations[key] = res
                self._count(key.location_id, res.sku, res.quantity)
                self.by_order[key.order_id].add(key)
            elif old is not None:
                del self.reservations[key]
                keys_of_order = self.by_order[key.order_id]
                keys_of_order.discard(key)
                if not keys_of_order:
                    del self.by_order[key.order_id]

    def _count(self, location_id: str, sku: str, change: int) -> None:
        key = (location_id, sku)
        self.reserved[key] += change
        if not self.reserved[key]:
            del self.reserved[key]


def _key_order(key: ReservationKey) -> tuple[int, str]:
    return (key.line_number, key.location_id)
