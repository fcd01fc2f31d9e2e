"""benchmarks.capture over several rounds: medians, ranges and goals met per round (pure code)."""

from __future__ import annotations

import numpy as np
from rich.console import Console

from benchmarks import capture
from benchmarks.capture import Measured, Point, Round, box_table, cpu_bounds, goal_outcomes, goals_table, spread
from benchmarks.loadgen import LoadResult, LoadSpec


def _measured(
    rate: float,
    *,
    p99_ms: float = 10.0,
    cpu_ms: float = 1.0,
    rewrites: int | None = 0,
    box_ms: float = float("nan"),
    switches: float = float("nan"),
    orders_per_batch: float = float("nan"),
) -> Measured:
    spec = LoadSpec(target="localhost:1", workload="create", concurrency=1, duration_s=1.0)
    # Every call took p99_ms: the 99th percentile is exactly that.
    result = LoadResult(spec=spec, calls=int(rate), items=int(rate), errors={}, latencies_s=np.full(100, p99_ms / 1000), wall_s=1.0)
    return Measured(
        result, cpu_ms, {"gateway": cpu_ms}, rewrites, box_ms=box_ms, cores_busy=rate * box_ms / 1000,
        switches=switches, orders_per_batch=orders_per_batch,
    )  # fmt: skip


def _round(*, empty64: float, create64: float, p99_half: float | None, batch: float, rewrite_at_half: bool = False) -> Round:
    points = [
        Point(clients=1, empty=_measured(1_000), create=_measured(100)),
        Point(clients=64, empty=_measured(empty64), create=_measured(create64)),
    ]
    paced = [(0.25, _measured(create64 / 4, p99_ms=5.0))]
    if p99_half is not None:
        paced.append((0.5, _measured(create64 / 2, p99_ms=p99_half, rewrites=1 if rewrite_at_half else 0)))
    return Round(points=points, paced=paced, batch=_measured(batch), batch_ceiling=_measured(60_000))


def _render(table) -> str:
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_each_goal_is_judged_on_the_median_and_counted_per_round():
    rounds = [
        _round(empty64=4_000, create64=2_400, p99_half=40.0, batch=11_000),  # ratio 0.6
        _round(empty64=4_000, create64=1_600, p99_half=60.0, batch=9_000),  # ratio 0.4
        _round(empty64=4_000, create64=2_200, p99_half=45.0, batch=12_000),  # ratio 0.55
    ]
    ratio, batch, p99 = goal_outcomes(rounds)
    assert ratio.values == [0.6, 0.4, 0.55] and ratio.met == [True, False, True]
    assert ratio.median == 0.55 and ratio.met_by_median is True
    assert batch.median == 11_000 and batch.met == [True, False, True]
    assert p99.values == [40.0, 60.0, 45.0] and p99.met_by_median is True
    text = _render(goals_table(rounds))
    assert "0.55 (0.40-0.60)" in text
    assert "yes (in 2 of 3 rounds)" in text
    assert "45.0 ms (40.0-60.0)" in text


def test_a_goal_no_round_measured_says_so_and_is_not_judged():
    rounds = [_round(empty64=4_000, create64=1_000, p99_half=None, batch=3_000)]
    ratio, batch, p99 = goal_outcomes(rounds)
    assert p99.values == [] and p99.met_by_median is None
    assert ratio.met_by_median is False and batch.met_by_median is False
    text = _render(goals_table(rounds))
    assert "not run (--load-fractions without 0.5)" in text
    assert "rounds)" not in text  # one round: no count of rounds


def test_the_spread_keeps_every_round_in_order_under_one_name_per_figure():
    rounds = [
        _round(empty64=4_000, create64=1_000, p99_half=50.0, batch=3_000),
        _round(empty64=5_000, create64=1_500, p99_half=70.0, batch=3_300),
    ]
    rows = dict(spread(rounds))
    assert rows["64 clients: CreateOrder/s"] == [1_000, 1_500]
    assert rows["64 clients: ratio"] == [0.25, 0.3]
    assert rows["open loop 50%: p99 ms"] == [50.0, 70.0]
    assert rows["batch RPC: orders/s"] == [3_000, 3_300]
    assert rows["batch ceiling: orders/s"] == [60_000, 60_000]
    assert rows["batch RPC: ratio to its ceiling"] == [0.05, 0.055]
    assert list(rows)[0] == "1 clients: empty call/s"  # the order the points ran in


def test_a_goal_measured_during_an_aof_rewrite_says_so():
    rounds = [
        _round(empty64=4_000, create64=1_000, p99_half=40.0, batch=3_000),
        _round(empty64=4_000, create64=1_000, p99_half=260.0, batch=3_000, rewrite_at_half=True),
        _round(empty64=4_000, create64=1_000, p99_half=45.0, batch=3_000),
    ]
    *_, p99 = goal_outcomes(rounds)
    assert p99.rewritten == [False, True, False]
    text = _render(goals_table(rounds))
    assert "45.0 ms (40.0-260), 1 during an AOF rewrite" in text
    assert "AOF rewrite" not in _render(goals_table(rounds[:1]))
    assert "during an AOF rewrite" in _render(goals_table(rounds[1:2]))


def test_the_box_cpu_per_order_says_what_the_goals_need_and_what_a_full_box_would_do(monkeypatch):
    monkeypatch.setattr(capture, "box_cores", lambda: 2)
    run = Round(
        points=[
            Point(
                clients=64,
                empty=_measured(4_000, box_ms=0.4, switches=15.25),
                create=_measured(1_600, box_ms=1.0, switches=17.5, orders_per_batch=23.4),
            )
        ],
        paced=[],
        batch=_measured(3_000, box_ms=0.5),
        batch_ceiling=_measured(80_000, box_ms=0.02),
    )
    assert run.points[0].create.full_box_rate == 2_000  # two cores at 1.0 ms per order
    assert run.points[0].create.cores_busy == 1.6
    ratio_line, batch_line = cpu_bounds(run)
    # Both at full box: 2,000 orders/s against 5,000 empty calls/s.
    assert "CreateOrder would reach 0.40 of the empty call" in ratio_line
    assert "needs at most 0.80 ms per order" in ratio_line
    assert "4,000 orders/s with every core busy" in batch_line
    assert "needs at most 0.20 ms per order on 2 cores" in batch_line
    text = _render(box_table(run))
    assert "CreateOrder, 64 clients" in text and "2,000" in text and "1.60" in text
    create_row = next(line for line in text.splitlines() if "CreateOrder, 64 clients" in line)
    assert "17.5" in create_row and "23.4" in create_row  # context switches per order, orders per batch
    empty_row = next(line for line in text.splitlines() if "empty call, 64 clients" in line)
    assert "15.2" in empty_row and empty_row.rstrip(" │").endswith("-")  # the empty call sends no batches
    rows = dict(spread([run]))
    assert rows["64 clients: box CPU ms/order"] == [1.0]
    assert rows["64 clients: box CPU ms/empty call"] == [0.4]
    assert rows["batch RPC: box CPU ms/order"] == [0.5]
    assert rows["64 clients: orders per order-shard batch"] == [23.4]


def test_without_box_readings_nothing_is_claimed():
    run = _round(empty64=4_000, create64=1_000, p99_half=40.0, batch=3_000)  # no box_ms measured
    assert cpu_bounds(run) == []
    assert "-" in _render(box_table(run))
