"""The shipping charge: part of the total, owed unless every unit is cancelled first, carried by the first shipment."""

from __future__ import annotations

from oms_actors.domain.commands import PaymentInstruction, ShippingCharge
from oms_actors.domain.enums import PaymentMethod
from oms_actors.domain.fulfilment import ShipmentCapture
from oms_actors.domain.order import LineAllocation, Order, SourcingResult
from oms_actors.domain.returns import Resolution
from tests.unit.test_order_state import command, eur, sourced

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


def delivered_with_shipping() -> Order:
    """Card-paid, both lines shipped and delivered: S1 (line 1, with the charge), then S2 (line 2)."""
    return shipped_with_shipping(deliver=True)


def shipped_with_shipping(*, deliver: bool = False, **kw) -> Order:
    """Card-paid, both lines shipped, each captured and invoiced: S1 (line 1 ×2, with the
    charge), then S2 (line 2 ×1); each delivered half a second after it left if ``deliver``.
    ``kw``: more of the order's command."""
    order = Order.accept(
        command(
            shipping=SHIPPING, payments=(PaymentInstruction(method=PaymentMethod.CARD, amount=eur(2_745), token="tok_1"),), **kw
        ),
        order_id="O1",
        now_ms=1000,
    )
    order = sourced(2, 1, order)
    records = tuple(p.with_(authorization_id="A1", authorized=2_745) for p in order.payment_records)
    order = order.record_authorizations(records, now_ms=2100).approve(by="risk-rules", now_ms=2200).release(now_ms=2201)
    captured = 0
    for sid, loc, qty, at in (("S1", "DC1", {1: 2}, 3000), ("S2", "DC2", {2: 1}, 3500)):
        order = order.ship(shipment_id=sid, location_id=loc, quantities=qty, now_ms=at)
        value = order.shipment(sid).value
        captured += value
        order = order.record_capture(
            sid,
            captures=(ShipmentCapture(payment_id="P1", amount=value, capture_id=f"C-{sid}"),),
            records=tuple(p.with_(captured=captured) for p in order.payment_records),
            invoice_number=f"INV-{sid}",
            now_ms=at + 100,
        )
        if deliver:
            order = order.deliver(sid, now_ms=at + 500)
    return order


def returned(order: Order, rid: str, lines: dict, at: int) -> Order:
    order = order.request_return(
        return_id=rid, lines=lines, channel="web", location_id="DC1", window_ms=30 * 86_400_000,
        non_returnable=frozenset(), now_ms=at,
    )  # fmt: skip
    order = order.receive_return(rid, location_id="DC1", quantities={n: q for n, (q, _, _) in lines.items()}, now_ms=at + 1)
    return order.inspect_return(rid, dispositions={}, now_ms=at + 2)


def resolved(order: Order, rid: str) -> Order:
    plan = tuple(order.refund_plan(rid))
    return order.record_resolution(rid, refunds=plan, store_credit=0, credit_notes=(), replacement_order_id="", now_ms=9000)


def test_the_charge_goes_back_with_the_last_of_the_whole_order_returned_for_a_refund():
    order = delivered_with_shipping()
    assert [s.shipping for s in order.shipments] == [495, 0]
    first = returned(order, "R1", {1: (2, "too small", Resolution.REFUND)}, 5000)
    assert [(p.shipment_id, p.amount, p.charge) for p in first.refund_plan("R1")] == [("S1", 2_000, "")]
    first = resolved(first, "R1")
    last = returned(first, "R2", {2: (1, "not wanted", Resolution.REFUND)}, 6000)
    plan = last.refund_plan("R2")
    assert [(p.shipment_id, p.amount, p.charge, p.line_number) for p in plan] == [("S2", 250, "", 2), ("S1", 495, "shipping", 0)]
    done = resolved(last, "R2")
    assert done.payment_records[0].refunded == 2_745 and done.return_("R2").lines[0].refunded == 250
    # One return of everything gives it back at once.
    everything = returned(delivered_with_shipping(), "R1", {1: (2, "x", Resolution.REFUND), 2: (1, "x", Resolution.REFUND)}, 5000)
    assert sum(p.amount for p in everything.refund_plan("R1")) == 2_745


def test_the_charge_stays_when_the_customer_keeps_anything():
    kept = returned(delivered_with_shipping(), "R1", {1: (1, "x", Resolution.REFUND), 2: (1, "x", Resolution.REFUND)}, 5000)
    assert not [p for p in kept.refund_plan("R1") if p.charge]
    # Exchanged rather than refunded: the customer keeps an item, so no withdrawal.
    swapped = returned(delivered_with_shipping(), "R1", {1: (2, "x", Resolution.REFUND), 2: (1, "x", Resolution.REPLACEMENT)}, 5000)
    assert not [p for p in swapped.refund_plan("R1") if p.charge]
