"""benchmarks.alternate: the order of the runs and how two sides' figures are set side by side (pure code)."""

from __future__ import annotations

import math

import pytest
from rich.console import Console

from benchmarks.alternate import compare, comparison_table, env_of, higher_in, order_of
from tests.unit.test_capture_rounds import _round


def test_the_sides_take_turns_going_first():
    assert [order_of(pair) for pair in range(4)] == [("A", "B"), ("B", "A"), ("A", "B"), ("B", "A")]


def test_pairs_are_counted_where_b_is_higher_and_unmeasured_runs_are_left_out():
    assert higher_in([1.0, 2.0, 3.0], [2.0, 1.0, 4.0]) == (2, 3)
    assert higher_in([1.0, math.nan], [2.0, 5.0]) == (1, 1)
    assert higher_in([1.0], [1.0]) == (0, 1)  # a tie is not higher


def test_every_figure_of_both_sides_is_set_side_by_side_with_the_service_by_part():
    a = [_round(empty64=4_000, create64=1_600, p99_half=40.0, batch=3_600), _round(empty64=4_200, create64=1_700, p99_half=45.0, batch=3_500)]
    b = [_round(empty64=4_100, create64=1_800, p99_half=35.0, batch=4_000), _round(empty64=4_000, create64=1_500, p99_half=50.0, batch=3_900)]
    rows = {name: (xs, ys) for name, xs, ys in compare(a, b)}
    assert rows["64 clients: CreateOrder/s"] == ([1_600, 1_700], [1_800, 1_500])
    assert rows["batch RPC: orders/s"] == ([3_600, 3_500], [4_000, 3_900])
    assert rows["64 clients: gateway CPU ms/order"] == ([1.0, 1.0], [1.0, 1.0])
    assert rows["64 clients: order shards CPU ms/order"] == ([0.0, 0.0], [0.0, 0.0])  # not measured in these runs
    console = Console(width=200, record=True)
    console.print(comparison_table(a, b))
    text = console.export_text()
    assert "2 pairs" in text
    line = next(line for line in text.splitlines() if "64 clients: CreateOrder/s" in line)
    assert "1,650 (1,600-1,700)" in line and "1,650 (1,500-1,800)" in line and "1 of 2" in line
    batch = next(line for line in text.splitlines() if "batch RPC: orders/s" in line)
    assert "1.11" in batch and "2 of 2" in batch


def test_a_side_s_environment_is_given_as_key_value_pairs():
    assert env_of(["RAY_USE_UVLOOP=0", "OMS_GC_THRESHOLD=700", "EMPTY="]) == {"RAY_USE_UVLOOP": "0", "OMS_GC_THRESHOLD": "700", "EMPTY": ""}
    for bad in ("NOVALUE", "=1", "A-B=1"):
        with pytest.raises(ValueError, match="KEY=VALUE"):
            env_of([bad])
