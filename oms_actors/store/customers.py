"""Customers in Redis, one JSON document each; a customer is written only through the API."""

from __future__ import annotations

import redis.asyncio as aioredis

from oms_actors.domain.customer import Customer
from oms_actors.store import keys
from oms_actors.store.codec import Codec

CUSTOMER_CODEC: Codec[Customer] = Codec(Customer)


def decode_customers(customer_ids: list[str], raws: list[bytes | None]) -> dict[str, Customer]:
    """The records of a bulk read of ``customer_ids``, of those that exist."""
    return {cid: CUSTOMER_CODEC.decode(raw) for cid, raw in zip(customer_ids, raws) if raw is not None}


class CustomerStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client

    async def get(self, customer_id: str) -> Customer | None:
        raw = await self.client.get(keys.customer(customer_id))
        return CUSTOMER_CODEC.decode(raw) if raw is not None else None

    async def get_many(self, customer_ids: list[str]) -> dict[str, Customer]:
        if not customer_ids:
            return {}
        return decode_customers(customer_ids, await self.client.mget([keys.customer(cid) for cid in customer_ids]))

    async def put(self, customer: Customer, previous: Customer | None = None) -> None:
        """Writes the record and its look-up entries (email, phone) together."""
        pipe = self.client.pipeline(transaction=True)
        pipe.set(keys.customer(customer.customer_id), CUSTOMER_CODEC.encode(customer))
        if previous is not None:
            if previous.email and email_key(previous.email) != email_key(customer.email):
                pipe.hdel(keys.CUSTOMER_EMAILS, email_key(previous.email))
            if previous.phone and phone_key(previous.phone) != phone_key(customer.phone):
                pipe.hdel(keys.CUSTOMER_PHONES, phone_key(previous.phone))
        if customer.email:
            pipe.hset(keys.CUSTOMER_EMAILS, email_key(customer.email), customer.customer_id)
        if phone_key(customer.phone):
            pipe.hset(keys.CUSTOMER_PHONES, phone_key(customer.phone), customer.customer_id)
        await pipe.execute()

    async def find(self, *, email: str = "", phone: str = "") -> str | None:
        if email:
            raw = await self.client.hget(keys.CUSTOMER_EMAILS, email_key(email))
        else:
            raw = await self.client.hget(keys.CUSTOMER_PHONES, phone_key(phone)) if phone_key(phone) else None
        return raw.decode() if raw else None


def email_key(email: str) -> str:
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, so "+49 30 1234" and "+493 01234" find the same customer."""
    return "".join(c for c in phone if c.isdigit())
