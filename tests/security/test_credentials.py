"""Credentials: missing, malformed, tampered, expired and revoked ones are UNAUTHENTICATED; limits; audit."""

from __future__ import annotations

import asyncio
import time

import grpc
import jwt
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from gateway.auth import Role
from gateway.auth.client import bearer
from oms_actors.domain.enums import Channel
from protos.oms.v1 import customers_pb2, customers_pb2_grpc, inventory_pb2, inventory_pb2_grpc, orders_pb2
from tests.security.kit import Kit, mint

pytestmark = pytest.mark.integration


async def _code(kit: Kit, metadata) -> tuple[grpc.StatusCode, str]:
    stub = customers_pb2_grpc.CustomerServiceStub(kit.channel)
    try:
        await stub.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=kit.customer_id), metadata=metadata)
    except grpc.aio.AioRpcError as err:
        return err.code(), err.details()
    return grpc.StatusCode.OK, ""


async def test_the_kits_credentials_work(sandbox: Kit):
    assert (await _code(sandbox, sandbox.md(Role.CUSTOMER)))[0] == grpc.StatusCode.OK
    assert (await _code(sandbox, sandbox.md(Role.ADMIN)))[0] == grpc.StatusCode.OK


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        (("authorization", ""),),
        (("authorization", "Bearer"),),
        (("authorization", "Basic dXNlcjpwYXNz"),),
        (("authorization", "Bearer not-a-credential"),),
        (("authorization", "Bearer omsk_0123456789abcdef_" + "A" * 43),),  # well-formed, unknown
        (("x-api-key", "anything"),),
    ],
    ids=["none", "empty", "no-credential", "basic", "garbage", "unknown-key", "other-header"],
)
async def test_missing_or_malformed_credentials_are_unauthenticated(sandbox: Kit, metadata):
    assert (await _code(sandbox, metadata))[0] == grpc.StatusCode.UNAUTHENTICATED


async def test_a_tampered_key_reads_exactly_like_an_unknown_one(sandbox: Kit):
    key = sandbox.credentials[Role.ADMIN]
    flipped = key[:-1] + ("A" if key[-1] != "A" else "B")
    other_id = key.replace(key[5:21], "0" * 16)
    assert await _code(sandbox, bearer(flipped)) == await _code(sandbox, bearer(other_id))
    assert (await _code(sandbox, bearer(flipped)))[0] == grpc.StatusCode.UNAUTHENTICATED


async def test_a_revoked_key_is_refused_within_the_cache_ttl(sandbox: Kit):
    access = sandbox.service.access
    record, key = await access.keys.create(role=Role.SERVICE_AGENT, by="tests", name="short-lived")
    assert (await _code(sandbox, bearer(key)))[0] == grpc.StatusCode.OK
    await access.keys.revoke(record.key_id, by="tests")
    revoked_at = time.monotonic()
    while (await _code(sandbox, bearer(key)))[0] == grpc.StatusCode.OK:
        assert time.monotonic() - revoked_at < access.verifier.ttl_s + 0.5, "revocation took longer than the ttl"
        await asyncio.sleep(0.05)
    assert (await _code(sandbox, bearer(key)))[0] == grpc.StatusCode.UNAUTHENTICATED
    entries = await access.audit.tail(20)
    assert {("key.create", record.key_id), ("key.revoke", record.key_id)} <= {(e.action, e.target) for e in entries}


@pytest.mark.parametrize(
    "claims",
    [
        {"ttl_s": -120},  # expired beyond the leeway
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"iss": None},
        {"exp": None},
        {"sub": None},
        {"sub": "has spaces|and pipes"},
        {"sub": 12345},
    ],
    ids=["expired", "wrong-issuer", "wrong-audience", "no-issuer", "no-expiry", "no-subject", "bad-subject", "numeric-subject"],
)
async def test_tokens_with_bad_claims_are_unauthenticated(sandbox: Kit, claims):
    ttl = claims.pop("ttl_s", 300)
    token = mint(sandbox.service.config.access.jwt.hs256_secret, claims.pop("sub", sandbox.customer_id), ttl_s=ttl, **claims)
    assert (await _code(sandbox, bearer(token)))[0] == grpc.StatusCode.UNAUTHENTICATED


async def test_tampered_and_wrongly_signed_tokens_are_unauthenticated(sandbox: Kit):
    good = sandbox.credentials[Role.CUSTOMER]
    header, payload, signature = good.split(".")
    other = mint(sandbox.service.config.access.jwt.hs256_secret, sandbox.other_customer_id)
    swapped_payload = ".".join([header, other.split(".")[1], signature])
    flipped_signature = ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
    wrong_secret = mint(b"x" * 32, sandbox.customer_id)
    unsigned = jwt.encode(
        {"sub": sandbox.customer_id, "iss": "oms-tests", "aud": "oms", "exp": int(time.time()) + 300},
        None,
        algorithm="none",
    )
    for token in (swapped_payload, flipped_signature, wrong_secret, unsigned, good + "x"):
        assert (await _code(sandbox, bearer(token)))[0] == grpc.StatusCode.UNAUTHENTICATED, token


async def test_a_customer_over_its_rate_limit_is_told_when_to_retry(sandbox: Kit):
    limit = sandbox.service.access.limiter.limits[Role.CUSTOMER]
    md = bearer(sandbox.token(sandbox.customer_id))  # the same subject shares one bucket, whatever the token
    stub = customers_pb2_grpc.CustomerServiceStub(sandbox.channel)
    refused = None
    for _ in range(int(limit.burst) + 20):
        try:
            await stub.GetCustomer(customers_pb2.GetCustomerRequest(customer_id=sandbox.customer_id), metadata=md)
        except grpc.aio.AioRpcError as err:
            refused = err
            break
    assert refused is not None and refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    retry = [d for d in rpc_status.from_call(refused).details if d.Is(error_details_pb2.RetryInfo.DESCRIPTOR)]
    assert retry
    info = error_details_pb2.RetryInfo()
    retry[0].Unpack(info)
    assert 0 < info.retry_delay.ToTimedelta().total_seconds() <= 1 / limit.rate_per_s + 0.01
    # Another principal is not held back by this one's bucket.
    assert (await _code(sandbox, sandbox.md(Role.ADMIN)))[0] == grpc.StatusCode.OK
    await asyncio.sleep(2 / limit.rate_per_s)  # leave the shared customer bucket usable for later tests


async def test_a_batch_of_orders_costs_a_token_per_order(sandbox: Kit):
    from gateway.auth.ratelimit import Limit
    from protos.oms.v1 import orders_pb2_grpc

    limits = sandbox.service.access.limiter.limits
    saved = limits[Role.CHANNEL]
    limits[Role.CHANNEL] = Limit(rate_per_s=2, burst=10)
    try:
        _, key = await sandbox.service.access.keys.create(role=Role.CHANNEL, by="tests", channel=Kit.CHANNEL)
        stub = orders_pb2_grpc.OrderServiceStub(sandbox.channel)
        before = await sandbox.snapshot()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await stub.CreateOrders(
                orders_pb2.CreateOrdersRequest(orders=[sandbox.order_request() for _ in range(20)]),
                metadata=bearer(key),
            )
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert any(d.Is(error_details_pb2.RetryInfo.DESCRIPTOR) for d in rpc_status.from_call(info.value).details)
        assert await sandbox.snapshot() == before  # refused before any order reached the service
        # The refusal cost the call's first token only: five orders still fit in what is left.
        batch = await stub.CreateOrders(
            orders_pb2.CreateOrdersRequest(orders=[sandbox.order_request() for _ in range(5)]), metadata=bearer(key)
        )
        assert [r.WhichOneof("outcome") for r in batch.results] == ["order"] * 5
    finally:
        limits[Role.CHANNEL] = saved


async def test_health_is_open_without_credentials(sandbox: Kit):
    stub = health_pb2_grpc.HealthStub(sandbox.channel)
    assert (await stub.Check(health_pb2.HealthCheckRequest())).status == health_pb2.HealthCheckResponse.SERVING


async def test_admin_actions_and_refused_attempts_are_audited_with_the_principal(sandbox: Kit):
    stub = inventory_pb2_grpc.InventoryServiceStub(sandbox.channel)
    request = inventory_pb2.UpsertProductsRequest(products=[inventory_pb2.Product(sku=sandbox.sku, name="renamed")])
    before = await sandbox.service.access.audit.tail(1)
    await stub.UpsertProducts(request, metadata=sandbox.md(Role.ADMIN))
    with pytest.raises(grpc.aio.AioRpcError):
        await stub.UpsertProducts(request, metadata=sandbox.md(Role.CHANNEL))
    with pytest.raises(grpc.aio.AioRpcError):
        await stub.UpsertProducts(inventory_pb2.UpsertProductsRequest(), metadata=sandbox.md(Role.ADMIN))
    entries = await _audited(sandbox, "/UpsertProducts", after=before[0].entry_id if before else "0-0")
    outcomes = [(e.principal.split(" ")[0], e.outcome) for e in entries[:3]]
    assert outcomes == [("admin", "INVALID_ARGUMENT"), ("channel", "PERMISSION_DENIED"), ("admin", "OK")]
    assert all(e.at_ms > 0 and "key:" in e.principal for e in entries[:3])
    assert entries[2].target == "products[1]"


async def _audited(sandbox: Kit, method: str, *, after: str) -> list:
    """The method's audit entries newer than entry ``after``, newest first, read at once:
    an audited call's entry is written before its answer is sent, refusals included."""

    def stream_id(entry_id: str) -> tuple[int, int]:
        ms, _, seq = entry_id.partition("-")
        return int(ms), int(seq or 0)

    return [
        e
        for e in await sandbox.service.access.audit.tail(10)
        if e.action.endswith(method) and stream_id(e.entry_id) > stream_id(after)
    ]


async def test_the_audit_log_never_holds_payment_tokens_or_credentials(sandbox: Kit):
    stub = orders_pb2.CancelOrderRequest  # an audited order action
    placed = await sandbox.admin.orders.CreateOrder(sandbox.order_request())
    await sandbox.admin.orders.CancelOrder(stub(order_id=placed.order.order_id, reason="card 4111111111111111"))
    entries = await sandbox.service.access.audit.tail(5)
    cancel = next(e for e in entries if e.action.endswith("/CancelOrder"))
    assert cancel.target == f"order_id={placed.order.order_id}"
    # What the entries say, not their stream ids and times: a millisecond count may hold "4111",
    # and so may a random key id ("key:2c68f1524111d554"): the card number whole is what must not be there.
    text = " ".join(f"{e.action} {e.principal} {e.target} {e.outcome} {e.detail}" for e in entries)
    assert "4111111111111111" not in text and "card 4111" not in text and sandbox.credentials[Role.ADMIN] not in text
    assert Channel.WEB  # the key ids named are ids, not secrets
