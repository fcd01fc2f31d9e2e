"""Order-capture throughput and latency through real gRPC, against the empty-call ceiling.

    python -m benchmarks.capture [--duration 8] [--concurrency 1,16,64] [--processes 2]
                                 [--load-fractions 0.25,0.5,0.75]

Starts ``oms serve --bench-empty`` on the embedded defaults in a fresh data
folder, loads a network with deep stock, then at each concurrency measures an
empty unary method on the same server (the ceiling) and CreateOrder, with the
same multi-process client. Then offers CreateOrder at fractions of the highest
rate measured (half by default), open loop (Poisson arrivals, latency from each
call's arrival): the latency a channel sees at that traffic. Also measures the
CreateOrders batch RPC. Prints
the figures, the ratio of CreateOrder to the ceiling, and the service's CPU time
per call and per order (gateway, Ray and Redis; not the clients'). Every call carries
the server's bootstrap admin key, and the empty method passes the same access
interceptor as CreateOrder, so the ratio compares like with like.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from rich.console import Console
from rich.table import Table

from benchmarks.loadgen import LoadResult, LoadSpec, bench_scenario, run_load
from benchmarks.service import cpu_by_role, start_service, stop_service, tree_cpu
from benchmarks.simulate import load_world
from benchmarks.world import build_world


@dataclass(frozen=True)
class Measured:
    result: LoadResult
    cpu_ms: float  # the service's CPU per item (the load clients' own is not counted)
    by_role_ms: dict[str, float]  # the same, per part of the service (gateway, order shards, ...)


def measured(spec: LoadSpec, service_pid: int) -> Measured:
    """The load's result and the service's CPU milliseconds per item over the measured window."""
    marks: list[tuple[float, dict[int, tuple[str, float]]]] = []

    def mark() -> None:
        marks.append((time.perf_counter(), tree_cpu(service_pid)))

    timers = [
        threading.Timer(spec.warmup_s, mark),
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
    (t0, cpu0), (t1, cpu1) = marks
    items = (t1 - t0) * result.rate
    by_role = {role: used / items * 1000 for role, used in cpu_by_role(cpu0, cpu1).items()}
    return Measured(result, sum(by_role.values()), by_role)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=8.0, help="seconds measured per point")
    p.add_argument("--concurrency", default="1,16,64", help="comma-separated client concurrencies")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--batch-size", type=int, default=100, help="orders per CreateOrders call")
    p.add_argument("--batch-concurrency", type=int, default=8, help="CreateOrders calls in flight")
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/bench-capture"))
    p.add_argument(
        "--load-fractions",
        default="0.5",
        help="open-loop CreateOrder at these fractions of the highest closed-loop rate, comma-separated "
        "(a latency curve; empty: skip)",
    )
    p.add_argument("--serve-arg", action="append", default=[], help="extra argument for oms serve (repeatable)")
    args = p.parse_args(argv)
    console = Console(width=max(Console().width, 110))  # the table stays legible in a log file
    levels = [int(x) for x in args.concurrency.split(",")]

    console.print("starting oms serve --bench-empty (embedded Redis, local Ray) ...")
    proc, target, key = start_service(args.data_dir, extra=["--bench-empty", *args.serve_arg])
    try:
        asyncio.run(_load(target, key))
        rows: list[tuple[int, LoadResult, LoadResult, float, float]] = []
        breakdown: list[tuple[str, dict[str, float]]] = []  # CreateOrder's CPU per order, by part
        for c in levels:
            common = {"target": target, "concurrency": c, "duration_s": args.duration, "processes": args.processes, "credential": key}
            empty_m = measured(LoadSpec(workload="empty", **common), proc.pid)
            create_m = measured(LoadSpec(workload="create", run_id=f"c{c}", **common), proc.pid)
            empty, create = empty_m.result, create_m.result
            rows.append((c, empty, create, empty_m.cpu_ms, create_m.cpu_ms))
            breakdown.append((f"{c} clients", create_m.by_role_ms))
            console.print(
                f"c={c:>4}: empty {empty.rate:8.0f}/s  CreateOrder {create.rate:8.0f}/s "
                f"(p50 {create.percentile_ms(50):.1f} ms, p99 {create.percentile_ms(99):.1f} ms)"
                + (f"  errors {create.errors}" if create.errors else "")
            )
        peak = max((create.rate for _, _, create, _, _ in rows), default=0.0)
        fractions = [float(x) for x in args.load_fractions.split(",") if x.strip()]
        paced: list[tuple[float, LoadResult, float]] = []
        for fraction in fractions if peak > 0 else []:
            paced_m = measured(
                LoadSpec(
                    workload="create",
                    run_id=f"open{fraction}",
                    rate_per_s=peak * fraction,
                    **{**common, "concurrency": 1024},
                ),
                proc.pid,
            )
            result = paced_m.result
            paced.append((fraction, result, paced_m.cpu_ms))
            breakdown.append((f"open loop {fraction:.0%}", paced_m.by_role_ms))
            console.print(
                f"open loop at {fraction:.0%} of {peak:,.0f}/s: {result.rate:8.0f}/s "
                f"(p50 {result.percentile_ms(50):.1f} ms, p99 {result.percentile_ms(99):.1f} ms)"
            )
        batch_m = measured(
            LoadSpec(
                target=target,
                workload="create_batch",
                concurrency=args.batch_concurrency,
                duration_s=args.duration,
                processes=args.processes,
                batch_size=args.batch_size,
                run_id="batch",
                credential=key,
            ),
            proc.pid,
        )
        batch, batch_cpu = batch_m.result, batch_m.cpu_ms
        breakdown.append(("batch RPC", batch_m.by_role_ms))
    finally:
        stop_service(proc)

    table = Table(title="Order capture through gRPC (2 client processes, same box)")
    columns = ("clients", "empty call/s", "CreateOrder/s", "ratio", "p50 ms", "p99 ms", "errors", "CPU ms/call", "CPU ms/order")
    for col in columns:
        table.add_column(col, justify="right")
    for c, empty, create, empty_cpu, create_cpu in rows:
        table.add_row(
            str(c),
            f"{empty.rate:,.0f}",
            f"{create.rate:,.0f}",
            f"{create.rate / empty.rate:.2f}" if empty.rate else "-",
            f"{create.percentile_ms(50):.1f}",
            f"{create.percentile_ms(99):.1f}",
            str(sum(create.errors.values())),
            f"{empty_cpu:.2f}",
            f"{create_cpu:.2f}",
        )
    console.print(table)
    if paced:
        curve = Table(
            title=f"CreateOrder offered open loop (Poisson arrivals, latency from each call's arrival), "
            f"as a fraction of the highest rate above ({peak:,.0f}/s)"
        )
        for col in ("offered", "orders/s", "p50 ms", "p90 ms", "p99 ms", "errors", "CPU ms/order"):
            curve.add_column(col, justify="right")
        for fraction, result, cpu in paced:
            curve.add_row(
                f"{fraction:.0%}",
                f"{result.rate:,.0f}",
                f"{result.percentile_ms(50):.1f}",
                f"{result.percentile_ms(90):.1f}",
                f"{result.percentile_ms(99):.1f}",
                str(sum(result.errors.values())),
                f"{cpu:.2f}",
            )
        console.print(curve)
    console.print("CPU: the service's (gateway, Ray, Redis) per empty call and per order; the clients' is not counted.")
    console.print(role_table(breakdown))
    console.print(
        f"CreateOrders batch RPC ({args.batch_size} orders/call, {args.batch_concurrency} calls in flight): "
        f"{batch.rate:,.0f} orders/s, p50 {batch.percentile_ms(50):.1f} ms, p99 {batch.percentile_ms(99):.1f} ms per call, "
        f"{batch_cpu:.2f} ms service CPU per order"
        + (f", errors {batch.errors}" if batch.errors else "")
    )
    console.print(goals_table(rows, batch, next((r for f, r, _ in paced if f == 0.5), None)))
    return 0


def role_table(breakdown: list[tuple[str, dict[str, float]]]) -> Table:
    """Where an order's service CPU goes, per part of the service: what to scale, or tune."""
    roles = sorted({role for _, by_role in breakdown for role in by_role}, key=_role_order)
    table = Table(title="Service CPU per order by part (ms): what a platform team scales")
    table.add_column("load", justify="left")
    for role in roles:
        table.add_column(role, justify="right")
    for label, by_role in breakdown:
        table.add_row(label, *(f"{by_role.get(role, 0.0):.2f}" for role in roles))
    return table


def _role_order(role: str) -> int:
    order = ("gateway", "order shards", "sourcing workers", "inventory shards", "redis", "ray")
    return order.index(role) if role in order else len(order)


# The throughput goals of the planner's benchmark (one 2-core box, clients included).
GOAL_RATIO_AT_64 = 0.5
GOAL_BATCH_RATE = 10_000.0
GOAL_P99_AT_HALF_MS = 50.0


def goals_table(
    rows: list[tuple[int, LoadResult, LoadResult, float, float]], batch: LoadResult, partial: LoadResult | None
) -> Table:
    """Each goal beside what this run measured, and whether it is met."""
    table = Table(title="Throughput goals")
    for col in ("goal", "measured", "met"):
        table.add_column(col, justify="right" if col != "goal" else "left")

    def row(goal: str, measured: str, met: bool | None) -> None:
        table.add_row(goal, measured, "-" if met is None else ("yes" if met else "no"))

    at64 = [(empty, create) for c, empty, create, _, _ in rows if c == 64 and empty.rate]
    if at64:
        ratio = at64[0][1].rate / at64[0][0].rate
        row(f"CreateOrder at 64 clients >= {GOAL_RATIO_AT_64} of the empty call", f"{ratio:.2f}", ratio >= GOAL_RATIO_AT_64)
    else:
        row(f"CreateOrder at 64 clients >= {GOAL_RATIO_AT_64} of the empty call", "not run (--concurrency without 64)", None)
    row(f"CreateOrders batch RPC >= {GOAL_BATCH_RATE:,.0f} orders/s", f"{batch.rate:,.0f}", batch.rate >= GOAL_BATCH_RATE)
    if partial is not None and len(partial.latencies_s):
        p99 = partial.percentile_ms(99)
        row(f"p99 < {GOAL_P99_AT_HALF_MS:.0f} ms at half the highest rate (open loop)", f"{p99:.1f} ms", p99 < GOAL_P99_AT_HALF_MS)
    else:
        row(f"p99 < {GOAL_P99_AT_HALF_MS:.0f} ms at half the highest rate (open loop)", "not run (--load-fractions without 0.5)", None)
    return table


async def _load(target: str, key: str) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        await channel.channel_ready()
        await load_world(channel, build_world(bench_scenario()), credential=key)


if __name__ == "__main__":
    sys.exit(main())
