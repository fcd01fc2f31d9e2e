"""The gateway's periodic passes: dunning (``gateway.dunning``) and erasures waiting for their
customers' orders (``gateway.erasure``), one after another every few seconds.

Each pass is idempotent and keeps its place in Redis, so every gateway may run them: two at
once do nothing twice. A pass that fails (Redis or a shard away) is logged and the next one
starts afresh; one failing does not keep the others from running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)


class PeriodicPasses:
    def __init__(self, passes: Sequence[tuple[str, Callable[[], Awaitable[int]]]], *, every_s: float) -> None:
        self.passes = list(passes)
        self.every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _forever(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            for name, run in self.passes:
                try:
                    await run()
                except Exception as exc:  # an outage: the next pass starts from the same place
                    log.warning("%s pass failed: %s", name, exc)
