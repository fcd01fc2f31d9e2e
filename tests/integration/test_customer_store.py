"""Customer records against a real Redis: an update made on a record someone else changed
meanwhile is made again on what they wrote, so neither write loses the other's fields."""

from __future__ import annotations

import uuid

import pytest
import redis

from oms_actors.domain.customer import Customer
from oms_actors.domain.errors import AlreadyExistsError
from oms_actors.domain.enums import CustomerType
from oms_actors.domain.money import Money
from oms_actors.store import keys
from oms_actors.store.connection import connect_async
from oms_actors.store.customers import CUSTOMER_CODEC, CustomerStore

pytestmark = pytest.mark.integration

STORE_DB = 14  # a database of its own: no other test writes there


@pytest.fixture
async def client(redis_server):
    """A client of this module's own database, closed after the test."""
    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    yield client
    await client.aclose()


async def test_an_update_is_made_again_on_a_write_that_came_between(client, redis_server):
    other = redis.Redis.from_url(f"{redis_server.url}?db={STORE_DB}")  # a second writer, on its own connection
    try:
        store = CustomerStore(client)
        cid = f"C-{uuid.uuid4().hex[:8]}"
        first = Customer(customer_id=cid, type=CustomerType.BUSINESS, name="Acme", email="old@example.com")
        await store.put(first)
        seen: list[Customer | None] = []

        def move(existing: Customer | None) -> Customer:
            seen.append(existing)
            if len(seen) == 1:
                # Between this read and its write, an agent grants a credit line.
                granted = Customer(
                    customer_id=cid, type=CustomerType.BUSINESS, name="Acme", email="old@example.com",
                    credit_limit=Money(amount_minor=250_000, currency="EUR"),
                )  # fmt: skip
                other.set(keys.customer(cid), CUSTOMER_CODEC.encode(granted))
            assert existing is not None
            return Customer(
                customer_id=cid, type=existing.type, name="Acme Handel", email="new@example.com",
                credit_limit=existing.credit_limit,
            )  # fmt: skip

        updated = await store.update(cid, move)
        assert len(seen) == 2 and seen[1] is not None and seen[1].credit_limit is not None
        stored = await store.get(cid)
        assert stored == updated
        assert (stored.name, stored.email, stored.credit_limit) == ("Acme Handel", "new@example.com", Money(amount_minor=250_000, currency="EUR"))
        # The look-ups follow the record: the new email finds it, the old one nothing.
        assert await store.find(email="new@example.com") == cid
        assert await store.find(email="old@example.com") is None
    finally:
        other.close()


async def test_a_change_that_raises_writes_nothing(client):
    store = CustomerStore(client)
    cid = f"C-{uuid.uuid4().hex[:8]}"

    def refuse(existing: Customer | None) -> Customer:
        raise PermissionError("not yours")

    with pytest.raises(PermissionError):
        await store.update(cid, refuse)
    assert await store.get(cid) is None
    assert await client.exists(keys.customer(cid)) == 0


async def test_a_record_leaving_an_email_takes_its_look_up_only_while_it_is_its_own(client):
    store = CustomerStore(client)
    run = uuid.uuid4().hex[:8]
    shared, phone = f"shared-{run}@example.com", f"+49 30 {int(run, 16) % 10**8}"
    a = Customer(customer_id=f"A-{run}", type=CustomerType.CONSUMER, email=shared, phone=phone)
    await store.put(a)
    # Another customer shares the phone, and (data written before emails were unique)
    # the email: the look-ups now find it...
    await store.put(Customer(customer_id=f"B-{run}", type=CustomerType.CONSUMER, phone=phone))
    legacy = Customer(customer_id=f"B-{run}", type=CustomerType.CONSUMER, email=shared, phone=phone)
    await client.set(keys.customer(legacy.customer_id), CUSTOMER_CODEC.encode(legacy))
    await client.hset(keys.CUSTOMER_EMAILS, shared, legacy.customer_id)
    # ...then the first moves to new ones: what B holds stays B's.
    await store.update(a.customer_id, lambda old: Customer(customer_id=a.customer_id, type=CustomerType.CONSUMER, email=f"a-{run}@example.com"))
    assert await store.find(email=shared) == f"B-{run}"
    assert await store.find(phone=phone) == f"B-{run}"
    assert await store.find(email=f"a-{run}@example.com") == a.customer_id
    # Leaving its own entries removes them.
    await store.update(f"B-{run}", lambda old: Customer(customer_id=f"B-{run}", type=CustomerType.CONSUMER))
    assert await store.find(email=shared) is None and await store.find(phone=phone) is None


async def test_an_email_another_customer_holds_is_refused_and_nothing_is_written(client):
    store = CustomerStore(client)
    run = uuid.uuid4().hex[:8]
    email = f"held-{run}@example.com"
    await store.put(Customer(customer_id=f"A-{run}", type=CustomerType.CONSUMER, email=email))
    b = Customer(customer_id=f"B-{run}", type=CustomerType.CONSUMER, email=f"b-{run}@example.com", phone="+1 555 0100")
    await store.put(b)
    lookups = (await client.hgetall(keys.CUSTOMER_EMAILS), await client.hgetall(keys.CUSTOMER_PHONES))
    for attempt in (
        lambda: store.put(Customer(customer_id=f"C-{run}", type=CustomerType.CONSUMER, email=email.upper(), phone="+1 555 0199")),
        lambda: store.update(b.customer_id, lambda old: Customer(customer_id=b.customer_id, type=CustomerType.CONSUMER, email=f" {email} ")),
    ):
        with pytest.raises(AlreadyExistsError) as info:
            await attempt()
        assert info.value.code == "EMAIL_TAKEN"
        assert [v.field for v in info.value.violations] == ["customer.email"]
    assert await store.get(f"C-{run}") is None
    assert await store.get(b.customer_id) == b
    assert (await client.hgetall(keys.CUSTOMER_EMAILS), await client.hgetall(keys.CUSTOMER_PHONES)) == lookups
