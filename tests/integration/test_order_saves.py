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
from oms_actors.domain.enums import Channel, DeliveryMode
from oms_actors.domain.errors import UnavailableError
from oms_actors.domain.money import Money
from oms_actors.domain.order import Order
from oms_actors.domain.records import evolve
from oms_actors.order_shard import OrderShard
from oms_actors.store import orders as order_store
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
