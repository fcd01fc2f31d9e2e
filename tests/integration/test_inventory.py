"""Inventory: feeds applied exactly once, channel views, inbound supply, audits, no overselling."""

from __future__ import annotations

import asyncio
import datetime as dt

import grpc
import pytest
from google.protobuf import timestamp_pb2

from protos.oms.v1 import common_pb2, inventory_pb2, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import World, field_violations

pytestmark = pytest.mark.integration


def feed(seq: int, loc: str, *, snapshot=None, delta=None, adjust=None, reason=0, complete=False, feed_id="wms-test"):
    msg = inventory_pb2.StockFeedMessage(feed_id=feed_id, sequence=seq, location_id=loc)
    if snapshot is not None:
        msg.snapshot.CopyFrom(
            inventory_pb2.StockSnapshot(
                quantities=[inventory_pb2.StockQuantity(sku=s, quantity=q) for s, q in snapshot], complete=complete
            )
        )
    if delta is not None:
        msg.delta.CopyFrom(inventory_pb2.StockDelta(changes=[inventory_pb2.StockQuantity(sku=s, quantity=q) for s, q in delta]))
    if adjust is not None:
        msg.adjustment.CopyFrom(
            inventory_pb2.StockAdjustment(
                changes=[inventory_pb2.StockQuantity(sku=s, quantity=q) for s, q in adjust], reason=reason, note="count"
            )
        )
    return msg


async def send(world: World, *messages):
    async def stream():
        for m in messages:
            yield m

    return await world.inventory.StreamStockFeed(stream())


async def on_hand(world: World, sku: str, loc: str) -> int:
    return (await world.available(sku)).get(loc, (0, 0))[0]


async def test_a_replayed_snapshot_and_repeated_deltas_change_nothing_twice(world: World):
    a, b = await world.sku({}), await world.sku({})
    feed_id = World.unique("wms")
    first = [
        feed(1, "T-DC-NORTH", snapshot=[(a, 10), (b, 5)], feed_id=feed_id),
        feed(2, "T-DC-NORTH", delta=[(a, -2)], feed_id=feed_id),
        feed(3, "T-DC-NORTH", adjust=[(b, -1)], reason=inventory_pb2.ADJUSTMENT_REASON_DAMAGE, feed_id=feed_id),
    ]
    summary = await send(world, *first)
    assert (summary.applied, summary.replayed) == (3, 0)
    assert [(p.location_id, p.last_sequence) for p in summary.positions] == [("T-DC-NORTH", 3)]
    again = await send(world, *first, *first[1:])
    assert (again.applied, again.replayed) == (0, 5)
    assert (await on_hand(world, a, "T-DC-NORTH"), await on_hand(world, b, "T-DC-NORTH")) == (8, 4)
    assert not await audit_differences(world)


async def test_an_out_of_order_message_stops_the_stream_at_the_gap_and_a_resend_converges(world: World):
    a = await world.sku({})
    feed_id = World.unique("wms")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await send(
            world,
            feed(1, "T-DC-SOUTH", snapshot=[(a, 3)], feed_id=feed_id),
            feed(3, "T-DC-SOUTH", delta=[(a, 4)], feed_id=feed_id),
            feed(2, "T-DC-SOUTH", delta=[(a, 1)], feed_id=feed_id),
        )
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "2 expected" in info.value.details()
    assert await on_hand(world, a, "T-DC-SOUTH") == 3
    resent = await send(
        world,
        feed(2, "T-DC-SOUTH", delta=[(a, 1)], feed_id=feed_id),
        feed(3, "T-DC-SOUTH", delta=[(a, 4)], feed_id=feed_id),
    )
    assert resent.applied == 2
    assert await on_hand(world, a, "T-DC-SOUTH") == 8


async def test_a_complete_snapshot_zeroes_unlisted_skus_at_that_location_only(world: World):
    # A store of its own: a complete snapshot speaks for every SKU at its location.
    store = await world.location("T-ST", kind=common_pb2.LOCATION_TYPE_STORE, at=(51.0, 12.0), shipment_cost_minor=700)
    a = await world.sku({store: 4, "T-DC-WEST": 4})
    b = await world.sku({store: 6})
    await send(world, feed(1, store, snapshot=[(a, 2)], complete=True, feed_id=World.unique("pos")))
    assert await on_hand(world, a, store) == 2
    assert await on_hand(world, b, store) == 0
    assert await on_hand(world, a, "T-DC-WEST") == 4


async def test_bad_feed_messages_are_refused_and_change_nothing(world: World):
    a = await world.sku({"T-DC-NORTH": 1})
    feed_id = World.unique("wms")
    cases = [
        (feed(1, "NOWHERE", snapshot=[(a, 1)], feed_id=feed_id), grpc.StatusCode.INVALID_ARGUMENT, "messages[0].location_id"),
        (feed(1, "T-DC-NORTH", snapshot=[(a, -1)], feed_id=feed_id), grpc.StatusCode.INVALID_ARGUMENT, "messages[0].snapshot.quantities[0].quantity"),
        (feed(0, "T-DC-NORTH", delta=[(a, 1)], feed_id=feed_id), grpc.StatusCode.INVALID_ARGUMENT, "messages[0].sequence"),
        (feed(1, "T-DC-NORTH", adjust=[(a, 1)], feed_id=feed_id), grpc.StatusCode.INVALID_ARGUMENT, "messages[0].adjustment.reason"),
        (feed(1, "T-DC-NORTH", delta=[("NO-SUCH", 1)], feed_id=feed_id), grpc.StatusCode.INVALID_ARGUMENT, "messages[0].delta.changes[0].sku"),
        (feed(1, "T-DC-NORTH", delta=[(a, -5)], feed_id=feed_id), grpc.StatusCode.FAILED_PRECONDITION, None),
    ]
    for message, code, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await send(world, message)
        assert info.value.code() == code, message
        if field:
            assert field in field_violations(info.value)
    assert await world.available(a) == {"T-DC-NORTH": (1, 0)}
    # Nothing consumed the sequence: message 1 is still the next one.
    assert (await send(world, feed(1, "T-DC-NORTH", delta=[(a, 2)], feed_id=feed_id))).applied == 1


async def test_routing_rules_shape_what_a_channel_may_promise_and_what_it_reserves(world: World):
    sku = await world.sku({"T-ST-LEIPZIG": 5, "T-DS-SUPPLIER": 50})
    previous = await world.inventory.GetRoutingRules(inventory_pb2.GetRoutingRulesRequest())
    rules = inventory_pb2.RoutingRules(
        rules=[
            inventory_pb2.EligibilityRule(
                effect=inventory_pb2.RULE_EFFECT_DENY,
                channels=[common_pb2.CHANNEL_MARKETPLACE],
                location_types=[common_pb2.LOCATION_TYPE_DROPSHIP],
                skus=[sku],
                description="no drop-ship for marketplace orders of this SKU",
            )
        ],
        channel_safety_stock=[
            inventory_pb2.ChannelSafetyStock(channel=common_pb2.CHANNEL_WEB, location_id="T-ST-LEIPZIG", units=3)
        ],
    )
    try:
        stored = await world.inventory.SetRoutingRules(rules)
        assert stored.rules[0].description == rules.rules[0].description
        web = await world.inventory.GetAvailability(
            inventory_pb2.GetAvailabilityRequest(skus=[sku], channel=common_pb2.CHANNEL_WEB)
        )
        by_loc = {loc.location_id: loc.promisable for loc in web.skus[0].locations}
        assert by_loc == {"T-ST-LEIPZIG": 2, "T-DS-SUPPLIER": 50}
        market = await world.inventory.GetAvailability(
            inventory_pb2.GetAvailabilityRequest(skus=[sku], channel=common_pb2.CHANNEL_MARKETPLACE)
        )
        assert {loc.location_id: loc.promisable for loc in market.skus[0].locations} == {"T-ST-LEIPZIG": 5, "T-DS-SUPPLIER": 0}
        customer = await world.customer()
        order = (
            await world.orders.CreateOrder(world.order(customer, [(sku, 5)], channel=common_pb2.CHANNEL_MARKETPLACE))
        ).order
        assert [(a.location_id, a.quantity) for a in order.lines[0].allocations] == [("T-ST-LEIPZIG", 5)]
        web_order = (await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order
        assert {a.location_id for a in web_order.lines[0].allocations} == {"T-DS-SUPPLIER"}
    finally:
        await world.inventory.SetRoutingRules(previous)


async def test_bad_routing_rules_are_refused_naming_the_field(world: World):
    bad = inventory_pb2.RoutingRules(
        rules=[inventory_pb2.EligibilityRule(effect=0)],
        channel_safety_stock=[inventory_pb2.ChannelSafetyStock(channel=common_pb2.CHANNEL_WEB, units=-1)],
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await world.inventory.SetRoutingRules(bad)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"rules[0].effect", "channel_safety_stock[0]", "channel_safety_stock[0].units"} <= field_violations(info.value)


async def test_inbound_supply_is_shown_by_date(world: World):
    sku = await world.sku({"T-DC-WEST": 1})
    day = dt.datetime(2030, 1, 15, tzinfo=dt.timezone.utc)
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(day)
    await world.inventory.SetInboundSupply(
        inventory_pb2.SetInboundSupplyRequest(
            supplies=[inventory_pb2.InboundSupply(location_id="T-DC-WEST", sku=sku, expected_at=ts, quantity=40)]
        )
    )
    resp = await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[sku]))
    west = resp.skus[0].locations[0]
    assert (west.available, [(i.expected_at.ToDatetime().date(), i.quantity) for i in west.inbound]) == (
        1,
        [(day.date(), 40)],
    )


async def test_many_clients_against_scarce_stock_never_reserve_more_than_there_is(world: World):
    skus = [await world.sku({"T-DC-NORTH": 7, "T-ST-MITTE": 3}) for _ in range(3)]
    customers = [await world.customer() for _ in range(8)]

    async def client(n: int) -> list[orders_pb2.Order]:
        placed = []
        for i in range(6):
            lines = [(skus[(n + i) % 3], 2), (skus[(n + i + 1) % 3], 1)]
            placed.append((await world.orders.CreateOrder(world.order(customers[n], lines))).order)
        return placed

    orders = [o for batch in await asyncio.gather(*(client(n) for n in range(8))) for o in batch]
    demand = sum(line.quantity for o in orders for line in o.lines)
    assert demand > 3 * 10  # more demand than supply
    for sku in skus:
        rows = await world.available(sku)
        assert all(reserved <= held for held, reserved in rows.values())
        allocated = sum(
            a.quantity for o in orders for line in o.lines if line.sku == sku for a in line.allocations
        )
        assert allocated == sum(reserved for _, reserved in rows.values()) == 10
    assert not await audit_differences(world)


async def _until(world: World, order_id: str, status: int, *, timeout_s: float = 30.0) -> orders_pb2.Order:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        order = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id))
        if order.status == status and not order.pending_steps:
            return order
        assert asyncio.get_running_loop().time() < deadline, f"order {order_id} stayed {order.status}"
        await asyncio.sleep(0.05)


async def test_arriving_stock_sources_backordered_lines_oldest_order_first(world: World):
    sku = await world.sku({"T-DC-NORTH": 1})
    customer = await world.customer()
    first = (await world.orders.CreateOrder(world.order(customer, [(sku, 3)]))).order
    second = (await world.orders.CreateOrder(world.order(customer, [(sku, 2)]))).order
    assert (first.lines[0].backordered_quantity, second.lines[0].backordered_quantity) == (2, 2)

    # A delivery of 3 at another location, from the WMS feed: the older order is filled
    # first (its 2 missing units), the younger gets the unit left.
    summary = await send(world, feed(1, "T-DC-SOUTH", delta=[(sku, 3)], feed_id=World.unique("wms")))
    assert summary.applied == 1
    filled = await _until(world, first.order_id, orders_pb2.ORDER_STATUS_RELEASED)
    assert sorted((a.location_id, a.quantity) for a in filled.lines[0].allocations) == [("T-DC-NORTH", 1), ("T-DC-SOUTH", 2)]
    partly = await _until(world, second.order_id, orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED)
    assert partly.lines[0].backordered_quantity == 1

    # Absolute stock levels count as arriving stock too.
    await world.inventory.SetStock(
        inventory_pb2.SetStockRequest(levels=[inventory_pb2.StockLevel(location_id="T-DC-WEST", sku=sku, on_hand=1)])
    )
    done = await _until(world, second.order_id, orders_pb2.ORDER_STATUS_RELEASED)
    assert done.lines[0].backordered_quantity == 0
    assert await world.reserved(sku) == 5  # never more than there is: 1 + 3 + 1


async def test_a_location_added_and_stocked_is_sourced_from_by_the_next_order(world: World):
    """UpsertLocations answers once every order shard reads the network again: not up
    to a cache's age later, whatever the shards read a moment before."""
    sku = await world.sku({"T-DC-SOUTH": 50})
    customer = await world.customer()
    # Orders on every order shard: each has just read the network.
    for _ in range(8):
        first = (await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order
        assert [(a.location_id, a.quantity) for a in first.lines[0].allocations] == [("T-DC-SOUTH", 1)]
    near = await world.location("T-DC-NEAR", unit_handling_cost_minor=10)  # far cheaper for Berlin than Munich
    await world.inventory.SetStock(
        inventory_pb2.SetStockRequest(levels=[inventory_pb2.StockLevel(location_id=near, sku=sku, on_hand=20)])
    )
    for _ in range(8):
        order = (await world.orders.CreateOrder(world.order(customer, [(sku, 1)]))).order
        assert [(a.location_id, a.quantity) for a in order.lines[0].allocations] == [(near, 1)]
