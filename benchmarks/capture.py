"""Order-capture throughput and latency through real gRPC, against the empty-call ceiling.

    python -m benchmarks.capture [--duration 8] [--concurrency 1,16,64] [--processes 2]
                                 [--load-fractions 0.25,0.5,0.75] [--rounds 3]

Starts ``oms serve --bench-empty`` on the embedded defaults in a fresh data
folder, loads a network with deep stock, then at each concurrency measures an
empty unary method on the same server (the ceiling) and CreateOrder, with the
same multi-process client. Then offers CreateOrder at fractions of the highest
rate measured (half by default), open loop (Poisson arrivals, latency from each
call's arrival): the latency a channel sees at that traffic. Also measures the
CreateOrders batch RPC, and its ceiling: the same batches sent to the empty method
(built, serialised, sent and answered; nothing parsed or placed). Prints
the figures, the ratio of CreateOrder to the ceiling, and the service's CPU time
per call and per order (gateway, Ray and Redis; not the clients'). Every call carries
the server's bootstrap admin key, and the empty method passes the same access
interceptor as CreateOrder, so the ratio compares like with like.

The whole box's CPU is read over the same windows (the load clients and anything
else on the machine included): per call and per order, how many cores were busy,
and what the goals need of it. When both loads use every core, CreateOrder reaches
the empty call's box CPU per call divided by its own, whatever the clients cost:
the ratio goal needs an order to cost the box at most twice an empty call. The same
table gives the box's context switches per call or order (every hand-off between
processes or threads is one or two, and each costs CPU of its own: on a small VM a
wake-up across cores can cost more than the Python work it hands over) and the
orders per batch the gateway sent the order shards, read from the gateway itself
(``/oms.bench.Bench/Stats``): the fixed cost of a batch spreads over that many.

On a shared or throttled machine speed drifts by tens of percent within minutes.
``--rounds N`` repeats the whole pass on the same service and reports each figure
as the median of the rounds with its range, and each goal with the number of
rounds that met it: a figure to size from, not one lucky (or unlucky) minute.
Each window also says whether Redis rewrote its append-only file during it: the
rewrite's child process takes a core for seconds, and on a small box that, not
the service, is what such a window's tail shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import grpc
import numpy as np
import redis
from rich.console import Console
from rich.table import Table

from benchmarks.box import box_busy_s, box_cores, box_switches
from benchmarks.loadgen import LoadResult, LoadSpec, bench_scenario, run_load
from benchmarks.service import StartedService, cpu_by_role, start, stop_service, tree_cpu
from benchmarks.simulate import load_world
from benchmarks.world import build_world


@dataclass(frozen=True)
class Measured:
    result: LoadResult
    cpu_ms: float  # the service's CPU per item (the load clients' own is not counted)
    by_role_ms: dict[str, float]  # the same, per part of the service (gateway, order shards, ...)
    # AOF rewrites that ran during the window (None: not known). A rewrite's child takes a
    # core for seconds, so a point that overlaps one says more about Redis than the service.
    rewrites: int | None = None
    # Every process's CPU on the box per item (the load clients' included), and the cores
    # busy on average over the window: what the box could do if it were all in use.
    box_ms: float = float("nan")
    cores_busy: float = float("nan")
    # Context switches on the whole box per item: every hand-off between processes or
    # threads (a wake-up, a reply) is one or two, and each costs CPU of its own.
    switches: float = float("nan")
    # Orders per batch the gateway sent the order shards (its counts, /oms.bench.Bench/Stats):
    # the fixed cost of a batch spreads over that many orders.
    orders_per_batch: float = float("nan")

    @property
    def full_box_rate(self) -> float:
        """Items per second with every core of the box as busy as this window's work made them."""
        return box_cores() / self.box_ms * 1000 if self.box_ms > 0 else float("nan")


class GatewayBatches:
    """The gateway's counts of batches sent to the order shards and the orders in them
    (``/oms.bench.Bench/Stats``, served with ``--bench-empty``, for admins); None when
    the gateway does not answer it."""

    def __init__(self, target: str, credential: str) -> None:
        from gateway.auth.client import bearer

        self._target = target
        self._metadata = bearer(credential)

    def __call__(self) -> tuple[int, int] | None:
        from gateway.server import BENCH_STATS_METHOD

        # A channel per reading: nothing of grpc stays alive in the measuring process
        # between the marks, on the box whose CPU it measures.
        try:
            with grpc.insecure_channel(self._target) as channel:
                raw = channel.unary_unary(BENCH_STATS_METHOD)(b"", metadata=self._metadata, timeout=5)
            counts = json.loads(raw)
            return int(counts["order_batches"]), int(counts["orders"])
        except (grpc.RpcError, ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class _Mark:
    at: float
    cpu: dict[int, tuple[str, float]]
    forks: ForkMark | None
    box: float
    switches: int
    batches: tuple[int, int] | None


@dataclass(frozen=True)
class ForkMark:
    forks: int  # Redis's forks since it started: every AOF rewrite is one (snapshots are off)
    rewriting: bool  # an AOF rewrite is running now


def fork_mark(redis_url: str | None) -> ForkMark | None:
    """Where Redis's background rewriting stands; None when it cannot be read."""
    if redis_url is None:
        return None
    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        try:
            stats, persistence = client.info("stats"), client.info("persistence")
        finally:
            client.close()
        return ForkMark(forks=int(stats["total_forks"]), rewriting=bool(persistence["aof_rewrite_in_progress"]))
    except (redis.RedisError, OSError, KeyError):
        return None


def rewrites_between(before: ForkMark | None, after: ForkMark | None) -> int | None:
    """Rewrites that ran at some time between two marks: those begun in between, and one
    already running at the first."""
    if before is None or after is None:
        return None
    return after.forks - before.forks + (1 if before.rewriting else 0)


def measured(
    spec: LoadSpec,
    service_pid: int,
    redis_url: str | None = None,
    *,
    at_start: Callable[[], None] | None = None,
    batches: Callable[[], tuple[int, int] | None] | None = None,
) -> Measured:
    """The load's result, the service's CPU milliseconds per item over the measured window,
    and how many AOF rewrites of ``redis_url`` ran in it. ``at_start`` runs as the window
    opens (the profiler starts its samplers there); ``batches`` reads the gateway's batch
    counts (``GatewayBatches``)."""
    marks: list[_Mark] = []

    def mark() -> None:
        marks.append(
            _Mark(
                at=time.perf_counter(),
                cpu=tree_cpu(service_pid),
                forks=fork_mark(redis_url),
                box=box_busy_s(),
                switches=box_switches(),
                batches=batches() if batches is not None else None,
            )
        )

    def opening() -> None:
        mark()
        if at_start is not None:
            at_start()

    timers = [
        threading.Timer(spec.warmup_s, opening),
        threading.Timer(spec.warmup_s + spec.duration_s, mark),
    ]

    def start() -> None:
        for timer in timers:
            timer.start()

    result = run_load(spec, on_go=start)
    for timer in timers:
        timer.join()
    if len(marks) < 2 or not result.rate:
        return Measured(result, float("nan"), {})
    first, last = marks
    items = (last.at - first.at) * result.rate
    by_role = {role: used / items * 1000 for role, used in cpu_by_role(first.cpu, last.cpu).items()}
    orders_per_batch = float("nan")
    if first.batches is not None and last.batches is not None and last.batches[0] > first.batches[0]:
        orders_per_batch = (last.batches[1] - first.batches[1]) / (last.batches[0] - first.batches[0])
    return Measured(
        result,
        sum(by_role.values()),
        by_role,
        rewrites_between(first.forks, last.forks),
        box_ms=(last.box - first.box) / items * 1000,
        cores_busy=(last.box - first.box) / (last.at - first.at),
        switches=(last.switches - first.switches) / items,
        orders_per_batch=orders_per_batch,
    )


@dataclass(frozen=True, kw_only=True)
class Point:
    """One closed-loop concurrency of one round: the ceiling and CreateOrder, back to back."""

    clients: int
    empty: Measured
    create: Measured

    @property
    def ratio(self) -> float:
        return self.create.result.rate / self.empty.result.rate if self.empty.result.rate else float("nan")


@dataclass(frozen=True, kw_only=True)
class Round:
    """Every measurement of one pass: closed loop, the open-loop curve, the batch RPC."""

    points: list[Point]
    paced: list[tuple[float, Measured]]  # (fraction of this round's highest rate, measured)
    batch: Measured
    batch_ceiling: Measured  # the batch RPC's requests to the empty method

    @property
    def batch_ratio(self) -> float:
        ceiling = self.batch_ceiling.result.rate
        return self.batch.result.rate / ceiling if ceiling else float("nan")

    @property
    def peak(self) -> float:
        return highest_rate(self.points)

    def measurements(self) -> list[Measured]:
        return [
            *(m for point in self.points for m in (point.empty, point.create)),
            *(m for _, m in self.paced),
            self.batch_ceiling,
            self.batch,
        ]


def highest_rate(points: list[Point]) -> float:
    """The highest closed-loop CreateOrder rate: what the open-loop fractions are of."""
    return max((point.create.result.rate for point in points), default=0.0)


def measure_round(args: argparse.Namespace, service: StartedService, tag: str, console: Console) -> Round:
    """One pass over the load points; ``tag`` keeps each round's idempotency keys its own."""
    deployment = service.deployment
    common = {"target": deployment.target, "duration_s": args.duration, "processes": args.processes, "credential": deployment.credential}

    def measure(spec: LoadSpec) -> Measured:
        return measured(spec, service.proc.pid, deployment.redis_url, batches=gateway_batches)

    gateway_batches = GatewayBatches(deployment.target, deployment.credential)

    said = f"{tag} " if tag else ""
    points: list[Point] = []
    for c in [int(x) for x in args.concurrency.split(",")]:
        point = Point(
            clients=c,
            empty=measure(LoadSpec(workload="empty", concurrency=c, **common)),
            create=measure(LoadSpec(workload="create", concurrency=c, run_id=f"{tag}c{c}", **common)),
        )
        points.append(point)
        create = point.create.result
        console.print(
            f"{said}c={c:>4}: empty {point.empty.result.rate:8.0f}/s  CreateOrder {create.rate:8.0f}/s "
            f"(p50 {create.percentile_ms(50):.1f} ms, p99 {create.percentile_ms(99):.1f} ms)"
            + (f"  errors {create.errors}" if create.errors else "")
        )
    peak = highest_rate(points)
    paced: list[tuple[float, Measured]] = []
    for fraction in [float(x) for x in args.load_fractions.split(",") if x.strip()] if peak > 0 else []:
        spec = LoadSpec(workload="create", concurrency=1024, run_id=f"{tag}open{fraction}", rate_per_s=peak * fraction, **common)
        paced.append((fraction, measure(spec)))
        result = paced[-1][1].result
        console.print(
            f"{said}open loop at {fraction:.0%} of {peak:,.0f}/s: {result.rate:8.0f}/s "
            f"(p50 {result.percentile_ms(50):.1f} ms, p99 {result.percentile_ms(99):.1f} ms)"
        )
    batches = {
        "concurrency": args.batch_concurrency,
        "batch_size": args.batch_size,
        "batch_view": args.batch_view,
        "run_id": f"{tag}batch",
        **common,
    }
    ceiling = measure(LoadSpec(workload="empty_batch", **batches))
    batch = measure(LoadSpec(workload="create_batch", **batches))
    console.print(
        f"{said}CreateOrders batch RPC: {batch.result.rate:8.0f} orders/s "
        f"(the same batches to the empty method: {ceiling.result.rate:,.0f} orders/s)"
    )
    return Round(points=points, paced=paced, batch=batch, batch_ceiling=ceiling)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=8.0, help="seconds measured per point")
    p.add_argument("--concurrency", default="1,16,64", help="comma-separated client concurrencies")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--batch-size", type=int, default=100, help="orders per CreateOrders call")
    p.add_argument("--batch-concurrency", type=int, default=8, help="CreateOrders calls in flight")
    p.add_argument(
        "--batch-view", choices=("basic", "full"), default="basic", help="what CreateOrders answers each order with"
    )
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/bench-capture"))
    p.add_argument(
        "--load-fractions",
        default="0.5",
        help="open-loop CreateOrder at these fractions of the highest closed-loop rate, comma-separated "
        "(a latency curve; empty: skip)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="passes over every point on the same service; with more than one, each figure is "
        "the median of the rounds with their range, and each goal says in how many rounds it was met "
        "(a shared or throttled machine drifts by tens of percent within minutes)",
    )
    p.add_argument("--serve-arg", action="append", default=[], help="extra argument for oms serve (repeatable)")
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    console = Console(width=max(Console().width, 120))  # the table stays legible in a log file

    console.print("starting oms serve --bench-empty (embedded Redis, local Ray) ...")
    service = start(args.data_dir, extra=["--bench-empty", *args.serve_arg])
    try:
        asyncio.run(load_bench_world(service.deployment.target, service.deployment.credential))
        rounds = [
            measure_round(args, service, f"r{n}" if args.rounds > 1 else "", console)
            for n in range(1, args.rounds + 1)
        ]
    finally:
        stop_service(service.proc)

    for n, run in enumerate(rounds, 1):
        if args.rounds > 1:
            console.rule(f"round {n} of {args.rounds}")
        print_round(console, run, args)
    if args.rounds > 1:
        console.rule(f"{args.rounds} rounds: median (lowest-highest)")
        console.print(spread_table(rounds))
    console.print(goals_table(rounds))
    return 0


def print_round(console: Console, run: Round, args: argparse.Namespace) -> None:
    table = Table(title=f"Order capture through gRPC ({args.processes} client processes, same box)")
    columns = (
        "clients", "empty call/s", "CreateOrder/s", "ratio", "p50 ms", "p99 ms", "errors", "CPU ms/call", "CPU ms/order",
        "AOF rewrite",
    )  # fmt: skip
    for col in columns:
        table.add_column(col, justify="right")
    for point in run.points:
        empty, create = point.empty.result, point.create.result
        table.add_row(
            str(point.clients),
            f"{empty.rate:,.0f}",
            f"{create.rate:,.0f}",
            f"{point.ratio:.2f}" if empty.rate else "-",
            f"{create.percentile_ms(50):.1f}",
            f"{create.percentile_ms(99):.1f}",
            str(sum(create.errors.values())),
            f"{point.empty.cpu_ms:.2f}",
            f"{point.create.cpu_ms:.2f}",
            rewrite_mark(point.empty, point.create),
        )
    console.print(table)
    if run.paced:
        curve = Table(
            title=f"CreateOrder offered open loop (Poisson arrivals, latency from each call's arrival), "
            f"as a fraction of the highest rate above ({run.peak:,.0f}/s)"
        )
        for col in ("offered", "orders/s", "p50 ms", "p90 ms", "p99 ms", "errors", "CPU ms/order", "AOF rewrite"):
            curve.add_column(col, justify="right")
        for fraction, paced in run.paced:
            result = paced.result
            curve.add_row(
                f"{fraction:.0%}",
                f"{result.rate:,.0f}",
                f"{result.percentile_ms(50):.1f}",
                f"{result.percentile_ms(90):.1f}",
                f"{result.percentile_ms(99):.1f}",
                str(sum(result.errors.values())),
                f"{paced.cpu_ms:.2f}",
                rewrite_mark(paced),
            )
        console.print(curve)
    console.print("CPU: the service's (gateway, Ray, Redis) per empty call and per order; the clients' is not counted.")
    breakdown = [
        *((f"{point.clients} clients", point.create.by_role_ms) for point in run.points),
        *((f"open loop {fraction:.0%}", paced.by_role_ms) for fraction, paced in run.paced),
        ("batch RPC", run.batch.by_role_ms),
    ]
    console.print(role_table(breakdown))
    console.print(box_table(run))
    for line in cpu_bounds(run):
        console.print(line)
    batch = run.batch.result
    console.print(
        f"CreateOrders batch RPC ({args.batch_size} orders/call, {args.batch_concurrency} calls in flight, "
        f"{args.batch_view} view): "
        f"{batch.rate:,.0f} orders/s, p50 {batch.percentile_ms(50):.1f} ms, p99 {batch.percentile_ms(99):.1f} ms per call, "
        f"{run.batch.cpu_ms:.2f} ms service CPU per order"
        + (f", errors {batch.errors}" if batch.errors else "")
        + (", during an AOF rewrite" if run.batch.rewrites else "")
    )
    console.print(
        f"Its ceiling, the same batches to the empty method: {run.batch_ceiling.result.rate:,.0f} orders/s "
        f"(the batch RPC reaches {run.batch_ratio:.2f} of it; what is left is the service's work on each order)"
        + (", during an AOF rewrite" if run.batch_ceiling.rewrites else "")
    )
    if any(m.rewrites for m in run.measurements()):
        console.print(
            "AOF rewrite: Redis rewrote its append-only file during that window; its child process "
            "takes a core for seconds, so the figure says as much about that as about the service."
        )


def box_table(run: Round) -> Table:
    """The whole machine during each window: what a call or an order costs it, clients included."""
    cores = box_cores()
    table = Table(title=f"The whole box ({cores} cores; the load clients and everything else on it included)")
    columns = (
        "load", "items/s", "box CPU ms/item", "cores busy", "items/s with every core busy",
        "context switches/item", "orders per order-shard batch",
    )  # fmt: skip
    for col in columns:
        table.add_column(col, justify="left" if col == "load" else "right")
    rows = [
        *(row for p in run.points for row in ((f"empty call, {p.clients} clients", p.empty), (f"CreateOrder, {p.clients} clients", p.create))),
        *((f"CreateOrder open loop {fraction:.0%}", paced) for fraction, paced in run.paced),
        ("batch ceiling (orders)", run.batch_ceiling),
        ("batch RPC (orders)", run.batch),
    ]
    for label, m in rows:
        table.add_row(
            label,
            f"{m.result.rate:,.0f}",
            format_figure(m.box_ms),
            format_figure(m.cores_busy),
            format_figure(m.full_box_rate),
            format_figure(m.switches),
            format_figure(m.orders_per_batch),
        )
    return table


def cpu_bounds(run: Round) -> list[str]:
    """What the goals ask of the box's CPU per order, beside what this round's orders cost it.

    With every core busy in both windows, CreateOrder's rate over the empty call's is the
    empty call's box CPU over CreateOrder's: the clients' cost is in both, so the ratio goal
    needs an order to cost the box at most 1 / GOAL_RATIO_AT_64 times an empty call."""
    lines = []
    at64 = next((p for p in run.points if p.clients == 64), None)
    if at64 is not None and at64.empty.box_ms > 0 and at64.create.box_ms > 0:
        empty_ms, create_ms = at64.empty.box_ms, at64.create.box_ms
        lines.append(
            f"At 64 clients an empty call costs the box {empty_ms:.2f} ms of CPU and a CreateOrder "
            f"{create_ms:.2f} ms: with every core busy in both, CreateOrder would reach {empty_ms / create_ms:.2f} "
            f"of the empty call. The ratio goal ({GOAL_RATIO_AT_64}) needs at most {empty_ms / GOAL_RATIO_AT_64:.2f} ms per order."
        )
    if run.batch.box_ms > 0:
        needed = box_cores() / GOAL_BATCH_RATE * 1000
        lines.append(
            f"The batch RPC costs the box {run.batch.box_ms:.2f} ms of CPU per order: {run.batch.full_box_rate:,.0f} orders/s "
            f"with every core busy. {GOAL_BATCH_RATE:,.0f} orders/s needs at most {needed:.2f} ms per order on {box_cores()} cores."
        )
    return lines


def rewrite_mark(*windows: Measured) -> str:
    """'yes' when an AOF rewrite ran in any of the windows, '?' when that is not known."""
    if any(m.rewrites for m in windows):
        return "yes"
    return "?" if any(m.rewrites is None for m in windows) else ""


def role_table(breakdown: list[tuple[str, dict[str, float]]]) -> Table:
    """Where an order's service CPU goes, per part of the service: what to scale, or tune."""
    roles = sorted({role for _, by_role in breakdown for role in by_role}, key=role_order)
    table = Table(title="Service CPU per order by part (ms): what a platform team scales")
    table.add_column("load", justify="left")
    for role in roles:
        table.add_column(role, justify="right")
    for label, by_role in breakdown:
        table.add_row(label, *(f"{by_role.get(role, 0.0):.2f}" for role in roles))
    return table


def role_order(role: str) -> int:
    order = ("gateway", "order shards", "sourcing workers", "inventory shards", "redis", "ray")
    return order.index(role) if role in order else len(order)


# The throughput goals of the planner's benchmark (one 2-core box, clients included).
GOAL_RATIO_AT_64 = 0.5
GOAL_BATCH_RATE = 10_000.0
GOAL_P99_AT_HALF_MS = 50.0


@dataclass(frozen=True, kw_only=True)
class GoalOutcome:
    goal: str
    values: list[float]  # what each round measured for it; empty when no round did
    unit: str
    not_run: str  # why no round measured it
    rewritten: list[bool] = field(default_factory=list)  # per value: an AOF rewrite ran in its window

    @property
    def met(self) -> list[bool]:
        """Per value: whether that round met the goal."""
        return [_GOAL_TESTS[self.goal](v) for v in self.values]

    @property
    def median(self) -> float:
        return float(np.median(self.values)) if self.values else float("nan")

    @property
    def met_by_median(self) -> bool | None:
        return _GOAL_TESTS[self.goal](self.median) if self.values else None


_GOAL_RATIO = f"CreateOrder at 64 clients >= {GOAL_RATIO_AT_64} of the empty call"
_GOAL_BATCH = f"CreateOrders batch RPC >= {GOAL_BATCH_RATE:,.0f} orders/s"
_GOAL_P99 = f"p99 < {GOAL_P99_AT_HALF_MS:.0f} ms at half the highest rate (open loop)"
_GOAL_TESTS: dict[str, Callable[[float], bool]] = {
    _GOAL_RATIO: lambda v: v >= GOAL_RATIO_AT_64,
    _GOAL_BATCH: lambda v: v >= GOAL_BATCH_RATE,
    _GOAL_P99: lambda v: v < GOAL_P99_AT_HALF_MS,
}


def goal_outcomes(rounds: list[Round]) -> list[GoalOutcome]:
    """Each throughput goal against every round that measured it."""
    at64 = [p for r in rounds for p in r.points if p.clients == 64 and p.empty.result.rate]
    halves = [m for r in rounds for f, m in r.paced if f == 0.5 and len(m.result.latencies_s)]
    found = [
        (_GOAL_RATIO, [(p.ratio, bool(p.empty.rewrites or p.create.rewrites)) for p in at64], "", "not run (--concurrency without 64)"),
        (_GOAL_BATCH, [(r.batch.result.rate, bool(r.batch.rewrites)) for r in rounds], " orders/s", "not run"),
        (_GOAL_P99, [(m.result.percentile_ms(99), bool(m.rewrites)) for m in halves], " ms", "not run (--load-fractions without 0.5)"),
    ]
    return [
        GoalOutcome(
            goal=goal,
            values=[v for v, _ in pairs],
            unit=unit,
            not_run=why,
            rewritten=[r for _, r in pairs],
        )
        for goal, pairs, unit, why in found
    ]


def goals_table(rounds: list[Round]) -> Table:
    """Each goal beside what the run measured (over several rounds: the median, with its
    range), whether that is met, and in how many rounds it was."""
    table = Table(title="Throughput goals")
    for col in ("goal", "measured", "met"):
        table.add_column(col, justify="right" if col != "goal" else "left")
    for outcome in goal_outcomes(rounds):
        verdict = outcome.met_by_median
        if verdict is None:
            table.add_row(outcome.goal, outcome.not_run, "-")
            continue
        measured_text = format_figure(outcome.median) + outcome.unit
        met_text = "yes" if verdict else "no"
        if len(outcome.values) > 1:
            measured_text += f" ({format_figure(min(outcome.values))}-{format_figure(max(outcome.values))})"
            met_text += f" (in {sum(outcome.met)} of {len(outcome.values)} rounds)"
            if any(outcome.rewritten):
                measured_text += f", {sum(outcome.rewritten)} during an AOF rewrite"
        elif any(outcome.rewritten):
            measured_text += ", during an AOF rewrite"
        table.add_row(outcome.goal, measured_text, met_text)
    return table


def spread(rounds: list[Round]) -> list[tuple[str, list[float]]]:
    """Every figure each round measured, by name, with one value per round in the order they ran."""
    rows: dict[str, list[float]] = {}
    for run in rounds:
        for point in run.points:
            c = point.clients
            rows.setdefault(f"{c} clients: empty call/s", []).append(point.empty.result.rate)
            rows.setdefault(f"{c} clients: CreateOrder/s", []).append(point.create.result.rate)
            rows.setdefault(f"{c} clients: ratio", []).append(point.ratio)
            rows.setdefault(f"{c} clients: p99 ms", []).append(point.create.result.percentile_ms(99))
            rows.setdefault(f"{c} clients: service CPU ms/order", []).append(point.create.cpu_ms)
            rows.setdefault(f"{c} clients: box CPU ms/order", []).append(point.create.box_ms)
            rows.setdefault(f"{c} clients: box CPU ms/empty call", []).append(point.empty.box_ms)
            rows.setdefault(f"{c} clients: orders per order-shard batch", []).append(point.create.orders_per_batch)
        for fraction, paced in run.paced:
            rows.setdefault(f"open loop {fraction:.0%}: orders/s", []).append(paced.result.rate)
            rows.setdefault(f"open loop {fraction:.0%}: p99 ms", []).append(paced.result.percentile_ms(99))
            rows.setdefault(f"open loop {fraction:.0%}: orders per order-shard batch", []).append(paced.orders_per_batch)
        rows.setdefault("batch ceiling: orders/s", []).append(run.batch_ceiling.result.rate)
        rows.setdefault("batch RPC: orders/s", []).append(run.batch.result.rate)
        rows.setdefault("batch RPC: ratio to its ceiling", []).append(run.batch_ratio)
        rows.setdefault("batch RPC: service CPU ms/order", []).append(run.batch.cpu_ms)
        rows.setdefault("batch RPC: box CPU ms/order", []).append(run.batch.box_ms)
    return list(rows.items())


def spread_table(rounds: list[Round]) -> Table:
    table = Table(title=f"Across {len(rounds)} rounds on the same service")
    for col in ("figure", "median", "lowest", "highest", "each round"):
        table.add_column(col, justify="left" if col in ("figure", "each round") else "right")
    for name, values in spread(rounds):
        table.add_row(
            name,
            format_figure(float(np.median(values))),
            format_figure(min(values)),
            format_figure(max(values)),
            " / ".join(format_figure(v) for v in values),
        )
    return table


def format_figure(value: float) -> str:
    """Rates without decimals, ratios with two, milliseconds with one."""
    if value != value:  # NaN: nothing measured
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


async def load_bench_world(target: str, key: str) -> None:
    """The benchmark's network, catalogue and deep stock (bench_scenario), loaded as an admin."""
    async with grpc.aio.insecure_channel(target) as channel:
        await channel.channel_ready()
        await load_world(channel, build_world(bench_scenario()), credential=key)


if __name__ == "__main__":
    sys.exit(main())
