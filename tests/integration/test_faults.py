"""Chaos: shards killed at random and Redis restarted while orders flow.

Afterwards nothing acknowledged is lost, nothing is held twice, and the audit
finds no difference between orders, reservations and the stock ledger.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict

import grpc
import pytest
import ray

from protos.oms.v1 import orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import World
from tests.integration.waiting import until_alive

pytestmark = pytest.mark.integration

RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL}




async def _place_until_acknowledged(world: World, request: orders_pb2.CreateOrderRequest) -> orders_pb2.Order:
    """What a channel does: retry with the same idempotency key until it gets an answer."""
    for _ in range(200):
        try:
            return (await world.orders.CreateOrder(request, timeout=30)).order
        except grpc.aio.AioRpcError as err:
            if err.code() not in RETRYABLE:
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("never acknowledged")


async def test_orders_survive_killed_shards_and_a_redis_restart(world: World, oms, redis_server):
    rng = random.Random(7)
    skus = [await world.sku({"T-DC-NORTH": 30, "T-DC-SOUTH": 20, "T-ST-LEIPZIG": 6}) for _ in range(4)]
    customers = [await world.customer() for _ in range(6)]
    acknowledged: dict[str, orders_pb2.Order] = {}
    stop = asyncio.Event()

    async def channel(n: int) -> None:
        i = 0
        while not stop.is_set():
            lines = [(skus[(n + i) % 4], rng.randint(1, 3)), (skus[(n + i + 2) % 4], 1)]
            request = world.order(customers[n], lines)
            order = await _place_until_acknowledged(world, request)
            # A retry after a lost answer must return the same order, never a second one.
            again = await _place_until_acknowledged(world, request)
            assert again.order_id == order.order_id
            acknowledged[order.order_id] = order
            i += 1

    async def chaos() -> None:
        actors = [*oms.actors.inventory, *oms.actors.orders]
        for round_ in range(6):
            await asyncio.sleep(1.0)
            victim = rng.choice(actors)
            ray.kill(victim, no_restart=False)
            if round_ == 3:
                await asyncio.to_thread(redis_server.restart)
        await asyncio.sleep(1.0)
        stop.set()

    await asyncio.gather(chaos(), *(channel(n) for n in range(6)))
    for actor in [*oms.actors.inventory, *oms.actors.orders]:
        await until_alive(actor, timeout_s=90.0)
    assert len(acknowledged) > 20

    # Orders a crash left between two steps are settled by the reconciler.
    deadline = time.monotonic() + 60
    while True:
        current = [
            await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=oid)) for oid in sorted(acknowledged)
        ]
        if all(o.status != orders_pb2.ORDER_STATUS_ACCEPTED for o in current) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    assert all(o.status != orders_pb2.ORDER_STATUS_ACCEPTED for o in current)

    held: dict[tuple[str, str], int] = defaultdict(int)
    for order in current:
        for line in order.lines:
            for a in line.allocations:
                held[(a.location_id, line.sku)] += a.quantity
    for sku in skus:
        for loc, (on_hand, reserved) in (await world.available(sku)).items():
            assert reserved == held[(loc, sku)], (loc, sku)
            assert reserved <= on_hand
    assert not await audit_differences(world)
