"""Inbound validation names every bad field; good requests become commands."""

from __future__ import annotations

import pytest

from gateway.convert import create_order_from_proto
from oms_actors.domain.enums import Channel, DeliveryMode
from oms_actors.domain.errors import ValidationError
from protos.oms.v1 import common_pb2, orders_pb2

SKUS = {"SKU-1", "SKU-2"}
STORES = {"ST-1": "DE"}


def good(**kw) -> orders_pb2.CreateOrderRequest:
    req = orders_pb2.CreateOrderRequest(
        channel=common_pb2.CHANNEL_WEB,
        idempotency_key="key-1",
        customer_id="cust-1",
        delivery_mode=common_pb2.DELIVERY_MODE_SHIP,
        lines=[
            orders_pb2.OrderLineInput(sku="SKU-1", quantity=2, unit_price=common_pb2.Money(amount_minor=1999, currency="EUR")),
        ],
        ship_to=common_pb2.Address(name="A", country_code="DE", position=common_pb2.GeoPoint(latitude=52.5, longitude=13.4)),
    )
    for k, v in kw.items():
        setattr(req, k, v) if not isinstance(v, list) else (req.ClearField(k), getattr(req, k).extend(v))
    return req


def fields_of(req: orders_pb2.CreateOrderRequest) -> set[str]:
    with pytest.raises(ValidationError) as info:
        create_order_from_proto(req, known_skus=SKUS, pickup_locations=STORES)
    return {v.field for v in info.value.violations}


def test_good_request_becomes_a_command():
    cmd = create_order_from_proto(good(), known_skus=SKUS, pickup_locations=STORES)
    assert cmd.channel is Channel.WEB and cmd.delivery_mode is DeliveryMode.SHIP
    assert cmd.total().amount_minor == 3998


def line(sku="SKU-1", qty=1, amount=100, currency="EUR"):
    return orders_pb2.OrderLineInput(sku=sku, quantity=qty, unit_price=common_pb2.Money(amount_minor=amount, currency=currency))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": 0}, "channel"),
        ({"channel": 99}, "channel"),
        ({"delivery_mode": 0}, "delivery_mode"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "x" * 129}, "idempotency_key"),
        ({"customer_id": "bad|id"}, "customer_id"),
        ({"lines": []}, "lines"),
        ({"lines": [line(qty=0)]}, "lines[0].quantity"),
        ({"lines": [line(qty=-1)]}, "lines[0].quantity"),
        ({"lines": [line(sku="NOPE")]}, "lines[0].sku"),
        ({"lines": [line(), line()]}, "lines[1].sku"),
        ({"lines": [line(amount=-5)]}, "lines[0].unit_price.amount_minor"),
        ({"lines": [line(currency="EURO")]}, "lines[0].unit_price.currency"),
        ({"lines": [line(), line(sku="SKU-2", currency="USD")]}, "lines[1].unit_price.currency"),
        ({"lines": [line()] * 201}, "lines"),
    ],
)
def test_each_bad_field_is_named(changes, field):
    assert field in fields_of(good(**changes))


def test_every_violation_is_reported_at_once():
    req = good(channel=0, delivery_mode=0, lines=[line(qty=0, amount=-1)])
    assert {"channel", "delivery_mode", "lines[0].quantity", "lines[0].unit_price.amount_minor"} <= fields_of(req)


def test_ship_needs_coordinates_and_pickup_needs_a_pickup_store():
    req = good()
    req.ship_to.ClearField("position")
    assert "ship_to.position" in fields_of(req)
    req = good(delivery_mode=common_pb2.DELIVERY_MODE_PICKUP_IN_STORE, pickup_location_id="DC-9")
    assert "pickup_location_id" in fields_of(req)
    ok = good(delivery_mode=common_pb2.DELIVERY_MODE_PICKUP_IN_STORE, pickup_location_id="ST-1")
    assert create_order_from_proto(ok, known_skus=SKUS, pickup_locations=STORES).pickup_location_id == "ST-1"


def test_payments_must_add_up_to_the_total_in_its_currency():
    req = good()
    req.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=common_pb2.Money(amount_minor=100, currency="EUR"), token="tok_4242424242")
    assert "payments" in fields_of(req)
    req.payments[0].amount.amount_minor = 3998
    cmd = create_order_from_proto(req, known_skus=SKUS, pickup_locations=STORES)
    assert cmd.payments[0].token_hint == "4242"
    req.payments[0].method = 0
    assert "payments[0].method" in fields_of(req)
