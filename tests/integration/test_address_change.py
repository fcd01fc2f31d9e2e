"""A customer calls to change the delivery address: before anything ships, within its country."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, customers_pb2, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import World
from tests.integration.test_lifecycle import card, ship_everything
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


def potsdam(country: str = "DE") -> common_pb2.Address:
    return common_pb2.Address(
        name="Erika Mustermann", lines=["Am Neuen Garten 1"], city="Potsdam", postal_code="14469", country_code=country,
        position=common_pb2.GeoPoint(latitude=52.40, longitude=13.07),
    )  # fmt: skip


async def test_the_address_changes_before_shipping_and_the_location_ships_there(world: World):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED and order.ship_to.city == "Berlin"

    # Refused, each with its reason and field, and none of them changes the order.
    code, reason, _ = await refusal(
        world.orders.UpdateShippingAddress(orders_pb2.UpdateShippingAddressRequest(order_id=order.order_id, ship_to=potsdam("FR")))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "COUNTRY_CHANGE")
    nowhere = potsdam()
    nowhere.ClearField("position")
    code, _, fields = await refusal(
        world.orders.UpdateShippingAddress(orders_pb2.UpdateShippingAddressRequest(order_id=order.order_id, ship_to=nowhere))
    )
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"ship_to.position"})
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).version == order.version

    changed = await world.orders.UpdateShippingAddress(
        orders_pb2.UpdateShippingAddressRequest(order_id=order.order_id, ship_to=potsdam())
    )
    assert (changed.ship_to.city, changed.version) == ("Potsdam", order.version + 1)
    assert [(r.location_id, r.quantity) for r in changed.lines[0].released] == [
        (r.location_id, r.quantity) for r in order.lines[0].released
    ]  # released units stay with their location
    again = await world.orders.UpdateShippingAddress(
        orders_pb2.UpdateShippingAddressRequest(order_id=order.order_id, ship_to=potsdam())
    )
    assert again.version == changed.version
    view = await world.customers.GetCustomer360(customers_pb2.GetCustomer360Request(customer_id=customer))
    [event] = [e for e in view.timeline if e.type == "order.ship_to_changed"]
    assert dict(event.data) == {"city": "Potsdam", "postal_code": "14469", "country_code": "DE"}

    shipped = await ship_everything(world, changed)
    assert shipped.status == orders_pb2.ORDER_STATUS_SHIPPED
    # Once units have shipped, the address travels with them: another one is refused.
    later = potsdam()
    later.lines[0] = "Am Neuen Garten 7"
    code, reason, _ = await refusal(
        world.orders.UpdateShippingAddress(orders_pb2.UpdateShippingAddressRequest(order_id=order.order_id, ship_to=later))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_SHIPPED")


async def test_units_not_yet_released_are_planned_again_for_the_new_address(world: World):
    sku = await world.sku({"T-DC-NORTH": 3, "T-DC-SOUTH": 3})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    assert [a.location_id for a in order.lines[0].allocations] == ["T-DC-NORTH"]  # Hamburg is nearer Berlin than Munich
    held = await world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id, reason="customer is moving"))
    assert not held.lines[0].released  # called back: nothing released, the unit still held in Hamburg
    munich = common_pb2.Address(
        name="Erika Mustermann", lines=["Marienplatz 1"], city="München", postal_code="80331", country_code="DE",
        position=common_pb2.GeoPoint(latitude=48.137, longitude=11.575),
    )  # fmt: skip
    moved = await world.orders.UpdateShippingAddress(orders_pb2.UpdateShippingAddressRequest(order_id=order.order_id, ship_to=munich))
    assert [(a.location_id, a.quantity) for a in moved.lines[0].allocations] == [("T-DC-SOUTH", 1)]
    assert await world.available(sku) == {"T-DC-NORTH": (3, 0), "T-DC-SOUTH": (3, 1)}
    released = await world.orders.ReviewOrder(
        orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE)
    )
    released = await settled(world, released.order_id)
    assert [(r.location_id, r.quantity) for r in released.lines[0].released] == [("T-DC-SOUTH", 1)]
    assert await audit_differences(world) == []
