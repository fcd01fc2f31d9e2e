"""BackorderRuns: the backlog of every shard is served in the order the orders were placed.

The shards here are stand-ins with the two actor methods a run calls (the coordination
is pure; tests/integration/test_inventory.py runs it against real shards)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from gateway.backorders import BackorderRuns


class _Method:
    def __init__(self, fn):
        self.remote = fn


@dataclass
class FakeShard:
    name: str
    backlog: dict[str, tuple[int, set[str]]]  # order id -> (placed at, SKUs it waits for)
    log: list[tuple[str, list[str]]]
    gate: asyncio.Event | None = None
    asked: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.backorders_for = _Method(self._backorders_for)
        self.resource_orders = _Method(self._resource_orders)

    async def _backorders_for(self, skus: list[str], limit: int) -> list[tuple[int, str]]:
        self.asked.append(skus)
        rows = sorted((placed, oid) for oid, (placed, waits) in self.backlog.items() if waits & set(skus))
        return rows[:limit]

    async def _resource_orders(self, order_ids: list[str], skus: list[str]) -> int:
        if self.gate is not None:
            await self.gate.wait()
        self.log.append((self.name, order_ids))
        return len(order_ids)


async def test_stretches_of_the_merged_queue_go_to_their_shards_oldest_first():
    log: list[tuple[str, list[str]]] = []
    a = FakeShard("a", {"o1": (1, {"X"}), "o4": (4, {"X"}), "o5": (5, {"X"})}, log)
    b = FakeShard("b", {"o2": (2, {"X"}), "o3": (3, {"X", "Y"}), "o9": (9, {"Z"})}, log)
    runs = BackorderRuns([a, b])
    assert await runs.serve(["X"]) == 5
    assert log == [("a", ["o1"]), ("b", ["o2", "o3"]), ("a", ["o4", "o5"])]


async def test_the_limit_keeps_the_oldest_across_shards():
    log: list[tuple[str, list[str]]] = []
    a = FakeShard("a", {"o1": (1, {"X"}), "o4": (4, {"X"})}, log)
    b = FakeShard("b", {"o2": (2, {"X"}), "o3": (3, {"X"})}, log)
    assert await BackorderRuns([a, b], limit=3).serve(["X"]) == 3
    assert log == [("a", ["o1"]), ("b", ["o2", "o3"])]


async def test_triggers_during_a_run_are_merged_into_one_next_run():
    log: list[tuple[str, list[str]]] = []
    gate = asyncio.Event()
    a = FakeShard("a", {"o1": (1, {"X", "Y", "Z"})}, log, gate=gate)
    runs = BackorderRuns([a])
    runs.arrived(["X"])
    await asyncio.sleep(0.01)  # the first run waits in resource_orders
    runs.arrived(["Y"])
    runs.arrived(["Z", "Y"])
    gate.set()
    await runs.drain()
    assert runs.runs == 2
    assert a.asked == [["X"], ["Y", "Z"]]


async def test_a_failed_run_leaves_the_next_trigger_working():
    log: list[tuple[str, list[str]]] = []
    a = FakeShard("a", {"o1": (1, {"X"})}, log)

    async def down(skus: list[str], limit: int) -> list[tuple[int, str]]:
        raise ConnectionError("shard restarting")

    healthy = a.backorders_for
    a.backorders_for = _Method(down)
    runs = BackorderRuns([a])
    runs.arrived(["X"])
    await runs.drain()
    assert log == []
    a.backorders_for = healthy
    runs.arrived(["X"])
    await runs.drain()
    assert log == [("a", ["o1"])]


async def test_no_skus_no_run():
    runs = BackorderRuns([])
    runs.arrived([])
    await runs.drain()
    assert runs.runs == 0
