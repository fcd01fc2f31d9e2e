"""A gRPC load generator spread over several processes, closed or open loop.

One Python process cannot saturate a gRPC server, so the load comes from
``processes`` children. Closed loop (the default), each child runs
``concurrency / processes`` callers that send their next call when the last
returns: the rate the service sustains. Open loop (``rate_per_s`` set), calls
arrive at that rate whatever the service does (Poisson arrivals from a seeded
schedule), and each call's latency counts from its scheduled arrival, so a
client that falls behind does not hide the wait (no coordinated omission): the
latency a channel sees at a given traffic. The same generator drives every
workload of a run, so rates measured with it are comparable with each other.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing as mp
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import grpc
import numpy as np

from gateway.auth.client import ClientTls, open_channel

EMPTY_METHOD = "/oms.bench.Bench/Empty"
BATCH_WORKLOADS = ("create_batch", "empty_batch")


@dataclass(frozen=True, kw_only=True)
class LoadSpec:
    target: str
    # "empty", "create", "create_batch", or "empty_batch": create_batch's requests sent
    # to the empty method, the ceiling of a batch RPC (the same bytes built, sent and
    # received; nothing parsed or done with them)
    workload: str
    concurrency: int
    duration_s: float
    warmup_s: float = 1.0
    processes: int = 2
    batch_size: int = 100  # orders per call of "create_batch" and "empty_batch"
    # What each placed order is answered with (CreateOrdersRequest.view): "basic", as a
    # high-volume channel that needs only to know each order was taken asks, or "full".
    batch_view: str = "basic"
    seed: int = 1
    run_id: str = "load"
    credential: str = ""  # API key sent with every call (the empty method passes the same checks)
    tls: ClientTls | None = None  # None: plaintext
    # Open loop: calls per second over all processes (0: closed loop). ``concurrency`` then
    # caps the calls outstanding per run; an arrival past the cap waits for a free slot
    # and its wait counts in its latency.
    rate_per_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class LoadResult:
    spec: LoadSpec
    calls: int
    items: int  # orders, for batch workloads more than calls
    errors: dict[str, int]
    latencies_s: np.ndarray
    wall_s: float

    @property
    def rate(self) -> float:
        """Items per second."""
        return self.items / self.wall_s if self.wall_s else 0.0

    def percentile_ms(self, p: float) -> float:
        return float(np.percentile(self.latencies_s, p) * 1000) if len(self.latencies_s) else float("nan")


def arrivals(rate_per_s: float, duration_s: float, seed: int) -> np.ndarray:
    """Poisson arrival times in ``[0, duration_s)`` at ``rate_per_s``, the same for the same seed."""
    if rate_per_s <= 0:
        return np.empty(0)
    rng = np.random.default_rng(seed)
    times: list[float] = []
    t = 0.0
    while True:
        t += float(rng.exponential(1.0 / rate_per_s))
        if t >= duration_s:
            return np.array(times)
        times.append(t)


def _requests(spec: LoadSpec, index: int, *, days_ahead: bool = False) -> Any:
    """An endless supply of request payloads for the workload.

    ``days_ahead``: two days of demand are built at the first request, and while one is
    sent a thread builds the one after the next. A day of 15,000 orders takes a few
    hundred milliseconds to generate, and generated on a client's event loop mid-run it
    stalled the loop: every call due or answered meanwhile counted the stall as the
    service's latency. (The building still takes CPU from the box while it runs.)"""
    if spec.workload == "empty":
        while True:
            yield b""
    from benchmarks.demand import generate_day
    from benchmarks.world import build_world
    from protos.oms.v1 import orders_pb2

    scenario = bench_scenario()
    world = build_world(scenario)

    def day(n: int) -> list[orders_pb2.CreateOrderRequest]:
        return generate_day(scenario, world, run_id=f"{spec.run_id}-{index}-{n}").requests

    for requests in _built_ahead(day) if days_ahead else map(day, itertools.count()):
        if spec.workload == "create":
            yield from requests
        else:
            view = {"full": orders_pb2.ORDER_VIEW_FULL, "basic": orders_pb2.ORDER_VIEW_BASIC}[spec.batch_view]
            batch = orders_pb2.CreateOrdersRequest(view=view)
            for req in requests:
                batch.orders.append(req)
                if len(batch.orders) == spec.batch_size:
                    yield batch
                    batch = orders_pb2.CreateOrdersRequest(view=view)


def _built_ahead(build: Callable[[int], Any]) -> Iterator[Any]:
    """build(0), build(1), ...: the first two before the first is returned (before the
    clock starts, so a short run builds nothing while it is measured), each later one
    by a thread while the one before it is used."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="loadgen-day") as pool:
        first, second = build(0), build(1)
        yield first
        upcoming = pool.submit(build, 2)
        yield second
        for n in itertools.count(3):
            built = upcoming.result()
            upcoming = pool.submit(build, n)
            yield built


def bench_scenario():
    """The normal day against deep stock, no daily capacity and without retries: the
    benchmark measures capture, not running out of stock or capacity, or idempotent answers.
    Without the day's pricing (tax rates, shipping charges), so its requests are the ones
    earlier code took too and ``benchmarks.alternate`` compares like with like."""
    from benchmarks.scenario import load_scenario

    normal = load_scenario("normal-day")
    return normal.derive(
        {
            "name": "bench",
            "demand": {"scale": 3.0, "retry_share": 0.0},
            "pricing": {"tax_rate_bps": 0, "reduced_share": 0.0, "shipping_minor": 0},
            "stock": {"by_type": {"warehouse": {"carried_share": 1.0, "min_units": 100_000}, "store": {"min_units": 1_000}}},
            "network": {"locations": {lid: {"capacity_units_per_day": None} for lid in normal.network.locations}},
        }
    )


def _schedule(spec: LoadSpec, index: int) -> np.ndarray:
    """This client process's arrival times (open loop), seeded per process."""
    share = spec.rate_per_s / process_count(spec)
    return arrivals(share, spec.warmup_s + spec.duration_s, seed=spec.seed * 1000 + index)


async def _drive(
    spec: LoadSpec, source: Any, concurrency: int, schedule: np.ndarray | None = None
) -> tuple[int, int, dict[str, int], list[float], float]:
    """Sends the load from ``source``: closed loop, or open loop at ``schedule`` (``_schedule``)."""
    from gateway.auth.client import bearer
    from protos.oms.v1 import orders_pb2

    md = bearer(spec.credential) if spec.credential else None
    async with open_channel(spec.target, spec.tls) as channel:
        await channel.channel_ready()
        if spec.workload == "empty":
            call = channel.unary_unary(EMPTY_METHOD, request_serializer=None, response_deserializer=None)
        elif spec.workload == "create":
            call = channel.unary_unary(
                "/oms.v1.OrderService/CreateOrder",
                request_serializer=orders_pb2.CreateOrderRequest.SerializeToString,
                response_deserializer=orders_pb2.CreateOrderResponse.FromString,
            )
        elif spec.workload == "empty_batch":
            call = channel.unary_unary(
                EMPTY_METHOD, request_serializer=orders_pb2.CreateOrdersRequest.SerializeToString, response_deserializer=None
            )
        else:
            call = channel.unary_unary(
                "/oms.v1.OrderService/CreateOrders",
                request_serializer=orders_pb2.CreateOrdersRequest.SerializeToString,
                response_deserializer=orders_pb2.CreateOrdersResponse.FromString,
            )
        per_call = spec.batch_size if spec.workload in BATCH_WORKLOADS else 1
        start = time.perf_counter()
        measure_from = start + spec.warmup_s
        stop_at = measure_from + spec.duration_s
        calls = 0
        errors: dict[str, int] = {}
        latencies: list[float] = []

        async def send(req: Any, since: float, measured: bool) -> None:
            """One call, counted if ``measured``, its latency from ``since``."""
            nonlocal calls
            try:
                await call(req, timeout=60, metadata=md)
                code = None
            except grpc.aio.AioRpcError as err:
                code = err.code().name
            if not measured:
                return
            if code is None:
                calls += 1
                latencies.append(time.perf_counter() - since)
            else:
                errors[code] = errors.get(code, 0) + 1

        async def caller() -> None:
            while True:
                req = next(source)
                t0 = time.perf_counter()
                if t0 >= stop_at:
                    return
                await send(req, t0, t0 >= measure_from)

        if not spec.rate_per_s:
            await asyncio.gather(*(caller() for _ in range(concurrency)))
            return calls, calls * per_call, errors, latencies, spec.duration_s

        slots = asyncio.Semaphore(max(1, concurrency))

        async def arrival(req: Any, due: float, measured: bool) -> None:
            async with slots:  # a wait for a free slot counts: latency runs from when the call was due
                await send(req, due, measured)

        if schedule is None:
            raise ValueError("an open-loop load needs its arrival schedule")
        pending: set[asyncio.Task[None]] = set()
        for offset in schedule:
            due = start + float(offset)
            lag = due - time.perf_counter()
            if lag > 0:
                await asyncio.sleep(lag)
            task = asyncio.ensure_future(arrival(next(source), due, due >= measure_from))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.gather(*pending)
        return calls, calls * per_call, errors, latencies, spec.duration_s


def process_count(spec: LoadSpec) -> int:
    return max(1, min(spec.processes, spec.concurrency))


def _child(spec: LoadSpec, index: int, concurrency: int, ready: Any, go: Any, out: Any) -> None:
    # The requests are ready before the clock starts, then every sibling starts together.
    # Open loop knows how many it sends: all are built now. Closed loop does not: it
    # starts with two days built, and a thread builds each later day ahead.
    schedule = None
    if spec.rate_per_s:
        schedule = _schedule(spec, index)
        feed: Any = iter(list(itertools.islice(_requests(spec, index), len(schedule))))
    else:
        source = _requests(spec, index, days_ahead=True)
        feed = itertools.chain([next(source)], source)
    ready.wait()
    go.wait()
    out.put(asyncio.run(_drive(spec, feed, concurrency, schedule)))


def run_load(spec: LoadSpec, *, on_go: Callable[[], None] | None = None) -> LoadResult:
    """Runs the load; ``on_go`` is called the moment every client starts (its warm-up begins)."""
    ctx = mp.get_context("spawn")
    procs = process_count(spec)
    shares = [spec.concurrency // procs + (1 if i < spec.concurrency % procs else 0) for i in range(procs)]
    ready, go, out = ctx.Barrier(procs + 1), ctx.Event(), ctx.Queue()
    children = [ctx.Process(target=_child, args=(spec, i, shares[i], ready, go, out), daemon=True) for i in range(procs)]
    for c in children:
        c.start()
    ready.wait()
    go.set()
    if on_go is not None:
        on_go()
    parts = [out.get(timeout=spec.duration_s + spec.warmup_s + 300) for _ in children]
    for c in children:
        c.join(timeout=30)
    errors: dict[str, int] = {}
    for _, _, errs, _, _ in parts:
        for k, v in errs.items():
            errors[k] = errors.get(k, 0) + v
    return LoadResult(
        spec=spec,
        calls=sum(p[0] for p in parts),
        items=sum(p[1] for p in parts),
        errors=errors,
        latencies_s=np.array([x for p in parts for x in p[3]]),
        wall_s=spec.duration_s,
    )
