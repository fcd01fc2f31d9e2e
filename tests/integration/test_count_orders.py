"""Order counts by status for dashboards: from the indexes, scoped like reads."""

from __future__ import annotations

import time

import grpc
import pytest

from gateway.auth import Role
from oms_actors.domain.enums import Channel
from protos.oms.v1 import common_pb2, orders_pb2
from tests.integration.support import World
from tests.integration.test_billing import as_role
from tests.integration.test_lifecycle import card
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration


def by_status(answer: orders_pb2.CountOrdersResponse) -> dict[int, int]:
    return {c.status: c.count for c in answer.by_status}


async def test_orders_are_counted_by_status_for_a_channel_and_a_time_range(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 10})
    customer = await world.customer()
    started = time.time_ns() // 1_000_000
    since = orders_pb2.CountOrdersRequest(channel=common_pb2.CHANNEL_MARKETPLACE)
    since.created_from.FromMilliseconds(started)
    before = by_status(await world.orders.CountOrders(since))
    placed = [
        (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)], channel=common_pb2.CHANNEL_MARKETPLACE)))).order
        for _ in range(3)
    ]
    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed[0].order_id, reason="test"))
    for order in placed:
        await settled(world, order.order_id)
    after = await world.orders.CountOrders(since)
    counts = by_status(after)
    assert after.total == sum(counts.values()) and len(after.by_status) == len(orders_pb2.OrderStatus.values()) - 1
    assert counts[orders_pb2.ORDER_STATUS_CANCELLED] - before.get(orders_pb2.ORDER_STATUS_CANCELLED, 0) == 1
    assert counts[orders_pb2.ORDER_STATUS_RELEASED] - before.get(orders_pb2.ORDER_STATUS_RELEASED, 0) == 2
    # Nothing created before the range began counts; an empty range counts nothing.
    empty = orders_pb2.CountOrdersRequest()
    empty.created_before.FromMilliseconds(1)
    assert (await world.orders.CountOrders(empty)).total == 0
    code, _, fields = await refusal(world.orders.CountOrders(orders_pb2.CountOrdersRequest(channel=99)))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"channel"})

    # A channel counts its own orders only; asking for another's counts nothing.
    market = await as_role(oms, Role.CHANNEL, channel=Channel.MARKETPLACE)
    web = await as_role(oms, Role.CHANNEL, channel=Channel.WEB)
    try:
        assert (await market.orders.CountOrders(since)).total == after.total
        assert (await web.orders.CountOrders(since)).total == 0
    finally:
        await market.close()
        await web.close()


async def test_open_orders_are_counted_by_what_they_wait_for(world: World):
    from tests.integration.test_delivery_promises import day_ahead

    scarce = await world.sku({"T-DC-NORTH": 1})
    customer = await world.customer()
    started = time.time_ns() // 1_000_000
    since = orders_pb2.CountOrdersRequest(channel=common_pb2.CHANNEL_FIELD_SALES)
    since.created_from.FromMilliseconds(started)

    def waiting(answer: orders_pb2.CountOrdersResponse) -> dict[int, int]:
        return {w.reason: w.count for w in answer.waiting}

    later = card(world.order(customer, [(scarce, 1)], channel=common_pb2.CHANNEL_FIELD_SALES))
    later.deliver_from.CopyFrom(day_ahead(10))
    short = card(world.order(customer, [(scarce, 2)], channel=common_pb2.CHANNEL_FIELD_SALES))
    for request in (later, short):
        await settled(world, (await world.orders.CreateOrder(request)).order.order_id)
    counts = waiting(await world.orders.CountOrders(since))
    # Every reason is listed; the order for a later day waits for it, the other for the unit nobody holds.
    assert set(counts) == set(orders_pb2.ReleaseWait.values()) - {orders_pb2.RELEASE_WAIT_UNSPECIFIED}
    assert counts[orders_pb2.RELEASE_WAIT_DELIVERY_DAY] == 1 and counts[orders_pb2.RELEASE_WAIT_STOCK] == 1
    assert counts[orders_pb2.RELEASE_WAIT_REVIEW] == counts[orders_pb2.RELEASE_WAIT_PAYMENT] == 0
