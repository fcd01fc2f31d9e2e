"""Customers in Redis, one JSON document each; a customer is written only through the API."""

from __future__ import annotations

import redis.asyncio as aioredis

from oms_actors.domain.customer import Customer
from oms_actors.store import keys
from oms_actors.store.codec import Codec

CUSTOMER_CODEC: Codec[Customer] = Codec(Customer)


class CustomerStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client

    async def get(self, customer_id: str) -> Customer | None:
        raw = await self.client.get(keys.customer(customer_id))
        return CUSTOMER_CODEC.decode(raw) if raw is not None else None

    async def put(self, customer: Customer) -> None:
        await self.client.set(keys.customer(customer.customer_id), CUSTOMER_CODEC.encode(customer))
