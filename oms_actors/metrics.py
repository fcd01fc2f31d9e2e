"""Where an actor's time goes: cumulative wall time and count per named stage.

Cheap enough to leave on (two monotonic clock reads per stage; a thread CPU
clock read is a system call here and cost more than some stages); read with an actor's
``stats()`` to see which step of a batch dominates under load.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from typing import Iterator


class StageTimer:
    def __init__(self) -> None:
        self._total: defaultdict[str, float] = defaultdict(float)
        self._count: defaultdict[str, int] = defaultdict(int)
        self._items: defaultdict[str, int] = defaultdict(int)

    @contextlib.contextmanager
    def stage(self, name: str, items: int = 1) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._total[name] += time.perf_counter() - started
            self._count[name] += 1
            self._items[name] += items

    def snapshot(self) -> dict[str, dict[str, float]]:
        return {
            name: {
                "calls": self._count[name],
                "items": self._items[name],
                "total_s": round(total, 6),
                "mean_ms": round(total / self._count[name] * 1000, 3),
            }
            for name, total in sorted(self._total.items())
        }
