"""Location capacity per day: sourcing plans within what is left of a location's day.

The ledger against a real Redis (take, refuse, replace, shrink, release), then the
service over gRPC: a full location is routed around, a cancellation gives its
units back, and a negative capacity is refused with its field named.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest

from oms_actors.store.capacity import CapacityLedger
from oms_actors.store.connection import connect_async
from protos.oms.v1 import common_pb2, inventory_pb2, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import BERLIN, World, field_violations
from tests.integration.waiting import settled


@pytest.fixture
async def ledger(redis_server):
    client = connect_async(redis_server.url)
    yield CapacityLedger(client)
    await client.aclose()


async def test_a_plan_that_would_overfill_a_location_is_refused_and_changes_nothing(ledger: CapacityLedger):
    loc, other = World.unique("L"), World.unique("L")
    caps = {loc: 5}
    assert await ledger.take("o1", {loc: 3}, caps, day="20301231") == []
    assert await ledger.take("o2", {loc: 3, other: 9}, caps, day="20301231") == [loc]
    assert await ledger.used([loc, other], day="20301231") == {loc: 3, other: 0}
    assert await ledger.take("o2", {loc: 2, other: 9}, caps, day="20301231") == []
    assert await ledger.used([loc, other], day="20301231") == {loc: 5, other: 9}


async def test_taking_replaces_the_orders_record_and_is_idempotent(ledger: CapacityLedger):
    a, b = World.unique("L"), World.unique("L")
    caps = {a: 4, b: 4}
    order = World.unique("O")
    for _ in range(2):  # a retry changes nothing
        assert await ledger.take(order, {a: 4}, caps, day="20301230") == []
    assert await ledger.used([a, b], day="20301230") == {a: 4, b: 0}
    # Re-sourced: the order's own units count as free for it.
    assert await ledger.take(order, {a: 1, b: 3}, caps, day="20301230") == []
    assert await ledger.used([a, b], day="20301230") == {a: 1, b: 3}
    view = await ledger.view(caps, [order], day="20301230")
    assert (view.left, view.for_order(order)) == ({a: 3, b: 1}, {a: 4, b: 4})


async def test_shrinking_and_releasing_give_back_to_the_day_planned_on(ledger: CapacityLedger):
    loc = World.unique("L")
    order = World.unique("O")
    assert await ledger.take(order, {loc: 5}, {loc: 5}, day="20301229") == []
    await ledger.shrink(order, {loc: 2})  # cancelled lines: 3 units freed on the day planned
    await ledger.shrink(order, {loc: 9})  # never adds
    assert await ledger.used([loc], day="20301229") == {loc: 2}
    await ledger.release(order)
    await ledger.release(order)
    assert await ledger.used([loc], day="20301229") == {loc: 0}


async def _capped_location(world: World, capacity: int) -> str:
    # At Berlin, where the orders go: the cheapest place to ship from, by far.
    return await world.location("T-DC-CAP", unit_handling_cost_minor=10, daily_capacity_units=capacity)


async def _availability_at(world: World, sku: str, loc: str, ready, timeout_s: float = 10.0) -> inventory_pb2.LocationAvailability:
    """The location's row for a web order to ship, once ``ready`` (the gateway reads capacity at most 0.5 s late)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        resp = await world.inventory.GetAvailability(
            inventory_pb2.GetAvailabilityRequest(skus=[sku], channel=common_pb2.CHANNEL_WEB, delivery_mode=common_pb2.DELIVERY_MODE_SHIP)
        )
        [row] = [r for r in resp.skus[0].locations if r.location_id == loc]
        if ready(row) or asyncio.get_running_loop().time() > deadline:
            return row
        await asyncio.sleep(0.1)


def _units_at(order: orders_pb2.Order, loc: str) -> int:
    return sum(a.quantity for line in order.lines for a in line.allocations if a.location_id == loc)


async def test_a_full_location_is_routed_around_and_a_cancellation_frees_its_units(world: World, ledger):
    capped = await _capped_location(world, 3)
    sku = await world.sku({capped: 10, "T-DC-SOUTH": 10})
    customer = await world.customer()

    first = await settled(world, (await world.orders.CreateOrder(world.order(customer, [(sku, 2)]))).order.order_id)
    assert _units_at(first, capped) == 2
    # A channel is promised there no more than the one unit of the day left.
    here = await _availability_at(world, sku, capped, lambda row: row.capacity_left_today == 1)
    assert (here.available, here.promisable) == (8, 1)
    south = await _availability_at(world, sku, "T-DC-SOUTH", lambda row: True)
    assert not south.HasField("capacity_left_today") and south.promisable == 10
    second = await settled(world, (await world.orders.CreateOrder(world.order(customer, [(sku, 3)]))).order.order_id)
    assert second.lines[0].backordered_quantity == 0
    assert _units_at(second, capped) <= 1  # only one unit of the day was left there
    assert await ledger.used([capped]) == {capped: 2 + _units_at(second, capped)}

    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=first.order_id, reason="changed mind"))
    await settled(world, first.order_id)
    assert await ledger.used([capped]) == {capped: _units_at(second, capped)}
    third = await settled(world, (await world.orders.CreateOrder(world.order(customer, [(sku, 2)]))).order.order_id)
    assert _units_at(third, capped) == 2
    assert not await audit_differences(world)


async def test_a_negative_capacity_is_refused_with_its_field(world: World):
    bad = inventory_pb2.Location(
        location_id=World.unique("T-DC-BAD"),
        type=common_pb2.LOCATION_TYPE_WAREHOUSE,
        position=common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1]),
        active=True,
        daily_capacity_units=-1,
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=[bad]))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "locations[0].daily_capacity_units" in field_violations(info.value)
