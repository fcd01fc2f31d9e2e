"""``oms keys`` and ``oms audit-log`` against the sandbox's Redis: a key made there works at once."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from gateway.auth.client import bearer
from gateway.cli import main
from protos.oms.v1 import orders_pb2, orders_pb2_grpc
from tests.security.kit import Kit

pytestmark = pytest.mark.integration


async def _oms(capsys, *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_keys_are_created_listed_and_revoked_from_the_command_line(sandbox: Kit, capsys):
    url = ("--redis-url", sandbox.service.redis_url)
    code, out, err = await _oms(capsys, "keys", "create", "--role", "channel", "--channel", "web", "--name", "cli test", *url)
    assert code == 0 and "shown once" in err
    key = out.strip()
    key_id = key.split("_")[1]
    stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
    listed = await stub.ListOrders(orders_pb2.ListOrdersRequest(), metadata=bearer(key))
    assert {o.channel for o in listed.orders} <= {1}  # CHANNEL_WEB only

    code, out, _ = await _oms(capsys, "keys", "list", *url)
    line = next(line for line in out.splitlines() if line.startswith(key_id))
    assert "channel" in line and "web" in line and "cli test" in line and key.split("_", 2)[2] not in out

    code, out, _ = await _oms(capsys, "keys", "revoke", key_id, *url)
    assert code == 0 and "revoked" in out
    await asyncio.sleep(sandbox.service.access.verifier.ttl_s + 0.1)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.ListOrders(orders_pb2.ListOrdersRequest(), metadata=bearer(key))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED

    code, out, _ = await _oms(capsys, "audit-log", "--count", "20", *url)
    assert "key.create" in out and "key.revoke" in out and key_id in out and "cli:" in out


async def test_a_key_whose_scope_does_not_fit_its_role_is_refused(capsys):
    code, _, err = await _oms(capsys, "keys", "create", "--role", "channel", "--redis-url", "redis://127.0.0.1:1/0")
    assert code == 2 and "--channel" in err
    code, _, err = await _oms(capsys, "keys", "create", "--role", "admin", "--customer", "C-1", "--redis-url", "redis://127.0.0.1:1/0")
    assert code == 2 and "--customer is only for customer keys" in err
    code, _, err = await _oms(
        capsys, "keys", "create", "--role", "service_agent", "--location", "T-DC-NORTH",
        "--redis-url", "redis://127.0.0.1:1/0",
    )  # fmt: skip
    assert code == 2 and "--location is only for fulfilment and inventory_feed keys" in err
    for role, limit, said in (
        ("channel", "10", "--goodwill-limit is only for service_agent keys"),
        ("service_agent", "101", "0 to 100"),
    ):
        args = ["--channel", "web"] if role == "channel" else []
        code, _, err = await _oms(
            capsys, "keys", "create", "--role", role, *args, "--goodwill-limit", limit, "--redis-url", "redis://127.0.0.1:1/0"
        )
        assert code == 2 and said in err, err


async def test_a_service_agent_key_carries_its_own_goodwill_limit(sandbox: Kit, capsys):
    url = ("--redis-url", sandbox.service.redis_url)
    code, out, err = await _oms(capsys, "keys", "create", "--role", "service_agent", "--goodwill-limit", "35", *url)
    assert code == 0
    record = await sandbox.service.access.keys.get(out.strip().split("_")[1])
    assert record is not None and record.principal().goodwill_limit_percent == 35
    code, out, _ = await _oms(capsys, "audit-log", "--count", "5", *url)
    assert "goodwill_limit=35%" in out
