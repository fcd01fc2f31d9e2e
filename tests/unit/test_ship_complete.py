"""An order sent in one parcel: sourced from one location, released only once it holds every
unit, promised the day its last unit can arrive, and called back whole when a location falls short."""

from __future__ import annotations

import dataclasses

import pytest

import optimizer
from oms_actors.domain.commands import Address
from oms_actors.domain.delivery import Promiser
from oms_actors.domain.enums import OrderStatus
from oms_actors.domain.fulfilment import ShortageReason
from oms_actors.domain.order import STEP_RELEASE, STEP_SHORTAGE, LineAllocation, Order
from oms_actors.domain.sourcing import SourcingRequest
from oms_actors.sourcing_worker import to_demand
from optimizer.errors import InstanceError
from tests.unit.test_delivery_promises import BERLIN, MADRID, WEDNESDAY, at, location, plan
from tests.unit.test_order_state import command


def together(**kw) -> Order:
    return Order.accept(command(ship_complete=True, **kw), order_id="O1", now_ms=1000)


def test_nothing_is_released_while_a_unit_waits_and_all_of_it_once_one_location_holds_it():
    # Line 1 (2 x A) held at DC1, line 2 (1 x B) waiting for stock.
    waiting = together().apply_sourcing(plan(l1=[("DC1", 2)], l2=[]), now_ms=2000).approve(by="risk-rules", now_ms=3000)
    assert waiting.status is OrderStatus.PARTLY_BACKORDERED
    assert not waiting.held_whole and not waiting.release_due and STEP_RELEASE not in waiting.pending
    # The same plan for an order that may be split: line 1 goes at once.
    split = Order.accept(command(), order_id="O1", now_ms=1000).apply_sourcing(plan(l1=[("DC1", 2)], l2=[]), now_ms=2000)
    assert split.approve(by="risk-rules", now_ms=3000).release_due
    # Sourced again once DC2 holds all of it: released there, every unit in one go.
    whole = waiting.apply_sourcing(plan(l1=[("DC2", 2)], l2=[("DC2", 1)]), now_ms=4000)
    assert whole.held_whole and STEP_RELEASE in whole.pending
    released = whole.release(now_ms=4001)
    assert [line.released for line in released.lines] == [
        (LineAllocation(location_id="DC2", quantity=2),),
        (LineAllocation(location_id="DC2", quantity=1),),
    ]
    # A unit cancelled while the rest waits: what is left, all held, goes.
    fewer = waiting.reduce_lines({2: 0}, reason="not wanted", now_ms=5000)
    assert fewer.held_whole and fewer.release_due


def test_a_unit_promised_from_supply_on_its_way_keeps_the_rest_waiting():
    from oms_actors.domain.inbound import promise_site

    order = together().apply_sourcing(
        plan(l1=[("DC1", 2)], l2=[(promise_site("DC1", "2026-12-01"), 1)]), now_ms=2000
    ).approve(by="risk-rules", now_ms=3000)  # fmt: skip
    assert order.lines[1].allocated_quantity == 1 and not order.held_whole and not order.release_due


def test_every_line_is_promised_the_day_the_last_can_arrive_and_none_while_a_unit_waits():
    network = {"BER": location("BER", BERLIN), "MAD": location("MAD", MADRID)}
    wednesday = Promiser(network, at(WEDNESDAY, 10))
    berlin_to = dict(ship_to=Address(latitude=BERLIN[0], longitude=BERLIN[1]))
    waiting = together(**berlin_to).apply_sourcing(plan(l1=[("BER", 2)], l2=[]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    assert [line.promised_on for line in waiting.lines] == [None, None]  # line 1 alone would be told Thursday
    # One location cannot hold lines from two; still, should a plan ever carry them, the parcel
    # is as late as its farthest unit: Madrid's Monday, not Berlin's Thursday.
    both = waiting.apply_sourcing(plan(l1=[("BER", 2)], l2=[("MAD", 1)]), now_ms=at(WEDNESDAY, 10), promiser=wednesday)
    assert [line.promised_on for line in both.lines] == ["2026-11-30", "2026-11-30"]
    assert both.promised_on == "2026-11-30"
    # Split, each line is told its own day.
    split = Order.accept(command(**berlin_to), order_id="O1", now_ms=at(WEDNESDAY, 9)).apply_sourcing(
        plan(l1=[("BER", 2)], l2=[("MAD", 1)]), now_ms=at(WEDNESDAY, 10), promiser=wednesday
    )
    assert [line.promised_on for line in split.lines] == ["2026-11-26", "2026-11-30"]
    # A promised unit found missing and nowhere else: every line's estimate goes, not line 2's alone.
    short = (
        both.approve(by="risk-rules", now_ms=at(WEDNESDAY, 10)).release(now_ms=at(WEDNESDAY, 10))
        .report_shortage(shortage_id="S1", location_id="MAD", quantities={2: 1}, reason=ShortageReason.MISSING,
                         now_ms=at(WEDNESDAY, 11))
    )  # fmt: skip
    lost = short.apply_sourcing(plan(l1=[("BER", 2)], l2=[]), now_ms=at(WEDNESDAY, 11), promiser=wednesday)
    assert [line.estimated_on for line in lost.lines] == [None, None]
    assert [line.promised_on for line in lost.lines] == ["2026-11-30", "2026-11-30"]  # what it was told stands


@pytest.mark.parametrize("reason", [ShortageReason.MISSING, ShortageReason.DECLINED])
def test_a_shortage_calls_the_rest_back_so_the_whole_order_is_sourced_again(reason):
    released = (
        together().apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
        .approve(by="risk-rules", now_ms=3000).release(now_ms=3001)
    )  # fmt: skip
    short = released.report_shortage(shortage_id="S1", location_id="DC1", quantities={1: 1}, reason=reason, now_ms=4000)
    assert [line.released_quantity for line in short.lines] == [0, 0]  # line 2 comes back too
    # Line 2's unit stays reserved at DC1 until sourcing moves it; the short unit does not.
    assert [line.allocated_quantity for line in short.lines] == [1, 1]
    assert (STEP_SHORTAGE + "S1" in short.pending) is (reason is ShortageReason.MISSING)
    request = SourcingRequest.of(short)
    assert request.ship_complete and [sl.quantity for sl in request.lines] == [2, 1] and not any(sl.kept for sl in request.lines)
    # An order that may be split keeps line 2 with DC1.
    split = (
        Order.accept(command(), order_id="O1", now_ms=1000).apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
        .approve(by="risk-rules", now_ms=3000).release(now_ms=3001)
        .report_shortage(shortage_id="S1", location_id="DC1", quantities={1: 1}, reason=reason, now_ms=4000)
    )  # fmt: skip
    assert [line.released_quantity for line in split.lines] == [1, 1]


def test_the_choice_is_part_of_the_request_and_of_the_stored_order():
    plain, asked = command(), command(ship_complete=True)
    assert plain.content_hash() != asked.content_hash()  # the same key with the other choice is another request
    assert together().ship_complete and not Order.accept(plain, order_id="O1", now_ms=1).ship_complete
    # Whoever follows the event stream (a warehouse system) is told with the order's creation.
    from oms_actors.domain.events import order_events

    [created] = order_events(None, together())
    assert created.type == "order.created" and created.data["ship_complete"] == "true"
    assert "ship_complete" not in order_events(None, Order.accept(plain, order_id="O1", now_ms=1))[0].data


SITES = {
    "NEAR": optimizer.Site(id="NEAR", type=optimizer.LocationType.WAREHOUSE, lat=52.5, lon=13.4, shipment_cost=500),
    "FAR": optimizer.Site(
        id="FAR", type=optimizer.LocationType.WAREHOUSE, lat=48.1, lon=11.6, shipment_cost=500, unit_handling_cost=1000
    ),
}


def test_the_optimizer_sends_an_order_capped_at_one_shipment_from_one_location():
    # 2 x A and 1 x B to Berlin: A at both, B at FAR only. A costs more to pick at FAR, so the
    # cheapest plan splits: A from NEAR, B from FAR (2,000 against 3,500 all from FAR).
    demand = to_demand(SourcingRequest.of(together()), {})
    assert demand.max_shipments == 1
    stock = {("NEAR", "A"): 2, ("FAR", "A"): 2, ("FAR", "B"): 1}
    rules = optimizer.RoutingRules()
    plain = to_demand(SourcingRequest.of(Order.accept(command(), order_id="O1", now_ms=1)), {})
    [split] = optimizer.source_orders([plain], SITES, stock, rules)
    assert {a.location for a in split.plan.allocations if a.qty} == {"NEAR", "FAR"}
    [whole] = optimizer.source_orders([demand], SITES, stock, rules)
    assert {(a.sku, a.location, a.qty) for a in whole.plan.allocations if a.qty} == {("A", "FAR", 2), ("B", "FAR", 1)}
    # The routing rules' cap still holds where it is lower; the order's cannot lift it.
    assert optimizer.source_orders([demand], SITES, stock, optimizer.RoutingRules(max_shipments=1))[0].plan == whole.plan
    with pytest.raises(InstanceError) as bad:
        optimizer.source_orders([dataclasses.replace(demand, max_shipments=0)], SITES, stock, rules)
    assert bad.value.field == "demands[0].max_shipments"


def test_a_location_confirms_all_it_was_sent_of_an_order_in_one_parcel_or_nothing():
    from oms_actors.domain.errors import FailedPreconditionError

    released = (
        together().apply_sourcing(plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000)
        .approve(by="risk-rules", now_ms=3000).release(now_ms=3001)
    )  # fmt: skip
    for part in ({1: 2}, {1: 1, 2: 1}):
        with pytest.raises(FailedPreconditionError) as refused:
            released.ship(shipment_id="S1", location_id="DC1", quantities=part, now_ms=4000)
        assert refused.value.code == "SHIP_COMPLETE"
    whole = released.ship(shipment_id="S1", location_id="DC1", quantities={1: 2, 2: 1}, now_ms=4000)
    assert whole.status is OrderStatus.SHIPPED and len(whole.shipments) == 1
    # An order that may be split ships what is ready.
    split = Order.accept(command(), order_id="O1", now_ms=1000).apply_sourcing(
        plan(l1=[("DC1", 2)], l2=[("DC1", 1)]), now_ms=2000
    ).approve(by="risk-rules", now_ms=3000).release(now_ms=3001)  # fmt: skip
    assert split.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, now_ms=4000).status is OrderStatus.PARTLY_SHIPPED

