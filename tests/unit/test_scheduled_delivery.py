"""An order for a later day (deliver_from): reserved at once, released on the day its units
must leave to arrive then, and promised that day at the earliest."""

from __future__ import annotations

import datetime as dt

from oms_actors.domain.commands import Address
from oms_actors.domain.delivery import Promiser
from oms_actors.domain.enums import OrderStatus
from oms_actors.domain.order import STEP_RELEASE, Order
from tests.unit.test_delivery_promises import BERLIN, MADRID, WEDNESDAY, at, location, plan
from tests.unit.test_order_state import command


def test_an_order_for_a_later_day_is_reserved_now_released_when_it_must_leave_and_promised_that_day():
    from oms_actors.domain.events import order_events

    network = {"BER": location("BER", BERLIN), "MAD": location("MAD", MADRID)}
    wednesday = Promiser(network, at(WEDNESDAY, 10))
    to_berlin = Address(latitude=BERLIN[0], longitude=BERLIN[1])
    later = Order.accept(command(ship_to=to_berlin, deliver_from="2026-12-10"), order_id="O1", now_ms=at(WEDNESDAY, 9))
    assert later.scheduled and order_events(None, later)[0].data["deliver_from"] == "2026-12-10"
    held = later.apply_sourcing(plan(l1=[("BER", 2)], l2=[("MAD", 1)]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    # Berlin's units would come Thursday, Madrid's Monday: both are promised the day asked for.
    assert [line.promised_on for line in held.lines] == ["2026-12-10", "2026-12-10"]
    approved = held.approve(by="risk-rules", now_ms=at(WEDNESDAY, 10))
    assert approved.status is OrderStatus.ALLOCATED and not approved.release_due and STEP_RELEASE not in approved.pending
    # Madrid's units take four days on the road: they must leave on the 4th; nothing is due before.
    assert not approved.due_for_release(wednesday, "2026-12-03")
    assert approved.due_for_release(wednesday, "2026-12-04") and approved.due_for_release(wednesday, "2026-12-11")
    gone = approved.let_go(now_ms=at(dt.date(2026, 12, 4), 6))
    assert not gone.scheduled and gone.release_due and STEP_RELEASE in gone.pending
    assert gone.let_go(now_ms=1) is gone and not gone.due_for_release(wednesday, "2026-12-20")
    # Nothing held anywhere: its day itself lets it go, to be released once stock comes.
    waiting = later.apply_sourcing(plan(l1=[], l2=[]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    assert not waiting.due_for_release(wednesday, "2026-12-09") and waiting.due_for_release(wednesday, "2026-12-10")
    # The customer's day is part of the request.
    assert command(deliver_from="2026-12-10").content_hash() != command().content_hash()


def test_a_later_day_moves_every_promise_calls_released_units_back_and_none_releases_it_but_not_once_shipped():
    import pytest

    from oms_actors.domain.errors import FailedPreconditionError, ValidationError

    wednesday = Promiser({"BER": location("BER", BERLIN)}, at(WEDNESDAY, 10))
    to_berlin = Address(latitude=BERLIN[0], longitude=BERLIN[1])
    later = Order.accept(command(ship_to=to_berlin, deliver_from="2026-12-10"), order_id="O1", now_ms=at(WEDNESDAY, 9))
    held = later.apply_sourcing(plan(l1=[("BER", 2)], l2=[("BER", 1)]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    held = held.approve(by="risk-rules", now_ms=at(WEDNESDAY, 10))
    moved = held.reschedule("2026-12-18", now_ms=at(WEDNESDAY, 11), promiser=wednesday)
    assert moved.deliver_from == "2026-12-18" and moved.scheduled and moved.promised_on == "2026-12-18"
    assert [line.allocations for line in moved.lines] == [line.allocations for line in held.lines]  # stock stays
    assert moved.reschedule("2026-12-18", now_ms=1, promiser=wednesday) is moved
    at_once = moved.reschedule("", now_ms=at(WEDNESDAY, 12), promiser=wednesday)
    assert not at_once.scheduled and at_once.release_due and at_once.promised_on == "2026-11-26"
    released = at_once.release(now_ms=at(WEDNESDAY, 12))
    # Released, not shipped: called back from the location until the new day; the stock stays.
    again = released.reschedule("2026-12-20", now_ms=at(WEDNESDAY, 13), promiser=wednesday)
    assert again.scheduled and not any(line.released for line in again.lines) and again.promised_on == "2026-12-20"
    assert [line.allocations for line in again.lines] == [line.allocations for line in released.lines]
    assert again.status is OrderStatus.ALLOCATED and not again.works_at("BER")
    shipped = released.ship(shipment_id="S1", location_id="BER", quantities={1: 2}, now_ms=at(WEDNESDAY, 14))
    with pytest.raises(FailedPreconditionError) as refused:
        shipped.reschedule("2026-12-20", now_ms=at(WEDNESDAY, 15), promiser=wednesday)
    assert refused.value.code == "ALREADY_SHIPPED"
    bounded = Order.accept(command(ship_to=to_berlin, deliver_by="2026-12-05"), order_id="O2", now_ms=at(WEDNESDAY, 9))
    with pytest.raises(ValidationError):
        bounded.reschedule("2026-12-06", now_ms=at(WEDNESDAY, 10), promiser=wednesday)
