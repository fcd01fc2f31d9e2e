"""The load generator builds each next day of demand while the last is sent (pure code)."""

from __future__ import annotations

import threading

from benchmarks.loadgen import _built_ahead


def test_two_days_are_built_before_the_first_and_each_later_one_while_the_last_is_used():
    started: list[int] = []
    third_started = threading.Event()

    def build(n: int) -> list[int]:
        started.append(n)
        if n == 2:
            third_started.set()
        return [n * 10 + i for i in range(3)]

    days = _built_ahead(build)
    assert next(days) == [0, 1, 2]
    assert started == [0, 1]  # built before the clock; nothing running while day 0 is sent
    assert next(days) == [10, 11, 12]
    # While day 1 is being sent, day 2 is being built: the thread started it unasked.
    assert third_started.wait(timeout=10)
    assert next(days) == [20, 21, 22]
    assert next(days) == [30, 31, 32]
    assert started[:4] == [0, 1, 2, 3]


def test_a_day_that_fails_to_build_fails_the_caller():
    def build(n: int) -> list[int]:
        if n == 2:
            raise ValueError("bad scenario")
        return [n]

    days = _built_ahead(build)
    assert next(days) == [0] and next(days) == [1]
    try:
        next(days)
    except ValueError as exc:
        assert "bad scenario" in str(exc)
    else:
        raise AssertionError("the failure was swallowed")
