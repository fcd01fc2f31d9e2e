"""A separate SourcingWorker actor (sourcing_workers > 0) sources and reserves like inline sourcing."""

from __future__ import annotations

import dataclasses

import pytest
import ray

from oms_actors.domain.enums import Channel, DeliveryMode
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
            latitude=BERLIN[0],
            longitude=BERLIN[1],
            pickup_location_id="",
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
