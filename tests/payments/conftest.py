"""A real Redis for the payment tests, apart from the service's; no Ray.

Tests stay independent by giving every provider and register a fresh name
(``support.fresh_name``), so they share the server and the session's client.
"""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests.payments.support import FakeClock


@pytest.fixture(scope="session")
def payments_redis(tmp_path_factory):
    from oms_actors.store.connection import EmbeddedRedis

    server = EmbeddedRedis(tmp_path_factory.mktemp("payredis"))
    server.start()
    yield server
    # Throwaway data; a polite SHUTDOWN through EmbeddedRedis.stop() takes seconds on the client side.
    server.stop(hard=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def redis_client(payments_redis):
    from oms_actors.store.connection import connect_async

    client = connect_async(payments_redis.url)
    yield client
    await client.aclose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
