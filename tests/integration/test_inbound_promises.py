"""Promising from inbound supply over gRPC: an order stock on hand cannot fill is promised units
on their way, with their date; the promise is held, shown, cut last-promised-first, and kept
when the supply arrives, which releases the units to the location."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time

import grpc
import pytest
from google.protobuf import timestamp_pb2

from protos.oms.v1 import events_pb2, events_pb2_grpc, fulfilment_pb2, inventory_pb2, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import World, field_violations
from tests.integration.test_lifecycle import card, fulfilment
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration

DAY = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)).date()


def day_proto(day: dt.date) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc))
    return ts


def allocations(line: orders_pb2.OrderLine) -> set[tuple[str, dt.date | None, int]]:
    return {
        (a.location_id, a.expected_on.ToDatetime().date() if a.HasField("expected_on") else None, a.quantity)
        for a in line.allocations
    }


async def expected(world: World, sku: str, units: int) -> inventory_pb2.SetInboundSupplyResponse:
    return await world.inventory.SetInboundSupply(
        inventory_pb2.SetInboundSupplyRequest(
            supplies=[inventory_pb2.InboundSupply(location_id="T-DC-WEST", sku=sku, expected_at=day_proto(DAY), quantity=units)]
        )
    )


async def inbound_at_west(world: World, sku: str) -> list[tuple[dt.date, int, int]]:
    resp = await world.inventory.GetAvailability(inventory_pb2.GetAvailabilityRequest(skus=[sku]))
    west = next(loc for loc in resp.skus[0].locations if loc.location_id == "T-DC-WEST")
    return [(i.expected_at.ToDatetime().date(), i.quantity, i.promised) for i in west.inbound]


@contextlib.asynccontextmanager
async def promising_rules(world: World, *, wait_unit_cost_minor: int):
    """The routing rules as they are, promising supply due within two weeks at this cost per
    unit and day of waiting; put back afterwards. Yields the rules as stored."""
    previous = await world.inventory.GetRoutingRules(inventory_pb2.GetRoutingRulesRequest())
    promising = inventory_pb2.RoutingRules()
    promising.CopyFrom(previous)
    promising.inbound_horizon_days, promising.inbound_wait_unit_cost_minor = 14, wait_unit_cost_minor
    try:
        yield await world.inventory.SetRoutingRules(promising)
    finally:
        await world.inventory.SetRoutingRules(previous)


async def until(world: World, order_id: str, check, *, timeout_s: float = 30.0) -> orders_pb2.Order:
    deadline = time.monotonic() + timeout_s
    while True:
        order = await settled(world, order_id)
        if check(order):
            return order
        if time.monotonic() > deadline:
            raise AssertionError(f"order {order_id} never got there: {order}")
        await asyncio.sleep(0.1)


async def test_orders_are_promised_supply_on_its_way_and_released_when_it_arrives(world: World):
    sku = await world.sku({"T-DC-NORTH": 1})
    await expected(world, sku, 5)
    # Three days' wait costs more per unit than a second shipment: one unit ships now from
    # stock on hand, the rest waits for the supply.
    async with promising_rules(world, wait_unit_cost_minor=2_000) as stored:
        assert (stored.inbound_horizon_days, stored.inbound_wait_unit_cost_minor) == (14, 2_000)
        customer = await world.customer()
        first = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 3)])))).order.order_id)
        [line] = first.lines
        assert allocations(line) == {("T-DC-NORTH", None, 1), ("T-DC-WEST", DAY, 2)}
        assert (line.backordered_quantity, line.promised_quantity) == (2, 2)
        assert first.status == orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED
        assert [(a.location_id, a.quantity) for a in line.released] == [("T-DC-NORTH", 1)]  # on hand ships now
        assert await inbound_at_west(world, sku) == [(DAY, 5, 2)]

        # The rest of the supply goes to the next order; what is not coming stays unfilled.
        second = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 4)])))).order.order_id)
        assert allocations(second.lines[0]) == {("T-DC-WEST", DAY, 3)}
        assert (second.lines[0].backordered_quantity, second.lines[0].promised_quantity) == (4, 3)
        assert await inbound_at_west(world, sku) == [(DAY, 5, 5)]

        # The purchase order is cut to 4: the last promised gives one up and is sourced again.
        cut = await expected(world, sku, 4)
        assert list(cut.orders_to_resource) == [second.order_id]
        second = await until(world, second.order_id, lambda o: o.lines[0].promised_quantity == 2)
        assert await inbound_at_west(world, sku) == [(DAY, 4, 4)]

        # Bad receipts change nothing, and say why.
        for bad, fields in (
            (inventory_pb2.ReceiveInboundSupplyRequest(receipt_id="GR-1", location_id="T-DC-WEST"), {"lines"}),
            (
                inventory_pb2.ReceiveInboundSupplyRequest(
                    receipt_id="GR-1", location_id="NOWHERE", lines=[inventory_pb2.ReceivedSupply(sku=sku, quantity=0)]
                ),
                {"lines[0].quantity", "lines[0].expected_at"},
            ),
            (
                inventory_pb2.ReceiveInboundSupplyRequest(
                    receipt_id="GR-1", location_id="T-DC-WEST",
                    lines=[
                        inventory_pb2.ReceivedSupply(sku=sku, quantity=1, expected_at=timestamp_pb2.Timestamp(seconds=10**15))
                    ],
                ),  # fmt: skip
                {"lines[0].expected_at"},  # past year 9999: named, not an internal error
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await world.inventory.ReceiveInboundSupply(bad)
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and fields <= field_violations(info.value)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await world.inventory.SetInboundSupply(
                inventory_pb2.SetInboundSupplyRequest(
                    supplies=[
                        inventory_pb2.InboundSupply(
                            location_id="T-DC-WEST", sku=sku, expected_at=timestamp_pb2.Timestamp(seconds=-(10**15)), quantity=9
                        )
                    ]
                )
            )
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field_violations(info.value) == {"supplies[0].expected_at"}
        assert await inbound_at_west(world, sku) == [(DAY, 4, 4)]

        # Four arrive: both promises are kept, first promised first, and the units released to WEST.
        receipt = inventory_pb2.ReceiveInboundSupplyRequest(
            receipt_id=World.unique("GR"), location_id="T-DC-WEST",
            lines=[inventory_pb2.ReceivedSupply(sku=sku, expected_at=day_proto(DAY), quantity=4)],
        )  # fmt: skip
        got = await world.inventory.ReceiveInboundSupply(receipt)
        assert (got.received, got.promises_kept) == (4, 4)
        first = await until(world, first.order_id, lambda o: o.status == orders_pb2.ORDER_STATUS_RELEASED)
        assert {(a.location_id, a.quantity) for a in first.lines[0].released} == {("T-DC-NORTH", 1), ("T-DC-WEST", 2)}
        assert first.lines[0].promised_quantity == 0
        second = await until(world, second.order_id, lambda o: any(a.location_id == "T-DC-WEST" for a in o.lines[0].released))
        assert allocations(second.lines[0]) == {("T-DC-WEST", None, 2)}
        assert (second.lines[0].backordered_quantity, second.lines[0].promised_quantity) == (2, 0)
        work = await fulfilment(world).ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id="T-DC-WEST"))
        assert {first.order_id, second.order_id} <= {r.order_id for r in work.requests}
        assert await inbound_at_west(world, sku) == []
        # The event stream told the customer's systems when the date was set and when the promise was kept.
        stream = events_pb2_grpc.EventServiceStub(world.channel).WatchEvents(
            events_pb2.WatchEventsRequest(types=["line.promise_changed"], customer_id=customer, follow=False)
        )
        told = [(e.order_id, e.data["promised"], e.data["expected_on"]) async for e in stream if e.order_id == first.order_id]
        assert told == [(first.order_id, "2", DAY.isoformat()), (first.order_id, "0", "")]

        # The same receipt again receives nothing; stock and reservations agree with the orders.
        again = await world.inventory.ReceiveInboundSupply(receipt)
        assert (again.received, again.promises_kept) == (0, 0)
        stock = await world.available(sku)
        assert stock["T-DC-WEST"] == (4, 4) and stock["T-DC-NORTH"] == (1, 1)
        assert [d for d in await audit_differences(world) if d.sku == sku] == []


async def test_cancelling_a_promised_order_gives_its_promise_back(world: World):
    sku = await world.sku({})
    await expected(world, sku, 3)
    async with promising_rules(world, wait_unit_cost_minor=100):
        customer = await world.customer()
        order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
        assert order.status == orders_pb2.ORDER_STATUS_BACKORDERED and order.lines[0].promised_quantity == 2
        assert await inbound_at_west(world, sku) == [(DAY, 3, 2)]
        await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id, reason="changed my mind"))
        await settled(world, order.order_id)
        assert await inbound_at_west(world, sku) == [(DAY, 3, 0)]


async def test_a_promised_order_ships_from_stock_that_arrives_before_its_supply(world: World):
    sku = await world.sku({})
    await expected(world, sku, 3)
    async with promising_rules(world, wait_unit_cost_minor=100):
        customer = await world.customer()
        order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order.order_id)
        assert allocations(order.lines[0]) == {("T-DC-WEST", DAY, 2)}
        # Stock turns up elsewhere first: the order is sourced again, ships from it now, and gives its promise back.
        await world.inventory.SetStock(
            inventory_pb2.SetStockRequest(levels=[inventory_pb2.StockLevel(location_id="T-DC-SOUTH", sku=sku, on_hand=5)])
        )
        order = await until(world, order.order_id, lambda o: o.status == orders_pb2.ORDER_STATUS_RELEASED)
        assert allocations(order.lines[0]) == {("T-DC-SOUTH", None, 2)} and order.lines[0].promised_quantity == 0
        assert await inbound_at_west(world, sku) == [(DAY, 3, 0)]
        assert [d for d in await audit_differences(world) if d.sku == sku] == []
