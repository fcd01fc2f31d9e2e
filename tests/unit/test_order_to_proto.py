"""An order as the API answers it (gateway.convert.order_to_proto): every part, and which
message fields are present only when the order has them; and its basic view
(order_basic_to_proto), the answer of a batch that asks for ORDER_VIEW_BASIC."""

from __future__ import annotations

from gateway.convert import order_basic_to_proto, order_to_proto
from protos.oms.v1 import common_pb2, orders_pb2
from tests.unit.test_order_state import accepted, approved, fully_shipped, shipped_line1


def _eur(minor: int) -> common_pb2.Money:
    return common_pb2.Money(amount_minor=minor, currency="EUR")


def test_an_accepted_order_has_its_lines_totals_and_address_and_nothing_it_has_not_done():
    msg = order_to_proto(accepted())
    assert (msg.order_id, msg.customer_id, msg.idempotency_key) == ("O1", "c1", "k1")
    assert msg.total == _eur(2250) and msg.payable == _eur(2250)
    assert [(line.line_number, line.sku, line.quantity) for line in msg.lines] == [(1, "A", 2), (2, "B", 1)]
    assert (msg.lines[0].unit_price, msg.lines[0].line_total) == (_eur(1000), _eur(2000))
    assert msg.created_at.ToMilliseconds() == 1000 and msg.updated_at.ToMilliseconds() == 1000
    assert (msg.ship_to.position.latitude, msg.ship_to.position.longitude) == (52.5, 13.4)
    # Present always, even undecided: the approval and what is payable.
    assert msg.HasField("approval") and msg.HasField("payable")
    assert msg.approval.status == orders_pb2.APPROVAL_STATUS_PENDING and not msg.approval.HasField("decided_at")
    assert not msg.HasField("sourcing") and not msg.shipments and not msg.returns


def test_a_released_order_shows_its_allocations_and_the_decision_with_its_time():
    msg = order_to_proto(approved())
    assert [(a.location_id, a.quantity) for a in msg.lines[0].allocations] == [("DC1", 2)]
    assert [(a.location_id, a.quantity) for a in msg.lines[1].released] == [("DC2", 1)]
    assert msg.lines[0].backordered_quantity == 0
    assert msg.approval.status == orders_pb2.APPROVAL_STATUS_APPROVED
    assert msg.approval.decided_by == "risk-rules" and msg.approval.decided_at.ToMilliseconds() == 3000


def test_shipments_carry_their_lines_and_a_delivery_time_only_once_delivered():
    shipped = order_to_proto(shipped_line1(1))
    [shipment] = shipped.shipments
    assert (shipment.shipment_id, shipment.location_id) == ("S1", "DC1")
    assert [(x.line_number, x.quantity) for x in shipment.lines] == [(1, 1)]
    assert shipment.shipped_at.ToMilliseconds() == 4000 and not shipment.HasField("delivered_at")
    delivered = order_to_proto(fully_shipped().deliver("S1", now_ms=5000))
    by_id = {s.shipment_id: s for s in delivered.shipments}
    assert by_id["S1"].delivered_at.ToMilliseconds() == 5000 and not by_id["S2"].HasField("delivered_at")
    assert [(a.location_id, a.quantity) for a in delivered.lines[0].shipped] == [("DC1", 2)]


def test_the_basic_view_is_the_full_orders_identity_and_standing_and_nothing_more():
    order = fully_shipped()
    full, basic = order_to_proto(order), order_basic_to_proto(order)
    standing = ("order_id", "channel", "customer_id", "idempotency_key", "external_reference", "status")
    standing += ("approval", "total", "payable", "created_at", "updated_at", "version")
    assert {f.name for f, _ in basic.ListFields()} == {f.name for f, _ in full.ListFields()} & set(standing)
    for name in standing:
        assert getattr(basic, name) == getattr(full, name), name
    assert basic.status == orders_pb2.ORDER_STATUS_SHIPPED and basic.approval.status == orders_pb2.APPROVAL_STATUS_APPROVED
    assert full.lines and full.shipments and not basic.lines and not basic.shipments and not basic.payments
