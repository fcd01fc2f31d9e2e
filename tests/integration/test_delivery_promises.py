"""Delivery promises through the API: a location's shipping schedule, the day an order is told, and
the delivery days a checkout reads with availability."""

from __future__ import annotations

import datetime as dt
import time

import grpc
import pytest
from google.protobuf import timestamp_pb2

from gateway.auth import Role
from protos.oms.v1 import common_pb2, fulfilment_pb2, inventory_pb2, orders_pb2
from tests.integration.support import BERLIN, World, field_violations
from tests.integration.test_lifecycle import card, fulfilment, ship_everything
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration

EVERY_DAY = list(range(1, 8))
# On Berlin's parallel, about 1,300 km west of it: two transit days at 1,000 km a day.
FAR_WEST = (BERLIN[0], -6.0)


def days_from_now(days: int) -> set[int]:
    """00:00 UTC of the day ``days`` after today, as seconds; both days when the test runs across midnight."""
    now = dt.datetime.now(dt.UTC)
    return {
        int(dt.datetime.combine((now + dt.timedelta(minutes=m)).date() + dt.timedelta(days=days), dt.time(), dt.UTC).timestamp())
        for m in (-2, 2)
    }


def every_day_schedule(**fields: object) -> inventory_pb2.ShippingSchedule:
    """A schedule of a location shipping and delivering every day of the week: the promise
    does not depend on the weekday the test runs on."""
    return inventory_pb2.ShippingSchedule(shipping_weekdays=EVERY_DAY, delivery_weekdays=EVERY_DAY, **fields)


async def listed(world: World, where: tuple[float, float], location_id: str) -> inventory_pb2.Location:
    page = await world.inventory.ListLocations(
        inventory_pb2.ListLocationsRequest(near=common_pb2.GeoPoint(latitude=where[0], longitude=where[1]), within_km=1)
    )
    return next(item.location for item in page.locations if item.location.location_id == location_id)


async def test_an_order_is_promised_the_day_its_units_arrive_and_availability_tells_it_before(world: World):
    far = await world.location(
        "T-DC-FAR", at=FAR_WEST, shipping=every_day_schedule(handling_days=2, transit_km_per_day=1_000, transit_min_days=1)
    )
    shown = (await listed(world, FAR_WEST, far)).shipping
    assert (shown.handling_days, shown.cutoff, shown.transit_km_per_day, shown.transit_min_days) == (2, "", 1_000, 1)
    assert list(shown.shipping_weekdays) == EVERY_DAY and list(shown.delivery_weekdays) == EVERY_DAY

    sku = await world.sku({far: 5})
    # Leaves after two days of handling, then two days on the road to Berlin.
    expected = days_from_now(4)

    berlin = common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1])
    asked = await world.inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(skus=[sku], channel=common_pb2.CHANNEL_WEB, destination=berlin)
    )
    row = next(loc for loc in asked.skus[0].locations if loc.location_id == far)
    assert row.delivers_on.seconds in expected
    assert asked.skus[0].earliest_delivery.seconds in expected
    without = await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[sku]))
    assert not without.skus[0].HasField("earliest_delivery")
    assert not any(loc.HasField("delivers_on") for loc in without.skus[0].locations)

    customer = await world.customer()
    order = (await world.orders.CreateOrder(world.order(customer, [(sku, 2)]))).order
    assert [a.location_id for a in order.lines[0].allocations] == [far]
    assert order.lines[0].promised_delivery.seconds in expected
    assert order.promised_delivery == order.lines[0].promised_delivery
    again = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
    assert again.promised_delivery == order.promised_delivery
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
    told = [dict(e.data) for e in history.events if e.type == "order.delivery_promised"]
    day = dt.datetime.fromtimestamp(order.promised_delivery.seconds, dt.UTC).date().isoformat()
    assert told == [{"promised_on": day}]

    # Nothing on hand anywhere for a second SKU: backordered, so nothing is promised.
    short = await world.sku({})
    waiting = (await world.orders.CreateOrder(world.order(customer, [(sku, 1), (short, 1)]))).order
    assert waiting.lines[0].HasField("promised_delivery") and not waiting.lines[1].HasField("promised_delivery")
    assert not waiting.HasField("promised_delivery")


async def test_a_shortage_that_sends_the_units_from_farther_makes_the_line_late_and_says_so(world: World, oms):
    since = orders_pb2.CountOrdersRequest(channel=common_pb2.CHANNEL_WEB)
    since.created_from.FromMilliseconds(int(time.time() * 1000))
    near = await world.location("T-DC-NEAR", at=BERLIN, shipping=every_day_schedule())
    far = await world.location(
        "T-DC-FAR", at=FAR_WEST, shipment_cost_minor=1_000, shipping=every_day_schedule(handling_days=2, transit_km_per_day=1_000)
    )
    sku = await world.sku({near: 1, far: 5})
    customer = await world.customer()
    placed = await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))
    order = await settled(world, placed.order.order_id)
    assert [r.location_id for r in order.lines[0].released] == [near]
    promised = order.lines[0].promised_delivery
    assert promised.seconds in days_from_now(1) and order.lines[0].estimated_delivery == promised
    assert not order.lines[0].delivery_late and not order.delivery_late

    _, key = await oms.access.keys.create(role=Role.FULFILMENT, by="tests", location_id=near)
    here = await World.open(f"127.0.0.1:{oms.port}", credential=key)
    try:
        answered = await fulfilment(here).ReportShortage(
            fulfilment_pb2.ReportShortageRequest(
                order_id=order.order_id, location_id=near, shortage_id=World.unique("short"),
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=1)], reason=fulfilment_pb2.SHORTAGE_REASON_DAMAGED,
            )
        )  # fmt: skip
    finally:
        await here.close()
    line = answered.lines[0]
    assert [r.location_id for r in line.released] == [far]
    # Told the day before, kept as told; now two days of handling and two on the road.
    assert line.promised_delivery == promised and line.estimated_delivery.seconds in days_from_now(4)
    assert line.delivery_late and answered.delivery_late and answered.promised_delivery == promised
    # Service lists the late orders: this one, not the customer's other order on its way in time.
    on_time = (await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order
    assert on_time.promised_delivery.seconds in days_from_now(4) and not on_time.delivery_late
    listed_late = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer, late=True))
    assert [o.order_id for o in listed_late.orders] == [order.order_id] and listed_late.orders[0].delivery_late
    every = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
    assert {o.order_id for o in every.orders} == {order.order_id, on_time.order_id}
    anyone = await world.orders.ListOrders(orders_pb2.ListOrdersRequest(late=True, view=orders_pb2.ORDER_VIEW_BASIC))
    assert order.order_id in {o.order_id for o in anyone.orders} and on_time.order_id not in {o.order_id for o in anyone.orders}
    # A dashboard counts them: both of this test's orders await their deliveries, one is late.
    counted = await world.orders.CountOrders(since)
    assert (counted.awaiting_delivery, counted.late) == (2, 1)
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
    [late] = [dict(e.data) for e in history.events if e.type == "line.delivery_at_risk"]
    day = dt.datetime.fromtimestamp(line.estimated_delivery.seconds, dt.UTC).date().isoformat()
    assert late["line_number"] == "1" and late["sku"] == sku and late["estimated_on"] == day


async def test_a_holiday_is_neither_a_dispatch_nor_a_delivery_day(world: World):
    today = dt.datetime.now(dt.UTC).date()
    holidays = [today + dt.timedelta(days=d) for d in (3, 1, 2)]
    where = (FAR_WEST[0] - 1.0, FAR_WEST[1])
    midnights = [timestamp_pb2.Timestamp(seconds=int(dt.datetime.combine(d, dt.time(), dt.UTC).timestamp())) for d in holidays]
    closed = await world.location("T-DC-HOLIDAY", at=where, shipping=every_day_schedule(handling_days=1, closed_dates=midnights))
    shown = (await listed(world, where, closed)).shipping
    assert [dt.datetime.fromtimestamp(ts.seconds, dt.UTC).date() for ts in shown.closed_dates] == sorted(holidays)
    sku = await world.sku({closed: 2})
    at = common_pb2.GeoPoint(latitude=where[0], longitude=where[1])
    asked = await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[sku], destination=at))
    # A day of handling would see it leave tomorrow; tomorrow and the two days after are closed,
    # so it leaves in four days and, next door, arrives the day after.
    assert asked.skus[0].locations[0].delivers_on.seconds in days_from_now(5)


def day_ahead(days: int) -> timestamp_pb2.Timestamp:
    """00:00 UTC of the day ``days`` after today."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)
    return timestamp_pb2.Timestamp(seconds=int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()))


async def test_a_day_asked_for_is_met_from_a_dearer_location_where_that_costs_less_than_the_days_late(world: World):
    near = await world.location("T-DC-NEAR", at=BERLIN, shipment_cost_minor=1_000, shipping=every_day_schedule())
    far = await world.location(
        "T-DC-FAR", at=FAR_WEST, shipment_cost_minor=100, shipping=every_day_schedule(handling_days=2, transit_km_per_day=1_000)
    )
    both = await world.sku({near: 5, far: 5})
    only_far = await world.sku({far: 5})
    customer = await world.customer()

    cheapest = (await world.orders.CreateOrder(world.order(customer, [(both, 1)]))).order
    assert [a.location_id for a in cheapest.lines[0].allocations] == [far]
    assert cheapest.promised_delivery.seconds in days_from_now(4) and not cheapest.HasField("deliver_by")

    # Asked for in two days: two days late from the far one cost 2 x 2,500 (the default),
    # more than the 900 the near one costs more to ship.
    asked = world.order(customer, [(both, 1)])
    asked.deliver_by.CopyFrom(day_ahead(2))
    express = (await world.orders.CreateOrder(asked)).order
    assert [a.location_id for a in express.lines[0].allocations] == [near]
    assert express.deliver_by == day_ahead(2) and express.promised_delivery.seconds in days_from_now(1)
    assert express.sourcing.late_cost_minor == 0

    # Where only the far one has it, the order still ships, two days after the day asked.
    too_soon = world.order(customer, [(only_far, 1)])
    too_soon.deliver_by.CopyFrom(day_ahead(2))
    late = (await world.orders.CreateOrder(too_soon)).order
    assert [a.location_id for a in late.lines[0].allocations] == [far]
    assert late.promised_delivery.seconds in days_from_now(4) and late.sourcing.late_cost_minor == 2 * 2_500
    assert late.sourcing.cost_minor == (
        late.sourcing.unit_cost_minor + late.sourcing.shipment_cost_minor + late.sourcing.unfilled_cost_minor + 5_000
    )

    for days in (-3, 400):
        bad = world.order(customer, [(both, 1)])
        bad.deliver_by.CopyFrom(day_ahead(days))
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.orders.CreateOrder(bad)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == {"deliver_by"}
    assert await world.available(both) == {near: (5, 1), far: (5, 1)}  # nothing more placed


async def test_a_locations_pick_list_puts_the_earliest_promise_first(world: World):
    here = await world.location("T-DC-PICK", at=BERLIN, shipping=every_day_schedule())
    twin = await world.location("T-DC-TWIN", at=BERLIN, shipment_cost_minor=500, shipping=every_day_schedule())
    sku = await world.sku({here: 5, twin: 5})
    # Two locations a day away: availability tells that day once, whichever it comes from.
    berlin = common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1])
    asked = await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[sku], destination=berlin))
    assert {loc.delivers_on.seconds for loc in asked.skus[0].locations} == {asked.skus[0].earliest_delivery.seconds}
    assert asked.skus[0].earliest_delivery.seconds in days_from_now(1)
    customer = await world.customer()
    far_away = card(world.order(customer, [(sku, 1)]))
    far_away.ship_to.position.CopyFrom(common_pb2.GeoPoint(latitude=FAR_WEST[0], longitude=FAR_WEST[1]))  # three days
    first = await settled(world, (await world.orders.CreateOrder(far_away)).order.order_id)
    second = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    assert first.promised_delivery.seconds in days_from_now(3) and second.promised_delivery.seconds in days_from_now(1)
    listed = await fulfilment(world).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=here))
    # Both must leave today to keep their promises; the newer order first, as its customer
    # was promised the earlier day.
    assert [(r.order_id, r.promised_delivery) for r in listed.requests] == [
        (second.order_id, second.promised_delivery), (first.order_id, first.promised_delivery)
    ]  # fmt: skip
    assert all(r.ship_by.seconds in days_from_now(0) for r in listed.requests)


async def test_a_carriers_delay_turns_the_parcels_lines_late(world: World, oms):
    here = await world.location("T-DC-CARRIER", at=BERLIN, shipping=every_day_schedule())
    there = await world.location("T-DC-ELSEWHERE", at=FAR_WEST, shipping=every_day_schedule())
    sku = await world.sku({here: 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
    shipped = await ship_everything(world, order)
    [parcel] = shipped.shipments
    assert not shipped.delivery_late and not parcel.HasField("estimated_delivery")

    # A key of another location does not see the order; the shipping location's does.
    _, other_key = await oms.access.keys.create(role=Role.FULFILMENT, by="tests", location_id=there)
    _, own_key = await oms.access.keys.create(role=Role.FULFILMENT, by="tests", location_id=here)
    delay = fulfilment_pb2.UpdateDeliveryEstimateRequest(
        order_id=order.order_id, shipment_id=parcel.shipment_id, estimated_delivery=day_ahead(3), reason="missed sort"
    )
    for key, code in ((other_key, grpc.StatusCode.NOT_FOUND), (own_key, grpc.StatusCode.OK)):
        caller = await World.open(f"127.0.0.1:{oms.port}", credential=key)
        try:
            if code is grpc.StatusCode.OK:
                late = await fulfilment(caller).UpdateDeliveryEstimate(delay)
            else:
                with pytest.raises(grpc.aio.AioRpcError) as info:
                    await fulfilment(caller).UpdateDeliveryEstimate(delay)
                assert info.value.code() == code
        finally:
            await caller.close()
    assert late.shipments[0].estimated_delivery == day_ahead(3) and late.shipments[0].estimate_reason == "missed sort"
    assert late.lines[0].estimated_delivery == day_ahead(3) and late.lines[0].delivery_late and late.delivery_late
    again = await fulfilment(world).UpdateDeliveryEstimate(delay)
    assert again.version == late.version  # the same news twice changes nothing
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
    types = [e.type for e in history.events]
    assert types.count("shipment.estimate_changed") == 1 and types.count("line.delivery_at_risk") == 1

    estimate = fulfilment_pb2.UpdateDeliveryEstimateRequest
    for bad, fields in (
        (estimate(order_id=order.order_id, shipment_id=parcel.shipment_id), {"estimated_delivery"}),
        (
            estimate(order_id=order.order_id, shipment_id=parcel.shipment_id, estimated_delivery=day_ahead(400)),
            {"estimated_delivery"},
        ),
        (estimate(order_id="", shipment_id="", estimated_delivery=day_ahead(1)), {"order_id", "shipment_id"}),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await fulfilment(world).UpdateDeliveryEstimate(bad)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field_violations(info.value) == fields

    delivered = await fulfilment(world).ConfirmDelivery(
        fulfilment_pb2.ConfirmDeliveryRequest(order_id=order.order_id, shipment_id=parcel.shipment_id)
    )
    assert not delivered.delivery_late
    assert (await fulfilment(world).UpdateDeliveryEstimate(delay)).version == delivered.version  # old news, as before
    delay.estimated_delivery.CopyFrom(day_ahead(5))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await fulfilment(world).UpdateDeliveryEstimate(delay)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_an_order_approved_after_a_review_is_estimated_from_then(world: World):
    # The warehouse falls three days behind while the order waits for its reviewer.
    lid = World.unique("T-DC-REVIEW")
    location = inventory_pb2.Location(
        location_id=lid, type=common_pb2.LOCATION_TYPE_WAREHOUSE, name=lid, active=True, shipment_cost_minor=100,
        position=common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1]), shipping=every_day_schedule(),
    )  # fmt: skip
    await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[location]))
    sku = await world.sku({lid: 5})
    customer = await world.customer()
    order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    promised = order.promised_delivery
    assert promised.seconds in days_from_now(1)
    held = await world.orders.HoldOrder(orders_pb2.HoldOrderRequest(order_id=order.order_id, reason="address looks like a drop"))
    assert held.status == orders_pb2.ORDER_STATUS_ON_HOLD
    location.shipping.handling_days = 3
    await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[location]))
    approved = await world.orders.ReviewOrder(
        orders_pb2.ReviewOrderRequest(order_id=order.order_id, decision=orders_pb2.REVIEW_DECISION_APPROVE, note="checked")
    )
    line = approved.lines[0]
    assert line.promised_delivery == promised and line.estimated_delivery.seconds in days_from_now(4)
    assert line.delivery_late and approved.delivery_late


async def test_what_must_leave_first_is_listed_first_even_when_promised_later(world: World):
    lid = World.unique("T-DC-SHIPBY")
    location = inventory_pb2.Location(
        location_id=lid, type=common_pb2.LOCATION_TYPE_WAREHOUSE, name=lid, active=True, shipment_cost_minor=100,
        position=common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1]), shipping=every_day_schedule(handling_days=1),
    )  # fmt: skip
    await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[location]))
    sku = await world.sku({lid: 5})
    customer = await world.customer()
    # Next door, placed while the warehouse needed a day of handling: promised in two days.
    near = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    location.shipping.handling_days = 0
    await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[location]))
    # 1,300 km away, placed after: promised in three days, three of them on the road.
    far_away = card(world.order(customer, [(sku, 1)]))
    far_away.ship_to.position.CopyFrom(common_pb2.GeoPoint(latitude=FAR_WEST[0], longitude=FAR_WEST[1]))
    far = await settled(world, (await world.orders.CreateOrder(far_away)).order.order_id)
    assert near.promised_delivery.seconds in days_from_now(2) and far.promised_delivery.seconds in days_from_now(3)
    listed = await fulfilment(world).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=lid))
    # The far one must leave today, the near one tomorrow: the far one is picked first.
    assert [r.order_id for r in listed.requests] == [far.order_id, near.order_id]
    assert listed.requests[0].ship_by.seconds in days_from_now(0) and listed.requests[1].ship_by.seconds in days_from_now(1)


async def test_a_pickup_is_promised_the_day_the_store_has_it_ready(world: World):
    store = await world.location(
        "T-ST-PICK", kind=common_pb2.LOCATION_TYPE_STORE, at=FAR_WEST, pickup_enabled=True,
        shipping=every_day_schedule(handling_days=1),
    )  # fmt: skip
    sku = await world.sku({store: 3})
    customer = await world.customer()
    order = (await world.orders.CreateOrder(world.order(customer, [(sku, 1)], pickup=store))).order
    assert [a.location_id for a in order.lines[0].allocations] == [store]
    assert order.promised_delivery.seconds in days_from_now(1)  # a day of handling, no transit
    asked = await world.inventory.GetAvailability(
        inventory_pb2.GetAvailabilityRequest(
            skus=[sku], channel=common_pb2.CHANNEL_WEB, delivery_mode=common_pb2.DELIVERY_MODE_PICKUP_IN_STORE,
            pickup_location_id=store,
        )
    )  # fmt: skip
    assert asked.skus[0].earliest_delivery.seconds in days_from_now(1)


async def test_a_bad_schedule_is_refused_field_by_field_and_changes_nothing(world: World):
    where = (FAR_WEST[0] + 1.0, FAR_WEST[1])
    lid = await world.location("T-DC-SCHED", at=where, shipping=inventory_pb2.ShippingSchedule(cutoff="14:30"))
    before = await listed(world, where, lid)
    assert before.shipping.cutoff == "14:30"
    assert list(before.shipping.shipping_weekdays) == [1, 2, 3, 4, 5]  # the defaults of the fields not set
    assert list(before.shipping.delivery_weekdays) == [1, 2, 3, 4, 5, 6]
    assert (before.shipping.transit_km_per_day, before.shipping.transit_min_days) == (500, 1)

    bad = inventory_pb2.ShippingSchedule(
        handling_days=-1, cutoff="25:00", shipping_weekdays=[0, 8], transit_km_per_day=-5, transit_min_days=61,
        delivery_weekdays=[1, 1], closed_dates=[timestamp_pb2.Timestamp(seconds=10**15)],
    )  # fmt: skip
    changed = inventory_pb2.Location()
    changed.CopyFrom(before)
    changed.name = "renamed"
    changed.shipping.CopyFrom(bad)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[changed]))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {
        f"locations[0].shipping.{name}"
        for name in (
            "handling_days", "cutoff", "shipping_weekdays", "transit_km_per_day", "transit_min_days", "delivery_weekdays",
            "closed_dates[0]",
        )
    }  # fmt: skip
    assert await listed(world, where, lid) == before

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.GetAvailability(
            inventory_pb2.GetAvailabilityRequest(
                skus=["ANY"], delivery_mode=common_pb2.DELIVERY_MODE_PICKUP_IN_STORE, pickup_location_id=lid,
                destination=common_pb2.GeoPoint(latitude=1, longitude=1),
            )
        )  # fmt: skip
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {"destination"}


async def test_a_day_asked_for_weighs_supply_on_its_way_by_the_day_it_would_arrive(world: World):
    from tests.integration.test_inbound_promises import day_proto, promising_rules

    near = await world.location("T-DC-NEAR", at=BERLIN, shipping=every_day_schedule())
    far = await world.location(
        "T-DC-FAR", at=FAR_WEST, shipment_cost_minor=1_000, shipping=every_day_schedule(transit_km_per_day=1_000)
    )
    sku = await world.sku({})  # nothing on hand: only supply on its way can be promised
    near_only = await world.sku({})
    today = dt.datetime.now(dt.UTC).date()

    def coming(location_id: str, days: int, item: str = sku) -> inventory_pb2.InboundSupply:
        return inventory_pb2.InboundSupply(
            location_id=location_id, sku=item, expected_at=day_proto(today + dt.timedelta(days=days)), quantity=5
        )

    # Near and cheap to ship from, but in six days; far and dear, but tomorrow: it leaves the
    # day after it comes and is two days on the road.
    await world.inventory.SetInboundSupply(
        inventory_pb2.SetInboundSupplyRequest(supplies=[coming(near, 6), coming(far, 1), coming(near, 6, near_only)])
    )
    customer = await world.customer()
    async with promising_rules(world, wait_unit_cost_minor=1):
        # Waiting costs next to nothing here: without a day asked, the near supply wins.
        plain = (await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order
        assert [a.location_id for a in plain.lines[0].allocations] == [near]
        # Asked for in four days: the near supply would arrive four days late (4 x 2,500), the far
        # one in time for its 1,000 of shipping.
        asked = world.order(customer, [(sku, 1)])
        asked.deliver_by.CopyFrom(day_ahead(4))
        express = (await world.orders.CreateOrder(asked)).order
        # Only the near supply has the other SKU: promised four days late, and the explanation
        # says what those days were priced at, apart from the unit cost.
        too_late = world.order(customer, [(near_only, 1)])
        too_late.deliver_by.CopyFrom(day_ahead(4))
        late = (await world.orders.CreateOrder(too_late)).order
    [allocation] = express.lines[0].allocations
    assert allocation.location_id == far and allocation.expected_on == day_proto(today + dt.timedelta(days=1))
    assert express.promised_delivery.seconds in days_from_now(4) and express.sourcing.late_cost_minor == 0
    assert [a.location_id for a in late.lines[0].allocations] == [near] and late.promised_delivery.seconds in days_from_now(8)
    assert late.sourcing.late_cost_minor == 4 * 2_500 and late.sourcing.unit_cost_minor < 2_500


async def test_a_countrys_public_holidays_are_no_dispatch_and_no_delivery_days(world: World):
    from tests.integration.test_inbound_promises import day_proto

    # Countries of this test's own (the tests share one network): XQ where the location is,
    # XR where the parcel goes.
    today = dt.datetime.now(dt.UTC).date()
    where = (FAR_WEST[0] + 1.0, FAR_WEST[1])
    here = await world.location("T-DC-XQ", at=where, country_code="XQ", shipping=every_day_schedule())
    sku = await world.sku({here: 3})
    door = common_pb2.GeoPoint(latitude=where[0], longitude=where[1])  # next door: a day's transit

    async def delivers_on(country: str) -> int:
        asked = await world.inventory.GetAvailability(
            inventory_pb2.GetAvailabilityRequest(skus=[sku], destination=door, destination_country=country)
        )
        day = asked.skus[0].locations[0].delivers_on.seconds
        return next(d for d in range(10) if day in days_from_now(d))

    assert await delivers_on("XR") == 1
    tomorrow, after = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    try:
        answer = await world.inventory.SetPublicHolidays(
            inventory_pb2.SetPublicHolidaysRequest(
                calendars=[
                    inventory_pb2.HolidayCalendar(country_code="XR", dates=[day_proto(tomorrow)]),
                    inventory_pb2.HolidayCalendar(country_code="XQ", dates=[day_proto(after), day_proto(tomorrow)]),
                ]
            )
        )
        assert answer.countries == 2
        shown = await world.inventory.GetPublicHolidays(inventory_pb2.GetPublicHolidaysRequest())
        calendars = {c.country_code: [ts.seconds for ts in c.dates] for c in shown.calendars}
        assert calendars["XQ"] == [day_proto(tomorrow).seconds, day_proto(after).seconds]
        # Tomorrow and the day after are XQ's holidays: its location's carrier delivers on
        # neither, wherever it goes; into XR, tomorrow is closed too.
        assert await delivers_on("XR") == 3 and await delivers_on("") == 3
        await world.inventory.SetPublicHolidays(
            inventory_pb2.SetPublicHolidaysRequest(calendars=[inventory_pb2.HolidayCalendar(country_code="XQ")])
        )
        assert await delivers_on("") == 1 and await delivers_on("XR") == 2  # only XR's tomorrow is left
        # An order to XR is promised the same day availability told.
        customer = await world.customer()
        request = world.order(customer, [(sku, 1)])
        request.ship_to.country_code = "XR"
        request.ship_to.position.CopyFrom(door)
        order = (await world.orders.CreateOrder(request)).order
        assert order.promised_delivery.seconds in days_from_now(2)
    finally:
        await world.inventory.SetPublicHolidays(
            inventory_pb2.SetPublicHolidaysRequest(
                calendars=[inventory_pb2.HolidayCalendar(country_code=c) for c in ("XQ", "XR")]
            )
        )
    left = await world.inventory.GetPublicHolidays(inventory_pb2.GetPublicHolidaysRequest())
    assert not {c.country_code for c in left.calendars} & {"XQ", "XR"}

    bad = inventory_pb2.SetPublicHolidaysRequest(
        calendars=[
            inventory_pb2.HolidayCalendar(country_code="xq"),
            inventory_pb2.HolidayCalendar(country_code="XR", dates=[timestamp_pb2.Timestamp(seconds=300_000_000_000)]),
            inventory_pb2.HolidayCalendar(country_code="XR"),
        ]
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.SetPublicHolidays(bad)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(info.value) == {"calendars[0].country_code", "calendars[1].dates[0]", "calendars[2]"}
