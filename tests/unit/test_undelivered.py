"""Parcels that come back undelivered: refused, address unknown, a pickup never collected, lost.

The shipment is returned (or lost), its units settled without a delivery, and a return of
the whole parcel is recorded received at once (a lost one: with nothing to receive), resolved
by a refund, store credit or a replacement.
"""

from __future__ import annotations

import pytest

from oms_actors.domain.commands import Address
from oms_actors.domain.enums import DeliveryMode, LineStatus, OrderStatus
from oms_actors.domain.errors import FailedPreconditionError
from oms_actors.domain.events import order_events
from oms_actors.domain.fulfilment import ShipmentStatus, UndeliveredReason
from oms_actors.domain.order import STEP_RESOLVE, Order
from oms_actors.domain.records import evolve
from oms_actors.domain.return_report import counts
from oms_actors.domain.returns import Disposition, Resolution, ReturnReason, ReturnStatus
from tests.unit.test_order_state import command, sourced
from tests.unit.test_shipping_charge import shipped_with_shipping

HOME = Address(lines=("Hauptstr. 1",), city="Berlin", postal_code="10115", country_code="DE", latitude=52.5, longitude=13.4)


def shipped_and_captured() -> Order:
    """Both lines on their way, captured and invoiced, nothing delivered yet (S1: line 1, with
    the shipping charge; S2: line 2), shipped to a full address."""
    return shipped_with_shipping(ship_to=HOME)


def back(
    order: Order, sid: str, rid: str, *, reason=UndeliveredReason.REFUSED, resolution=Resolution.REFUND, at: int = 5000, **kw
) -> Order:
    return order.return_undelivered(sid, return_id=rid, reason=reason, resolution=resolution, location_id="DC1", now_ms=at, **kw)


def resolved(order: Order, rid: str, at: int = 9000) -> Order:
    plan = tuple(order.refund_plan(rid))
    return order.record_resolution(rid, refunds=plan, store_credit=0, credit_notes=(), replacement_order_id="", now_ms=at)


def test_a_refused_parcel_is_returned_received_and_its_money_goes_back_from_its_own_shipment_first():
    order = back(shipped_and_captured(), "S1", "R1")
    s1 = order.shipment("S1")
    assert (s1.status, s1.returned_at_ms, s1.undelivered_reason) == (ShipmentStatus.RETURNED, 5000, "refused")
    record = order.return_("R1")
    assert record.status is ReturnStatus.RECEIVED and record.shipment_id == "S1"
    assert [(rl.line_number, rl.quantity, rl.received, rl.reason_code) for rl in record.lines] == [
        (1, 2, 2, ReturnReason.UNDELIVERED.value)
    ]
    assert STEP_RESOLVE + "R1" in order.pending  # resolved at once, before the location inspects it
    assert [line.undelivered for line in order.lines] == [2, 0]
    assert order.line(1).status is LineStatus.UNDELIVERED and order.status is OrderStatus.SHIPPED  # S2 still on its way
    # S2 (newer) captured 250, but the money of the parcel that came back comes from S1.
    assert [(p.shipment_id, p.amount, p.charge) for p in order.refund_plan("R1")] == [("S1", 2_000, "")]
    # Nothing of it can be returned by the customer, who never had it.
    assert order.returnable(1) == 0


def test_when_every_parcel_comes_back_the_shipping_charge_goes_back_and_the_order_closes_once_inspected():
    order = resolved(back(shipped_and_captured(), "S1", "R1"), "R1")
    order = back(order, "S2", "R2", at=6000)
    assert order.status is OrderStatus.UNDELIVERED and {line.status for line in order.lines} == {LineStatus.UNDELIVERED}
    plan = order.refund_plan("R2")
    assert [(p.shipment_id, p.amount, p.charge) for p in plan] == [("S2", 250, ""), ("S1", 495, "shipping")]
    order = resolved(order, "R2")
    assert order.payment_records[0].refunded == 2_745
    assert not order.closable(now_ms=10**12, window_ms=0)  # the parcels are not inspected yet
    for rid in ("R1", "R2"):
        order = order.inspect_return(rid, dispositions={1: Disposition.RESTOCK, 2: Disposition.RESTOCK}, now_ms=9500)
        assert order.return_(rid).status is ReturnStatus.RESOLVED
    assert not order.closable(now_ms=10**12, window_ms=0)  # restocking still to do
    for step in order.pending:
        order = order.step_done(step, now_ms=9500)
    # No return window to wait for: nothing was delivered.
    assert order.closable(now_ms=9501, window_ms=30 * 86_400_000)
    assert order.close(now_ms=9600).status is OrderStatus.CLOSED


def test_one_parcel_delivered_and_one_back_makes_a_delivered_order_whose_delivered_units_stay_returnable():
    order = back(shipped_and_captured().deliver("S1", now_ms=4000), "S2", "R1")
    assert order.status is OrderStatus.DELIVERED
    assert [line.status for line in order.lines] == [LineStatus.DELIVERED, LineStatus.UNDELIVERED]
    assert (order.returnable(1), order.returnable(2)) == (2, 0)
    # Not the whole order back: the shipping charge stays.
    assert [(p.shipment_id, p.amount, p.charge) for p in order.refund_plan("R1")] == [("S2", 250, "")]


def test_the_same_report_again_changes_nothing_and_another_under_its_id_is_refused():
    order = back(shipped_and_captured(), "S1", "R1")
    assert back(order, "S1", "R1") is order
    with pytest.raises(FailedPreconditionError) as err:
        back(order, "S1", "R1", resolution=Resolution.STORE_CREDIT)
    assert err.value.code == "RETURN_ID_REUSED"
    with pytest.raises(FailedPreconditionError) as err:
        back(order, "S1", "R2")
    assert err.value.code == "SHIPMENT_RETURNED"
    with pytest.raises(FailedPreconditionError) as err:
        order.deliver("S1", now_ms=6000)
    assert err.value.code == "SHIPMENT_RETURNED"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        (dict(resolution=Resolution.REPAIR), "RESOLUTION_NOT_ALLOWED"),
        (dict(resolution=Resolution.EXCHANGE), "RESOLUTION_NOT_ALLOWED"),
        (dict(reason=UndeliveredReason.NOT_COLLECTED), "REASON_NOT_ALLOWED"),  # shipped to an address, not collected in store
        (dict(ship_to=evolve(HOME, lines=("Hauptstr. 10",))), "NOT_SHIPPED_AGAIN"),  # a refund goes nowhere
        (dict(resolution=Resolution.REPLACEMENT, ship_to=evolve(HOME, country_code="FR")), "COUNTRY_CHANGE"),
    ],
)
def test_reports_outside_the_rules_are_refused_and_change_nothing(kw, code):
    order = shipped_and_captured()
    with pytest.raises(FailedPreconditionError) as err:
        back(order, "S1", "R1", **kw)
    assert err.value.code == code
    assert order == shipped_and_captured() and not order.returns


def test_only_a_parcel_on_its_way_comes_back():
    with pytest.raises(FailedPreconditionError) as err:
        back(shipped_and_captured(), "S9", "R1")
    assert err.value.code == "NO_SUCH_SHIPMENT"
    with pytest.raises(FailedPreconditionError) as err:
        back(shipped_and_captured().deliver("S1", now_ms=4000), "S1", "R1")
    assert err.value.code == "SHIPMENT_DELIVERED"


def test_a_replacement_may_go_to_a_corrected_address_in_the_same_country():
    corrected = evolve(HOME, lines=("Hauptstraße 1a",))
    order = back(
        shipped_and_captured(),
        "S1",
        "R1",
        reason=UndeliveredReason.ADDRESS_UNKNOWN,
        resolution=Resolution.REPLACEMENT,
        ship_to=corrected,
    )
    assert order.return_("R1").ship_to == corrected
    assert order.refund_plan("R1") == []  # items, not money


def test_units_that_came_back_are_never_late():
    order = shipped_and_captured()
    order = evolve(order, lines=tuple(evolve(line, promised_on="2026-01-10") for line in order.lines))
    assert order.is_late("2026-02-01") and order.awaits_promised_delivery
    order = back(back(order, "S1", "R1"), "S2", "R2")
    assert not order.is_late("2026-02-01") and not order.awaits_promised_delivery


def test_a_pickup_left_at_the_store_past_its_hold_is_uncollected():
    order = Order.accept(
        command(delivery_mode=DeliveryMode.PICKUP, ship_to=None, pickup_location_id="ST1"), order_id="O1", now_ms=1000
    )
    order = sourced(2, 1, order).approve(by="risk-rules", now_ms=2000).release(now_ms=2001)
    order = order.ship(shipment_id="S1", location_id="DC1", quantities={1: 2}, now_ms=3000)
    assert order.uncollected(now_ms=3000 + 100, hold_ms={"ST1": 100}) == []
    assert order.uncollected(now_ms=3000 + 101, hold_ms={"ST1": 100}) == ["S1"]
    assert order.uncollected(now_ms=10**12, hold_ms={"ST2": 100}) == []  # its store keeps parcels until collected
    with pytest.raises(FailedPreconditionError) as err:
        back(order, "S1", "R1", reason=UndeliveredReason.ADDRESS_UNKNOWN)  # nobody looked for an address
    assert err.value.code == "REASON_NOT_ALLOWED"
    gone = back(order, "S1", "R1", reason=UndeliveredReason.NOT_COLLECTED)
    assert gone.uncollected(now_ms=10**12, hold_ms={"ST1": 100}) == []  # back already


def test_the_stream_tells_of_the_parcel_back_and_the_return_received_and_the_report_does_not_count_it():
    before = shipped_and_captured()
    after = back(before, "S1", "R1")
    events = {e.type: e.data for e in order_events(before, after)}
    assert events["shipment.returned"]["reason"] == "refused" and events["shipment.returned"]["shipment_id"] == "S1"
    assert events["return.received"] == {"return_id": "R1", "location_id": "DC1", "shipment_id": "S1", "reason": "refused"}
    assert "return.authorized" not in events
    assert counts(before, after) == {}  # no customer sent it back


def test_a_lost_parcel_has_nothing_to_receive_or_inspect_and_is_resolved_at_once():
    before = shipped_and_captured()
    lost = back(before, "S2", "R1", reason=UndeliveredReason.LOST)
    s2 = lost.shipment("S2")
    assert (s2.status, s2.undelivered_reason) == (ShipmentStatus.LOST, "lost")
    record = lost.return_("R1")
    # No location holds it: no desk lists it, nothing is restocked; only its money goes out.
    assert (record.status, record.location_id, record.lines[0].received) == (ReturnStatus.INSPECTED, "", 1)
    assert set(lost.pending) - set(before.pending) == {STEP_RESOLVE + "R1"}  # no restock to do
    assert [(p.shipment_id, p.amount) for p in lost.refund_plan("R1")] == [("S2", 250)]
    done = resolved(lost, "R1")
    assert done.return_("R1").status is ReturnStatus.RESOLVED and set(done.pending) == set(before.pending)
    events = {e.type: e.data for e in order_events(before, lost)}
    assert events["shipment.lost"]["shipment_id"] == "S2" and "shipment.returned" not in events
    assert "return.received" not in events and "return.authorized" not in events
    with pytest.raises(FailedPreconditionError) as err:
        lost.deliver("S2", now_ms=6000)
    assert err.value.code == "SHIPMENT_LOST"
