"""Carrier services through the API: a location's express product, an order asking for it, what a
checkout reads beforehand, and the pick list that says how to send it."""

from __future__ import annotations

import grpc
import pytest

from protos.oms.v1 import common_pb2, fulfilment_pb2, inventory_pb2, orders_pb2
from tests.integration.support import BERLIN, World, field_violations
from tests.integration.test_delivery_promises import FAR_WEST, days_from_now, every_day_schedule, listed
from tests.integration.test_lifecycle import card, fulfilment, ship_everything
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


async def test_an_order_asking_for_a_carrier_service_ships_only_from_where_it_is_offered_and_by_it(world: World):
    code = World.unique("express")  # the tests share one network: a code of this test's own
    near = await world.location("T-DC-STD", at=BERLIN, shipping=every_day_schedule())
    # About 1,300 km from Berlin: three days by its standard service, one by the express.
    express_service = inventory_pb2.CarrierService(
        code=code, transit_km_per_day=2_000, parcel_cost_minor=700, delivery_weekdays=[7, 1, 2, 3, 4, 5, 6]
    )
    far = await world.location("T-DC-EXP", at=FAR_WEST, shipment_cost_minor=300, shipping=every_day_schedule(services=[express_service]))
    [shown] = (await listed(world, FAR_WEST, far)).shipping.services
    assert (shown.code, shown.transit_km_per_day, shown.transit_min_days, shown.cutoff, shown.parcel_cost_minor) == (
        code, 2_000, 1, "", 700
    )  # fmt: skip
    assert list(shown.delivery_weekdays) == list(range(1, 8))  # in order
    both = await world.sku({near: 5, far: 5})
    only_near = await world.sku({near: 5})
    only_far = await world.sku({far: 5})
    customer = await world.customer()

    # A checkout asking by the service is told its day from where it is offered only.
    berlin = common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1])
    asked = await world.inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(skus=[both, only_near], destination=berlin, shipping_service=code)
    )
    rows = {loc.location_id: loc for loc in asked.skus[0].locations}
    assert not rows[near].HasField("delivers_on") and rows[far].delivers_on.seconds in days_from_now(1)
    assert asked.skus[0].earliest_delivery.seconds in days_from_now(1)
    assert not asked.skus[1].HasField("earliest_delivery")  # held only where the service is not offered
    assert not asked.skus[0].delivery_options  # a service asked: its days only
    # Asking for none, it is told the choices: the standard service and the express, each's earliest day.
    choices = await world.inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(skus=[both, only_near, only_far], destination=berlin)
    )

    def told(sku: inventory_pb2.SkuAvailability) -> list[tuple[str, int]]:
        """(service, days from now) of each choice."""
        return [
            (o.shipping_service, next(d for d in range(8) if o.earliest_delivery.seconds in days_from_now(d)))
            for o in sku.delivery_options
        ]

    assert told(choices.skus[0]) == [("", 1), (code, 1)]
    assert told(choices.skus[1]) == [("", 1)]
    assert told(choices.skus[2]) == [("", 3), (code, 1)]  # three days by the standard service, one by the express

    # Without a service the cheap near location ships it; asking for it, the far one does,
    # promised by the express's transit, its parcel costing the service's 700 more.
    plain = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(both, 1)])))).order.order_id)
    assert [a.location_id for a in plain.lines[0].allocations] == [near] and not plain.shipping_service
    request = card(world.order(customer, [(both, 1)]))
    request.shipping_service = code
    placed = (await world.orders.CreateOrder(request)).order
    assert placed.shipping_service == code and [a.location_id for a in placed.lines[0].allocations] == [far]
    assert placed.promised_delivery.seconds in days_from_now(1)
    assert placed.sourcing.shipment_cost_minor == 300 + 700
    express = await settled(world, placed.order_id)

    # The far location's pick list says to send it by the service; the near one's asks for nothing special.
    far_list = await fulfilment(world).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=far))
    assert [(r.order_id, r.shipping_service) for r in far_list.requests] == [(express.order_id, code)]
    # A wave of one service: the near location has no express work, the far one its order.
    for where, wanted in ((near, []), (far, [express.order_id])):
        wave = fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=where, shipping_service=code)
        assert [r.order_id for r in (await fulfilment(world).ListFulfilmentRequests(wave)).requests] == wanted
    near_list = await fulfilment(world).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=near))
    assert [(r.order_id, r.shipping_service) for r in near_list.requests] == [(plain.order_id, "")]
    # Each parcel records the service it went by, and so does its event for a carrier integration.
    assert [s.shipping_service for s in (await ship_everything(world, express)).shipments] == [code]
    assert [s.shipping_service for s in (await ship_everything(world, plain)).shipments] == [""]
    for order, service in ((express, code), (plain, None)):
        history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
        [shipped] = [dict(e.data) for e in history.events if e.type == "shipment.shipped"]
        assert shipped.get("shipping_service") == service

    # The express parcel is lost: its replacement goes by the express too, from where it is offered.
    await fulfilment(world).ReportDeliveryFailure(
        fulfilment_pb2.ReportDeliveryFailureRequest(
            order_id=express.order_id, shipment_id=(await settled(world, express.order_id)).shipments[0].shipment_id,
            return_id=World.unique("RMA"), reason=orders_pb2.UNDELIVERED_REASON_LOST,
            resolution=orders_pb2.RETURN_RESOLUTION_REPLACEMENT,
        )
    )  # fmt: skip
    [ret] = (await settled(world, express.order_id)).returns
    again = await settled(world, ret.replacement_order_id)
    assert again.shipping_service == code and [a.location_id for a in again.lines[0].allocations] == [far]

    # Held only where the service is not offered: the unit waits, nothing is reserved there.
    waits = world.order(customer, [(only_near, 1)])
    waits.shipping_service = code
    waiting = (await world.orders.CreateOrder(waits)).order
    assert not waiting.lines[0].allocations and not waiting.HasField("promised_delivery")
    assert await world.available(only_near) == {near: (5, 0)}


async def test_a_service_no_location_offers_or_on_a_pickup_is_refused_and_nothing_placed(world: World):
    store = await world.location(
        "T-ST-PICK", kind=common_pb2.LOCATION_TYPE_STORE, pickup_enabled=True, shipping=every_day_schedule()
    )
    sku = await world.sku({store: 3})
    customer = await world.customer()
    for request, why in (
        (world.order(customer, [(sku, 1)]), "no active location offers"),
        (world.order(customer, [(sku, 1)], pickup=store), "only for delivery_mode SHIP"),
    ):
        request.shipping_service = World.unique("nobody-offers")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.orders.CreateOrder(request)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(info.value) == {"shipping_service"} and why in info.value.details()
    assert await world.available(sku) == {store: (3, 0)}


async def test_a_locations_services_are_checked_field_by_field_and_nothing_written(world: World):
    where = (BERLIN[0] - 3.0, 30.0)  # a place of this test's own, to find it listed by
    lid = await world.location("T-DC-SVC", at=where, shipping=every_day_schedule())
    bad = inventory_pb2.ShippingSchedule(
        services=[
            inventory_pb2.CarrierService(code="express", transit_km_per_day=-1, delivery_weekdays=[6, 8, 6]),
            inventory_pb2.CarrierService(code="express", cutoff="25:00", parcel_cost_minor=-5, transit_min_days=99),
            inventory_pb2.CarrierService(code=""),
        ]
    )
    location = inventory_pb2.Location(
        location_id=lid, type=common_pb2.LOCATION_TYPE_WAREHOUSE, position=common_pb2.GeoPoint(latitude=where[0], longitude=where[1]),
        active=True, shipping=bad,
    )  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[location]))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {
        "locations[0].shipping.services[0].transit_km_per_day",
        "locations[0].shipping.services[0].delivery_weekdays",
        "locations[0].shipping.services[1].cutoff",
        "locations[0].shipping.services[1].parcel_cost_minor",
        "locations[0].shipping.services[1].transit_min_days",
        "locations[0].shipping.services[1]",  # the same code twice
        "locations[0].shipping.services[2].code",
    }
    assert not (await listed(world, where, lid)).shipping.services  # as it was
