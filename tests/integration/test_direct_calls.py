"""Capture's actor calls over the actors' own sockets: used, typed, and surviving a restart."""

from __future__ import annotations

import grpc
import pytest
import ray

from gateway.convert import create_order_from_proto
from oms_actors import direct
from oms_actors.direct import SWITCH_ENV, DirectActor
from oms_actors.domain.commands import CreateOrder
from oms_actors.domain.partitioning import idempotency_shard, shard_of
from oms_actors.event_loop import uvloop_wanted
from oms_actors.wire import CREATE_ORDERS, CREATE_OUTCOMES, CreateOutcome
from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc, orders_pb2
from tests.integration.support import World, eur
from tests.integration.waiting import settled, until_alive

pytestmark = pytest.mark.integration


def _command(request: orders_pb2.CreateOrderRequest) -> CreateOrder:
    return create_order_from_proto(request, known_skus={line.sku for line in request.lines}, pickup_locations={})


async def _place(caller: DirectActor, command: CreateOrder) -> CreateOutcome:
    [outcome] = CREATE_OUTCOMES.decode(await caller.call("create_orders", CREATE_ORDERS.encode([command])))
    assert outcome.error is None, outcome.error
    return outcome


def _owner_of(world: World, oms, customer: str, sku: str) -> tuple[int, orders_pb2.CreateOrderRequest]:
    """A request for one unit, and the order shard that decides it."""
    request = world.order(customer, [(sku, 1)])
    command = _command(request)
    return idempotency_shard(command.channel.value, command.idempotency_key, oms.actors.topology.order_shards), request


async def test_capture_and_availability_call_the_shards_over_their_sockets(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    shard, request = _owner_of(world, oms, customer, sku)
    inventory = oms.actors.inventory[shard_of(sku, oms.actors.topology.inventory_shards)]
    orders_before = (await oms.actors.orders[shard].stats.remote())["direct"].get("create_orders", 0)
    stock_before = (await inventory.stats.remote())["direct"].get("reserve_seen", 0)
    views_before = (await inventory.stats.remote())["direct"].get("availability_view", 0)

    order = (await world.orders.CreateOrder(request)).order
    shown = await world.available(sku)

    assert order.lines[0].allocations[0].quantity == 1
    assert shown == {"T-DC-NORTH": (5, 1)}
    assert (await oms.actors.orders[shard].stats.remote())["direct"]["create_orders"] > orders_before
    served = (await inventory.stats.remote())["direct"]
    assert served["reserve_seen"] > stock_before
    assert served["availability_view"] > views_before


async def test_commands_on_a_placed_order_call_the_shards_over_their_sockets(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    request = world.order(customer, [(sku, 2)])
    request.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=eur(2 * 1999), token=World.unique("tok_visa"))
    order = await settled(world, (await world.orders.CreateOrder(request)).order.order_id)
    owner = oms.actors.orders[oms.backend.orders.shard(order.order_id)]
    inventory = oms.actors.inventory[shard_of(sku, oms.actors.topology.inventory_shards)]
    commands_before = (await owner.stats.remote())["direct"]
    stock_before = (await inventory.stats.remote())["direct"]
    fulfilment = fulfilment_pb2_grpc.FulfilmentServiceStub(world.channel)
    line = [orders_pb2.ShipmentLine(line_number=1, quantity=2)]

    listed = await fulfilment.ListFulfilmentRequests(fulfilment_pb2.ListFulfilmentRequestsRequest(location_id="T-DC-NORTH"))
    with pytest.raises(grpc.aio.AioRpcError) as refused:  # a domain error keeps its type over the socket
        await fulfilment.ConfirmShipment(
            fulfilment_pb2.ConfirmShipmentRequest(order_id=order.order_id, location_id="T-DC-SOUTH", shipment_id="S0", lines=line)
        )
    await fulfilment.ConfirmShipment(
        fulfilment_pb2.ConfirmShipmentRequest(order_id=order.order_id, location_id="T-DC-NORTH", shipment_id="S1", lines=line)
    )
    shipped = await settled(world, order.order_id)

    assert order.order_id in {r.order_id for r in listed.requests}
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert shipped.status == orders_pb2.ORDER_STATUS_SHIPPED
    assert await world.available(sku) == {"T-DC-NORTH": (3, 0)}
    commands = (await owner.stats.remote())["direct"]
    assert commands["fulfilment_requests"] > commands_before.get("fulfilment_requests", 0)
    assert commands["confirm_shipment"] == commands_before.get("confirm_shipment", 0) + 2
    assert (await inventory.stats.remote())["direct"]["consume"] > stock_before.get("consume", 0)


async def test_a_caller_reaches_the_restarted_actor_and_its_state(world: World, oms):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    shard, first = _owner_of(world, oms, customer, sku)
    actor = oms.actors.orders[shard]
    caller = DirectActor(actor)
    try:
        placed = await _place(caller, _command(first))
        assert caller.direct

        ray.kill(actor, no_restart=False)
        await until_alive(actor)

        # The next call finds the socket gone, asks Ray for the new one, and is answered there.
        replayed = await _place(caller, _command(first))
        assert caller.direct
        assert replayed.replayed and replayed.order is not None and placed.order is not None
        assert replayed.order.order_id == placed.order.order_id
        assert await world.available(sku) == {"T-DC-NORTH": (5, 1)}
    finally:
        caller.close()


def _switched_off(monkeypatch) -> None:
    monkeypatch.setenv(SWITCH_ENV, "0")


def _on_another_node(monkeypatch) -> None:
    # What a gateway on another node sees: the actor's socket is not on its filesystem.
    monkeypatch.setattr(direct, "_this_node", lambda: "some-other-node")


def _socket_out_of_reach(monkeypatch) -> None:
    # Same node, but the socket's folder is not on this filesystem (another container).
    async def unreachable(path: str):
        raise FileNotFoundError(path)

    monkeypatch.setattr(direct.asyncio, "open_unix_connection", unreachable)


@pytest.mark.parametrize("condition", [_switched_off, _on_another_node, _socket_out_of_reach])
async def test_the_same_calls_go_through_ray(world: World, oms, monkeypatch, condition):
    sku = await world.sku({"T-DC-NORTH": 5})
    customer = await world.customer()
    shard, request = _owner_of(world, oms, customer, sku)
    actor = oms.actors.orders[shard]
    before = (await actor.stats.remote())["direct"].get("create_orders", 0)
    condition(monkeypatch)
    caller = DirectActor(actor)

    outcome = await _place(caller, _command(request))

    assert outcome.order is not None and outcome.order.lines[0].allocations
    assert not caller.direct
    assert (await actor.stats.remote())["direct"].get("create_orders", 0) == before


async def test_the_shards_run_on_uvloop_as_ray_gives_async_actors_when_it_is_installed(oms):
    expected = "uvloop" if uvloop_wanted() else "asyncio"  # a dependency, unless RAY_USE_UVLOOP=0
    for actor in [*oms.actors.orders, *oms.actors.inventory]:
        assert (await actor.stats.remote())["event_loop"] == expected
