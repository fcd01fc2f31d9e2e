"""An order shard's single saves share a transaction when they meet (a real Redis, no Ray).

Commands and steps save one order each; the ones due in the same turn of the shard's
loop go to Redis as one script call. One order's unsaveable change stays its own
failure, and Redis being down fails every save of the batch with nothing written.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from oms_actors.domain.commands import CreateOrder, LineInput
from oms_actors.domain.customer import Customer
from oms_actors.domain.enums import Channel, CustomerType, DeliveryMode, OrderStatus
from oms_actors.domain.errors import UnavailableError
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order
from oms_actors.domain.records import evolve
from oms_actors.order_shard import OrderShard
from oms_actors.store import orders as order_store
from oms_actors.store.customers import CustomerStore
from oms_actors.topology import Topology

pytestmark = pytest.mark.integration

SAVES_DB = 11  # its own database: nothing here is an order the session's service knows


def _order(run: str, i: int) -> Order:
    command = CreateOrder(
        channel=Channel.MARKETPLACE,
        idempotency_key=f"{run}-k{i}",
        customer_id=f"C-{run}",
        lines=(LineInput(sku="SKU-1", quantity=1, unit_price=Money(amount_minor=100, currency="EUR")),),
        delivery_mode=DeliveryMode.SHIP,
    )
    return Order.accept(command, order_id=f"{run}-o{i}", now_ms=1_767_225_600_000 + i)


@pytest.fixture
async def shard(redis_server):
    shard = OrderShard(0, f"{redis_server.url}?db={SAVES_DB}", Topology(order_shards=1, namespace="saves"), reconcile=False)
    yield shard
    await shard.store.client.aclose()


async def _placed(shard: OrderShard, run: str, n: int) -> list[Order]:
    orders = [_order(run, i) for i in range(n)]
    await shard.store.save(0, [(o, None) for o in orders])
    return orders


def _noted(orders: list[Order]) -> list[Order]:
    """A next version of each (the content of the change does not matter to a save)."""
    return [evolve(o, version=o.version + 1, updated_at_ms=o.updated_at_ms + 1) for o in orders]


async def test_concurrent_single_saves_share_one_transaction_and_each_lands(shard: OrderShard):
    run = uuid.uuid4().hex[:8]
    before = await _placed(shard, run, 6)
    after = _noted(before)

    await asyncio.gather(*(shard._save_one(new, old) for new, old in zip(after, before)))

    assert await shard.store.get_many([o.order_id for o in after]) == after
    assert [shard.orders[o.order_id] for o in after] == after
    assert shard.stats()["single_saves"] == {"batches": 1, "orders": 6}


async def test_an_order_that_cannot_be_saved_fails_alone(shard: OrderShard, monkeypatch):
    run = uuid.uuid4().hex[:8]
    before = await _placed(shard, run, 4)
    after = _noted(before)
    bad = after[2].order_id
    encode = order_store.ORDER_CODEC.encode

    def refusing(order: Order) -> bytes:
        if order.order_id == bad:
            raise TypeError("cannot encode")
        return encode(order)

    monkeypatch.setattr(order_store.ORDER_CODEC, "encode", refusing)
    outcomes = await asyncio.gather(*(shard._save_one(new, old) for new, old in zip(after, before)), return_exceptions=True)

    assert [type(o) for o in outcomes] == [type(None), type(None), TypeError, type(None)]
    stored = await shard.store.get_many([o.order_id for o in after])
    assert stored == [after[0], after[1], before[2], after[3]]  # the refused one is as it was
    assert bad not in shard.orders


async def test_redis_down_fails_every_save_of_the_batch_and_writes_nothing(shard: OrderShard, monkeypatch):
    run = uuid.uuid4().hex[:8]
    before = await _placed(shard, run, 3)
    after = _noted(before)

    async def down(*args, **kwargs):
        import redis

        raise redis.ConnectionError("connection refused")

    monkeypatch.setattr(shard.store, "_save_script", down)
    outcomes = await asyncio.gather(*(shard._save_one(new, old) for new, old in zip(after, before)), return_exceptions=True)

    assert all(isinstance(o, UnavailableError) for o in outcomes)
    monkeypatch.undo()
    assert await shard.store.get_many([o.order_id for o in before]) == before
    assert not any(o.order_id in shard.orders for o in after)


async def _placing_customer(shard: OrderShard, run: str) -> None:
    await CustomerStore(shard.store.client).put(Customer(customer_id=f"C-{run}", type=CustomerType.CONSUMER))


def _answer_lost(shard: OrderShard, monkeypatch, *, written: bool) -> None:
    """The next save fails on the way back: Redis wrote it (``written``) or never got it."""
    real = shard.store.save

    async def save(*args, **kwargs):
        import redis

        monkeypatch.setattr(shard.store, "save", real)
        if written:
            await real(*args, **kwargs)
        raise redis.ConnectionError("Connection reset by peer")

    monkeypatch.setattr(shard.store, "save", save)


async def test_an_order_written_though_its_save_failed_is_taken_on_by_a_retry_or_the_reconciler(
    shard: OrderShard, monkeypatch
):
    """Seen under chaos (a Redis restart): the acceptance was written, its answer lost, the
    channel's retry answered the stored order, and nothing ever sourced it."""
    run = uuid.uuid4().hex[:8]
    # Nothing here sources or drives steps (no Ray): the orders stay accepted.
    monkeypatch.setattr(shard, "_inline", None)

    async def unsourced(orders, **kwargs):
        return orders

    async def undriven(order_ids):
        return None

    monkeypatch.setattr(shard, "_source", unsourced)
    monkeypatch.setattr(shard, "_drive_in_background", undriven)
    await _placing_customer(shard, run)
    retried, left, unwritten = (_order(run, i) for i in range(3))
    command = {o.order_id: _command_of(o) for o in (retried, left, unwritten)}

    _answer_lost(shard, monkeypatch, written=True)
    [failed] = await shard.place_orders([command[retried.order_id]])
    assert failed.error is not None and failed.error.code == "UNAVAILABLE"
    [stored] = await shard.store.get_many([failed_id := (await _stored_id(shard, retried))])
    assert stored is not None and stored.status is OrderStatus.ACCEPTED
    assert failed_id not in shard.orders
    # The channel retries with the same key: the stored order, and the shard takes it on.
    [again] = await shard.place_orders([command[retried.order_id]])
    assert again.replayed and again.order is not None and again.order.order_id == failed_id
    assert shard.orders[failed_id] == stored and failed_id in shard._attention

    # No retry comes: the reconciler reads it back and takes it on.
    _answer_lost(shard, monkeypatch, written=True)
    [failed] = await shard.place_orders([command[left.order_id]])
    assert failed.error is not None
    left_id = await _stored_id(shard, left)
    assert left_id not in shard.orders and shard.stats()["uncertain"] == 1
    await shard.reconcile()
    assert left_id in shard.orders and left_id in shard._attention and shard.stats()["uncertain"] == 0

    # Never written: the reconciler forgets it, and the key places the order anew.
    _answer_lost(shard, monkeypatch, written=False)
    [failed] = await shard.place_orders([command[unwritten.order_id]])
    assert failed.error is not None and shard.stats()["uncertain"] == 1
    open_before = set(shard.orders)
    await shard.reconcile()
    assert shard.stats()["uncertain"] == 0 and set(shard.orders) == open_before
    [placed] = await shard.place_orders([command[unwritten.order_id]])
    assert placed.error is None and not placed.replayed and placed.order is not None
    assert (await shard.store.get(placed.order.order_id)) == placed.order


def _command_of(order: Order) -> CreateOrder:
    return CreateOrder(
        channel=order.channel,
        idempotency_key=order.idempotency_key,
        customer_id=order.customer_id,
        lines=(LineInput(sku="SKU-1", quantity=1, unit_price=Money(amount_minor=100, currency="EUR")),),
        delivery_mode=DeliveryMode.SHIP,
    )


async def _stored_id(shard: OrderShard, order: Order) -> str:
    """The id the shard gave the order of this key, from the stored idempotency record."""
    decided, _ = await shard.store.decided_and_customers(0, [(order.channel.value, order.idempotency_key)], [])
    [record] = decided.values()
    return record.order_id


async def test_a_change_whose_save_failed_on_the_way_back_is_read_back_before_the_order_is_used_again(
    shard: OrderShard, monkeypatch
):
    """A command's save written though its answer was lost: memory still holds the version
    before it, and a next command computed from that copy would overwrite the change."""
    run = uuid.uuid4().hex[:8]
    [before] = await _placed(shard, run, 1)
    shard._remember(before)
    [after] = _noted([before])

    _answer_lost(shard, monkeypatch, written=True)
    with pytest.raises(UnavailableError, match="may not have been saved"):
        await shard._save_one(after, before)
    assert shard.orders[before.order_id] == before and shard.stats()["unsure"] == 1
    assert await shard._get(before.order_id) == after  # what Redis holds, not the older copy
    assert shard.orders[before.order_id] == after and shard.stats()["unsure"] == 0

    # Never written: memory was right all along, and stays as it is.
    [later] = _noted([after])
    _answer_lost(shard, monkeypatch, written=False)
    with pytest.raises(UnavailableError):
        await shard._save_one(later, after)
    assert await shard._get(before.order_id) == after and shard.stats()["unsure"] == 0
    assert await shard.store.get(before.order_id) == after


async def test_orders_whose_new_plan_may_be_stored_are_not_driven_from_the_old_one(shard: OrderShard, monkeypatch):
    """Sourcing again saved the new plans and lost the answer: the steps of the old versions
    must not run (their saves would overwrite the plans); the reconciler reads them back first."""
    run = uuid.uuid4().hex[:8]
    orders = await _placed(shard, run, 2)
    for order in orders:
        shard._remember(order)
    lost = orders[0].order_id

    async def source_losing_one_answer(current, **kwargs):
        shard._unsure.add(lost)
        return current

    driven: list[str] = []

    async def drive(order):
        driven.append(order.order_id)
        return order

    monkeypatch.setattr(shard, "_source", source_losing_one_answer)
    monkeypatch.setattr(shard, "_drive", drive)
    assert await shard._resource(orders) == 2
    assert driven == [orders[1].order_id]
