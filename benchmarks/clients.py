"""The channels: client processes that send the recorded day's CreateOrder requests through gRPC.

One Python process cannot saturate the gateway (its own protobuf and asyncio work
is about as heavy as the server's), so the requests are dealt round-robin to
``processes`` children, each keeping its share of ``concurrency`` calls in flight.
Children read the requests from the recorded ``demand.bin`` (the very bytes a
replay sends), start together, count what they finish into shared memory for the
progress bar, and write their outcomes to a file when done (a pipe would block a
child whose results the parent has not read yet).

Pacing: by default each caller sends its next request as soon as the previous one
is answered (closed loop: the service's capacity). With ``speedup`` the day runs
that many times faster than real time (open loop: orders arrive by the clock
whatever the service does) and latency counts from when the order was due, so a
service that falls behind shows it instead of slowing the clients down.
"""

from __future__ import annotations

import asyncio
import collections
import multiprocessing as mp
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from benchmarks.recording import read_schedule
from gateway.auth.client import ClientTls, open_channel

CREATE_ORDER = "/oms.v1.OrderService/CreateOrder"


@dataclass(frozen=True, kw_only=True)
class ClientPlan:
    target: str
    credential: str
    demand_path: Path
    processes: int = 2
    concurrency: int = 64  # calls in flight over all processes
    speedup: float | None = None  # None: closed loop
    timeout_s: float = 30.0
    tls: ClientTls | None = None  # None: plaintext


DAY_S = 86_400


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    """One CreateOrder call: when, how long, and what the service answered."""

    index: int  # position in the recorded demand
    sent_s: float  # since the run started (due time under open-loop pacing)
    latency_s: float
    code: str  # "OK" or the status code's name
    order_id: str = ""
    replayed: bool = False
    status: int = 0  # orders_pb2.OrderStatus at capture
    units: int = 0
    allocated: int = 0  # units reserved at capture
    promised: int = 0  # of the rest, units promised from supply on its way
    shipments: int = 0
    cost: int = 0  # the sourcing objective, unfilled penalty included
    unit_cost: int = 0
    shipment_cost: int = 0
    unfilled_cost: int = 0
    greedy_cost: int = 0  # what the greedy rule would have cost at that moment, as the service reports it
    optimal: bool = False
    allocations: tuple[tuple[str, int], ...] = ()  # (location, units reserved there)
    delivery_days: int = -1  # days from the day it was placed (UTC) to the day it was promised; -1: none told
    asked_days: int = -1  # days from then to the day the customer asked for (deliver_by); -1: none asked
    late_cost: int = 0  # what sourcing priced the days late at (SourcingExplanation.late_cost_minor)
    service: str = ""  # the carrier service it asked for (Order.shipping_service)
    asked_from_days: int = -1  # days from then to the later day asked for (deliver_from); -1: none asked


def _outcome(index: int, sent_s: float, latency_s: float, raw: bytes | None, err: grpc.aio.AioRpcError | None) -> Outcome:
    if err is not None:
        return Outcome(index=index, sent_s=sent_s, latency_s=latency_s, code=err.code().name)
    from protos.oms.v1 import orders_pb2

    resp = orders_pb2.CreateOrderResponse.FromString(raw)
    o = resp.order
    units = allocated = promised = 0
    where: dict[str, int] = collections.defaultdict(int)
    for line in o.lines:
        units += line.quantity
        allocated += line.quantity - line.backordered_quantity
        promised += line.promised_quantity
        for a in line.allocations:
            if not a.HasField("expected_on"):  # promised units ship when their supply arrives
                where[a.location_id] += a.quantity
    s = o.sourcing
    return Outcome(
        index=index,
        sent_s=sent_s,
        latency_s=latency_s,
        code="OK",
        order_id=o.order_id,
        replayed=resp.replayed,
        status=o.status,
        units=units,
        allocated=allocated,
        promised=promised,
        shipments=s.shipments,
        cost=s.cost_minor,
        unit_cost=s.unit_cost_minor,
        shipment_cost=s.shipment_cost_minor,
        unfilled_cost=s.unfilled_cost_minor,
        greedy_cost=s.greedy_cost_minor,
        optimal=s.status == "OPTIMAL",
        allocations=tuple(sorted(where.items())),
        delivery_days=(
            o.promised_delivery.seconds // DAY_S - o.created_at.seconds // DAY_S if o.HasField("promised_delivery") else -1
        ),
        asked_days=o.deliver_by.seconds // DAY_S - o.created_at.seconds // DAY_S if o.HasField("deliver_by") else -1,
        late_cost=s.late_cost_minor,
        service=o.shipping_service,
        asked_from_days=o.deliver_from.seconds // DAY_S - o.created_at.seconds // DAY_S if o.HasField("deliver_from") else -1,
    )


async def _send(plan: ClientPlan, mine: list[tuple[int, float, bytes]], done: Any, slot: int, t0: float, callers: int) -> list[Outcome]:
    from gateway.auth.client import bearer

    md = bearer(plan.credential)
    outcomes: list[Outcome] = []
    async with open_channel(plan.target, plan.tls) as channel:
        call = channel.unary_unary(CREATE_ORDER, request_serializer=None, response_deserializer=None)
        await channel.channel_ready()

        async def one(index: int, due: float, payload: bytes) -> None:
            start = time.monotonic()
            raw, err = None, None
            try:
                raw = await call(payload, timeout=plan.timeout_s, metadata=md)
            except grpc.aio.AioRpcError as exc:
                err = exc
            end = time.monotonic()
            sent = due if plan.speedup else start
            outcomes.append(_outcome(index, sent - t0, end - sent, raw, err))
            done[slot] += 1

        if plan.speedup:
            # Open loop: each order leaves when due; at most `callers` wait for answers.
            gate = asyncio.Semaphore(callers)
            tasks = []

            async def gated(index: int, due: float, payload: bytes) -> None:
                try:
                    await one(index, due, payload)
                finally:
                    gate.release()

            for index, at, payload in mine:
                due = t0 + at / plan.speedup
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await gate.acquire()
                tasks.append(asyncio.create_task(gated(index, due, payload)))
            await asyncio.gather(*tasks)
        else:
            queue = collections.deque(mine)

            async def caller() -> None:
                while queue:
                    index, _, payload = queue.popleft()
                    await one(index, 0.0, payload)

            await asyncio.gather(*(caller() for _ in range(callers)))
    return outcomes


def _child(plan: ClientPlan, slot: int, callers: int, done: Any, ready: Any, go: Any, start: Any, out: Path) -> None:
    schedule = read_schedule(plan.demand_path)
    mine = [(i, at, payload) for i, (at, payload) in enumerate(schedule) if i % plan.processes == slot]
    ready.wait(timeout=300)
    go.wait()
    outcomes = asyncio.run(_send(plan, mine, done, slot, start.value, callers))
    with open(out, "wb") as f:
        pickle.dump(outcomes, f, protocol=pickle.HIGHEST_PROTOCOL)


async def send_day(plan: ClientPlan, work_dir: Path, on_progress: Callable[[int], None]) -> tuple[list[Outcome], float]:
    """Sends the recorded day; returns every outcome (in demand order) and the wall time.

    Async so that a service running in this process's event loop (the tests') keeps
    serving while the children call it: every wait here yields to the loop.
    """
    ctx = mp.get_context("spawn")
    procs = max(1, plan.processes)
    shares = [plan.concurrency // procs + (1 if i < plan.concurrency % procs else 0) for i in range(procs)]
    done = ctx.Array("q", procs, lock=False)
    ready, go, start = ctx.Barrier(procs + 1), ctx.Event(), ctx.Value("d", 0.0, lock=False)
    outs = [work_dir / f"client-{i}.pickle" for i in range(procs)]
    children = [
        ctx.Process(target=_child, args=(plan, i, max(1, shares[i]), done, ready, go, start, outs[i]), daemon=True)
        for i in range(procs)
    ]
    for c in children:
        c.start()
    try:
        await asyncio.to_thread(ready.wait, 300)
    except Exception as exc:  # a child died before it was ready
        for c in children:
            c.kill()
        raise RuntimeError(f"client processes did not start: {exc!r}") from exc
    start.value = time.monotonic()  # CLOCK_MONOTONIC is one clock for every process on the machine
    go.set()
    while any(c.is_alive() for c in children):
        on_progress(sum(done))
        await asyncio.sleep(0.1)
    on_progress(sum(done))
    failed = [i for i, c in enumerate(children) if c.exitcode != 0]
    if failed:
        raise RuntimeError(f"client process(es) {failed} failed (exit codes {[children[i].exitcode for i in failed]})")
    outcomes: list[Outcome] = []
    for path in outs:
        outcomes.extend(pickle.loads(await asyncio.to_thread(path.read_bytes)))
        path.unlink()
    outcomes.sort(key=lambda o: o.index)
    # From the first call out to the last answer in: process start and exit are not the service's time.
    wall = max((o.sent_s + o.latency_s for o in outcomes), default=0.0) - min((o.sent_s for o in outcomes), default=0.0)
    return outcomes, wall
