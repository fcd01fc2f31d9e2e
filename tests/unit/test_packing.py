"""The hiredis packer puts the same bytes on the wire as redis-py's own."""

from __future__ import annotations

import pytest
import redis
import redis.asyncio as aioredis
from redis.asyncio.connection import Connection, UnixDomainSocketConnection

from oms_actors.store.connection import connect_async
from oms_actors.store.packing import HiredisPacking, with_hiredis_packing

COMMANDS = [
    ("SET", "k", "v"),
    ("EVALSHA", "c734746ee4ae" * 3, 2, "oms:{0}:a", "oms:{0}:b", "é-ü-日本", 0, -17, 2**63 - 1, 0.1, 1e20, -2.5),
    ("HSET", b"binary\x00key", b"\xff\xfe", memoryview(b"view")),
    ("CONFIG GET", "maxmemory"),
    (b"CLIENT SETNAME", "oms-order-shard"),
    ("XADD", "stream", "*", "payload", "x" * 100_000),
]


class _Packing(HiredisPacking, Connection):
    pass


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: str(a[0]))
def test_a_command_packs_to_the_bytes_redis_py_sends(args: tuple) -> None:
    assert b"".join(_Packing().pack_command(*args)) == b"".join(Connection().pack_command(*args))


def test_a_pipeline_packs_to_the_bytes_redis_py_sends() -> None:
    assert b"".join(_Packing().pack_commands(COMMANDS)) == b"".join(Connection().pack_commands(COMMANDS))


def test_what_hiredis_refuses_goes_to_redis_py() -> None:
    # redis-py converts a bytearray, and refuses a bool or None with its usual error.
    ours, theirs = _Packing(), Connection()
    assert ours.pack_command("SET", "k", bytearray(b"ab")) == theirs.pack_command("SET", "k", bytearray(b"ab"))
    for bad in (True, None):
        with pytest.raises(redis.DataError):
            ours.pack_command("SET", "k", bad)


@pytest.mark.parametrize(
    ("url", "base"),
    [("redis://localhost:6390/0", Connection), ("unix:///tmp/oms-test.sock", UnixDomainSocketConnection)],
)
def test_the_pool_packs_with_hiredis_whatever_connection_the_url_chose(url: str, base: type) -> None:
    client = connect_async(url)
    made = client.connection_pool.make_connection()
    assert isinstance(made, HiredisPacking) and isinstance(made, base)
    # Applying it again changes nothing.
    pool = client.connection_pool
    cls = pool.connection_class
    assert with_hiredis_packing(pool).connection_class is cls
    assert isinstance(client, aioredis.Redis)
