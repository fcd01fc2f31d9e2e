"""An order the customer wants in one parcel, through the real service: it waits until one
location holds all of it, goes there whole, and comes back whole when that location falls short."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, fulfilment_pb2, inventory_pb2, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import BERLIN, World
from tests.integration.test_inventory import _until
from tests.integration.test_lifecycle import card, fulfilment, ship_everything
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration

NORTH, SOUTH = "T-DC-NORTH", "T-DC-SOUTH"


def released(order: orders_pb2.Order) -> set[tuple[int, str, int]]:
    return {(line.line_number, r.location_id, r.quantity) for line in order.lines for r in line.released if r.quantity}


async def requests_at(world: World, location_id: str) -> list[fulfilment_pb2.FulfilmentRequest]:
    request = fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=location_id, page_size=500)
    return list((await fulfilment(world).ListFulfilmentRequests(request)).requests)


async def listed(world: World, location_id: str) -> set[str]:
    return {r.order_id for r in await requests_at(world, location_id)}


async def test_an_order_sent_in_one_parcel_waits_for_one_location_to_hold_it_all(world: World):
    customer = await world.customer()
    # One unit of each SKU, at a location each: an order that may be split goes at once, from both.
    a, b = await world.sku({NORTH: 1}), await world.sku({SOUTH: 1})
    split = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(a, 1), (b, 1)])))).order.order_id)
    assert released(split) == {(1, NORTH, 1), (2, SOUTH, 1)} and not split.ship_complete

    a, b = await world.sku({NORTH: 1}), await world.sku({SOUTH: 1})
    asked = card(world.order(customer, [(a, 1), (b, 1)]))
    asked.ship_complete = True
    placed = (await world.orders.CreateOrder(asked)).order
    assert placed.ship_complete
    order = await settled(world, placed.order_id)
    # One location holds one line; the other waits for stock; nothing goes anywhere meanwhile.
    assert order.status == orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED and released(order) == set()
    assert list(order.release_waits_for) == [orders_pb2.RELEASE_WAIT_STOCK, orders_pb2.RELEASE_WAIT_ONE_PARCEL]
    assert sorted(line.backordered_quantity for line in order.lines) == [0, 1]
    assert len({a.location_id for line in order.lines for a in line.allocations}) == 1
    assert order.order_id not in await listed(world, NORTH) | await listed(world, SOUTH)
    assert not order.promised_delivery.seconds  # no day while a unit waits

    # B arrives at NORTH, which holds A: the order goes there whole, and SOUTH's B is free again.
    await world.inventory.SetStock(
        inventory_pb2.SetStockRequest(levels=[inventory_pb2.StockLevel(location_id=NORTH, sku=b, on_hand=1)])
    )
    whole = await _until(world, order.order_id, orders_pb2.ORDER_STATUS_RELEASED)
    assert released(whole) == {(1, NORTH, 1), (2, NORTH, 1)}
    assert await world.available(b) == {NORTH: (1, 1), SOUTH: (1, 0)}
    assert whole.promised_delivery.seconds and {line.promised_delivery.seconds for line in whole.lines} == {
        whole.promised_delivery.seconds
    }
    assert order.order_id not in await listed(world, SOUTH)
    [request] = [r for r in (await requests_at(world, NORTH)) if r.order_id == order.order_id]
    assert request.ship_complete and sorted((x.line_number, x.quantity) for x in request.lines) == [(1, 1), (2, 1)]
    # Part of it confirmed: refused, nothing recorded; the location sends it all or reports what is missing.
    part = fulfilment_pb2.ConfirmShipmentRequest(
        order_id=order.order_id, location_id=NORTH, shipment_id=World.unique("S"), carrier="DHL",
        lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
    )  # fmt: skip
    code, reason, _ = await refusal(fulfilment(world).ConfirmShipment(part))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "SHIP_COMPLETE")
    unchanged = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert unchanged.version == whole.version and not unchanged.shipments
    shipped = await ship_everything(world, whole)
    assert len(shipped.shipments) == 1 and shipped.status == orders_pb2.ORDER_STATUS_SHIPPED
    assert await audit_differences(world) == []
    # The carrier loses it: the replacement goes in one parcel too.
    await fulfilment(world).ReportDeliveryFailure(
        fulfilment_pb2.ReportDeliveryFailureRequest(
            order_id=order.order_id, shipment_id=shipped.shipments[0].shipment_id, return_id=World.unique("RMA"),
            reason=orders_pb2.UNDELIVERED_REASON_LOST, resolution=orders_pb2.RETURN_RESOLUTION_REPLACEMENT,
        )
    )  # fmt: skip
    [lost] = (await settled(world, order.order_id)).returns
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=lost.replacement_order_id))).ship_complete


async def test_a_shortage_calls_the_rest_back_and_the_whole_order_goes_where_all_of_it_is(world: World):
    customer = await world.customer()
    # A at both; B at NORTH only at first. The order goes whole to NORTH.
    a, b = await world.sku({NORTH: 1, SOUTH: 1}), await world.sku({NORTH: 1})
    asked = card(world.order(customer, [(a, 1), (b, 1)]))
    asked.ship_complete = True
    order = await settled(world, (await world.orders.CreateOrder(asked)).order.order_id)
    assert released(order) == {(1, NORTH, 1), (2, NORTH, 1)}
    await world.inventory.SetStock(
        inventory_pb2.SetStockRequest(levels=[inventory_pb2.StockLevel(location_id=SOUTH, sku=b, on_hand=1)])
    )
    # NORTH finds its A damaged: B is called back too, and the order goes whole to SOUTH.
    answered = await fulfilment(world).ReportShortage(
        fulfilment_pb2.ReportShortageRequest(
            order_id=order.order_id,
            location_id=NORTH,
            shortage_id=World.unique("short"),
            lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)],
            reason=fulfilment_pb2.SHORTAGE_REASON_DAMAGED,
        )
    )
    moved = await _until(world, answered.order_id, orders_pb2.ORDER_STATUS_RELEASED)
    assert released(moved) == {(1, SOUTH, 1), (2, SOUTH, 1)}
    assert order.order_id not in await listed(world, NORTH)
    # NORTH's damaged A left its stock; its B is free for other orders again.
    assert await world.available(a) == {NORTH: (0, 0), SOUTH: (1, 1)}
    assert await world.available(b) == {NORTH: (1, 0), SOUTH: (1, 1)}
    assert await audit_differences(world) == []


async def test_a_checkout_asks_which_locations_could_send_its_basket_in_one_parcel_and_by_when(world: World):
    a, b = await world.sku({NORTH: 1, SOUTH: 2}), await world.sku({SOUTH: 1})
    berlin = common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1])

    def basket(*lines: tuple[str, int], **fields) -> inventory_pb2.GetAvailabilityRequest:
        return inventory_pb2.GetAvailabilityRequest(
            basket=[inventory_pb2.BasketLine(sku=sku, quantity=q) for sku, q in lines], channel=common_pb2.CHANNEL_WEB, **fields
        )

    answer = await world.inventory.GetAvailability(basket((a, 2), (b, 1), destination=berlin))
    [south] = answer.one_parcel.locations
    assert south.location_id == SOUTH and south.delivers_on.seconds
    assert answer.one_parcel.earliest_delivery == south.delivers_on
    assert [s.sku for s in answer.skus] == [a, b]  # each SKU of the basket as if asked in skus
    # One more unit than any one location holds: it cannot go in one parcel now.
    more = await world.inventory.GetAvailability(basket((a, 3), (b, 1), destination=berlin))
    assert not more.one_parcel.locations and not more.one_parcel.HasField("earliest_delivery")
    # Without a destination the locations, no days; narrowed to NORTH, none.
    plain = await world.inventory.GetAvailability(basket((a, 1), (b, 1)))
    assert [p.location_id for p in plain.one_parcel.locations] == [SOUTH] and not plain.one_parcel.HasField("earliest_delivery")
    north = await world.inventory.GetAvailability(basket((a, 1), (b, 1), location_ids=[NORTH]))
    assert not north.one_parcel.locations
    # Asked without a basket, nothing is said of one parcel.
    assert not (await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[a]))).HasField("one_parcel")

    # An order asking for one parcel is sourced where the answer said.
    customer = await world.customer()
    asked = card(world.order(customer, [(a, 2), (b, 1)]))
    asked.ship_complete = True
    order = await settled(world, (await world.orders.CreateOrder(asked)).order.order_id)
    assert released(order) == {(1, SOUTH, 2), (2, SOUTH, 1)}

    # A bad basket is refused field by field.
    bad = inventory_pb2.GetAvailabilityRequest(
        basket=[
            inventory_pb2.BasketLine(sku=a, quantity=0),
            inventory_pb2.BasketLine(sku=a, quantity=1),
            inventory_pb2.BasketLine(sku="NO-SUCH-SKU", quantity=1),
        ]
    )
    code, _, fields = await refusal(world.inventory.GetAvailability(bad))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"basket[0].quantity", "basket[1].sku"}
    code, _, fields = await refusal(
        world.inventory.GetAvailability(
            inventory_pb2.GetAvailabilityRequest(basket=[inventory_pb2.BasketLine(sku="NO-SUCH-SKU", quantity=1)])
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"basket[0].sku"}
    code, _, fields = await refusal(world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest()))
    assert set(fields) == {"skus"}  # neither SKUs nor a basket
