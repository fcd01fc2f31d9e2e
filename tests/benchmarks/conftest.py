"""Deployments of their own for simulator runs, beside the session's.

A simulated day loads a whole network, sets routing rules and reads every event
and stock row: on the session's shared deployment that would leak into other
tests, and other tests' orders into the day's figures. Each deployment here has
its own Redis database of the session's Redis server and its own Ray namespace
in the session's Ray, so its stock audit and event stream hold only its day.
"""

from __future__ import annotations

from typing import Any

import pytest_asyncio


@pytest_asyncio.fixture(loop_scope="session")
async def deployments(redis_server, ray_session):
    """``await make(db)``: a fresh service on Redis database ``db``, as a benchmarks Deployment."""
    import ray

    from benchmarks.service import Deployment
    from gateway.auth import AccessConfig
    from gateway.auth.apikeys import generate_key
    from gateway.server import OmsService, ServiceConfig
    from oms_actors.runtime import stop_actors
    from oms_actors.store.connection import connect
    from oms_actors.topology import Topology

    services: list[OmsService] = []

    async def make(db: int, *, tls: Any = None, client_tls: Any = None) -> Deployment:
        """``tls``: the gateway's TlsConfig; ``client_tls``: the ClientTls the simulator reaches it with."""
        url = f"{redis_server.url}?db={db}"
        client = connect(url)
        client.flushdb()
        client.close()
        namespace = f"oms-sim-{db}"
        config = ServiceConfig(
            port=0,
            redis_url=url,
            topology=Topology(inventory_shards=1, order_shards=2, sourcing_workers=0, namespace=namespace),
            access=AccessConfig(bootstrap_admin_key=generate_key(), tls=tls),
            bench_empty=True,
        )
        service = OmsService(config)
        await service.start()
        services.append(service)
        return Deployment(
            target=f"127.0.0.1:{service.port}",
            credential=config.access.bootstrap_admin_key,
            redis_url=url,
            ray_address=ray.get_runtime_context().gcs_address,
            ray_namespace=namespace,
            bench_empty=True,
            tls=client_tls,
        )

    yield make
    for service in services:
        await service.stop(grace_s=1)
        stop_actors(service.actors)
