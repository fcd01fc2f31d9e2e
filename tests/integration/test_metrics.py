"""The gateway's Prometheus metrics over HTTP: its RPCs as callers saw them, and its order shards."""

from __future__ import annotations

import asyncio
import re
import urllib.request

import grpc
import pytest

from gateway.metrics import MetricsExporter
from protos.oms.v1 import orders_pb2
from tests.integration.support import World
from tests.integration.test_lifecycle import card

pytestmark = pytest.mark.integration


def value(text: str, name: str, **labels: str) -> float:
    """The sample of ``name`` whose labels include these; 0 when there is none yet."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.partition(" ")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


async def scrape(port: int) -> str:
    def get() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            return answer.read().decode()

    return await asyncio.to_thread(get)


async def test_calls_are_counted_by_method_and_code_and_every_order_shard_reports(world: World, oms):
    exporter = MetricsExporter(oms._collector())
    port = exporter.start("127.0.0.1", 0)
    try:
        create = {"grpc_service": "oms.v1.OrderService", "grpc_method": "CreateOrder"}
        get = {"grpc_service": "oms.v1.OrderService", "grpc_method": "GetOrder"}
        before = await scrape(port)
        sku = await world.sku({"T-DC-NORTH": 5})
        customer = await world.customer()
        for _ in range(2):
            await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))
        with pytest.raises(grpc.aio.AioRpcError):
            await world.orders.GetOrder(orders_pb2.GetOrderRequest(order_id="O0000000000000000000"))
        after = await scrape(port)

        ok = value(after, "grpc_server_handled_total", **create, grpc_code="OK")
        assert ok - value(before, "grpc_server_handled_total", **create, grpc_code="OK") == 2
        unknown = value(after, "grpc_server_handled_total", **get, grpc_code="NOT_FOUND")
        assert unknown - value(before, "grpc_server_handled_total", **get, grpc_code="NOT_FOUND") == 1
        count = value(after, "grpc_server_handling_seconds_count", **create)
        assert count - value(before, "grpc_server_handling_seconds_count", **create) == 2
        assert value(after, "oms_gateway_batched_orders_total") >= 2
        for shard in range(len(oms.actors.orders)):
            assert value(after, "oms_order_shard_up", shard=str(shard)) == 1
            assert f'oms_order_shard_open_orders{{shard="{shard}"}}' in after
        for shard in range(len(oms.actors.inventory)):
            assert value(after, "oms_inventory_shard_up", shard=str(shard)) == 1
        rows = [str(s) for s in range(len(oms.actors.inventory))]
        # The shard of the orders' SKU has read its book (another may not have been called yet).
        assert sum(value(after, "oms_inventory_shard_stock_rows", shard=s) for s in rows) > 0
        reserved = sum(value(after, "oms_inventory_shard_reserved_units", shard=s) for s in rows)
        assert reserved >= 2 and sum(value(after, "oms_inventory_shard_reservations", shard=s) for s in rows) >= 2
        committed = sum(value(after, "oms_inventory_shard_commits_total", shard=s) for s in rows)
        assert committed > sum(value(before, "oms_inventory_shard_commits_total", shard=s) for s in rows)
        # Redis, read by the exporter's own client.
        assert value(after, "oms_redis_up") == 1 and value(after, "oms_redis_ping_seconds") > 0
        assert value(after, "oms_redis_used_memory_bytes") > 0 and value(after, "oms_redis_aof_last_write_ok") == 1
        assert value(after, "oms_redis_commands_processed_total") > value(before, "oms_redis_commands_processed_total")
        streams = [value(after, "oms_order_events_stream_entries", shard=str(s)) for s in range(len(oms.actors.orders))]
        assert sum(streams) >= 2  # the two orders' events at least
    finally:
        exporter.stop()


async def test_each_location_s_returns_backlog_is_exported(world: World, oms):
    from protos.oms.v1 import returns_pb2
    from tests.integration.test_repairs import repair_received
    from tests.integration.test_returns_and_360 import returns
    from tests.integration.waiting import settled

    exporter = MetricsExporter(oms._collector())
    port = exporter.start("127.0.0.1", 0)
    try:
        def waiting(text: str, state: str) -> float:
            return value(text, "oms_returns_waiting", location="T-ST-LEIPZIG", state=state)

        before = await scrape(port)
        _, order_id, rma = await repair_received(world, "T-ST-LEIPZIG")
        received = await scrape(port)
        assert waiting(received, "received") == waiting(before, "received") + 1
        assert value(received, "oms_returns_oldest_waiting_seconds", location="T-ST-LEIPZIG", state="received") >= 0
        await returns(world).InspectReturn(returns_pb2.InspectReturnRequest(order_id=order_id, return_id=rma))
        await settled(world, order_id)
        inspected = await scrape(port)
        assert waiting(inspected, "received") == waiting(before, "received")
        assert waiting(inspected, "at_repair") == waiting(before, "at_repair") + 1
    finally:
        exporter.stop()


def total(text: str, name: str) -> float:
    """The sum of every sample of ``name`` (over the order shards)."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{"))


async def test_late_orders_are_counted_over_the_order_shards(world: World, oms):
    from protos.oms.v1 import fulfilment_pb2
    from tests.integration.test_delivery_promises import day_ahead
    from tests.integration.test_lifecycle import fulfilment, ship_everything
    from tests.integration.waiting import settled

    exporter = MetricsExporter(oms._collector())
    port = exporter.start("127.0.0.1", 0)
    try:
        sku = await world.sku({"T-DC-NORTH": 3})
        customer = await world.customer()
        before = await scrape(port)
        order = await settled(world, (await world.orders.CreateOrder(card(world.order(customer, [(sku, 1)])))).order.order_id)
        placed = await scrape(port)
        assert total(placed, "oms_orders_awaiting_delivery") == total(before, "oms_orders_awaiting_delivery") + 1
        shipped = await ship_everything(world, order)
        promised_day = shipped.promised_delivery.seconds
        delay = day_ahead(0)
        delay.seconds = promised_day + 3 * 86_400  # three days past the promise
        await fulfilment(world).UpdateDeliveryEstimate(
            fulfilment_pb2.UpdateDeliveryEstimateRequest(
                order_id=order.order_id, shipment_id=shipped.shipments[0].shipment_id, estimated_delivery=delay, reason="storm"
            )
        )
        late = await scrape(port)
        assert total(late, "oms_orders_late") == total(placed, "oms_orders_late") + 1
        await fulfilment(world).ConfirmDelivery(
            fulfilment_pb2.ConfirmDeliveryRequest(order_id=order.order_id, shipment_id=shipped.shipments[0].shipment_id)
        )
        delivered = await scrape(port)
        assert total(delivered, "oms_orders_late") == total(placed, "oms_orders_late")
        assert total(delivered, "oms_orders_awaiting_delivery") == total(before, "oms_orders_awaiting_delivery")
    finally:
        exporter.stop()
