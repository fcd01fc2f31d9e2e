"""Location capacity per day: sourcing plans within what is left of a location's day.

The ledger against a real Redis (take, refuse, replace, shrink, release; each
location on its own day; records written before days were per location), then the
service over gRPC: a full location is routed around, a cancellation gives its
units back, a location far from UTC counts its own day, and a negative capacity or
an unknown time zone is refused with its field named.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import grpc
import pytest

from oms_actors.store import keys
from oms_actors.store.capacity import PREFIX, CapacityLedger
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


async def test_each_location_counts_on_its_own_day(ledger: CapacityLedger):
    east, west = World.unique("L"), World.unique("L")
    caps = {east: 5, west: 5}
    order = World.unique("O")
    # Late evening in the west is already tomorrow in the east.
    days = {east: "20301202", west: "20301201"}
    assert await ledger.take(order, {east: 2, west: 3}, caps, days=days) == []
    assert await ledger.used([east, west], days=days) == {east: 2, west: 3}
    assert await ledger.used([east, west], day="20301201") == {east: 0, west: 3}
    view = await ledger.view(caps, [order], days=days)
    assert (view.left, view.mine) == ({east: 3, west: 2}, {order: {east: 2, west: 3}})
    # On a day it has used nothing of, the order brings nothing to credit there.
    later = await ledger.view(caps, [order], days={east: "20301203", west: "20301201"})
    assert (later.left, later.mine) == ({east: 5, west: 2}, {order: {west: 3}})
    # A full day in the east refuses the plan and changes nothing, on either day.
    assert await ledger.take(World.unique("O"), {east: 4}, caps, days=days) == [east]
    assert await ledger.used([east, west], days=days) == {east: 2, west: 3}
    # Re-sourced after the east's midnight: its units move to the new day, the west's stay.
    moved = {east: "20301203", west: "20301201"}
    assert await ledger.take(order, {east: 1, west: 3}, caps, days=moved) == []
    assert await ledger.used([east], day="20301202") == {east: 0}
    assert await ledger.used([east, west], days=moved) == {east: 1, west: 3}
    await ledger.shrink(order, {east: 0, west: 1})  # given back on the days recorded
    assert await ledger.used([east, west], days=moved) == {east: 0, west: 1}
    await ledger.release(order)
    assert await ledger.used([east, west], days=moved) == {east: 0, west: 0}


async def test_a_record_written_before_days_were_per_location_is_read_on_its_day(ledger: CapacityLedger):
    loc = World.unique("L")
    order, other = World.unique("O"), World.unique("O")
    # What the ledger wrote before: one '@day' for the whole record, plain units.
    for oid, units in ((order, 4), (other, 2)):
        await ledger.client.hset(f"{PREFIX}order:{oid}", mapping={"@day": "20301120", loc: units})
        await ledger.client.hincrby(f"{PREFIX}day:20301120", loc, units)
    view = await ledger.view({loc: 9}, [order], day="20301120")
    assert (view.left, view.mine) == ({loc: 3}, {order: {loc: 4}})
    assert await ledger.take(order, {loc: 1}, {loc: 9}, day="20301121") == []
    assert await ledger.used([loc], day="20301120") == {loc: 2}  # given back to the day it was taken on
    assert await ledger.used([loc], day="20301121") == {loc: 1}
    await ledger.shrink(other, {loc: 1})
    assert await ledger.used([loc], day="20301120") == {loc: 1}
    await ledger.release(other)
    assert await ledger.used([loc], day="20301120") == {loc: 0}


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


async def test_a_location_far_from_utc_plans_within_its_own_day(world: World, ledger):
    # A zone whose date differs from UTC's right now: UTC+14 from 10:00 UTC, UTC-12 before.
    zone = "Etc/GMT-14" if dt.datetime.now(dt.UTC).hour >= 10 else "Etc/GMT+12"
    capped = await world.location("T-DC-TZ", unit_handling_cost_minor=10, daily_capacity_units=3, time_zone=zone)
    sku = await world.sku({capped: 10})
    customer = await world.customer()
    before = dt.datetime.now(ZoneInfo(zone)).strftime("%Y%m%d")
    order = await settled(world, (await world.orders.CreateOrder(world.order(customer, [(sku, 2)]))).order.order_id)
    after = dt.datetime.now(ZoneInfo(zone)).strftime("%Y%m%d")
    assert _units_at(order, capped) == 2
    utc_day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    assert utc_day not in (before, after)
    on_its_days = (await ledger.used([capped], day=before))[capped]
    if after != before:  # its midnight passed while the order was placed
        on_its_days += (await ledger.used([capped], day=after))[capped]
    assert on_its_days == 2
    assert await ledger.used([capped], day=utc_day) == {capped: 0}
    here = await _availability_at(world, sku, capped, lambda row: row.capacity_left_today == 1)
    assert here.capacity_left_today == 1  # what its own day has left, not a UTC day's 3


async def test_an_unknown_time_zone_is_refused_with_its_field_and_nothing_is_written(world: World, redis_server):
    good, bad = World.unique("T-DC-OK"), World.unique("T-DC-BADTZ")
    locations = [
        inventory_pb2.Location(
            location_id=lid,
            type=common_pb2.LOCATION_TYPE_WAREHOUSE,
            position=common_pb2.GeoPoint(latitude=BERLIN[0], longitude=BERLIN[1]),
            active=True,
            time_zone=zone,
        )
        for lid, zone in ((good, "Europe/Berlin"), (bad, "Europe/Atlantis"))
    ]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=locations))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(info.value)) == {"locations[1].time_zone"}
    client = connect_async(redis_server.url)
    try:
        assert await client.hmget(keys.LOCATIONS, [good, bad]) == [None, None]
    finally:
        await client.aclose()
