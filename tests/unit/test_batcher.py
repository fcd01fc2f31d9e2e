"""The micro-batcher groups concurrent items per key and never loses or mixes up results."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

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


async def test_few_requests_behind_a_returning_batch_wait_for_company_and_leave_once_enough_came():
    calls: list[list[int]] = []
    returned = asyncio.Event()

    async def handler(key: str, items: list[int]) -> list[int]:
        calls.append(items)
        if len(calls) == 1:
            await asyncio.sleep(0.01)
            returned.set()
        return items

    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.001, max_inflight=1, min_batch=4, linger_s=30.0)
    first = b.submit("k", 0)
    await asyncio.sleep(0.005)  # the first batch is in flight
    queued = [b.submit("k", i) for i in (1, 2)]
    await first
    await returned.wait()
    await asyncio.sleep(0.02)
    assert calls == [[0]]  # two behind it: too few, they wait
    queued += [b.submit("k", i) for i in (3, 4)]  # the fourth makes min_batch: they leave at once
    assert await asyncio.wait_for(asyncio.gather(*queued), timeout=5) == [1, 2, 3, 4]
    assert calls == [[0], [1, 2, 3, 4]]


async def test_company_that_does_not_come_is_waited_for_linger_s_only():
    calls: list[tuple[float, list[int]]] = []
    loop = asyncio.get_running_loop()

    async def handler(key: str, items: list[int]) -> list[int]:
        calls.append((loop.time(), items))
        await asyncio.sleep(0.01)
        return items

    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.001, max_inflight=1, min_batch=8, linger_s=0.2)
    first = b.submit("k", 0)
    await asyncio.sleep(0.005)
    behind = b.submit("k", 1)
    await first
    returned_at = loop.time()
    assert await asyncio.wait_for(behind, timeout=5) == 1
    (_, one), (sent_at, two) = calls
    assert (one, two) == ([0], [1])
    assert sent_at - returned_at >= 0.15  # it lingered, then went alone


async def test_an_idle_key_whose_last_batch_had_company_waits_for_more():
    calls, handler = _recording()
    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.001, max_inflight=1, min_batch=4, linger_s=30.0)
    assert await asyncio.gather(b.submit("k", 0), b.submit("k", 1)) == [0, 1]  # two callers at once
    pending = [b.submit("k", 2)]
    await asyncio.sleep(0.05)
    assert calls == [[0, 1]]  # the key is idle, but its callers are about: it waits for them
    pending += [b.submit("k", i) for i in (3, 4, 5)]
    assert await asyncio.wait_for(asyncio.gather(*pending), timeout=5) == [2, 3, 4, 5]
    assert calls == [[0, 1], [2, 3, 4, 5]]


async def test_a_lone_caller_is_not_held_back_by_the_linger():
    calls, handler = _recording()
    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.001, max_inflight=1, min_batch=8, linger_s=30.0)

    async def one_after_another() -> list[int]:
        return [await b.submit("k", i) for i in range(5)]

    # One request at a time: each finds the key idle, so only max_delay_s applies.
    assert await asyncio.wait_for(one_after_another(), timeout=5) == [0, 1, 2, 3, 4]
    assert calls == [[0], [1], [2], [3], [4]]


def _recording() -> tuple[list[list[int]], Callable[[str, list[int]], Awaitable[list[int]]]]:
    """A handler that answers each item with itself, and the batches it was called with."""
    calls: list[list[int]] = []

    async def handler(key: str, items: list[int]) -> list[int]:
        calls.append(items)
        return items

    return calls, handler


def test_min_batch_must_fit_in_a_batch():
    async def handler(key: str, items: list[int]) -> list[int]:
        return items

    with pytest.raises(ValueError):
        MicroBatcher(handler, max_batch=4, min_batch=5)
    with pytest.raises(ValueError):
        MicroBatcher(handler, min_batch=0)


async def test_company_that_comes_in_one_turn_leaves_as_one_batch():
    calls, handler = _recording()
    b: MicroBatcher[str, int, int] = MicroBatcher(handler, max_delay_s=0.001, max_inflight=1, min_batch=4, linger_s=30.0)
    assert await asyncio.gather(b.submit("k", 0), b.submit("k", 1)) == [0, 1]  # the key has company
    # One call of a batch RPC submits all its orders in one turn of the loop: they stay together.
    assert await asyncio.wait_for(asyncio.gather(*(b.submit("k", i) for i in range(2, 12))), timeout=5) == list(range(2, 12))
    assert calls == [[0, 1], list(range(2, 12))]
