"""OrderStore.save against a real Redis: one atomic script per save, whatever its size."""

from __future__ import annotations

import uuid

import pytest

from oms_actors.domain.commands import CreateOrder, LineInput
from oms_actors.domain.enums import Channel, DeliveryMode, OrderStatus
from oms_actors.domain.events import OrderEvent, order_events
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order
from oms_actors.store import keys
from oms_actors.store.connection import connect_async
from oms_actors.store.events import EventReader
from oms_actors.store.orders import EVENTS_CODEC, OrderFilter, OrderStore

pytestmark = pytest.mark.integration

# Its own database: these orders are written straight to the store, unsourceable
# (no address), and must not show up in the session service's order shards.
STORE_DB = 9


def _order(run: str, i: int, customer: str) -> Order:
    command = CreateOrder(
        channel=Channel.MARKETPLACE,
        idempotency_key=f"{run}-k{i}",
        customer_id=customer,
        lines=(LineInput(sku="SKU-1", quantity=1, unit_price=Money(amount_minor=100, currency="EUR")),),
        delivery_mode=DeliveryMode.SHIP,
        external_reference=f"{run}-ext{i}",
    )
    return Order.accept(command, order_id=f"{run}-o{i}", now_ms=1_767_225_600_000 + i)


async def test_a_save_larger_than_one_command_can_carry_is_written_whole(redis_server):
    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        store = OrderStore(client, order_shards=1)
        run = uuid.uuid4().hex[:8]
        customer = f"C-{run}"
        # 1,200 orders: the MSET and index writes exceed the script's 1,000-argument chunks.
        orders = [_order(run, i, customer) for i in range(1_200)]
        await store.save(0, [(o, None) for o in orders])
        assert await store.get_many([o.order_id for o in orders]) == orders
        page, _ = await store.list(OrderFilter(customer_id=customer), page_size=5)
        assert [o.order_id for o in page] == [f"{run}-o{i}" for i in range(1_199, 1_194, -1)]
        assert await client.zcard(keys.order_index("customer", customer)) == 1_200
        assert await client.hlen(keys.EXTERNAL_REFERENCES) >= 1_200
        # Each order's history has the save's events of it; the customer's timeline is read from them.
        assert await client.llen(keys.order_history(0, orders[-1].order_id)) == 1
        assert not await client.exists(keys.customer_timeline(customer))

        # A status change moves the orders between status indexes in the same call.
        released = [o.__class__(**{**{f: getattr(o, f) for f in o.__slots__}, "status": OrderStatus.RELEASED})
                    for o in orders[:3]]  # fmt: skip
        await store.save(0, list(zip(released, orders[:3])))
        accepted_index = keys.order_index("status", OrderStatus.ACCEPTED.value)
        released_index = keys.order_index("status", OrderStatus.RELEASED.value)
        members = {m.decode() for m in await client.zrange(released_index, 0, -1)}
        assert {o.order_id for o in released} <= members
        assert await client.zscore(accepted_index, released[0].order_id) is None
        assert await store.get(released[0].order_id) == released[0]
    finally:
        await client.aclose()


async def test_bulk_reads_answer_each_key_in_order(redis_server):
    from oms_actors.store.bulk import BulkReads

    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        run = uuid.uuid4().hex[:8]
        await client.zadd(f"t:{run}:z", {"x": 10, "y": 20, "z": 30})
        bulk = BulkReads(client)
        ranges = [(f"t:{run}:z", "-inf", "(20"), (f"t:{run}:z", 10, 30), (f"t:{run}:none", 0, 100)]
        assert await bulk.zcount_each(ranges) == [1, 3, 0]
        assert await bulk.zcount_each([]) == []
    finally:
        await client.aclose()


async def test_the_first_read_of_a_batch_answers_keys_and_customers_in_order(redis_server):
    from oms_actors.domain.customer import Customer
    from oms_actors.domain.enums import CustomerType
    from oms_actors.store.customers import CustomerStore
    from oms_actors.store.orders import IdempotencyRecord

    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        store = OrderStore(client, order_shards=1)
        run = uuid.uuid4().hex[:8]
        saved = [_order(run, i, f"C-{run}") for i in range(2)]
        await store.save(0, [(o, None) for o in saved])
        known = Customer(customer_id=f"C-{run}", type=CustomerType.CONSUMER, name="Known")
        await CustomerStore(client).put(known)
        channel = Channel.MARKETPLACE.value
        pairs = [(channel, f"{run}-k1"), (channel, f"{run}-new"), (channel, f"{run}-k0"), ("WEB", f"{run}-k0")]
        decided, customers = await store.decided_and_customers(0, pairs, [f"NONE-{run}", f"C-{run}"])
        # Only what was decided, each with its own order; the same key in another channel is not.
        assert decided == {
            (channel, f"{run}-k1"): IdempotencyRecord(order_id=f"{run}-o1", content_hash=saved[1].content_hash),
            (channel, f"{run}-k0"): IdempotencyRecord(order_id=f"{run}-o0", content_hash=saved[0].content_hash),
        }
        assert customers == {f"C-{run}": known}
        assert await store.decided_and_customers(0, pairs[1:2], []) == ({}, {})
        assert await store.decided_and_customers(0, [], [f"C-{run}"]) == ({}, {f"C-{run}": known})
    finally:
        await client.aclose()


async def test_a_shard_loads_its_unfinished_orders_only(redis_server):
    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        shard = 7  # a shard number no other test writes
        await client.delete(keys.open_orders(shard), keys.open_orders_built(shard))
        store = OrderStore(client, order_shards=8)
        run = uuid.uuid4().hex[:8]
        live, done = _order(run, 1, f"C-{run}"), _order(run, 2, f"C-{run}")
        await store.save(shard, [(live, None), (done, None)])
        cancelled = done.cancel(reason="changed mind", now_ms=done.created_at_ms + 1)
        finished = cancelled.__class__(**{**{f: getattr(cancelled, f) for f in cancelled.__slots__}, "pending": ()})
        assert finished.finished and not live.finished
        await store.save(shard, [(finished, done)])
        # Written before the index existed: the first load scans once and builds it.
        await client.delete(keys.open_orders(shard), keys.open_orders_built(shard))
        for _ in range(2):
            loaded = await store.load_shard(shard)
            assert {o.order_id for o in loaded} >= {live.order_id} and done.order_id not in {o.order_id for o in loaded}
        assert await client.exists(keys.open_orders_built(shard))
        assert await client.exists(keys.order(shard, done.order_id))  # still there to read
    finally:
        await client.aclose()


async def test_a_timeline_merges_the_orders_histories_with_what_was_written_before_them(redis_server):
    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        store = OrderStore(client, order_shards=1)
        run = uuid.uuid4().hex[:8]
        customer = f"C-{run}"
        old, new = _order(run, 1, customer), _order(run, 2, customer)
        # What a store before order histories wrote: the old order's events in the timeline stream.
        before = order_events(None, old)
        await client.xadd(keys.customer_timeline(customer), {"e": EVENTS_CODEC.encode(before)})
        await store.save(0, [(new, None)])
        # The new order's events are in its history; the old one's again in the stream: counted once.
        await client.xadd(keys.customer_timeline(customer), {"e": EVENTS_CODEC.encode(order_events(None, new))})
        timeline = await EventReader(client, 1).timeline(customer, [new.order_id, old.order_id], limit=10)
        assert [(e.order_id, e.type) for e in timeline] == [(new.order_id, "order.created"), (old.order_id, "order.created")]
        assert await EventReader(client, 1).timeline(customer, [new.order_id], limit=1) == timeline[:1]
        # The old order's history is what the former stream still holds of it, the new one's its own.
        assert (await EventReader(client, 1).history(old.order_id, customer, skip=0, limit=10))[0] == before
        assert (await EventReader(client, 1).history(new.order_id, customer, skip=0, limit=10))[0] == order_events(None, new)
    finally:
        await client.aclose()


async def test_events_of_one_type_in_one_save_are_each_in_the_history(redis_server):
    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        run = uuid.uuid4().hex[:8]
        order = _order(run, 1, f"C-{run}")
        shipped = [
            OrderEvent(type="shipment.shipped", order_id=order.order_id, customer_id=order.customer_id, channel="web",
                       order_version=3, at_ms=5, data={"shipment_id": sid})
            for sid in ("S1", "S2")
        ]  # fmt: skip
        await client.rpush(keys.order_history(0, order.order_id), EVENTS_CODEC.encode(shipped))
        events, more = await EventReader(client, 1).history(order.order_id, order.customer_id, skip=0, limit=10)
        assert events == shipped and not more
    finally:
        await client.aclose()


async def test_orders_placed_before_the_sku_index_are_indexed_once_as_the_shard_loads(redis_server):
    client = connect_async(f"{redis_server.url}?db={STORE_DB}")
    try:
        store = OrderStore(client, order_shards=1)
        run = uuid.uuid4().hex[:8]
        sku = f"SKU-OLD-{run}"
        older = [
            Order.accept(
                CreateOrder(
                    channel=Channel.WEB, idempotency_key=f"{run}-old{i}", customer_id=f"C-{run}", delivery_mode=DeliveryMode.SHIP,
                    lines=(LineInput(sku=sku, quantity=1, unit_price=Money(amount_minor=100, currency="EUR")),),
                ),
                order_id=f"{run}-old{i}", now_ms=1_767_225_600_000 + i,
            )
            for i in range(3)
        ]  # fmt: skip
        await store.save(0, [(o, None) for o in older])
        # As stored before the index: none of it, and the shard not marked.
        await client.delete(keys.order_index("sku", sku), keys.sku_index_built(0))
        assert not (await store.list(OrderFilter(sku=sku), page_size=10))[0]
        await store.load_shard(0)
        listed, _ = await store.list(OrderFilter(sku=sku), page_size=10)
        assert [o.order_id for o in listed] == [o.order_id for o in reversed(older)]
        assert await client.exists(keys.sku_index_built(0))
    finally:
        await client.aclose()
