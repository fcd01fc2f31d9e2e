"""Ceilings, measured in the same run on the same machine: what the service's own parts can do bare.

- an empty unary gRPC call to the same gateway (``/oms.bench.Bench/Empty``, served
  with ``oms serve --bench-empty``), from the same client processes at the same
  concurrency as the day, through the same access interceptor;
- a bare Ray actor call: ``ping`` on inventory shard 0 from a driver connected to
  the same Ray, many in flight;
- a Redis round trip: PING against the same Redis, from the same number of
  processes at the same concurrency.

The report divides the service's order rate by each, so a reader sees how far the
service is from what gRPC, Ray and Redis allow here, whatever the machine.
Each is measured by separate processes, so a busy simulator process cannot
hold any of them down.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.service import Deployment


@dataclass(frozen=True, kw_only=True)
class Ceiling:
    name: str
    unit: str
    rate: float | None  # per second; None when not measured
    p50_ms: float | None = None
    p99_ms: float | None = None
    how: str = ""  # how it was measured, or why it was not

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "rate": self.rate, "p50_ms": self.p50_ms, "p99_ms": self.p99_ms, "how": self.how}


def _percentiles(latencies: list[float] | np.ndarray) -> tuple[float | None, float | None]:
    if len(latencies) == 0:
        return None, None
    a = np.asarray(latencies) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 99))


async def empty_grpc(deployment: Deployment, *, processes: int, concurrency: int, seconds: float) -> Ceiling:
    from benchmarks.loadgen import LoadSpec, run_load

    name, unit = "empty gRPC call", "calls/s"
    if not deployment.bench_empty:
        return Ceiling(name=name, unit=unit, rate=None, how="not served: start the service with --bench-empty")
    spec = LoadSpec(
        target=deployment.target,
        workload="empty",
        concurrency=concurrency,
        duration_s=seconds,
        warmup_s=0.5,
        processes=processes,
        credential=deployment.credential,
        tls=deployment.tls,
    )
    result = await asyncio.to_thread(run_load, spec)
    if result.errors and not result.calls:
        return Ceiling(name=name, unit=unit, rate=None, how=f"failed: {result.errors}")
    p50, p99 = _percentiles(result.latencies_s)
    return Ceiling(
        name=name, unit=unit, rate=result.rate, p50_ms=p50, p99_ms=p99,
        how=f"{processes} client processes, {concurrency} in flight, {seconds:g} s, same gateway and interceptors",
    )


async def ray_actor(deployment: Deployment, *, inflight: int, seconds: float) -> Ceiling:
    name, unit = "Ray actor call", "calls/s"
    if not deployment.ray_address:
        return Ceiling(name=name, unit=unit, rate=None, how="no Ray address (give --ray-address with --target)")
    try:
        calls, latencies = (await _in_processes(_ray_child, [(deployment.ray_address, deployment.ray_namespace, inflight, seconds)], seconds + 120))[0]
    except RuntimeError as exc:
        return Ceiling(name=name, unit=unit, rate=None, how=f"failed: {exc}")
    p50, p99 = _percentiles(latencies)
    return Ceiling(
        name=name, unit=unit, rate=calls / seconds, p50_ms=p50, p99_ms=p99,
        how=f"ping on inventory shard 0 from a driver on the same Ray, {inflight} in flight, {seconds:g} s",
    )


async def redis_ping(deployment: Deployment, *, processes: int, concurrency: int, seconds: float) -> Ceiling:
    name, unit = "Redis PING", "round trips/s"
    if not deployment.redis_url:
        return Ceiling(name=name, unit=unit, rate=None, how="no Redis URL (give --redis-url or $REDIS_URL with --target)")
    shares = [concurrency // processes + (1 if i < concurrency % processes else 0) for i in range(processes)]
    try:
        parts = await _in_processes(_redis_child, [(deployment.redis_url, max(1, c), seconds) for c in shares], seconds + 60)
    except RuntimeError as exc:
        return Ceiling(name=name, unit=unit, rate=None, how=f"failed: {exc}")
    p50, p99 = _percentiles(np.concatenate([np.asarray(lat) for _, lat in parts]))
    return Ceiling(
        name=name, unit=unit, rate=sum(calls for calls, _ in parts) / seconds, p50_ms=p50, p99_ms=p99,
        how=f"{processes} processes, {concurrency} in flight, {seconds:g} s, same Redis",
    )


async def _in_processes(fn: Any, args: list[tuple], timeout_s: float) -> list[Any]:
    """Runs ``fn(*a, out)`` in a fresh process per ``a``; their results, or RuntimeError."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    children = [ctx.Process(target=_run, args=(fn, a, out), daemon=True) for a in args]
    for c in children:
        c.start()
    results = []
    try:
        for _ in children:
            ok, value = await asyncio.to_thread(out.get, True, timeout_s)
            if not ok:
                raise RuntimeError(value)
            results.append(value)
    except queue.Empty as exc:
        raise RuntimeError(f"no answer within {timeout_s:.0f} s") from exc
    finally:
        for c in children:
            c.join(timeout=10)
            if c.is_alive():
                c.kill()
    return results


def _run(fn: Any, args: tuple, out: Any) -> None:
    import os

    # Ray's C++ core logs (connection retries and the like) to fd 2; keep them off the progress bars.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        out.put((True, fn(*args)))
    except Exception as exc:  # noqa: BLE001 - any failure goes to the parent, which reports it
        out.put((False, f"{type(exc).__name__}: {exc}"))


def _ray_child(address: str, namespace: str, inflight: int, seconds: float) -> tuple[int, list[float]]:
    import logging
    import os

    # A local Ray started by `oms serve` requires Ray's token by default, and only the process
    # that started it is told so; a driver that connects must ask Ray to send it (Ray reads
    # the token itself). An explicit RAY_AUTH_MODE in our environment wins.
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    import ray

    from oms_actors.topology import Topology

    ray.init(address=address, namespace=namespace, logging_level=logging.ERROR, log_to_driver=False)
    try:
        actor = ray.get_actor(Topology.inventory_name(0), namespace=namespace)
        ray.get(actor.ping.remote())
        return asyncio.run(_timed(lambda: actor.ping.remote(), inflight, seconds))
    finally:
        ray.shutdown()


def _redis_child(url: str, inflight: int, seconds: float) -> tuple[int, list[float]]:
    from oms_actors.store.connection import connect_async

    async def main() -> tuple[int, list[float]]:
        client = connect_async(url)
        try:
            await client.ping()
            return await _timed(client.ping, inflight, seconds)
        finally:
            await client.aclose()

    return asyncio.run(main())


async def _timed(call: Any, inflight: int, seconds: float) -> tuple[int, list[float]]:
    """Calls completed in ``seconds`` with ``inflight`` callers, and their latencies."""
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def caller() -> None:
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            await call()
            latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(caller() for _ in range(inflight)))
    return len(latencies), latencies
