"""The order shard's per-order locks: exclusive per key, several at once without deadlock."""

from __future__ import annotations

import asyncio

from oms_actors.order_shard import KeyedLocks


async def test_overlapping_sets_taken_in_any_order_never_deadlock_and_exclude_each_other():
    locks = KeyedLocks()
    inside: set[str] = set()
    clashes = 0

    async def worker(keys: list[str]) -> None:
        nonlocal clashes
        for _ in range(50):
            async with locks.hold_many(keys):
                if inside & set(keys):
                    clashes += 1
                inside.update(keys)
                await asyncio.sleep(0)
                inside.difference_update(keys)

    await asyncio.wait_for(
        asyncio.gather(worker(["a", "b", "c"]), worker(["c", "b", "a"]), worker(["b", "d"]), worker(["d", "a"])),
        timeout=10,
    )
    assert clashes == 0
    assert not locks.busy("a") and not locks._users  # nothing kept once nobody holds or waits


async def test_a_failure_inside_releases_every_lock():
    locks = KeyedLocks()
    try:
        async with locks.hold_many(["x", "y"]):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    async with locks.hold_many(["y", "x"]):
        assert locks.busy("x")
    assert not locks.busy("x") and not locks.busy("y")
