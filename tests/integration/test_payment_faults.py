"""Money under faults: provider timeouts and a killed order shard never lose or repeat a capture."""

from __future__ import annotations

import asyncio
import json

import pytest
import ray

from oms_actors.payment_flow import SIM_CONFIG_TTL_S
from oms_actors.payments import build_payments
from oms_actors.store import keys
from oms_actors.store.connection import connect_async
from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc, orders_pb2
from tests.integration.support import World
from tests.integration.test_lifecycle import card
from tests.integration.waiting import settled

pytestmark = pytest.mark.integration


async def test_captures_survive_provider_timeouts_and_a_killed_order_shard(world: World, oms, redis_server):
    client = connect_async(redis_server.url)
    # Half of the acquirer's answers get lost after it recorded the effect.
    await client.set(keys.CARD_SIMULATOR, json.dumps({"timeout_rate": 0.5, "timeout_after_ms": 50, "seed": 11}))
    try:
        sku = await world.sku({"T-DC-NORTH": 40})
        customer = await world.customer()
        placed = [(await world.orders.CreateOrder(card(world.order(customer, [(sku, 2)])))).order for _ in range(6)]
        orders = [await settled(world, o.order_id, timeout_s=60) for o in placed]
        assert all(o.status == orders_pb2.ORDER_STATUS_RELEASED for o in orders)
        stub = fulfilment_pb2_grpc.FulfilmentServiceStub(world.channel)

        async def ship(order: orders_pb2.Order) -> None:
            request = fulfilment_pb2.ConfirmShipmentRequest(
                order_id=order.order_id, location_id="T-DC-NORTH", shipment_id=f"{order.order_id}-S",
                lines=[orders_pb2.ShipmentLine(line_number=1, quantity=2)],
            )
            for _ in range(100):  # a WMS retries until it is acknowledged
                try:
                    await stub.ConfirmShipment(request, timeout=20)
                    return
                except Exception:
                    await asyncio.sleep(0.2)
            raise AssertionError("shipment never acknowledged")

        # Kill the order shard of one order while shipments are being captured.
        victim = oms.actors.orders[oms.backend.orders.shard(orders[0].order_id)]

        async def kill_soon() -> None:
            await asyncio.sleep(0.05)
            ray.kill(victim, no_restart=False)

        await asyncio.gather(kill_soon(), *(ship(o) for o in orders))
        final = [await settled(world, o.order_id, timeout_s=90) for o in orders]
    finally:
        await client.delete(keys.CARD_SIMULATOR)
        # The order shards read the simulator's settings again within SIM_CONFIG_TTL_S: until
        # then the tests after this one would meet its timeouts.
        await asyncio.sleep(SIM_CONFIG_TTL_S + 0.5)

    payments = build_payments(client)
    by_authorization = {ledger.authorization_id: ledger async for ledger in payments.card.ledgers()}
    for order in final:
        assert order.status == orders_pb2.ORDER_STATUS_SHIPPED
        [shipment] = order.shipments
        assert shipment.invoice_number
        [payment] = order.payment_status
        assert payment.captured == order.total == shipment.value
        # The acquirer's ledger agrees: the order's authorisation was captured exactly once.
        ledger = by_authorization[payment.authorization_reference]
        assert ledger.captured.amount_minor == order.total.amount_minor
        assert len(ledger.captures) == 1
    assert sorted((await world.available(sku)).values()) == [(40 - 12, 0)]
    await client.aclose()
