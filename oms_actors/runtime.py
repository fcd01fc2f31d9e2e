"""Starting, or finding, the actors of a deployment: the only module that decides actor options."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

import ray

from oms_actors.inventory_shard import InventoryShard
from oms_actors.order_shard import OrderShard
from oms_actors.sourcing_worker import SourcingWorker
from oms_actors.topology import Topology

log = logging.getLogger(__name__)


def _options(name: str, namespace: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        # Found by name by every gateway; outlives the process that created it.
        "get_if_exists": True,
        "lifetime": "detached",
        # Ray restarts a dead actor, which rebuilds its partition from Redis.
        "max_restarts": -1,
        # Calls in flight when it died are retried: every method is idempotent.
        "max_task_retries": 3,
        # Placement only; these actors mostly wait on I/O and must fit on 2 cores.
        "num_cpus": 0,
        # Ray records every method call as task events for its dashboard: about a tenth
        # of a bare actor call's CPU, on calls the service makes thousands of times a
        # second. OMS_RAY_TASK_EVENTS=1 turns them back on to debug with Ray's tools.
        "enable_task_events": os.environ.get("OMS_RAY_TASK_EVENTS", "") == "1",
    }


@dataclass(frozen=True)
class Actors:
    topology: Topology
    inventory: list[Any]
    orders: list[Any]
    sourcing: list[Any]

    def all(self) -> list[Any]:
        return [*self.inventory, *self.sourcing, *self.orders]


def start_actors(topology: Topology, redis_url: str, *, wait: bool = True) -> Actors:
    ns = topology.namespace
    inventory_cls = ray.remote(InventoryShard)
    sourcing_cls = ray.remote(SourcingWorker)
    order_cls = ray.remote(OrderShard)
    inventory = [
        inventory_cls.options(**_options(Topology.inventory_name(i), ns)).remote(i, redis_url)
        for i in range(topology.inventory_shards)
    ]
    sourcing = [
        sourcing_cls.options(**_options(Topology.sourcing_name(i), ns)).remote(redis_url, topology)
        for i in range(topology.sourcing_workers)
    ]
    orders = [
        order_cls.options(**_options(Topology.order_name(i), ns)).remote(i, redis_url, topology)
        for i in range(topology.order_shards)
    ]
    actors = Actors(topology=topology, inventory=inventory, orders=orders, sourcing=sourcing)
    if wait:
        ray.get([a.ping.remote() for a in actors.all()])
    log.info(
        "actors ready: %d inventory shards, %d order shards, %d sourcing workers (namespace %s)",
        topology.inventory_shards,
        topology.order_shards,
        topology.sourcing_workers,
        ns,
    )
    return actors


def stop_actors(actors: Actors) -> None:
    for actor in actors.all():
        ray.kill(actor, no_restart=True)
