"""An order for a later day through the real service: its stock is reserved at once, it is
promised that day, and the shards' pass releases it only when its units must leave."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.test_delivery_promises import day_ahead
from tests.integration.test_lifecycle import card, ship_everything
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
    assert list(order.release_waits_for) == [orders_pb2.RELEASE_WAIT_DELIVERY_DAY]  # what service tells the customer
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
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED and not released.scheduled and not released.release_waits_for
    assert [(r.location_id, r.quantity) for r in released.lines[0].released] == [(NORTH, 2)]
    [request] = [r for r in await requests_at(world, NORTH) if r.order_id == order.order_id]
    assert day(request.promised_delivery) == wanted and day(request.ship_by) <= wanted
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
    [created] = [e for e in history.events if e.type == "order.created"]
    assert created.data["deliver_from"] == wanted

    # Cancelled while it waits: its stock goes back, and it waits for nothing any more.
    another = card(world.order(customer, [(sku, 1)]))
    another.deliver_from.CopyFrom(day_ahead(10))
    waiting = await settled(world, (await world.orders.CreateOrder(another)).order.order_id)
    assert waiting.scheduled
    cancelled = await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=waiting.order_id, reason="not needed"))
    assert cancelled.status == orders_pb2.ORDER_STATUS_CANCELLED and not cancelled.scheduled


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


async def test_the_customer_moves_the_day_or_asks_for_it_at_once_until_it_ships(world: World):
    sku = await world.sku({NORTH: 3})
    customer = await world.customer()
    asked = card(world.order(customer, [(sku, 1)]))
    asked.deliver_from.CopyFrom(day_ahead(10))
    order = await settled(world, (await world.orders.CreateOrder(asked)).order.order_id)

    def moving(days: int | None) -> orders_pb2.RescheduleDeliveryRequest:
        request = orders_pb2.RescheduleDeliveryRequest(order_id=order.order_id)
        if days is not None:
            request.deliver_from.CopyFrom(day_ahead(days))
        return request

    later = await world.orders.RescheduleDelivery(moving(20))
    assert later.scheduled and day(later.deliver_from) == day(day_ahead(20)) == day(later.promised_delivery)
    assert (await world.orders.RescheduleDelivery(moving(20))).version == later.version  # the same day again: no change
    history = await world.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order.order_id))
    told = [e.data["promised_on"] for e in history.events if e.type == "order.delivery_promised"]
    assert told[-2:] == [day(day_ahead(10)), day(day_ahead(20))]  # the customer is told the new day
    assert await world.available(sku) == {NORTH: (3, 1)}  # still reserved where it was

    code, _, fields = await refusal(world.orders.RescheduleDelivery(moving(500)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"deliver_from"}
    # As soon as it can go: released at once, promised by the network's days again.
    now = await world.orders.RescheduleDelivery(moving(None))
    released = await settled(world, now.order_id)
    assert not released.scheduled and not released.HasField("deliver_from")
    assert released.status == orders_pb2.ORDER_STATUS_RELEASED and day(released.promised_delivery) < day(day_ahead(5))
    assert order.order_id in await listed(world, NORTH)
    # Released but not shipped, it is called back from the location until the new day.
    back = await world.orders.RescheduleDelivery(moving(12))
    assert back.scheduled and back.status == orders_pb2.ORDER_STATUS_ALLOCATED and not back.lines[0].released
    assert order.order_id not in await listed(world, NORTH) and await world.available(sku) == {NORTH: (3, 1)}
    shipped = await ship_everything(world, await settled(world, (await world.orders.RescheduleDelivery(moving(None))).order_id))
    code, reason, _ = await refusal(world.orders.RescheduleDelivery(moving(12)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_SHIPPED") and shipped.shipments

    # An order asking for a day by which it must arrive cannot be asked for after it.
    both = card(world.order(customer, [(sku, 1)]))
    both.deliver_by.CopyFrom(day_ahead(6))
    both.deliver_from.CopyFrom(day_ahead(5))
    placed = await settled(world, (await world.orders.CreateOrder(both)).order.order_id)
    beyond = orders_pb2.RescheduleDeliveryRequest(order_id=placed.order_id)
    beyond.deliver_from.CopyFrom(day_ahead(7))
    code, _, fields = await refusal(world.orders.RescheduleDelivery(beyond))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and set(fields) == {"deliver_from"}
    assert (await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id))).version == placed.version


async def test_an_order_for_a_later_day_uses_a_locations_capacity_on_the_day_it_is_released(world: World, oms):
    from tests.integration.test_capacity import _availability_at, _capped_location

    loc = await _capped_location(world, 3)
    sku = await world.sku({loc: 5})
    customer = await world.customer()
    asked = card(world.order(customer, [(sku, 2)]))
    asked.deliver_from.CopyFrom(day_ahead(10))
    later = await settled(world, (await world.orders.CreateOrder(asked)).order.order_id)
    assert [a.location_id for a in later.lines[0].allocations] == [loc] and later.scheduled
    now = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
    assert [a.location_id for a in now.lines[0].allocations] == [loc]
    # Today only the order leaving today counts.
    row = await _availability_at(world, sku, loc, lambda r: r.capacity_left_today == 2)
    assert row.capacity_left_today == 2
    # Released (its units must leave today to arrive on its day): today's capacity counts them too.
    await oms.actors.orders[oms.backend.orders.shard(later.order_id)].release_scheduled.remote(
        (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=9)).isoformat()
    )
    assert (await settled(world, later.order_id)).status == orders_pb2.ORDER_STATUS_RELEASED
    row = await _availability_at(world, sku, loc, lambda r: r.capacity_left_today == 0)
    assert row.capacity_left_today == 0
