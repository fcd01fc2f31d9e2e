"""Customers in Redis, one JSON document each; a customer is written only through the API."""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from oms_actors.domain.customer import Customer
from oms_actors.domain.errors import UnavailableError
from oms_actors.store import keys
from oms_actors.store.codec import Codec

CUSTOMER_CODEC: Codec[Customer] = Codec(Customer)
# Writers of one record that keep meeting each other: a client looping on one customer.
MAX_UPDATE_ATTEMPTS = 20


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
        """Writes the record and its look-up entries (email, phone) together, over
        ``previous`` (what the caller knows is stored; ``update`` makes sure of it)."""
        pipe = self.client.pipeline(transaction=True)
        _write(pipe, customer, previous)
        await pipe.execute()

    async def update(self, customer_id: str, change: Callable[[Customer | None], Customer]) -> Customer:
        """Writes ``change(stored record or None)`` in place of the record as it was read.

        A write by someone else between the read and this write is never overwritten
        unseen: the change is made again on what they wrote (optimistic, WATCH on the
        record). ``change`` may raise to write nothing. Two upserts at once thus cannot
        lose a field one of them kept (an agent's new credit limit under a channel's
        address change), nor leave an email or phone pointing at the wrong record."""
        key = keys.customer(customer_id)
        async with self.client.pipeline(transaction=True) as pipe:
            for _ in range(MAX_UPDATE_ATTEMPTS):
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    previous = CUSTOMER_CODEC.decode(raw) if raw is not None else None
                    updated = change(previous)
                    pipe.multi()
                    _write(pipe, updated, previous)
                    await pipe.execute()
                    return updated
                except WatchError:
                    continue
                finally:
                    await pipe.reset()
        raise UnavailableError(f"customer {customer_id} is being changed by others; try again", dependency="redis")

    async def find(self, *, email: str = "", phone: str = "") -> str | None:
        if email:
            raw = await self.client.hget(keys.CUSTOMER_EMAILS, email_key(email))
        else:
            raw = await self.client.hget(keys.CUSTOMER_PHONES, phone_key(phone)) if phone_key(phone) else None
        return raw.decode() if raw else None


# KEYS[1]: a look-up hash; ARGV: the field, the customer id. Removes the field only
# while it still names this customer: another customer may have taken the email or
# phone since, and its entry is not this record's to remove.
_FORGET_IF_MINE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
"""


def _write(pipe: aioredis.client.Pipeline, customer: Customer, previous: Customer | None) -> None:
    pipe.set(keys.customer(customer.customer_id), CUSTOMER_CODEC.encode(customer))
    if previous is not None:
        if previous.email and email_key(previous.email) != email_key(customer.email):
            pipe.eval(_FORGET_IF_MINE, 1, keys.CUSTOMER_EMAILS, email_key(previous.email), customer.customer_id)
        if previous.phone and phone_key(previous.phone) != phone_key(customer.phone):
            pipe.eval(_FORGET_IF_MINE, 1, keys.CUSTOMER_PHONES, phone_key(previous.phone), customer.customer_id)
    if customer.email:
        pipe.hset(keys.CUSTOMER_EMAILS, email_key(customer.email), customer.customer_id)
    if phone_key(customer.phone):
        pipe.hset(keys.CUSTOMER_PHONES, phone_key(customer.phone), customer.customer_id)


def email_key(email: str) -> str:
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, so "+49 30 1234" and "+493 01234" find the same customer."""
    return "".join(c for c in phone if c.isdigit())
