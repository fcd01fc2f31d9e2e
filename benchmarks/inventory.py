"""Inventory shard throughput: reservations and availability, against a bare Ray actor call.

    python -m benchmarks.inventory [--seconds 5] [--batch 100]

Starts the service in this process on the embedded defaults (fresh data
folder), loads a network with deep stock, then measures, each for a few
seconds: a bare actor call (the ceiling), reservations per second through one
inventory shard in batches (each reservation durable in Redis before the call
returns), availability rows per second, and GetAvailability over gRPC.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import sys
import time
from pathlib import Path

import grpc
from rich.console import Console
from rich.table import Table

from benchmarks.loadgen import bench_scenario
from benchmarks.scenario import build_world
from benchmarks.simulate import load_world


async def _rate(fn, seconds: float, inflight: int) -> tuple[float, int]:
    """Calls per second of ``fn(i)`` with ``inflight`` calls outstanding."""
    count = itertools.count()
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await fn(next(count))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    return done / (time.perf_counter() - started), done


async def run(seconds: float, batch: int, data_dir: Path) -> list[tuple[str, float, str]]:
    from gateway.auth.apikeys import generate_key
    from gateway.auth.service import AccessConfig
    from gateway.server import OmsService, ServiceConfig
    from oms_actors.domain.stock import ReservationRequest
    from oms_actors.topology import Topology
    from oms_actors.wire import RESERVE_BATCH, ReserveBatch
    from protos.oms.v1 import inventory_pb2, inventory_pb2_grpc

    shutil.rmtree(data_dir, ignore_errors=True)
    key = generate_key()
    service = OmsService(
        ServiceConfig(
            port=0,
            data_dir=data_dir,
            topology=Topology(inventory_shards=1),
            access=AccessConfig(bootstrap_admin_key=key, rate_limits={}),
        )
    )
    await service.start()
    try:
        world = build_world(bench_scenario())
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.port}") as channel:
            await load_world(channel, world, credential=key)
            shard = service.actors.inventory[0]
            rows: list[tuple[str, float, str]] = []
            rate, _ = await _rate(lambda i: shard.ping.remote(), seconds, 1)
            rows.append(("bare actor call, 1 in flight", rate, "calls/s"))
            rate, _ = await _rate(lambda i: shard.ping.remote(), seconds, 8)
            rows.append(("bare actor call, 8 in flight", rate, "calls/s"))

            stock = [(s.location_id, s.sku) for s in world.stock]

            def reserve_batch(i: int) -> bytes:
                requests = [
                    ReservationRequest(
                        order_id=f"B{i}-{j}", line_number=1, location_id=loc, sku=sku, quantity=1
                    )
                    for j, (loc, sku) in enumerate(stock[(i * batch) % len(stock) :][:batch])
                ]
                return RESERVE_BATCH.encode(ReserveBatch(orders=[], requests=requests))

            rate, calls = await _rate(lambda i: shard.reserve.remote(reserve_batch(i)), seconds, 2)
            rows.append((f"reservations, batches of {batch}, 2 in flight", rate * batch, "reservations/s"))
            rows.append(("  reserve calls", rate, "calls/s"))
            skus = [p.sku for p in world.products]
            rate, _ = await _rate(
                lambda i: shard.availability.remote(skus[(i * batch) % len(skus) :][:batch]), seconds, 2
            )
            rows.append((f"availability, {batch} SKUs per call, 2 in flight", rate * batch, "SKUs/s"))
            stub = inventory_pb2_grpc.InventoryServiceStub(channel)
            auth = (("authorization", f"Bearer {key}"),)
            rate, _ = await _rate(
                lambda i: stub.GetAvailability(
                    inventory_pb2.GetAvailabilityRequest(skus=[skus[i % len(skus)]]), metadata=auth
                ),
                seconds,
                16,
            )
            rows.append(("GetAvailability over gRPC, 1 SKU, 16 in flight", rate, "queries/s"))
            rate, _ = await _rate(
                lambda i: stub.GetAvailability(
                    inventory_pb2.GetAvailabilityRequest(skus=skus[(i * 50) % len(skus) :][:50]), metadata=auth
                ),
                seconds,
                16,
            )
            rows.append(("GetAvailability over gRPC, 50 SKUs, 16 in flight", rate * 50, "SKUs/s"))
            return rows
    finally:
        await service.stop(grace_s=1)
        service.stop_dependencies()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/bench-inventory"))
    args = p.parse_args(argv)
    rows = asyncio.run(run(args.seconds, args.batch, args.data_dir))
    table = Table(title="Inventory shard throughput (one shard, embedded Redis, appendfsync everysec)")
    table.add_column("measure")
    table.add_column("rate", justify="right")
    table.add_column("unit")
    for name, rate, unit in rows:
        table.add_row(name, f"{rate:,.0f}", unit)
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
