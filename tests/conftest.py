"""Session-wide real parts: one Redis server, one local Ray, one gateway on a free port.

Ray starts once per session (it costs seconds); tests stay independent by
using their own SKUs, customers and idempotency keys (see ``World``).

The gateway registers a bootstrap admin key, which ``World`` sends (through
``$OMS_API_KEY``, so gateways a test starts itself on the same Redis accept it
too); customer tokens are HS256 with the secret in ``oms.config.access.jwt``.
"""

from __future__ import annotations

import logging
import os

import pytest
import pytest_asyncio

# Keep Ray quiet and local even when the developer's shell points elsewhere.
os.environ.pop("RAY_ADDRESS", None)
os.environ.setdefault("RAY_DEDUP_LOGS", "0")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    from oms_actors.store.connection import EmbeddedRedis

    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), appendfsync="always")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ray_session():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING, namespace="oms-tests")
    yield ray
    ray.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def oms(redis_server, ray_session):
    import secrets

    from gateway.auth import AccessConfig
    from gateway.auth.apikeys import generate_key
    from gateway.auth.client import CREDENTIAL_ENV
    from gateway.auth.tokens import JwtConfig
    from gateway.server import OmsService, ServiceConfig
    from oms_actors.runtime import stop_actors
    from oms_actors.topology import Topology

    config = ServiceConfig(
        port=0,
        redis_url=redis_server.url,
        topology=Topology(inventory_shards=2, order_shards=2, sourcing_workers=0, namespace="oms-test"),
        access=AccessConfig(
            bootstrap_admin_key=generate_key(),
            jwt=JwtConfig(hs256_secret=secrets.token_bytes(32), issuer="oms-tests", audience="oms"),
        ),
    )
    os.environ[CREDENTIAL_ENV] = config.access.bootstrap_admin_key
    service = OmsService(config)
    await service.start()
    yield service
    await service.stop(grace_s=1)
    stop_actors(service.actors)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def world(oms):
    from tests.integration.support import World

    w = await World.open(f"127.0.0.1:{oms.port}")
    await w.seed_network()
    yield w
    await w.close()
