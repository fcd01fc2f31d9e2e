"""A sandbox deployment for the access and fuzz tests, beside the session's own.

Calling every RPC as every role, and sending hostile requests, writes what
the calls allow (routing rules, locations, stock): that must not leak into
other tests' network. So these tests get their own gateway and actors (one
shard of each, their own Ray namespace) on their own Redis database of the
session's Redis server, whose keys they can count and digest.
"""

from __future__ import annotations

import secrets

import pytest_asyncio

from gateway.auth import AccessConfig
from gateway.auth.apikeys import generate_key
from gateway.auth.tokens import JwtConfig
from tests.security.kit import Kit


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def sandbox(redis_server, ray_session):
    from gateway.server import OmsService, ServiceConfig
    from oms_actors.runtime import stop_actors
    from oms_actors.store.connection import connect
    from oms_actors.topology import Topology

    url = f"{redis_server.url}?db=3"
    client = connect(url)
    client.flushdb()
    client.close()
    config = ServiceConfig(
        port=0,
        redis_url=url,
        topology=Topology(inventory_shards=1, order_shards=1, sourcing_workers=0, namespace="oms-sandbox"),
        access=AccessConfig(
            bootstrap_admin_key=generate_key(),
            jwt=JwtConfig(hs256_secret=secrets.token_bytes(32), issuer="oms-tests", audience="oms"),
            key_cache_ttl_s=0.5,
        ),
    )
    service = OmsService(config)
    await service.start()
    try:
        kit = await Kit.open(service)
        yield kit
        await kit.close()
    finally:
        await service.stop(grace_s=1)
        stop_actors(service.actors)
