"""The load generator's request supply: built by a thread ahead of use, in order (pure code)."""

from __future__ import annotations

import itertools
import threading

from benchmarks.loadgen import _Ahead


def test_the_supply_is_full_before_the_first_request_is_taken_and_keeps_the_order():
    produced: list[int] = []

    def source():
        for n in itertools.count():
            produced.append(n)
            yield n

    ahead = _Ahead(source(), depth=8)
    ahead.wait_filled()
    assert len(produced) >= 8  # in hand before the clock starts
    assert [next(ahead) for _ in range(50)] == list(range(50))


def test_a_consumer_faster_than_the_thread_waits_for_it_and_misses_nothing():
    gate = threading.Event()

    def source():
        for n in itertools.count():
            if n == 6:
                gate.wait(timeout=10)  # a day being generated: the supply runs dry meanwhile
            yield n

    ahead = _Ahead(source(), depth=4)
    ahead.wait_filled()
    threading.Timer(0.05, gate.set).start()
    assert [next(ahead) for _ in range(16)] == list(range(16))
