"""The stock audit: do reservations match the orders, and does on hand match its ledger? Pure.

Two independent sources must agree. The inventory shards hold reservations
and on-hand levels; the orders say what each line was allocated. The ledger
says what on hand must be. Any difference is reported with where it is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from oms_actors.domain.enums import OrderStatus
from oms_actors.domain.order import Order

# (order id, line, location, sku, units) as a shard reports what it holds.
HeldRow = tuple[str, int, str, str, int]


@dataclass(frozen=True, kw_only=True, slots=True)
class Difference:
    location_id: str
    sku: str
    kind: str  # "on_hand" | "reserved" | "oversold"
    expected: int
    actual: int
    detail: str


def expected_holdings(order: Order) -> dict[tuple[int, str, str], int]:
    """(line, location, sku) -> units the order should hold reserved now."""
    if order.status is OrderStatus.CANCELLED:
        return {}  # released, or about to be: a cancelled order holds nothing
    held: dict[tuple[int, str, str], int] = {}
    for line in order.lines:
        for a in line.allocations:
            left = a.quantity - line.shipped_from(a.location_id)
            if left > 0:
                held[(line.line_number, a.location_id, line.sku)] = left
    return held


Key = tuple[str, int, str, str]  # order id, line, location, sku


@dataclass(frozen=True, kw_only=True)
class ReservationCheck:
    """One comparison of the orders with what the shards hold."""

    mismatches: dict[Key, tuple[int, int]]  # (order, line, location, sku) -> (order says, shard holds)
    totals: dict[tuple[str, str], tuple[int, int]]  # (location, sku) -> (orders say, shards hold)
    checked: int

    def differences(self, keep: Callable[[Key], bool] = lambda key: True) -> list[Difference]:
        per_stock: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key, (want, have) in sorted(self.mismatches.items()):
            if keep(key):
                order_id, line, loc, sku = key
                per_stock[(loc, sku)].append(f"{order_id} line {line}: order says {want}, shard holds {have}")
        return [
            Difference(
                location_id=loc,
                sku=sku,
                kind="reserved",
                expected=self.totals[(loc, sku)][0],
                actual=self.totals[(loc, sku)][1],
                detail="; ".join(notes[:5]) + (f" (+{len(notes) - 5} more)" if len(notes) > 5 else ""),
            )
            for (loc, sku), notes in sorted(per_stock.items())
        ]


def check_reservations(orders: Iterable[Order], held: Iterable[HeldRow]) -> ReservationCheck:
    """What the orders say against what the shards hold.

    Orders still being placed (ACCEPTED) are skipped with whatever they hold: the
    audit speaks of a settled system, and the reconciler settles those.
    """
    in_flight: set[str] = set()
    expected: dict[Key, int] = {}
    checked = 0
    for order in orders:
        if order.status is OrderStatus.ACCEPTED:
            in_flight.add(order.order_id)
            continue
        checked += 1
        for (line, loc, sku), units in expected_holdings(order).items():
            expected[(order.order_id, line, loc, sku)] = units
    actual: dict[Key, int] = {}
    for order_id, line, loc, sku, units in held:
        if order_id not in in_flight:
            actual[(order_id, line, loc, sku)] = units
    mismatches: dict[Key, tuple[int, int]] = {}
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for key in set(expected) | set(actual):
        _, _, loc, sku = key
        want, have = expected.get(key, 0), actual.get(key, 0)
        totals[(loc, sku)][0] += want
        totals[(loc, sku)][1] += have
        if want != have:
            mismatches[key] = (want, have)
    return ReservationCheck(
        mismatches=mismatches, totals={k: (v[0], v[1]) for k, v in totals.items()}, checked=checked
    )


def compare_reservations(orders: Iterable[Order], held: Iterable[HeldRow]) -> tuple[list[Difference], int]:
    """Differences between what the orders say and what the shards hold; and orders checked."""
    check = check_reservations(orders, held)
    return check.differences(), check.checked


def settled_differences(checks: Sequence[ReservationCheck]) -> list[Difference]:
    """The mismatches every pass found with the same figures.

    The shards and the orders are read one after the other, so an order being
    re-sourced between the two reads looks different for a moment; a real
    difference stays put from one pass to the next, a change in flight does not."""
    last = checks[-1]
    kept = {key for key, seen in last.mismatches.items() if all(c.mismatches.get(key) == seen for c in checks)}
    return last.differences(kept.__contains__)
