"""Backorders given up: units still waiting for stock the routing rules' days after their order
was placed are cancelled, and nothing else of the order is touched. Pure."""

from __future__ import annotations

import pytest

from gateway.convert import Violations, routing_rules_from_proto, routing_rules_to_proto
from oms_actors.domain.enums import OrderStatus
from oms_actors.domain.errors import ValidationError
from oms_actors.domain.events import order_events
from oms_actors.domain.order import BACKORDER_EXPIRED, LineAllocation, SourcingResult
from optimizer import RoutingRules
from protos.oms.v1 import inventory_pb2
from tests.unit.test_order_state import accepted, approved, sourced

DAY = 86_400_000


def test_only_units_held_nowhere_and_promised_no_day_are_given_up_after_the_days():
    order = approved(1, 1)  # line 1: 1 of 2 units at DC1 (1 waits); line 2: its 1 unit at DC2
    assert order.status is OrderStatus.PARTLY_BACKORDERED and order.waiting_units() == {1: 1}
    placed = order.created_at_ms
    assert not order.backorder_expired(placed + 14 * DAY - 1, 14 * DAY)
    assert order.backorder_expired(placed + 14 * DAY, 14 * DAY)
    given_up = order.cancel_backorders(now_ms=placed + 14 * DAY)
    line1, line2 = given_up.lines
    assert (line1.active, line1.cancelled, line1.allocated_quantity, line2.active) == (1, 1, 1, 1)
    assert given_up.waiting_units() == {} and given_up.status is OrderStatus.RELEASED
    assert not given_up.backorder_expired(placed + 30 * DAY, 14 * DAY)
    assert given_up.cancel_backorders(now_ms=placed + 30 * DAY) is given_up  # nothing left waiting: no change
    assert ("order.cancelled", {"reason": BACKORDER_EXPIRED}) in [(e.type, e.data) for e in order_events(order, given_up)]


def test_an_order_with_nothing_held_is_cancelled_and_promised_or_held_ones_are_left_alone():
    nothing = sourced(0, 0).approve(by="risk-rules", now_ms=3000)
    assert nothing.status is OrderStatus.BACKORDERED
    cancelled = nothing.cancel_backorders(now_ms=10 * DAY)
    assert cancelled.status is OrderStatus.CANCELLED and all(line.active == 0 for line in cancelled.lines)
    # Units promised from supply on its way have a day: they are not waiting without one.
    promise = SourcingResult(
        order_id="O1",
        allocations={
            1: (LineAllocation(location_id="DC1|PO-7|2026-12-01", quantity=2),),
            2: (LineAllocation(location_id="DC2", quantity=1),),
        },
    )
    promised = accepted().apply_sourcing(promise, now_ms=2000).approve(by="risk-rules", now_ms=3000)
    assert promised.waiting_units() == {} and not promised.backorder_expired(10**13, DAY)
    # Held for review: the reviewer decides, not the clock. Not sourced yet: sourcing first.
    held = sourced(1, 1).hold(reasons=("first order",), by="risk-rules", now_ms=3000)
    assert held.waiting_units() and not held.backorder_expired(10**13, DAY)
    assert not accepted().backorder_expired(10**13, DAY)


def test_the_days_are_a_routing_rule_stored_and_read_back_and_checked():
    rules = RoutingRules(backorder_cancel_days=14)
    assert RoutingRules.from_dict(rules.to_dict()) == rules
    assert "backorder_cancel_days" not in RoutingRules().to_dict()  # rules stored before read the same
    v = Violations()
    doc = routing_rules_from_proto(routing_rules_to_proto(rules), v)
    assert RoutingRules.from_dict(doc).backorder_cancel_days == 14
    v.raise_if_any()
    for bad in (-1, 367):
        v = Violations()
        routing_rules_from_proto(inventory_pb2.RoutingRules(backorder_cancel_after_days=bad), v)
        with pytest.raises(ValidationError) as info:
            v.raise_if_any()
        assert {f.field for f in info.value.violations} == {"backorder_cancel_after_days"}


def test_an_order_for_a_later_day_waits_for_stock_from_that_day_not_from_when_it_was_placed():
    from oms_actors.domain.records import evolve

    order = evolve(approved(1, 1), deliver_from="1970-01-31")  # placed on 1 January 1970, for the 31st
    assert order.waiting_units() == {1: 1}
    day = 30 * DAY  # the 31st began
    assert not order.backorder_expired(order.created_at_ms + 14 * DAY, 14 * DAY)  # placed 14 days ago: it is not even due
    assert not order.backorder_expired(day + 14 * DAY - 1, 14 * DAY)
    assert order.backorder_expired(day + 14 * DAY, 14 * DAY)
