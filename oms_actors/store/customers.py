"""Customers in Redis, one JSON document each; a customer is written only through the API."""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from oms_actors.domain.customer import Customer
from oms_actors.domain.errors import AlreadyExistsError, FieldViolation, UnavailableError
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
        ``previous`` (what the caller knows is stored; ``update`` makes sure of it).
        Raises AlreadyExistsError, writing nothing, when the email is another customer's."""
        pipe = self.client.pipeline(transaction=True)
        _write(pipe, customer, previous)
        _claimed(customer, await pipe.execute())

    async def update(self, customer_id: str, change: Callable[[Customer | None], Customer]) -> Customer:
        """Writes ``change(stored record or None)`` in place of the record as it was read.

        A write by someone else between the read and this write is never overwritten
        unseen: the change is made again on what they wrote (optimistic, WATCH on the
        record). ``change`` may raise to write nothing. Two upserts at once thus cannot
        lose a field one of them kept (an agent's new credit limit under a channel's
        address change), nor leave an email or phone pointing at the wrong record.

        An email names one customer: a record taking one another customer holds is
        refused (AlreadyExistsError, field ``customer.email``) and nothing is written.
        A phone may be shared (a household, a company's switchboard): its look-up
        finds the customer that registered it last."""
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
                    _claimed(updated, await pipe.execute())
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


# Writes a record and its look-up entries in one atomic step, or nothing when its email
# names another customer. KEYS: the record, the email and the phone look-ups. ARGV:
# customer id, record, email key, phone key, the stored record's email key, its phone
# key ('' for none). An entry the record leaves is removed only while it still names
# this customer (data from before emails were unique may share one). Answers the
# customer holding the email, or nothing.
_WRITE = """
local id, email, phone, old_email, old_phone = ARGV[1], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if email ~= '' then
  local holder = redis.call('HGET', KEYS[2], email)
  if holder and holder ~= id then return holder end
end
redis.call('SET', KEYS[1], ARGV[2])
if old_email ~= '' and old_email ~= email and redis.call('HGET', KEYS[2], old_email) == id then
  redis.call('HDEL', KEYS[2], old_email)
end
if old_phone ~= '' and old_phone ~= phone and redis.call('HGET', KEYS[3], old_phone) == id then
  redis.call('HDEL', KEYS[3], old_phone)
end
if email ~= '' then redis.call('HSET', KEYS[2], email, id) end
if phone ~= '' then redis.call('HSET', KEYS[3], phone, id) end
return false
"""


def _write(pipe: aioredis.client.Pipeline, customer: Customer, previous: Customer | None) -> None:
    pipe.eval(
        _WRITE,
        3,
        keys.customer(customer.customer_id),
        keys.CUSTOMER_EMAILS,
        keys.CUSTOMER_PHONES,
        customer.customer_id,
        CUSTOMER_CODEC.encode(customer),
        email_key(customer.email),
        phone_key(customer.phone),
        email_key(previous.email) if previous is not None else "",
        phone_key(previous.phone) if previous is not None else "",
    )


def _claimed(customer: Customer, results: list) -> None:
    holder = results[-1]
    if holder:
        raise AlreadyExistsError(
            f"email {customer.email} is registered to another customer",
            code="EMAIL_TAKEN",
            violations=[FieldViolation(field="customer.email", description="registered to another customer")],
        )


def email_key(email: str) -> str:
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, so "+49 30 1234" and "+493 01234" find the same customer."""
    return "".join(c for c in phone if c.isdigit())
