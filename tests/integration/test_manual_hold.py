"""A reviewer stops an approved order before it ships, and releases it again."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest

from oms_actors.payment_flow import SIM_CONFIG_TTL_S
from oms_actors.store import keys
from oms_actors.store.connection import connect_async
from protos.oms.v1 import fulfilment_pb2, orders_pb2
from tests.integration.support import World
from tests.integration.test_lifecycle import card, fulfilment
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


async def listed_at(world: World, location_id: str) -> set[str]:
    page = await fulfilment(world).ListFulfilmentRequests(
        fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=location_id, page_size=500)
    )
    return {r.order_id for r in page.requests}


async def test_a_held_order_leaves_the_locations_list_until_a_reviewer_approves_it_again(world: World):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED and order.order_id in await listed_at(world, "T-DC-NORTH")

    code, _, fields = await refusal(world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id)))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"reason"})
    held = await world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id, reason="address looks like a drop"))
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    assert list(held.approval.reasons) == ["address looks like a drop"] and held.approval.decided_by.startswith("admin:")
    assert not held.lines[0].released and await world.reserved(sku) == 2  # called back, still reserved
    assert order.order_id not in await listed_at(world, "T-DC-NORTH")
    late = fulfilment_pb2.ConfirmShipmentRequest(
        order_id=order.order_id, location_id="T-DC-NORTH", shipment_id=World.unique("S"),
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
    )  # fmt: skip
    code, reason, _ = await refusal(fulfilment(world).ConfirmShipment(late))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")  # on hold: nothing ships

    released = await world.orders.ReviewOrder(
        orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE, note="checked")
    )
    released = await settled(world, released.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED
    assert order.order_id in await listed_at(world, "T-DC-NORTH")
    assert (await fulfilment(world).ConfirmShipment(late)).status == orders_pb2.ORDER_STATUS_SHIPPED
    code, _, _ = await refusal(world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id, reason="too late")))
    assert code == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_hold_asked_while_the_card_provider_is_not_answering_holds_the_order_once_it_is_assessed(
    world: World, redis_server
):
    """An agent whose caller's card was stolen is not sent away while the order waits for
    the provider: the hold is kept and, once the rules have decided, the order waits for review."""
    client = connect_async(redis_server.url)
    sku = await world.sku({"T-DC-NORTH": 5})
    # Every answer of the card acquirer is lost (it records the authorisation all the same).
    await client.set(keys.CARD_SIMULATOR, json.dumps({"timeout_rate": 1.0}))
    try:
        await asyncio.sleep(SIM_CONFIG_TTL_S + 0.5)  # the order shards read the simulator's settings again
        order = (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 1)])))).order
        asked = await world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id, reason="card reported stolen"))
        assert asked.approval.status == orders_pb2.APPROVAL_STATUS_PENDING and asked.status != orders_pb2.ORDER_STATUS_ON_HOLD
        assert asked.hold_requested.reason == "card reported stolen" and asked.hold_requested.by.startswith("admin:")
        assert not asked.lines[0].released
    finally:
        await client.delete(keys.CARD_SIMULATOR)
        await asyncio.sleep(SIM_CONFIG_TTL_S + 0.5)  # (so the tests after this one meet no timeouts)
    # The provider answers again: the retried authorisation finds the one it recorded.
    held = await settled(world, order.order_id, timeout_s=60)
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD and "card reported stolen" in held.approval.reasons
    assert held.payment_status[0].authorized == held.total and not held.lines[0].released
    assert order.order_id not in await listed_at(world, "T-DC-NORTH")


async def test_a_hold_after_a_first_shipment_stops_the_rest_until_a_reviewer_lets_it_go(world: World):
    sku = await world.sku({"T-DC-NORTH": 5})
    placed = (await world.orders.CreateOrder(card(world.order(await world.customer(), [(sku, 3)])))).order
    order = await settled(world, placed.order_id)

    def confirm(shipment: str, units: int) -> fulfilment_pb2.ConfirmShipmentRequest:
        return fulfilment_pb2.ConfirmShipmentRequest(
            order_id=order.order_id, location_id="T-DC-NORTH", shipment_id=shipment,
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=units)],
        )  # fmt: skip

    first, rest = World.unique("S"), World.unique("S")
    assert (await fulfilment(world).ConfirmShipment(confirm(first, 1))).status == orders_pb2.ORDER_STATUS_PARTLY_SHIPPED
    held = await world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id, reason="card reported stolen"))
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD and held.approval.status == orders_pb2.APPROVAL_STATUS_HELD
    assert [(r.location_id, r.quantity) for r in held.lines[0].released] == [("T-DC-NORTH", 1)]  # the rest called back
    assert order.order_id not in await listed_at(world, "T-DC-NORTH") and await world.reserved(sku) == 2
    code, reason, _ = await refusal(fulfilment(world).ConfirmShipment(confirm(rest, 2)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")  # nothing more ships
    delivered = await fulfilment(world).ConfirmDelivery(
        fulfilment_pb2.ConfirmDeliveryRequest(order_id=order.order_id, shipment_id=first)
    )  # what left before the hold arrives
    assert delivered.status == orders_pb2.ORDER_STATUS_ON_HOLD
    reject = orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_REJECT, note="fraud")
    code, _, _ = await refusal(world.orders.ReviewOrder(reject))
    assert code == grpc.StatusCode.FAILED_PRECONDITION  # units have shipped: cancel the rest instead

    approve = orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE, note="ok")
    released = await settled(world, (await world.orders.ReviewOrder(approve)).order_id)
    assert released.status == orders_pb2.ORDER_STATUS_PARTLY_SHIPPED and order.order_id in await listed_at(world, "T-DC-NORTH")
    assert (await fulfilment(world).ConfirmShipment(confirm(rest, 2))).status == orders_pb2.ORDER_STATUS_SHIPPED
    final = await settled(world, order.order_id)
    assert [s.status for s in final.shipments] == [orders_pb2.SHIPMENT_STATUS_DELIVERED, orders_pb2.SHIPMENT_STATUS_SHIPPED]
