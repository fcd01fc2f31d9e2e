"""benchmarks.fulfilment confirms every shipment and delivery it measures, once (a real service)."""

from __future__ import annotations

import pytest

from benchmarks.capture import load_bench_world
from benchmarks.fulfilment import measure_round, order_requests, print_rounds

pytestmark = pytest.mark.integration


async def test_a_round_ships_and_delivers_every_released_order_once(deployments, capsys):
    import grpc
    from rich.console import Console

    from gateway.auth.client import bearer
    from protos.oms.v1 import orders_pb2, orders_pb2_grpc

    deployment = await deployments(12)
    await load_bench_world(deployment.target, deployment.credential)
    metadata = bearer(deployment.credential)
    async with grpc.aio.insecure_channel(deployment.target) as channel:
        run = await measure_round(channel, metadata, order_requests(30, run_id="fulfil-test"), concurrency=8)
        orders = orders_pb2_grpc.OrderServiceStub(channel)
        final = [
            await orders.GetOrder(orders_pb2.GetOrderRequest(order_id=oid), metadata=metadata)
            for oid in run.order_ids
        ]

    assert len(run.order_ids) == 30
    assert run.ship.errors == {} and run.deliver.errors == {}
    assert run.empty.calls == run.ship.calls == run.deliver.calls > 0
    # Each confirmed shipment is on its order once, and delivered.
    shipped = [s for order in final for s in order.shipments]
    assert len(shipped) == run.ship.calls
    assert all(s.status == orders_pb2.SHIPMENT_STATUS_DELIVERED for s in shipped)
    print_rounds([run], Console(width=150), concurrency=8)
    assert "ConfirmShipment" in capsys.readouterr().out
