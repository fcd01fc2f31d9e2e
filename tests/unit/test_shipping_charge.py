"""The shipping charge: part of the total, owed unless every unit is cancelled first, carried by the first shipment."""

from __future__ import annotations

from oms_actors.domain.commands import ShippingCharge
from oms_actors.domain.order import LineAllocation, Order, SourcingResult
from tests.unit.test_order_state import command, eur

SHIPPING = ShippingCharge(amount=eur(495), tax_rate_bps=1_900)


def with_shipping() -> Order:
    order = Order.accept(command(shipping=SHIPPING), order_id="O1", now_ms=1000)
    result = SourcingResult(
        order_id="O1",
        allocations={1: (LineAllocation(location_id="DC1", quantity=2),), 2: (LineAllocation(location_id="DC2", quantity=1),)},
    )
    return order.apply_sourcing(result, now_ms=2000).approve(by="risk-rules", now_ms=3000).release(now_ms=3001)


def test_the_charge_is_part_of_the_total_and_of_what_is_owed():
    assert command(shipping=SHIPPING).total() == eur(2_250 + 495)
    order = with_shipping()
    assert order.shipping == SHIPPING and order.total == eur(2_745) and order.payable == 2_745
    # A request with a charge is another request than the same one without.
    assert command(shipping=SHIPPING).content_hash() != command().content_hash()


def test_the_first_shipment_carries_the_charge_and_no_other_does():
    first = with_shipping().ship(shipment_id="S1", location_id="DC2", quantities={2: 1}, now_ms=4000)
    second = first.ship(shipment_id="S2", location_id="DC1", quantities={1: 2}, now_ms=4100)
    s1, s2 = second.shipments
    assert (s1.value, s1.shipping) == (250 + 495, 495)
    assert (s2.value, s2.shipping) == (2_000, 0)
    assert sum(s.value for s in second.shipments) == second.payable == second.total.amount_minor


def test_nothing_is_owed_for_shipping_once_every_unit_is_cancelled_before_any_shipped():
    assert with_shipping().cancel(reason="changed mind", now_ms=5000).payable == 0
    # Once something shipped, the charge stays owed whatever is cancelled after.
    part = with_shipping().ship(shipment_id="S1", location_id="DC2", quantities={2: 1}, now_ms=4000)
    assert part.cancel(reason="rest not wanted", now_ms=5000).payable == 250 + 495
    # Some lines cancelled, others still to ship: the charge stays with them.
    assert with_shipping().cancel_lines([2], reason="not wanted", now_ms=5000).payable == 2_000 + 495
