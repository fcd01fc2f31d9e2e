"""benchmarks.profile's reading of py-spy's collapsed stacks (pure code)."""

from __future__ import annotations

import pytest

from benchmarks.profile import StackCounts

STACKS = [
    "main (gateway/cli.py:10);serve (gateway/server.py:20);handle (gateway/services/orders.py:30) 6",
    "main (gateway/cli.py:10);serve (gateway/server.py:21);encode (oms_actors/store/codec.py:5) 3",
    "main (gateway/cli.py:10);recurse (optimizer/flow.py:1);recurse (optimizer/flow.py:2) 1",
    "Thread.run (threading.py:900);Condition.wait (threading.py:300) 50",  # a waiting thread: not work
    "",
]


def test_samples_count_on_their_own_and_with_what_they_call_by_function_not_line():
    counts = StackCounts()
    counts.add_collapsed(STACKS)
    assert counts.total == 10
    assert counts.own["handle (gateway/services/orders.py)"] == 6
    assert counts.within["serve (gateway/server.py)"] == 9  # two lines of one function
    assert counts.within["main (gateway/cli.py)"] == 10
    assert counts.within["recurse (optimizer/flow.py)"] == 1  # a recursive frame once per sample
    assert not any("Condition.wait" in f for f in counts.own)
    assert counts.share(counts.own, "encode (oms_actors/store/codec.py)") == pytest.approx(0.3)


def test_the_projects_functions_are_listed_by_their_samples_with_callees():
    counts = StackCounts()
    counts.add_collapsed(STACKS + ["boot (threading.py:1);run (ray/worker.py:2);work (oms_actors/order_shard.py:3) 20"])
    assert counts.own_code(3) == [
        "work (oms_actors/order_shard.py)",
        "main (gateway/cli.py)",
        "serve (gateway/server.py)",
    ]
    assert "run (ray/worker.py)" not in counts.own_code(10)


def test_an_empty_recording_shares_nothing():
    counts = StackCounts()
    counts.add_collapsed([])
    assert counts.total == 0 and counts.share(counts.own, "x (y.py)") == 0.0 and counts.own_code(5) == []
