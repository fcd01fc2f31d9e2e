"""The sandbox deployment as the security tests see it: a principal per role, seeded data, Redis digests."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import grpc
import jwt
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from gateway.auth import Role
from gateway.auth.client import bearer
from oms_actors.domain.enums import Channel
from oms_actors.store import keys
from oms_actors.store.connection import connect_async
from protos.oms.v1 import common_pb2, customers_pb2, orders_pb2
from tests.integration.support import World


def mint(secret: bytes, sub: str, *, ttl_s: float = 300, **claims: Any) -> str:
    """An HS256 customer token as the identity provider would sign it."""
    now = int(time.time())
    payload = {"sub": sub, "iss": "oms-tests", "aud": "oms", "iat": now, "exp": now + int(ttl_s), **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256")


@dataclass
class Kit:
    service: Any  # gateway.server.OmsService
    target: str
    channel: grpc.aio.Channel  # no credentials of its own: each call says who it is
    admin: World
    credentials: dict[Role, str]
    customer_id: str  # the customer principal's own customer
    other_customer_id: str
    sku: str
    order_id: str  # WEB order of customer_id
    other_order_id: str  # STORE order of other_customer_id

    CHANNEL = Channel.WEB

    @classmethod
    async def open(cls, service: Any) -> Kit:
        target = f"127.0.0.1:{service.port}"
        access = service.access
        admin = await World.open(target, credential=service.config.access.bootstrap_admin_key)
        creds = {Role.ADMIN: service.config.access.bootstrap_admin_key}
        for role in Role:
            if role not in (Role.ADMIN, Role.CUSTOMER):
                scope = {"channel": cls.CHANNEL} if role is Role.CHANNEL else {}
                _, creds[role] = await access.keys.create(role=role, by="tests", **scope)
        await admin.seed_network()
        sku = await admin.sku({"T-DC-NORTH": 1_000_000})
        customer_id, other = await admin.customer(), await admin.customer()
        creds[Role.CUSTOMER] = mint(service.config.access.jwt.hs256_secret, customer_id, ttl_s=3600)
        mine = await admin.orders.CreateOrder(admin.order(customer_id, [(sku, 1)], channel=common_pb2.CHANNEL_WEB))
        theirs = await admin.orders.CreateOrder(admin.order(other, [(sku, 1)], channel=common_pb2.CHANNEL_STORE))
        channel = grpc.aio.insecure_channel(target)
        await channel.channel_ready()
        return cls(
            service=service,
            target=target,
            channel=channel,
            admin=admin,
            credentials=creds,
            customer_id=customer_id,
            other_customer_id=other,
            sku=sku,
            order_id=mine.order.order_id,
            other_order_id=theirs.order.order_id,
        )

    async def served_services(self) -> set[str]:
        """The services the gateway registered (reflection lists them)."""
        from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

        stub = reflection_pb2_grpc.ServerReflectionStub(self.channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        async for answer in stub.ServerReflectionInfo(iter([request])):
            return {s.name for s in answer.list_services_response.service}
        return set()

    async def close(self) -> None:
        await self.channel.close()
        await self.admin.close()

    async def customer_bucket_refilled(self) -> None:
        """Waits until the customer principal's rate-limit bucket is full again: a module that
        calls as that customer in a burst (every RPC, every fuzzed request) must not leave the
        modules after it RESOURCE_EXHAUSTED (the bucket is per principal, 20/s, 40 at once)."""
        limit = self.service.access.limiter.limits[Role.CUSTOMER]
        if limit.rate_per_s > 0:
            await asyncio.sleep(limit.burst / limit.rate_per_s)

    def md(self, role: Role) -> tuple[tuple[str, str], ...]:
        return bearer(self.credentials[role])

    def token(self, sub: str, **claims: Any) -> str:
        return mint(self.service.config.access.jwt.hs256_secret, sub, **claims)

    def order_request(self, *, channel: int = common_pb2.CHANNEL_WEB) -> orders_pb2.CreateOrderRequest:
        return self.admin.order(self.customer_id, [(self.sku, 1)], channel=channel)

    async def snapshot(self) -> tuple[int, dict[bytes, bytes]]:
        """DBSIZE and a digest of every key's value (the audit log aside: refused calls are audited on purpose)."""
        client = connect_async(self.service.redis_url)
        try:
            size = await client.dbsize()
            names = sorted([k async for k in client.scan_iter(count=1000) if k != keys.AUDIT_LOG.encode()])
            digests = await client.execute_command("DEBUG", "DIGEST-VALUE", *names) if names else []
            return size, dict(zip(names, digests))
        finally:
            await client.aclose()


def business_customer(
    customer_id: str, *, name: str = "Acme GmbH", limit: int | None = None, city: str = "Berlin", terms: int | None = None
) -> customers_pb2.Customer:
    """A business customer in Berlin, with a credit limit in EUR when ``limit`` is given and
    payment terms in days when ``terms`` is."""
    msg = customers_pb2.Customer(
        customer_id=customer_id,
        type=customers_pb2.CUSTOMER_TYPE_BUSINESS,
        name=name,
        email=f"{customer_id.lower()}@example.com",
        default_address=common_pb2.Address(lines=["Hauptstraße 1"], city=city, postal_code="10115", country_code="DE"),
    )
    if limit is not None:
        msg.credit_limit.CopyFrom(common_pb2.Money(amount_minor=limit, currency="EUR"))
    if terms is not None:
        msg.payment_terms_days = terms
    return msg


async def refusal(call) -> tuple[grpc.StatusCode, str, set[str]]:
    """A refused call's code, its ErrorInfo reason and the fields its BadRequest names."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    status = rpc_status.from_call(info.value)
    reason, fields = "", set()
    for any_ in status.details if status else []:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail = error_details_pb2.ErrorInfo()
            any_.Unpack(detail)
            reason = detail.reason
        if any_.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            any_.Unpack(bad)
            fields |= {v.field for v in bad.field_violations}
    return info.value.code(), reason, fields
