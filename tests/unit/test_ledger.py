"""Feeds apply once and in order; shipments consume reservations; the ledger sums to on hand."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from oms_actors.domain.ledger import (
    Consumption,
    FeedKind,
    FeedMessage,
    FeedOutcome,
    Restock,
    plan_consumption,
    plan_feed,
    plan_levels,
    plan_restock,
    replay,
)
from oms_actors.domain.stock import ReservationRequest, StockBook, StockLevelChange


def msg(seq: int, kind: FeedKind, *qty: tuple[str, int], complete: bool = False) -> FeedMessage:
    return FeedMessage(feed_id="wms", sequence=seq, location_id="DC1", kind=kind, quantities=qty, complete=complete)


class Feeder:
    """Applies planned feed messages to a book the way the shard does."""

    def __init__(self) -> None:
        self.book = StockBook()
        self.entries: list = []

    def send(self, m: FeedMessage) -> FeedOutcome:
        last = self.book.feed_positions.get((m.feed_id, m.location_id), 0)
        plan = plan_feed(self.book, m, last)
        if plan.outcome is FeedOutcome.APPLIED and not plan.problems:
            self.book.apply_on_hand((e.location_id, e.sku, e.after) for e in plan.entries)
            self.book.feed_positions[(m.feed_id, m.location_id)] = m.sequence
            self.entries += plan.entries
        return plan.outcome

    def level(self, sku: str) -> int:
        return self.book.on_hand.get(("DC1", sku), 0)


def test_snapshot_then_deltas_apply_once_each():
    f = Feeder()
    assert f.send(msg(1, FeedKind.SNAPSHOT, ("A", 10), ("B", 4))) is FeedOutcome.APPLIED
    assert f.send(msg(2, FeedKind.DELTA, ("A", -3))) is FeedOutcome.APPLIED
    assert f.send(msg(2, FeedKind.DELTA, ("A", -3))) is FeedOutcome.REPLAY
    assert f.send(msg(1, FeedKind.SNAPSHOT, ("A", 10), ("B", 4))) is FeedOutcome.REPLAY
    assert (f.level("A"), f.level("B")) == (7, 4)


def test_a_gap_is_refused_until_the_missing_message_comes():
    f = Feeder()
    f.send(msg(1, FeedKind.SNAPSHOT, ("A", 5)))
    assert f.send(msg(3, FeedKind.DELTA, ("A", 1))) is FeedOutcome.GAP
    assert f.level("A") == 5
    assert f.send(msg(2, FeedKind.DELTA, ("A", 2))) is FeedOutcome.APPLIED
    assert f.send(msg(3, FeedKind.DELTA, ("A", 1))) is FeedOutcome.APPLIED
    assert f.level("A") == 8


def test_complete_snapshot_zeroes_what_it_does_not_list():
    f = Feeder()
    f.send(msg(1, FeedKind.SNAPSHOT, ("A", 5), ("B", 2)))
    f.send(msg(2, FeedKind.SNAPSHOT, ("A", 1), complete=True))
    assert (f.level("A"), f.level("B")) == (1, 0)


def test_a_delta_below_zero_is_refused_whole():
    f = Feeder()
    f.send(msg(1, FeedKind.SNAPSHOT, ("A", 1), ("B", 1)))
    plan = plan_feed(f.book, msg(2, FeedKind.ADJUSTMENT, ("A", -1), ("B", -2)), 1)
    assert [p.sku for p in plan.problems] == ["B"]


@settings(max_examples=100, deadline=None)
@given(
    deltas=st.lists(st.integers(0, 5), min_size=1, max_size=8),
    seed=st.integers(0, 10_000),
    repeats=st.integers(0, 3),
)
def test_replayed_and_shuffled_feeds_end_exactly_right(deltas, seed, repeats):
    """A sender that resends from the expected number after every refusal converges."""
    messages = [msg(1, FeedKind.SNAPSHOT, ("A", 3))] + [msg(i + 2, FeedKind.DELTA, ("A", d)) for i, d in enumerate(deltas)]
    rng = random.Random(seed)
    arrivals = messages + [rng.choice(messages) for _ in range(repeats * len(messages))]
    rng.shuffle(arrivals)
    f = Feeder()
    for m in arrivals:
        f.send(m)
    # The sender resumes from the first number not yet applied.
    for m in messages:
        f.send(m)
    assert f.level("A") == 3 + sum(deltas)
    assert replay(f.entries) == {("DC1", "A"): 3 + sum(deltas)}


def test_shipping_consumes_reservation_and_stock_all_or_nothing():
    b = StockBook()
    b.apply_on_hand([("DC1", "A", 5), ("DC1", "B", 5)])
    b.apply_reserve(b.plan_reserve([ReservationRequest(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=3)]))
    entries, upserts, problems = plan_consumption(
        b, [Consumption(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=2)]
    )
    assert not problems and entries[0].after == 3
    b.apply_on_hand((e.location_id, e.sku, e.after) for e in entries)
    b.apply_reserve_changes(upserts)
    assert b.row("DC1", "A").on_hand == 3 and b.row("DC1", "A").reserved == 1
    _, _, problems = plan_consumption(
        b,
        [
            Consumption(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=1),
            Consumption(order_id="o1", line_number=2, location_id="DC1", sku="B", quantity=1),  # never reserved
        ],
    )
    assert [p.sku for p in problems] == ["B"]


def test_every_change_kind_sums_to_on_hand():
    b = StockBook()
    entries = plan_levels(b, [StockLevelChange(location_id="DC1", sku="A", on_hand=4, safety=0)])
    b.apply_on_hand((e.location_id, e.sku, e.after) for e in entries)
    more = plan_restock(b, [Restock(location_id="DC1", sku="A", quantity=2), Restock(location_id="DC1", sku="A", quantity=1)])
    b.apply_on_hand((e.location_id, e.sku, e.after) for e in more)
    assert b.on_hand[("DC1", "A")] == 7
    assert replay(entries + more) == {("DC1", "A"): 7}


def test_a_shortage_takes_the_reservation_and_what_is_still_on_hand():
    from oms_actors.domain.ledger import EntryKind

    b = StockBook()
    b.apply_on_hand([("DC1", "A", 5)])
    b.apply_reserve(b.plan_reserve([ReservationRequest(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=3)]))
    short = Consumption(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=2, shipment_id="X1", kind=EntryKind.SHORTAGE)
    shipped = Consumption(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=2, shipment_id="X1")
    assert short.ref != shipped.ref  # a shipment and a shortage of one id are two things
    entries, upserts, problems = plan_consumption(b, [short])
    assert not problems and [(e.kind, e.change, e.after) for e in entries] == [(EntryKind.SHORTAGE, -2, 3)]
    b.apply_on_hand((e.location_id, e.sku, e.after) for e in entries)
    b.apply_reserve_changes(upserts)
    assert (b.row("DC1", "A").on_hand, b.row("DC1", "A").reserved) == (3, 1)

    # A count already took the units off and the holdings were made exact first: it still goes
    # through, taking what is left of both, so the step is never stuck.
    b.apply_on_hand([("DC1", "A", 1)])
    later = Consumption(order_id="o1", line_number=1, location_id="DC1", sku="A", quantity=2, shipment_id="X2", kind=EntryKind.SHORTAGE)
    entries, upserts, problems = plan_consumption(b, [later])
    assert not problems and [(e.change, e.after) for e in entries] == [(-1, 0)]
    b.apply_on_hand((e.location_id, e.sku, e.after) for e in entries)
    b.apply_reserve_changes(upserts)
    assert (b.row("DC1", "A").on_hand, b.row("DC1", "A").reserved) == (0, 0)
