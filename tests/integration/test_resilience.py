"""What was acknowledged survives dead actors and a dead gateway process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
import ray

from oms_actors.domain.partitioning import shard_of
from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.waiting import until_alive

pytestmark = pytest.mark.integration


async def test_killed_shards_restart_with_their_state(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 6})
    customer = await world.customer()
    first = world.order(customer, [(sku, 4)])
    order = (await world.orders.CreateOrder(first)).order
    topo = oms.actors.topology
    inventory = oms.actors.inventory[shard_of(sku, topo.inventory_shards)]
    orders = oms.actors.orders[shard_of(order.order_id, topo.order_shards)]
    ray.kill(inventory, no_restart=False)
    ray.kill(orders, no_restart=False)
    await until_alive(inventory)
    await until_alive(orders)
    # The restarted inventory shard still holds the reservation, so the stock is not sold twice.
    assert await world.available(sku) == {"T-DC-NORTH": (6, 4)}
    second = (await world.orders.CreateOrder(world.order(customer, [(sku, 4)]))).order
    assert second.lines[0].backordered_quantity == 2
    # A retry after the restart is answered with the same order: the key is read back.
    again = await world.orders.CreateOrder(first)
    assert again.replayed and again.order.order_id == order.order_id
    # The restarted order shard knows the order and can still drive it.
    cancelled = await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order.order_id))
    assert cancelled.status == orders_pb2.ORDER_STATUS_CANCELLED
    assert await world.available(sku) == {"T-DC-NORTH": (6, 2)}


def _start_gateway(tmp_path: Path, redis_url: str) -> tuple[subprocess.Popen, int]:
    port_file = tmp_path / f"port-{time.monotonic_ns()}"
    env = dict(os.environ, RAY_ADDRESS=ray.get_runtime_context().gcs_address, REDIS_URL=redis_url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", "0", "--port-file", str(port_file), "--log-level", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not port_file.exists() or not port_file.read_text():
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError("gateway did not start")
        time.sleep(0.1)
    return proc, int(port_file.read_text())


async def test_acknowledged_orders_survive_a_killed_gateway_process(world: World, redis_server, tmp_path):
    sku = await world.sku({"T-DC-SOUTH": 20})
    customer = await world.customer()
    proc, port = await asyncio.to_thread(_start_gateway, tmp_path, redis_server.url)
    try:
        remote = await World.open(f"127.0.0.1:{port}")
        placed = [(await remote.orders.CreateOrder(remote.order(customer, [(sku, 1)]))).order for _ in range(5)]
        await remote.close()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    proc, port = await asyncio.to_thread(_start_gateway, tmp_path, redis_server.url)
    try:
        remote = await World.open(f"127.0.0.1:{port}")
        for order in placed:
            read = await remote.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id))
            assert (read.order_id, read.lines[0].allocations, read.total, read.created_at) == (
                order.order_id,
                order.lines[0].allocations,
                order.total,
                order.created_at,
            )
        listed = await remote.orders.ListOrders(orders_pb2.ListOrdersRequest(customer_id=customer))
        assert {o.order_id for o in listed.orders} == {o.order_id for o in placed}
        await remote.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert await world.reserved(sku) == 5


async def test_graceful_shutdown_answers_calls_in_flight(world: World, redis_server, tmp_path):
    sku = await world.sku({"T-DC-WEST": 50})
    customer = await world.customer()
    proc, port = await asyncio.to_thread(_start_gateway, tmp_path, redis_server.url)
    remote = await World.open(f"127.0.0.1:{port}")
    calls = [asyncio.ensure_future(remote.orders.CreateOrder(remote.order(customer, [(sku, 1)]))) for _ in range(20)]
    await asyncio.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    results = await asyncio.gather(*calls, return_exceptions=True)
    await asyncio.to_thread(proc.wait, 60)
    await remote.close()
    answered = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(answered) + len(refused) == 20
    # Whatever was answered is durable, and nothing unanswered was reserved.
    assert await world.reserved(sku) == len(answered)
