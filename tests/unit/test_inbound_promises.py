"""Promises against inbound supply: held like reservations, never more than is coming, kept
when it arrives (first promised first), given up last-promised-first when it is cut; orders
release only what is on hand."""

from __future__ import annotations

import pytest

from oms_actors.domain.enums import LineStatus, OrderStatus
from oms_actors.domain.inbound import add_days, days_between, is_promise, promise_site, split_site
from oms_actors.domain.order import LineAllocation, SourcingResult
from oms_actors.domain.stock import Reservation, ReservationKey, ReservationRequest, StockBook, StockLevelChange
from tests.unit.test_order_state import accepted

DAY = "2026-12-03"
SITE = promise_site("DC1", DAY)


def book(on_hand: int = 0, expected: int = 5) -> StockBook:
    b = StockBook()
    b.apply_stock_levels([StockLevelChange(location_id="DC1", sku="A", on_hand=on_hand, safety=0)])
    b.apply_inbound([("DC1", "A", DAY, expected)])
    return b


def promise(b: StockBook, order: str, qty: int, line: int = 1) -> None:
    plan = b.plan_reserve([ReservationRequest(order_id=order, line_number=line, location_id=SITE, sku="A", quantity=qty)])
    assert plan.refused == {}
    b.apply_reserve(plan)


def key(order: str, loc: str, line: int = 1) -> ReservationKey:
    return ReservationKey(order_id=order, line_number=line, location_id=loc)


def held(b: StockBook) -> dict[tuple[str, str], int]:
    return {(k.order_id, k.location_id): r.quantity for k, r in b.reservations.items()}


def test_promise_sites_name_a_location_and_a_day():
    assert (SITE, split_site(SITE), is_promise(SITE), is_promise("DC1")) == ("DC1^2026-12-03", ("DC1", DAY), True, False)
    assert split_site("DC1") == ("DC1", "")
    assert (days_between("2026-11-27", DAY), days_between(DAY, "2026-11-27"), add_days("2026-11-27", 6)) == (6, 0, DAY)


def test_promises_are_held_against_the_units_expected_that_day_and_never_more():
    b = book(on_hand=0, expected=5)
    promise(b, "O1", 3)
    assert b.row(SITE, "A").reserved == 3 and b.row(SITE, "A").available == 2
    assert b.row("DC1", "A").reserved == 0  # stock on hand is untouched
    refused = b.plan_reserve([ReservationRequest(order_id="O2", line_number=1, location_id=SITE, sku="A", quantity=3)])
    assert set(refused.refused) == {"O2"} and "2 available" in refused.refused["O2"][0].reason
    # What sourcing may still promise: the rest of the day's supply, an order's own promise counting as free to it.
    assert b.inbound_rows(["A"], DAY) == [(SITE, "A", 2)]
    assert b.inbound_rows(["A"], DAY, credit=["O1"]) == [(SITE, "A", 5)]
    assert b.inbound_rows(["A"], "2026-12-02") == []  # beyond the horizon


def test_a_receipt_turns_promises_into_reservations_of_what_arrived_first_promised_first():
    b = book(on_hand=1, expected=5)
    promise(b, "O1", 2)
    promise(b, "O2", 2)
    plan = b.plan_receipt([("DC1", "A", DAY, 3, "r1")])
    assert plan.kept == [("O1", 1, "DC1", 2), ("O2", 1, "DC1", 1)]
    assert plan.inbound == [("DC1", "A", DAY, 2)] and plan.entries == [("DC1", "A", 3, 4, "r1")]
    b.apply_on_hand([("DC1", "A", 4)])
    b.apply_reserve_changes(plan.reservations)
    b.apply_inbound(plan.inbound)
    b.consumed.update(plan.refs)
    assert held(b) == {("O1", "DC1"): 2, ("O2", "DC1"): 1, ("O2", SITE): 1}
    # Never oversold: on hand covers what is reserved there, what is expected covers what is promised.
    assert b.row("DC1", "A").reserved == 3 <= b.row("DC1", "A").on_hand == 4
    assert b.row(SITE, "A").reserved == 1 <= b.row(SITE, "A").on_hand == 2
    # The same receipt again changes nothing.
    again = b.plan_receipt([("DC1", "A", DAY, 3, "r1")])
    assert (again.entries, again.reservations, again.kept, again.inbound) == ([], {}, [], [])


def test_more_arriving_than_expected_keeps_every_promise_and_clears_the_day():
    b = book(on_hand=0, expected=2)
    promise(b, "O1", 2)
    plan = b.plan_receipt([("DC1", "A", DAY, 5, "r1")])
    assert plan.kept == [("O1", 1, "DC1", 2)] and plan.inbound == [("DC1", "A", DAY, 0)]
    assert plan.reservations == {key("O1", SITE): Reservation(sku="A", quantity=0), key("O1", "DC1"): Reservation(sku="A", quantity=2)}


def test_supply_cut_below_its_promises_gives_up_the_last_promised_first():
    b = book(expected=6)
    promise(b, "O1", 2)
    promise(b, "O2", 3)
    changes, orders = b.plan_inbound([("DC1", "A", DAY, 3)])
    assert orders == {"O2"} and changes == {key("O2", SITE): Reservation(sku="A", quantity=1)}
    changes, orders = b.plan_inbound([("DC1", "A", DAY, 0)])
    assert orders == {"O1", "O2"} and {k.order_id: r.quantity for k, r in changes.items()} == {"O1": 0, "O2": 0}
    assert b.plan_inbound([("DC1", "A", DAY, 9)]) == ({}, set())


def promised_order(on_hand: int, promised: int):
    parts = tuple(
        a for a in (LineAllocation(location_id="DC1", quantity=on_hand), LineAllocation(location_id=SITE, quantity=promised))
        if a.quantity
    )
    result = SourcingResult(order_id="O1", allocations={1: parts, 2: (LineAllocation(location_id="DC2", quantity=1),)})
    return accepted().apply_sourcing(result, now_ms=2000).approve(by="risk-rules", now_ms=3000)


@pytest.mark.parametrize(
    "on_hand, promised, line_status, order_status",
    [
        (1, 1, LineStatus.PARTLY_BACKORDERED, OrderStatus.PARTLY_BACKORDERED),
        (0, 2, LineStatus.BACKORDERED, OrderStatus.PARTLY_BACKORDERED),
    ],
)
def test_an_order_releases_what_is_on_hand_and_counts_promised_units_as_backordered(on_hand, promised, line_status, order_status):
    order = promised_order(on_hand, promised)
    released = order.release(now_ms=3001)
    line = released.line(1)
    assert (line.status, released.status) == (line_status, order_status)
    assert (line.backordered_quantity, line.promised_quantity, line.allocated_quantity) == (promised, promised, 2)
    assert line.released == ((LineAllocation(location_id="DC1", quantity=on_hand),) if on_hand else ())
    assert not released.release_due and "release" not in released.pending  # nothing left to release until it arrives
    assert released.units_by_location() == ({"DC1": on_hand, "DC2": 1} if on_hand else {"DC2": 1})
    assert (1, SITE, "A", promised) in released.holdings()  # the promise is held like a reservation


def test_once_the_supply_arrives_the_units_are_sourced_on_hand_and_released():
    order = promised_order(1, 1).release(now_ms=3001)
    arrived = order.apply_sourcing(
        SourcingResult(order_id="O1", allocations={1: (LineAllocation(location_id="DC1", quantity=2),), 2: order.line(2).allocations}),
        now_ms=4000,
    )
    assert arrived.release_due
    released = arrived.release(now_ms=4001)
    assert released.status is OrderStatus.RELEASED and released.line(1).promised_quantity == 0


def test_a_promise_made_moved_or_ended_is_an_event_and_nothing_else_is():
    from oms_actors.domain.events import order_events

    made = promised_order(1, 1)
    events = [e for e in order_events(accepted(), made) if e.type == "line.promise_changed"]
    assert [e.data for e in events] == [
        {"line_number": "1", "sku": "A", "promised": "1", "expected_on": DAY, "from": f"DC1 {DAY}: 1"}
    ]
    released = made.release(now_ms=3001)
    assert not [e for e in order_events(made, released) if e.type == "line.promise_changed"]
    kept = released.apply_sourcing(
        SourcingResult(order_id="O1", allocations={1: (LineAllocation(location_id="DC1", quantity=2),), 2: released.line(2).allocations}),
        now_ms=4000,
    )
    [ended] = [e for e in order_events(released, kept) if e.type == "line.promise_changed"]
    assert (ended.data["promised"], ended.data["expected_on"], ended.data["from"]) == ("0", "", "")
