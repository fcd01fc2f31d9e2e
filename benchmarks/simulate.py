"""``oms simulate``: a day of multi-channel orders through the real service, and its report.

By default it starts ``oms serve`` as a child process on the embedded defaults
(local Ray, embedded Redis in a fresh data folder) with a bootstrap admin key
made for it, and drives it over gRPC with that key, as the channels would;
``--target host:port`` drives a service already running, with the API key in
``--api-key-file`` or ``$OMS_API_KEY``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from benchmarks.demand import order_stream
from benchmarks.fields import ScenarioError
from benchmarks.scenario import Scenario, load_scenario
from benchmarks.world import World, build_world
from gateway.auth.apikeys import generate_key
from gateway.auth.client import bearer, credential_from_env
from gateway.auth.service import BOOTSTRAP_KEY_ENV
from protos.oms.v1 import (
    customers_pb2,
    customers_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
)

CHUNK = 5000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?", default="normal-day", help="a scenario file, or the name of a shipped one")
    p.add_argument("--orders", type=int, default=None, help="scale the scenario's demand to about this many orders")
    p.add_argument("--concurrency", type=int, default=64, help="orders in flight at once")
    p.add_argument("--target", default=None, help="drive a running service at host:port instead of starting one")
    p.add_argument("--api-key-file", type=Path, default=None, help="admin API key for --target (default: $OMS_API_KEY)")
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/simulate"), help="fresh data folder of the started service")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


@dataclass
class Outcome:
    latency_s: float
    code: str  # "OK" or a status code name
    status: int = 0
    replayed: bool = False
    units: int = 0
    allocated: int = 0
    shipments: int = 0
    cost: int = 0
    greedy_cost: int = 0
    optimal: bool = False


@dataclass
class Report:
    scenario: str
    wall_s: float
    outcomes: list[Outcome] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        ok = [o for o in self.outcomes if o.code == "OK" and not o.replayed]
        lat = np.array([o.latency_s for o in self.outcomes]) * 1000 if self.outcomes else np.zeros(1)
        by_status = lambda s: sum(1 for o in ok if o.status == s)  # noqa: E731
        units = sum(o.units for o in ok)
        return {
            "requests": len(self.outcomes),
            "orders accepted": len(ok),
            "allocated": by_status(orders_pb2.ORDER_STATUS_ALLOCATED),
            "partly backordered": by_status(orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED),
            "backordered": by_status(orders_pb2.ORDER_STATUS_BACKORDERED),
            "retries answered with the same order": sum(1 for o in self.outcomes if o.replayed),
            "rejected": sum(1 for o in self.outcomes if o.code != "OK"),
            "throughput (orders/s)": len(self.outcomes) / self.wall_s if self.wall_s else 0.0,
            "latency p50 (ms)": float(np.percentile(lat, 50)),
            "latency p90 (ms)": float(np.percentile(lat, 90)),
            "latency p99 (ms)": float(np.percentile(lat, 99)),
            "latency max (ms)": float(lat.max()),
            "fill rate (units)": sum(o.allocated for o in ok) / units if units else 0.0,
            "split rate (orders > 1 shipment)": sum(1 for o in ok if o.shipments > 1) / len(ok) if ok else 0.0,
            "shipments per order": sum(o.shipments for o in ok) / len(ok) if ok else 0.0,
            "proven optimal sourcing": sum(1 for o in ok if o.optimal) / len(ok) if ok else 0.0,
            "fulfilment cost per order (minor)": sum(o.cost for o in ok) / len(ok) if ok else 0.0,
            "greedy cost per order (minor)": sum(o.greedy_cost for o in ok) / len(ok) if ok else 0.0,
        }

    def rejected_by_code(self) -> dict[str, int]:
        codes: dict[str, int] = {}
        for o in self.outcomes:
            if o.code != "OK":
                codes[o.code] = codes.get(o.code, 0) + 1
        return codes

    def print(self, console: Console) -> None:
        table = Table(title=f"Simulation report: {self.scenario}", show_header=True)
        table.add_column("figure")
        table.add_column("value", justify="right")
        for name, value in self.figures().items():
            table.add_row(name, f"{value:,.0f}" if float(value).is_integer() and "rate" not in name else f"{value:,.3f}")
        console.print(table)
        if self.rejected_by_code():
            console.print(f"rejected by status: {self.rejected_by_code()}")


async def load_world(channel: grpc.aio.Channel, world: World, *, credential: str) -> None:
    """Loads the network, catalogue, stock and customers, as an admin (``credential``)."""
    md = bearer(credential)
    inventory = inventory_pb2_grpc.InventoryServiceStub(channel)
    customers = customers_pb2_grpc.CustomerServiceStub(channel)
    await inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=world.locations), metadata=md)
    for i in range(0, len(world.products), CHUNK):
        await inventory.UpsertProducts(
            inventory_pb2.UpsertProductsRequest(products=world.products[i : i + CHUNK]), metadata=md
        )
    for i in range(0, len(world.stock), CHUNK):
        await inventory.SetStock(inventory_pb2.SetStockRequest(levels=world.stock[i : i + CHUNK]), metadata=md)
    for i in range(0, len(world.inbound), CHUNK):
        await inventory.SetInboundSupply(inventory_pb2.SetInboundSupplyRequest(supplies=world.inbound[i : i + CHUNK]), metadata=md)
    sem = asyncio.Semaphore(64)

    async def upsert(c: customers_pb2.Customer) -> None:
        async with sem:
            await customers.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=c), metadata=md)

    await asyncio.gather(*(upsert(c) for c in world.customers))


async def drive(
    target: str,
    scenario: Scenario,
    *,
    concurrency: int,
    quiet: bool = False,
    console: Console | None = None,
    credential: str | None = None,
) -> Report:
    """Drives the scenario with an admin key: ``credential``, else ``$OMS_API_KEY``."""
    console = console or Console()
    credential = credential or credential_from_env()
    if not credential:
        raise SystemExit("no API key: give --api-key-file or set $OMS_API_KEY (an admin key of the target)")
    md = bearer(credential)
    world = build_world(scenario)
    async with grpc.aio.insecure_channel(target) as channel:
        await channel.channel_ready()
        console.print(
            f"loading {len(world.locations)} locations, {len(world.products)} SKUs, "
            f"{len(world.stock)} stock levels, {len(world.customers)} customers ..."
        )
        await load_world(channel, world, credential=credential)
        stub = orders_pb2_grpc.OrderServiceStub(channel)
        requests = list(order_stream(scenario, world, run_id=uuid.uuid4().hex[:8]))
        queue: asyncio.Queue[orders_pb2.CreateOrderRequest] = asyncio.Queue()
        for r in requests:
            queue.put_nowait(r)
        report = Report(scenario=scenario.name, wall_s=0.0)
        progress = Progress(
            TextColumn("[bold]orders"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>7.0f}/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
        )
        task = progress.add_task("orders", total=len(requests), rate=0.0)
        started = time.perf_counter()

        async def client() -> None:
            while not queue.empty():
                req = queue.get_nowait()
                t0 = time.perf_counter()
                try:
                    resp = await stub.CreateOrder(req, timeout=30, metadata=md)
                except grpc.aio.AioRpcError as err:
                    report.outcomes.append(Outcome(latency_s=time.perf_counter() - t0, code=err.code().name))
                else:
                    o = resp.order
                    report.outcomes.append(
                        Outcome(
                            latency_s=time.perf_counter() - t0,
                            code="OK",
                            status=o.status,
                            replayed=resp.replayed,
                            units=sum(line.quantity for line in o.lines),
                            allocated=sum(line.quantity - line.backordered_quantity for line in o.lines),
                            shipments=o.sourcing.shipments,
                            cost=o.sourcing.cost_minor,
                            greedy_cost=o.sourcing.greedy_cost_minor,
                            optimal=o.sourcing.status == "OPTIMAL",
                        )
                    )
                elapsed = time.perf_counter() - started
                progress.update(task, advance=1, rate=len(report.outcomes) / elapsed if elapsed else 0.0)

        with progress:
            await asyncio.gather(*(client() for _ in range(concurrency)))
        report.wall_s = time.perf_counter() - started
        return report


def start_service(data_dir: Path, *, extra: list[str] | None = None) -> tuple[subprocess.Popen[bytes], str, str]:
    """Runs ``oms serve`` on the embedded defaults in a fresh data folder with a new bootstrap admin key;
    returns it, its address and the key."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    port_file = data_dir / "port"
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.pop("RAY_ADDRESS", None)
    # In the child's environment, not its command line, which any local user can read.
    key = env[BOOTSTRAP_KEY_ENV] = generate_key()
    cmd = [sys.executable, "-m", "gateway.cli", "serve", "--port", "0", "--port-file", str(port_file)]
    cmd += ["--data-dir", str(data_dir), "--log-level", "WARNING", *(extra or [])]
    log = open(data_dir / "serve.log", "wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while not (port_file.exists() and port_file.read_text()):
        if proc.poll() is not None:
            raise SystemExit(f"oms serve exited early; see {data_dir / 'serve.log'}")
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("oms serve did not start within 180 s")
        time.sleep(0.1)
    return proc, f"127.0.0.1:{port_file.read_text().strip()}", key


def stop_service(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def run(args: argparse.Namespace) -> int:
    console = Console()
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if args.orders is not None:
        per_day = scenario.demand.orders_per_day() / (scenario.demand.scale or 1.0)
        scenario = scenario.derive({"demand": {"scale": args.orders / per_day if per_day else 0.0}})
    proc = None
    target = args.target
    credential = args.api_key_file.read_text().strip() if args.api_key_file else credential_from_env()
    if target is None:
        console.print(f"starting oms serve (embedded Redis and local Ray, data in {args.data_dir}) ...")
        proc, target, credential = start_service(args.data_dir)
    try:
        report = asyncio.run(
            drive(target, scenario, concurrency=args.concurrency, quiet=args.quiet, console=console, credential=credential)
        )
    finally:
        if proc is not None:
            stop_service(proc)
    report.print(console)
    return 0 if report.outcomes else 1
