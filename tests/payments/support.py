"""Helpers of the payment tests: a clock the test moves, euros, fresh ledger names."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from oms_actors.domain.money import Money
from oms_actors.store.script_calls import script_calls

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
DAY_MS = 24 * 3600 * 1000


class FakeClock:
    def __init__(self, now_ms: int = START_MS) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


def eur(minor: int) -> Money:
    return Money(amount_minor=minor, currency="EUR")


_run = uuid.uuid4().hex[:6]
_seq = itertools.count()


def fresh_name(kind: str) -> str:
    """A provider or register name no other test (or earlier run on the same data) uses."""
    return f"{kind}-{_run}-{next(_seq)}"


def round_trips(redis_client: Any, monkeypatch: Any) -> list[int]:
    """The sizes of the batches the client's shared script queue sends from now on, one per round trip."""
    batches: list[int] = []
    calls = script_calls(redis_client)
    flush = calls._flush

    async def counted(batch):
        batches.append(len(batch))
        await flush(batch)

    monkeypatch.setattr(calls, "_flush", counted)
    return batches
