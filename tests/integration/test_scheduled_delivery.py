"""An order for a later day through the real service: its stock is reserved at once, it is
promised that day, and the shards' pass releases it only when its units must leave."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.test_delivery_promises import day_ahead
from tests.integration.test_lifecycle import card
from tests.integration.test_ship_complete import listed, requests_at
from tests.integration.waiting import settled
from tests.security.kit import refusal

pytestmark = pytest.mark.integration

NORTH = "T-DC-NORTH"


def day(ts) -> str:
    return dt.datetime.fromtimestamp(ts.seconds, dt.UTC).date().isoformat()


async def test_an_order_for_a_later_day_is_reserved_now_and_released_when_it_must_leave(world: World, oms):
    sku = await world.sku({NORTH: 3})
    customer = await world.customer()
    asked = card(world.order(customer, [(sku, 2)]))
    asked.deliver_from.CopyFrom(day_ahead(10))
    placed = (await world.orders.CreateOrder(asked)).order
    wanted = day(asked.deliver_from)
    assert placed.scheduled and day(placed.deliver_from) == wanted
    order = await settled(world, placed.order_id)
    # Reserved at once, promised the day asked for, and on no location's list yet.
    assert order.status == orders_pb2.ORDER_STATUS_ALLOCATED and order.scheduled
    assert not any(line.released for line in order.lines)
    assert await world.available(sku) == {NORTH: (3, 2)}
    assert day(order.promised_delivery) == wanted and day(order.lines[0].promised_delivery) == wanted
    assert order.order_id not in await listed(world, NORTH)

    shard = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    today = dt.datetime.now(dt.UTC).date()
    # A week before: Hamburg to Berlin is a day's journey, nothing must leave yet.
    await shard.release_scheduled.remote((today + dt.timedelta(days=3)).isoformat())
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))).scheduled
    # The day before the day asked for, it must leave: released, and on the list with that ship-by day.
    await shard.release_scheduled.remote((today + dt.timedelta(days=9)).isoformat())
    released = await settled(world, order.order_id)
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED and not released.scheduled
    assert [(r.location_id, r.quantity) for r in released.lines[0].released] == [(NORTH, 2)]
    [request] = [r for r in await requests_at(world, NORTH) if r.order_id == order.order_id]
    assert day(request.promised_delivery) == wanted and day(request.ship_by) <= wanted
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
    [created] = [e for e in history.events if e.type == "order.created"]
    assert created.data["deliver_from"] == wanted


async def test_a_day_after_deliver_by_or_too_far_ahead_is_refused_and_nothing_placed(world: World):
    sku = await world.sku({NORTH: 1})
    customer = await world.customer()
    both = card(world.order(customer, [(sku, 1)]))
    both.deliver_from.CopyFrom(day_ahead(5))
    both.deliver_by.CopyFrom(day_ahead(4))
    far = card(world.order(customer, [(sku, 1)]))
    far.deliver_from.CopyFrom(day_ahead(400))
    for bad in (both, far):
        code, _, fields = await refusal(world.orders.CreateOrder(bad))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"deliver_from"}
    assert await world.available(sku) == {NORTH: (1, 0)}
