"""Groups concurrent requests into one call per key: the gateway's calls per order shard,
an order shard's saves of single orders.

A call costs much the same whatever it carries (an actor call, a Redis round trip), so
the gateway never makes one per order. Requests for a key queue up; a batch leaves when
it is full, when the oldest request has waited ``max_delay_s``, or when the key's
previous batch returns (under load the batches form while the earlier ones are in
flight, so the delay is rarely waited at all). At most ``max_inflight`` batches per key
are in flight, which bounds the work queued inside the actors and keeps latency flat
under overload.

Where company is likely, a batch waits for it: when a batch returns with fewer than
``min_batch`` requests queued behind it, or when a request finds its key idle but the
key's last batch carried more than one, the queue waits up to ``linger_s`` and leaves
as soon as ``min_batch`` are queued. Without that, a service between idle and saturated
sends each batch the moment it can, however small: batches of two or three orders, each
paying a whole batch's fixed cost, so at half its highest rate the service spent about
as much CPU as at the highest (benchmarks.capture: 1.5-1.6 ms of service CPU per order
at half, 0.8-0.9 at 64 clients). A lone caller, whose every batch holds one request,
still waits only ``max_delay_s``: no company is coming for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
I = TypeVar("I")
R = TypeVar("R")


@dataclass
class _Lane(Generic[I, R]):
    queue: list[tuple[I, asyncio.Future[R]]] = field(default_factory=list)
    inflight: int = 0
    timer: asyncio.Handle | None = None  # the lane's pending _flush
    lingering: bool = False  # too few queued to be worth a batch yet: waiting for company
    last_size: int = 0  # items in the lane's last batch: more than one says it has concurrent callers


@dataclass(frozen=True, kw_only=True)
class BatcherStats:
    batches: int
    items: int

    @property
    def mean_batch(self) -> float:
        return self.items / self.batches if self.batches else 0.0


class MicroBatcher(Generic[K, I, R]):
    def __init__(
        self,
        handler: Callable[[K, list[I]], Awaitable[list[R]]],
        *,
        max_batch: int = 256,
        max_delay_s: float = 0.001,
        max_inflight: int = 2,
        min_batch: int = 1,
        linger_s: float = 0.0,
    ) -> None:
        if not 1 <= min_batch <= max_batch:
            raise ValueError(f"min_batch must be between 1 and max_batch ({max_batch}), not {min_batch}")
        self._handler = handler
        self.max_batch = max_batch
        self.max_delay_s = max_delay_s
        self.max_inflight = max_inflight
        self.min_batch = min_batch
        self.linger_s = linger_s
        self._lanes: dict[K, _Lane[I, R]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._batches = 0
        self._items = 0

    @property
    def stats(self) -> BatcherStats:
        return BatcherStats(batches=self._batches, items=self._items)

    def submit(self, key: K, item: I) -> asyncio.Future[R]:
        """Queues one item; the future resolves with its own result or exception."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[R] = loop.create_future()
        lane = self._lanes.setdefault(key, _Lane())
        lane.queue.append((item, fut))
        if len(lane.queue) >= self.max_batch:
            self._flush(key)
        elif lane.lingering and len(lane.queue) >= self.min_batch:
            # Company came: the batch leaves on the loop's next turn, with whatever else this
            # turn adds (a CreateOrders call submits all its orders in one turn).
            lane.lingering = False
            if lane.timer is not None:
                lane.timer.cancel()
            lane.timer = loop.call_soon(self._flush, key)
        elif lane.timer is None and lane.inflight < self.max_inflight:
            if lane.last_size > 1 and self.linger_s > self.max_delay_s:
                # The last batch had company: more callers are about, so wait for them.
                lane.lingering = True
                lane.timer = loop.call_later(self.linger_s, self._flush, key)
            else:
                lane.timer = loop.call_later(self.max_delay_s, self._flush, key)
        return fut

    def _flush(self, key: K) -> None:
        lane = self._lanes[key]
        if lane.timer is not None:
            lane.timer.cancel()
            lane.timer = None
        lane.lingering = False
        while lane.queue and lane.inflight < self.max_inflight:
            batch, lane.queue = lane.queue[: self.max_batch], lane.queue[self.max_batch :]
            lane.inflight += 1
            lane.last_size = len(batch)
            task = asyncio.get_running_loop().create_task(self._run(key, batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, key: K, batch: list[tuple[I, asyncio.Future[R]]]) -> None:
        self._batches += 1
        self._items += len(batch)
        try:
            results = await self._handler(key, [item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"batch handler returned {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # every waiter gets the failure, none hangs
            for _, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            for (_, fut), result in zip(batch, results):
                if not fut.done():
                    fut.set_result(result)
        finally:
            lane = self._lanes[key]
            lane.inflight -= 1
            if len(lane.queue) >= self.min_batch or (lane.queue and self.linger_s <= 0):
                self._flush(key)
            elif lane.queue and lane.timer is None:
                # Too few to be worth a batch yet: more are likely on their way (this key
                # was busy a moment ago); submit() sends them once min_batch are queued.
                # (A running timer is an idle lane's max_delay_s, which ends sooner.)
                lane.lingering = True
                lane.timer = asyncio.get_running_loop().call_later(self.linger_s, self._flush, key)

    async def drain(self) -> None:
        """Sends everything queued and waits for every batch in flight."""
        for key, lane in list(self._lanes.items()):
            if lane.queue:
                self._flush(key)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
