"""A location's fulfilment list: what is released to it and not yet shipped, oldest first,
kept as orders change and rebuilt when their shard restarts."""

from __future__ import annotations

import pytest
import ray

from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc, orders_pb2
from tests.integration.support import World, eur
from tests.integration.waiting import settled, until_alive

pytestmark = pytest.mark.integration


async def _placed(world: World, customer: str, lines: list[tuple[str, int]]) -> orders_pb2.Order:
    request = world.order(customer, lines)
    total = sum(q for _, q in lines) * 1999
    request.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=eur(total), token=World.unique("tok_visa"))
    order = await settled(world, (await world.orders.CreateOrder(request)).order.order_id)
    assert order.status == orders_pb2.ORDER_STATUS_RELEASED
    return order


async def _list(world: World, location_id: str, page_size: int = 0) -> list[tuple[str, list[tuple[int, int]]]]:
    response = await fulfilment_pb2_grpc.FulfilmentServiceStub(world.channel).ListFulfilmentRequests(
        fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=location_id, page_size=page_size)
    )
    assert all(r.location_id == location_id for r in response.requests)
    return [(r.order_id, [(line.line_number, line.quantity) for line in r.lines]) for r in response.requests]


async def _ship(world: World, order_id: str, location_id: str, shipment_id: str, lines: list[tuple[int, int]]) -> None:
    await fulfilment_pb2_grpc.FulfilmentServiceStub(world.channel).ConfirmShipment(
        fulfilment_pb2.ConfirmShipmentRequest(
            order_id=order_id,
            location_id=location_id,
            shipment_id=shipment_id,
            lines=[orders_pb2.ShipmentLine(line_number=n, quantity=q) for n, q in lines],
        )
    )
    await settled(world, order_id)


async def test_a_list_follows_releases_shipments_and_cancels_oldest_first(world: World):
    north, south = await world.location("T-FL-N"), await world.location("T-FL-S")
    x = await world.sku({north: 5})
    y = await world.sku({south: 5})
    customer = await world.customer()
    first = await _placed(world, customer, [(x, 2), (y, 1)])  # split: line 1 at north, line 2 at south
    second = await _placed(world, customer, [(x, 1)])

    assert await _list(world, north) == [(first.order_id, [(1, 2)]), (second.order_id, [(1, 1)])]
    assert await _list(world, south) == [(first.order_id, [(2, 1)])]
    assert await _list(world, north, page_size=1) == [(first.order_id, [(1, 2)])]

    await _ship(world, first.order_id, north, "N1", [(1, 1)])
    assert await _list(world, north) == [(first.order_id, [(1, 1)]), (second.order_id, [(1, 1)])]

    await _ship(world, first.order_id, north, "N2", [(1, 1)])
    assert await _list(world, north) == [(second.order_id, [(1, 1)])]
    assert await _list(world, south) == [(first.order_id, [(2, 1)])]  # the other location's part waits

    await world.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=second.order_id, reason="changed mind"))
    await settled(world, second.order_id)
    assert await _list(world, north) == []

    await _ship(world, first.order_id, south, "S1", [(2, 1)])
    assert await _list(world, south) == []


async def test_a_list_is_rebuilt_when_its_order_shard_restarts(world: World, oms):
    dock = await world.location("T-FL-R")
    sku = await world.sku({dock: 5})
    customer = await world.customer()
    order = await _placed(world, customer, [(sku, 3)])
    await _ship(world, order.order_id, dock, "R1", [(1, 1)])
    before = await _list(world, dock)
    assert before == [(order.order_id, [(1, 2)])]

    owner = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    ray.kill(owner, no_restart=False)
    await until_alive(owner)

    assert await _list(world, dock) == before
