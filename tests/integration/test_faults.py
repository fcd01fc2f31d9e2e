"""Chaos: shards killed at random and Redis restarted while orders flow and ship.

Afterwards nothing acknowledged is lost, nothing is held or shipped twice, every
confirmed shipment took its units off the shelf once, and the audit finds no
difference between orders, reservations and the stock ledger.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict

import grpc
import pytest
import ray

from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc, orders_pb2
from tests.integration.stock_audit import audit_differences
from tests.integration.support import World, eur
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


async def _until_answered(call, request):
    """What a warehouse system does: repeat the same confirmation until it is answered."""
    for _ in range(200):
        try:
            return await call(request, timeout=30)
        except grpc.aio.AioRpcError as err:
            if err.code() not in RETRYABLE:
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("never answered")


async def test_orders_survive_killed_shards_and_a_redis_restart(world: World, oms, redis_server):
    rng = random.Random(7)
    customers = [await world.customer() for _ in range(6)]
    stock = {"T-DC-NORTH": 30, "T-DC-SOUTH": 20, "T-ST-LEIPZIG": 6}
    skus = [await world.sku(stock) for _ in range(4)]
    acknowledged: dict[str, orders_pb2.Order] = {}
    confirmed: dict[str, tuple[str, str, dict[int, int]]] = {}  # shipment id: (order, location, units by line)
    stop = asyncio.Event()
    fulfilment = fulfilment_pb2_grpc.FulfilmentServiceStub(world.channel)

    async def channel(n: int) -> None:
        i = 0
        while not stop.is_set():
            lines = [(skus[(n + i) % 4], rng.randint(1, 3)), (skus[(n + i + 2) % 4], 1)]
            request = world.order(customers[n], lines)
            total = sum(line.quantity * line.unit_price.amount_minor for line in request.lines)
            request.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=eur(total), token=World.unique("tok_visa"))
            order = await _place_until_acknowledged(world, request)
            # A retry after a lost answer must return the same order, never a second one.
            again = await _place_until_acknowledged(world, request)
            assert again.order_id == order.order_id
            acknowledged[order.order_id] = order
            i += 1

    async def warehouse() -> None:
        """Ships every order once it is released, one shipment per location."""
        shipped: set[str] = set()
        while not stop.is_set():
            for order_id in [oid for oid in list(acknowledged) if oid not in shipped]:
                order = await _until_answered(world.orders.GetOrder, orders_pb2.GetOrderRequest(order_id=order_id))
                if order.status != orders_pb2.ORDER_STATUS_RELEASED:
                    continue
                by_location: dict[str, dict[int, int]] = defaultdict(dict)
                for line in order.lines:
                    for r in line.released:
                        by_location[r.location_id][line.line_number] = r.quantity
                for loc, units in sorted(by_location.items()):
                    shipment_id = f"{order_id}-{loc}"
                    await _until_answered(
                        fulfilment.ConfirmShipment,
                        fulfilment_pb2.ConfirmShipmentRequest(
                            order_id=order_id,
                            location_id=loc,
                            shipment_id=shipment_id,
                            lines=[orders_pb2.ShipmentLine(line_number=n, quantity=q) for n, q in sorted(units.items())],
                        ),
                    )
                    confirmed[shipment_id] = (order_id, loc, units)
                shipped.add(order_id)
            await asyncio.sleep(0.2)

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

    await asyncio.gather(chaos(), warehouse(), *(channel(n) for n in range(6)))
    for actor in [*oms.actors.inventory, *oms.actors.orders]:
        await until_alive(actor, timeout_s=90.0)
    assert len(acknowledged) > 20
    assert len(confirmed) > 5

    # Orders a crash left between two steps are settled by the reconciler.
    deadline = time.monotonic() + 60
    while True:
        current = [
            await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=oid)) for oid in sorted(acknowledged)
        ]
        if all(o.status != orders_pb2.ORDER_STATUS_ACCEPTED and not o.pending_steps for o in current):
            break
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    # Named with what they wait for: a failure here has been seen twice on loaded machines.
    unsettled = [
        (o.order_id, orders_pb2.OrderStatus.Name(o.status), list(o.pending_steps), o.updated_at.ToJsonString())
        for o in current
        if o.status == orders_pb2.ORDER_STATUS_ACCEPTED or o.pending_steps
    ]
    if unsettled:
        shards = [await actor.stats.remote() for actor in oms.actors.orders]
        details = [{k: st[k] for k in ("shard", "attention", "uncertain", "locked", "reconciler")} for st in shards]
        raise AssertionError(f"unsettled after the chaos: {unsettled}; order shards: {details}")

    # Every confirmed shipment is on its order exactly once, with its units.
    by_id = {o.order_id: o for o in current}
    recorded = {s.shipment_id: s for o in current for s in o.shipments}
    assert set(recorded) == set(confirmed)
    for shipment_id, (order_id, loc, units) in confirmed.items():
        s = recorded[shipment_id]
        assert s.location_id == loc and {line.line_number: line.quantity for line in s.lines} == units
        assert s.shipment_id in {x.shipment_id for x in by_id[order_id].shipments}

    held: dict[tuple[str, str], int] = defaultdict(int)
    left: dict[tuple[str, str], int] = defaultdict(int)  # units that left each shelf
    for order in current:
        for line in order.lines:
            for a in line.allocations:
                held[(a.location_id, line.sku)] += a.quantity
            for a in line.shipped:
                held[(a.location_id, line.sku)] -= a.quantity
                left[(a.location_id, line.sku)] += a.quantity
    for sku in skus:
        for loc, (on_hand, reserved) in (await world.available(sku)).items():
            assert reserved == held[(loc, sku)], (loc, sku)
            assert on_hand == stock[loc] - left[(loc, sku)], (loc, sku)
            assert reserved <= on_hand
    assert not await audit_differences(world)
