"""A separate SourcingWorker actor (sourcing_workers > 0) sources and reserves like inline sourcing."""

from __future__ import annotations

import dataclasses

import pytest
import ray

from oms_actors.domain.delivery import Door
from oms_actors.domain.enums import Channel, DeliveryMode
from oms_actors.domain.order import LineAllocation
from oms_actors.domain.sourcing import SourcingLine, SourcingRequest
from oms_actors.sourcing_worker import SourcingWorker
from oms_actors.wire import SOURCING_REQUESTS, SOURCING_RESULTS
from tests.integration.support import BERLIN, World

pytestmark = pytest.mark.integration


async def test_worker_actor_reserves_the_cheapest_plan_and_refuses_nothing_twice(world: World, oms, redis_server):
    sku = await world.sku({"T-DC-NORTH": 2, "T-DC-SOUTH": 5})
    topology = dataclasses.replace(oms.actors.topology, sourcing_workers=1)
    worker = ray.remote(SourcingWorker).options(num_cpus=0).remote(redis_server.url, topology)
    try:
        request = SourcingRequest(
            order_id=World.unique("OW"),
            channel=Channel.WEB,
            delivery_mode=DeliveryMode.SHIP,
            door=Door(latitude=BERLIN[0], longitude=BERLIN[1]),
            lines=(SourcingLine(line_number=1, sku=sku, quantity=4),),
        )
        [result] = SOURCING_RESULTS.decode(await worker.source.remote(SOURCING_REQUESTS.encode([request])))
        assert sum(a.quantity for a in result.allocations[1]) == 4
        assert result.explanation is not None and result.explanation.status == "OPTIMAL"
        assert await world.reserved(sku) == 4
        # Sourcing the same order again holds the same units, not four more.
        again = SOURCING_RESULTS.decode(await worker.source.remote(SOURCING_REQUESTS.encode([request])))
        assert again[0].allocations == result.allocations
        assert await world.reserved(sku) == 4
        stats = await worker.stats.remote()
        assert {"availability", "solve", "reserve"} <= set(stats["stages"])
    finally:
        # The order exists only in this test: give its units back so the audit stays clean.
        for shard in oms.actors.inventory:
            await shard.release_orders.remote([request.order_id])
        ray.kill(worker)


async def test_an_order_refused_to_the_last_attempt_keeps_what_it_was_released_with(world: World, oms, redis_server, monkeypatch):
    import asyncio

    import oms_actors.sourcing_worker as sourcing_worker
    from oms_actors.domain.order import LineAllocation

    sku = await world.sku({"T-DC-NORTH": 3})
    worker = SourcingWorker(redis_server.url, oms.actors.topology)
    order_id = World.unique("OK")

    def request(quantity: int, kept: tuple[LineAllocation, ...] = ()) -> SourcingRequest:
        return SourcingRequest(
            order_id=order_id, channel=Channel.WEB, delivery_mode=DeliveryMode.SHIP,
            door=Door(latitude=BERLIN[0], longitude=BERLIN[1]),
            lines=(SourcingLine(line_number=1, sku=sku, quantity=quantity, kept=kept),),
        )  # fmt: skip

    try:
        [first] = await worker.source_requests([request(2)])
        assert first.allocations[1] == (LineAllocation(location_id="T-DC-NORTH", quantity=2),)
        # Released to North, which picks it; 3 more wanted. A stale read promises South
        # stock it does not have, and no attempt is left to read again.
        monkeypatch.setattr(sourcing_worker, "MAX_ATTEMPTS", 1)
        stale = asyncio.get_running_loop().create_future()
        stale.set_result([("T-DC-SOUTH", sku, 5, 0, 0)])
        [last] = await worker.source_requests([request(3, first.allocations[1])], prefetched=stale)
        assert last.allocations == {1: (LineAllocation(location_id="T-DC-NORTH", quantity=2),)}
        assert await world.available(sku) == {"T-DC-NORTH": (3, 2)}  # North still holds what it picks
    finally:
        for shard in oms.actors.inventory:
            await shard.release_orders.remote([order_id])


async def test_an_order_no_plan_can_be_made_for_does_not_hold_up_its_batch(world: World, oms, redis_server):
    sku = await world.sku({"T-DC-NORTH": 5})
    worker = SourcingWorker(redis_server.url, oms.actors.topology)
    good, bad = World.unique("OG"), World.unique("OB")

    def request(order_id: str, latitude: float | None) -> SourcingRequest:
        return SourcingRequest(
            order_id=order_id, channel=Channel.WEB, delivery_mode=DeliveryMode.SHIP,
            door=Door(latitude=latitude, longitude=BERLIN[1]),
            lines=(SourcingLine(line_number=1, sku=sku, quantity=2),),
        )  # fmt: skip

    try:
        # Stored before addresses were checked, say: a ship order with no position.
        stranded, sourced = await worker.source_requests([request(bad, None), request(good, BERLIN[0])])
        assert (stranded.allocations, stranded.explanation) == ({}, None)
        assert sum(a.quantity for a in sourced.allocations[1]) == 2
        assert await world.reserved(sku) == 2
    finally:
        for shard in oms.actors.inventory:
            await shard.release_orders.remote([good, bad])


async def test_new_orders_plan_from_availability_seen_before_and_a_rise_since_is_not_missed(world: World, oms, redis_server):
    near = await world.location("NEAR")
    far = await world.location("FAR", at=(48.14, 11.58), shipment_cost_minor=900)
    sku = await world.sku({near: 2, far: 10})
    worker = SourcingWorker(redis_server.url, oms.actors.topology)
    first, second, third = World.unique("OS1"), World.unique("OS2"), World.unique("OS3")

    def request(order_id: str) -> SourcingRequest:
        return SourcingRequest(
            order_id=order_id, channel=Channel.WEB, delivery_mode=DeliveryMode.SHIP,
            door=Door(latitude=BERLIN[0], longitude=BERLIN[1]),
            lines=(SourcingLine(line_number=1, sku=sku, quantity=2),),
        )  # fmt: skip

    def reads() -> int:
        return worker.timer.snapshot().get("availability", {}).get("calls", 0)

    try:
        [a] = await worker.source_requests([request(first)], new=True)
        assert a.allocations[1] == (LineAllocation(location_id=near, quantity=2),)
        assert reads() == 1
        # Planned from what the first read showed, less the first order's units: no read.
        assert worker.plans_without_reading([request(second)])
        [b] = await worker.source_requests([request(second)], new=True)
        assert b.allocations[1] == (LineAllocation(location_id=far, quantity=2),)
        assert reads() == 1
        assert await world.available(sku) == {near: (2, 2), far: (10, 2)}
        # The first order lets go of its units: what the worker kept shows none at the near
        # warehouse, but the shard refuses a plan made before that rise and it is made again.
        for shard in oms.actors.inventory:
            await shard.release_orders.remote([first])
        [c] = await worker.source_requests([request(third)], new=True)
        assert c.allocations[1] == (LineAllocation(location_id=near, quantity=2),)
        assert reads() == 2
        assert await world.available(sku) == {near: (2, 2), far: (10, 2)}
    finally:
        for shard in oms.actors.inventory:
            await shard.release_orders.remote([first, second, third])


async def test_an_order_sourced_again_is_planned_from_a_read_that_credits_its_units(world: World, oms, redis_server):
    sku = await world.sku({"T-DC-NORTH": 4})
    worker = SourcingWorker(redis_server.url, oms.actors.topology)
    order_id = World.unique("OH")

    def request(quantity: int) -> SourcingRequest:
        return SourcingRequest(
            order_id=order_id, channel=Channel.WEB, delivery_mode=DeliveryMode.SHIP,
            door=Door(latitude=BERLIN[0], longitude=BERLIN[1]),
            lines=(SourcingLine(line_number=1, sku=sku, quantity=quantity),),
        )  # fmt: skip

    try:
        [held] = await worker.source_requests([request(4)], new=True)
        assert held.allocations[1] == (LineAllocation(location_id="T-DC-NORTH", quantity=4),)
        assert worker.plans_without_reading([request(4)])
        # Sourced again (a re-drive, say) it holds its own 4: availability kept from the
        # first read shows none left, and a plan from it would backorder the order; the
        # read credits the order with its units.
        [again] = await worker.source_requests([request(4)])
        assert again.allocations[1] == (LineAllocation(location_id="T-DC-NORTH", quantity=4),)
        assert await world.reserved(sku) == 4
    finally:
        for shard in oms.actors.inventory:
            await shard.release_orders.remote([order_id])
