"""Waiting in integration tests: for an order to settle (risk, payment and release follow
capture in the background), and for a killed actor to be back."""

from __future__ import annotations

import asyncio
import time

from protos.oms.v1 import orders_pb2
from tests.integration.support import World


async def settled(world: World, order_id: str, *, timeout_s: float = 30.0) -> orders_pb2.Order:
    """The order once no step is pending and it is past acceptance."""
    deadline = time.monotonic() + timeout_s
    while True:
        order = await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id))
        if not order.pending_steps and order.status != orders_pb2.ORDER_STATUS_ACCEPTED:
            return order
        if time.monotonic() > deadline:
            raise AssertionError(f"order {order_id} did not settle: {order.status} {list(order.pending_steps)}")
        await asyncio.sleep(0.05)


async def until_alive(actor, *, timeout_s: float = 60.0) -> None:
    """Once the actor answers again: Ray restarts a killed one, which reloads its partition."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            await asyncio.wait_for(actor.ping.remote(), timeout=10)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
