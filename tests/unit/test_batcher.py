"""The micro-batcher groups concurrent items per key and never loses or mixes up results."""

from __future__ import annotations

import asyncio

import pytest

from oms_actors.batcher import MicroBatcher


async def test_concurrent_items_share_one_call_per_key():
    calls: list[tuple[str, list[int]]] = []

    async def handler(key: str, items: list[int]) -> list[int]:
        calls.append((key, items))
        await asyncio.sleep(0.01)
        return [i * 10 for i in items]

    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.005, max_inflight=1)
    futs = [b.submit("a" if i % 2 else "b", i) for i in range(20)]
    assert await asyncio.gather(*futs) == [i * 10 for i in range(20)]
    assert len(calls) == 2
    assert sorted(k for k, _ in calls) == ["a", "b"]


async def test_full_batch_leaves_at_once_and_inflight_is_bounded():
    inflight = 0
    peak = 0

    async def handler(key: str, items: list[int]) -> list[int]:
        nonlocal inflight, peak
        inflight += 1
        peak = max(peak, inflight)
        await asyncio.sleep(0.005)
        inflight -= 1
        return items

    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_batch=4, max_delay_s=1.0, max_inflight=2)
    results = await asyncio.wait_for(asyncio.gather(*(b.submit("k", i) for i in range(40))), timeout=5)
    assert results == list(range(40))
    assert peak <= 2
    assert b.stats.batches >= 10


async def test_handler_failure_reaches_every_waiter_of_that_batch_only():
    async def handler(key: str, items: list[int]) -> list[int]:
        if key == "bad":
            raise RuntimeError("shard down")
        return items

    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.001)
    good = b.submit("good", 1)
    bad = [b.submit("bad", i) for i in range(3)]
    assert await good == 1
    for f in bad:
        with pytest.raises(RuntimeError):
            await f


async def test_drain_sends_what_is_queued():
    seen: list[int] = []

    async def handler(key: str, items: list[int]) -> list[int]:
        seen.extend(items)
        return items

    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=10.0)
    fut = b.submit("k", 7)
    await b.drain()
    assert seen == [7] and fut.result() == 7
