"""Fulfilment throughput through real gRPC: shipment and delivery confirmations against the empty call.

    python -m benchmarks.fulfilment [--orders 3000] [--concurrency 64] [--rounds 2]

Starts ``oms serve --bench-empty`` on the embedded defaults in a fresh data folder,
loads the capture benchmark's network with deep stock and places ``--orders`` orders
(``CreateOrders``), waits until risk, payment and release have run for them, then
confirms one shipment per order and location released to it (``ConfirmShipment``)
and delivers each (``ConfirmDelivery``), ``--concurrency`` calls in flight from one
client process. Beside each it measures the empty method from the same client at
the same concurrency, and prints calls per second, latency, the ratio to the empty
call and the service's CPU per call by part (gateway, order shards, inventory shards,
Redis, Ray; not the client's). A shipment captures its payment, takes its units off
the shelf and issues an invoice, so it is the lifecycle call a warehouse sizes for.

``--rounds N`` splits the orders into N rounds, each with its own ceiling, so a
drifting machine shows as spread between rounds rather than as one lucky figure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.capture import load_bench_world, role_order
from benchmarks.lifecycle import settled
from benchmarks.loadgen import EMPTY_METHOD, bench_scenario
from benchmarks.service import cpu_by_role, start, stop_service, tree_cpu

PLACE_BATCH = 100


@dataclass(frozen=True, kw_only=True)
class Window:
    """One kind of call, driven to completion ``concurrency`` at a time."""

    rpc: str
    calls: int
    errors: dict[str, int]
    wall_s: float
    latencies_s: np.ndarray
    cpu_ms_by_role: dict[str, float] = field(default_factory=dict)  # per call; empty when not measured

    @property
    def rate(self) -> float:
        return self.calls / self.wall_s if self.wall_s else 0.0

    def percentile_ms(self, p: float) -> float:
        return float(np.percentile(self.latencies_s, p) * 1000) if len(self.latencies_s) else float("nan")


@dataclass(frozen=True, kw_only=True)
class FulfilmentRound:
    order_ids: tuple[str, ...]  # the orders placed for the round
    empty: Window
    ship: Window
    deliver: Window


async def drive(
    rpc: str,
    send: Callable[[Any], Awaitable[Any]],
    requests: list[Any],
    concurrency: int,
    service_pid: int | None = None,
) -> Window:
    """Sends every request, ``concurrency`` at a time; errors are counted by status code."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def one(request: Any) -> None:
        async with gate:
            t0 = time.perf_counter()
            try:
                await send(request)
            except grpc.aio.AioRpcError as err:
                errors[err.code().name] = errors.get(err.code().name, 0) + 1
                return
            latencies.append(time.perf_counter() - t0)

    before = tree_cpu(service_pid) if service_pid else {}
    started = time.perf_counter()
    await asyncio.gather(*(one(r) for r in requests))
    wall = time.perf_counter() - started
    by_role: dict[str, float] = {}
    if service_pid and latencies:
        by_role = {role: used * 1000 / len(latencies) for role, used in cpu_by_role(before, tree_cpu(service_pid)).items()}
    return Window(rpc=rpc, calls=len(latencies), errors=errors, wall_s=wall, latencies_s=np.array(latencies), cpu_ms_by_role=by_role)


async def place_and_settle(channel: grpc.aio.Channel, metadata: Any, requests: list[Any], *, timeout_s: float = 120.0) -> list[Any]:
    """Places the orders in batches and returns them once none has a step pending."""
    from protos.oms.v1 import orders_pb2, orders_pb2_grpc

    orders = orders_pb2_grpc.OrderServiceStub(channel)
    ids: list[str] = []
    for i in range(0, len(requests), PLACE_BATCH):
        batch = orders_pb2.CreateOrdersRequest(orders=requests[i : i + PLACE_BATCH], view=orders_pb2.ORDER_VIEW_BASIC)
        answer = await orders.CreateOrders(batch, metadata=metadata)
        ids += [r.order.order_id for r in answer.results if r.order.order_id]
    deadline = time.monotonic() + timeout_s
    done: dict[str, Any] = {}
    while len(done) < len(ids):
        for order_id in [i for i in ids if i not in done]:
            order = await orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id), metadata=metadata)
            if settled(order):
                done[order_id] = order
        if len(done) < len(ids):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(ids) - len(done)} orders did not settle within {timeout_s:.0f} s")
            await asyncio.sleep(0.2)
    return [done[i] for i in ids]


def shipments_of(orders: list[Any]) -> list[Any]:
    """One confirmation per order and location, for everything released there."""
    from protos.oms.v1 import fulfilment_pb2, orders_pb2

    out = []
    for order in orders:
        by_location: dict[str, list[Any]] = {}
        for line in order.lines:
            for r in line.released:
                by_location.setdefault(r.location_id, []).append(
                    orders_pb2.ShipmentLine(line_number=line.line_number, quantity=r.quantity)
                )
        for n, (location, lines) in enumerate(sorted(by_location.items())):
            out.append(
                fulfilment_pb2.ConfirmShipmentRequest(
                    order_id=order.order_id, location_id=location, shipment_id=f"{order.order_id}-S{n}",
                    lines=lines, carrier="BENCH", tracking=f"T{n}",
                )
            )  # fmt: skip
    return out


async def measure_round(
    channel: grpc.aio.Channel, metadata: Any, requests: list[Any], *, concurrency: int, service_pid: int | None = None
) -> FulfilmentRound:
    from protos.oms.v1 import fulfilment_pb2, fulfilment_pb2_grpc

    orders = await place_and_settle(channel, metadata, requests)
    ships = shipments_of(orders)
    fulfilment = fulfilment_pb2_grpc.FulfilmentServiceStub(channel)
    empty_call = channel.unary_unary(EMPTY_METHOD, request_serializer=None, response_deserializer=None)
    empty = await drive("empty call", lambda r: empty_call(r, metadata=metadata), [b""] * len(ships), concurrency, service_pid)
    ship = await drive("ConfirmShipment", lambda r: fulfilment.ConfirmShipment(r, metadata=metadata), ships, concurrency, service_pid)
    deliveries = [fulfilment_pb2.ConfirmDeliveryRequest(order_id=s.order_id, shipment_id=s.shipment_id) for s in ships]
    deliver = await drive(
        "ConfirmDelivery", lambda r: fulfilment.ConfirmDelivery(r, metadata=metadata), deliveries, concurrency, service_pid
    )
    return FulfilmentRound(order_ids=tuple(o.order_id for o in orders), empty=empty, ship=ship, deliver=deliver)


def order_requests(count: int, run_id: str) -> list[Any]:
    """``count`` orders of the benchmark's day (a day is generated as often as needed)."""
    from benchmarks.demand import generate_day
    from benchmarks.world import build_world

    scenario = bench_scenario()
    world = build_world(scenario)
    out: list[Any] = []
    n = 0
    while len(out) < count:
        out += generate_day(scenario, world, run_id=f"{run_id}-{n}").requests[: count - len(out)]
        n += 1
    return out


def print_rounds(rounds: list[FulfilmentRound], console: Console, concurrency: int) -> None:
    table = Table(title=f"Fulfilment through gRPC ({concurrency} calls in flight, one client process, same box)")
    roles = sorted({role for r in rounds for w in (r.ship, r.deliver) for role in w.cpu_ms_by_role}, key=role_order)
    for col in ("round", "call", "calls", "calls/s", "ratio", "p50 ms", "p99 ms", "errors", "CPU ms/call", *roles):
        table.add_column(col, justify="left" if col == "call" else "right", no_wrap=True)
    for n, r in enumerate(rounds, 1):
        for w in (r.empty, r.ship, r.deliver):
            table.add_row(
                str(n),
                w.rpc,
                f"{w.calls:,}",
                f"{w.rate:,.0f}",
                "" if w is r.empty else f"{w.rate / r.empty.rate:.2f}" if r.empty.rate else "-",
                f"{w.percentile_ms(50):.1f}",
                f"{w.percentile_ms(99):.1f}",
                str(sum(w.errors.values())),
                f"{sum(w.cpu_ms_by_role.values()):.2f}" if w.cpu_ms_by_role else "-",
                *(f"{w.cpu_ms_by_role.get(role, 0.0):.2f}" for role in roles),
            )
    console.print(table)
    console.print(
        "ratio: to the empty call of the same round. CPU: the service's per call, in all and by part "
        "(gateway, Ray, Redis); the client's is not counted."
    )


async def _run(args: argparse.Namespace, target: str, credential: str, service_pid: int) -> list[FulfilmentRound]:
    from gateway.auth.client import bearer

    await load_bench_world(target, credential)
    metadata = bearer(credential)
    per_round = max(1, args.orders // args.rounds)
    rounds = []
    async with grpc.aio.insecure_channel(target) as channel:
        for n in range(args.rounds):
            requests = order_requests(per_round, run_id=f"fulfil-r{n}")
            rounds.append(await measure_round(channel, metadata, requests, concurrency=args.concurrency, service_pid=service_pid))
    return rounds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--orders", type=int, default=3000, help="orders placed, over all rounds")
    p.add_argument("--concurrency", type=int, default=64, help="calls in flight")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/bench-fulfilment"))
    p.add_argument("--serve-arg", action="append", default=[], help="extra argument for oms serve (repeatable)")
    args = p.parse_args(argv)
    if args.rounds < 1 or args.orders < args.rounds:
        p.error("--rounds must be at least 1 and at most --orders")
    console = Console(width=max(Console().width, 170))
    console.print("starting oms serve --bench-empty (embedded Redis, local Ray) ...")
    service = start(args.data_dir, extra=["--bench-empty", *args.serve_arg])
    try:
        rounds = asyncio.run(_run(args, service.deployment.target, service.deployment.credential, service.proc.pid))
    finally:
        stop_service(service.proc)
    print_rounds(rounds, console, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
