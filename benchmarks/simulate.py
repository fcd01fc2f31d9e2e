"""``oms simulate``: a planner's day through the real service, and the report it leaves.

    oms simulate normal-day                      # start oms serve, drive the day, write reports/normal-day-<time>/
    oms simulate peak-day --clients 3            # more client processes where two cannot saturate it
    oms simulate --replay reports/normal-day-… --scenario warehouse-closed   # the recorded day, other network
    oms simulate smoke --target host:port --api-key-file key   # a running service

By default it starts ``oms serve`` as a child on the embedded defaults (a local Ray,
an embedded Redis in a fresh data folder) with ``--bench-empty`` and a bootstrap
admin key made for it, and without a rate limit on that admin key, which here
speaks for every channel at once. ``--target`` drives a running service instead
(plaintext gRPC, or TLS with ``--tls-ca`` and, for mutual TLS, ``--tls-cert`` and
``--tls-key``), with the key in ``--api-key-file`` or ``$OMS_API_KEY``; give
``--redis-url`` and ``--ray-address`` too for the Redis and Ray ceilings.

A run: load the scenario's network, catalogue, stock, inbound supply, routing rules
and customers, and issue its gift cards (GiftCardService, as the stores that sold
them would); measure the ceilings; send the day's orders from client processes
(clients.py); drive the rest of the day (lifecycle.py); source the same orders
offline under each policy (policies.py); write the report (report.py).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import grpc
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from benchmarks.demand import Day, generate_day, unique_requests
from benchmarks.fields import ScenarioError
from benchmarks.recording import FILE_NAME, read_day, write_day
from benchmarks.scenario import Scenario, load_scenario
from benchmarks.service import Deployment, start, stop_service
from benchmarks.world import World, build_world
from gateway.auth.client import ClientTls, bearer, credential_from_env, open_channel
from protos.oms.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    customers_pb2,
    customers_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
    returns_pb2,
    returns_pb2_grpc,
)

CHUNK = 5000  # items per bulk call, under the gateway's limit of 10,000
REPORTS = Path("reports")


@dataclass(frozen=True, kw_only=True)
class Options:
    scenario: Scenario  # network, stock and rules, and the demand unless replaying
    out_dir: Path
    replay: Path | None = None  # a report folder whose recorded demand to send instead
    run_id: str | None = None  # idempotency key prefix (default: from the seed)
    processes: int = 2
    concurrency: int = 64
    speedup: float | None = None
    lifecycle: bool = True
    ceilings: bool = True
    ceiling_seconds: float = 3.0
    quiet: bool = False


# A gateway that does not answer (or speaks TLS to a plaintext client, or the reverse)
# leaves a channel connecting for ever.
CONNECT_TIMEOUT_S = 20.0

# -- loading ------------------------------------------------------------------


async def load_world(
    channel: grpc.aio.Channel,
    world: World,
    *,
    credential: str | None = None,
    customers: list[customers_pb2.Customer] | None = None,
    progress: Any = None,
) -> None:
    """Loads the network, catalogue, stock, inbound supply, routing and risk rules, the tax
    rates and return policy a scenario sets, and customers, as an admin."""
    md = bearer(credential or credential_from_env() or "")
    inventory = inventory_pb2_grpc.InventoryServiceStub(channel)
    stub = customers_pb2_grpc.CustomerServiceStub(channel)
    customers = world.customers if customers is None else customers
    await inventory.UpsertLocations(inventory_pb2.UpsertLocationsRequest(locations=world.locations), metadata=md)
    for i in range(0, len(world.products), CHUNK):
        await inventory.UpsertProducts(inventory_pb2.UpsertProductsRequest(products=world.products[i : i + CHUNK]), metadata=md)
    for i in range(0, len(world.stock), CHUNK):
        await inventory.SetStock(inventory_pb2.SetStockRequest(levels=world.stock[i : i + CHUNK]), metadata=md)
    for i in range(0, len(world.inbound), CHUNK):
        await inventory.SetInboundSupply(inventory_pb2.SetInboundSupplyRequest(supplies=world.inbound[i : i + CHUNK]), metadata=md)
    await inventory.SetRoutingRules(world.routing_rules, metadata=md)
    if world.holidays:
        try:
            await inventory.SetPublicHolidays(inventory_pb2.SetPublicHolidaysRequest(calendars=world.holidays), metadata=md)
        except grpc.aio.AioRpcError as err:
            # A service from before public holidays (benchmarks.alternate's other side) runs
            # without them: its promises may fall on a holiday, nothing else changes.
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise
    try:
        await orders_pb2_grpc.OrderServiceStub(channel).SetRiskRules(
            orders_pb2.SetRiskRulesRequest(rules=world.risk_rules), metadata=md
        )
    except grpc.aio.AioRpcError as err:
        # A service from before SetRiskRules (a --target, or benchmarks.alternate's other
        # side) runs on its defaults, which is what a scenario without risk_rules asks for.
        if err.code() != grpc.StatusCode.UNIMPLEMENTED or world.scenario.risk_rules is not None:
            raise
    rates, policy = world.scenario.tax_rates_message(), world.scenario.return_policy_message()
    if rates is not None:
        await billing_pb2_grpc.BillingServiceStub(channel).SetTaxRates(billing_pb2.SetTaxRatesRequest(rates=rates), metadata=md)
    if policy is not None:
        await returns_pb2_grpc.ReturnServiceStub(channel).SetReturnPolicy(
            returns_pb2.SetReturnPolicyRequest(policy=policy), metadata=md
        )
    gate = asyncio.Semaphore(64)

    async def upsert(c: customers_pb2.Customer) -> None:
        async with gate:
            await stub.UpsertCustomer(customers_pb2.UpsertCustomerRequest(customer=c), metadata=md)
        if progress is not None:
            progress(1)

    await asyncio.gather(*(upsert(c) for c in customers))


async def issue_gift_cards(channel: grpc.aio.Channel, day: Day, *, credential: str | None = None) -> int:
    """Issues the day's gift cards through GiftCardService, as the stores that sold them would."""
    from protos.oms.v1 import common_pb2, payments_pb2, payments_pb2_grpc

    md = bearer(credential or credential_from_env() or "")
    stub = payments_pb2_grpc.GiftCardServiceStub(channel)
    gate = asyncio.Semaphore(64)

    async def issue(number: str, amount: int, customer_id: str) -> None:
        request = payments_pb2.IssueGiftCardRequest(
            # Keyed by the card number: issuing the same day again changes nothing.
            idempotency_key=f"sim-issue-{number}",
            amount=common_pb2.Money(amount_minor=amount, currency=day.currency),
            number=number,
            customer_id=customer_id,
        )
        async with gate:
            try:
                await stub.IssueGiftCard(request, metadata=md)
            except grpc.aio.AioRpcError as err:
                if err.code() is not grpc.StatusCode.ALREADY_EXISTS:  # issued by an earlier run
                    raise

    await asyncio.gather(*(issue(g.number, g.amount_minor, g.customer_id) for g in day.gift_cards))
    return len(day.gift_cards)


# -- progress -----------------------------------------------------------------


class Bars:
    """One rich progress bar per phase, created as phases start."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for task in self.tasks.values():
            t = self.progress.tasks[task]
            if t.total is None:
                self.progress.update(task, total=t.completed)
        self.progress.__exit__(*exc)

    def task(self, name: str, total: int | None = None) -> Any:
        if name not in self.tasks:
            if not self.progress.console.is_terminal and not self.progress.disable:
                self.progress.console.print(f"{name} ...")  # no live bars in a log: say where the run is
            self.tasks[name] = self.progress.add_task(name, total=total, note="")
        elif total is not None:
            self.progress.update(self.tasks[name], total=(self.progress.tasks[self.tasks[name]].total or 0) + total)
        return self.tasks[name]

    def phase(self, name: str, advance: int, total: int | None) -> None:
        task = self.task(name, total)
        if advance:
            self.progress.advance(task, advance)

    def set(self, name: str, completed: int, note: str = "") -> None:
        self.progress.update(self.task(name), completed=completed, note=note)


# -- the run ------------------------------------------------------------------


async def simulate(deployment: Deployment, options: Options, *, console: Console | None = None) -> tuple[dict[str, Any], Path]:
    """Runs the day against ``deployment``; returns the summary and the report folder."""
    from benchmarks import ceilings as ceiling_probes
    from benchmarks import figures, lifecycle, plots, policies, report
    from benchmarks.clients import ClientPlan, send_day
    from benchmarks.page import render

    console = console or Console()
    s = options.scenario
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    started_at = dt.datetime.now(dt.UTC)
    phases: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        phases[name] = now - clock
        clock = now

    world = build_world(s)
    if options.replay is not None:
        day = read_day(options.replay)
        recorded = json.loads((options.replay / "scenario.json").read_text()) if (options.replay / "scenario.json").exists() else {}
    else:
        day = generate_day(s, world, run_id=options.run_id)
        recorded = {}
    warnings = _warnings(day, world, deployment)
    for w in warnings:
        console.print(f"[yellow]warning:[/] {w}")
    # As recorded (a replay's report holds the same requests); sent with its asked-for
    # delivery days moved to today's, as many days ahead as when it was recorded.
    digest = write_day(day, out / FILE_NAME)
    day = day.asked_from(dt.datetime.now(dt.UTC).date())
    (out / "scenario.json").write_text(s.to_json())
    md = bearer(deployment.credential)
    console.print(
        f"[bold]{s.name}[/]: {len(day.requests):,} CreateOrder requests ({len(unique_requests(day.requests)):,} orders), "
        f"{len(world.locations)} locations, {len(world.products):,} SKUs, {len(world.stock):,} stock levels, "
        f"{len(day.customers):,} customers, {len(day.gift_cards):,} gift cards → {deployment.target}"
    )
    summary: dict[str, Any] = {}
    after = None
    rpcs: list[dict[str, Any]] = []
    with Bars(console, options.quiet) as bars:
        async with open_channel(deployment.target, deployment.tls) as channel:
            try:
                await asyncio.wait_for(channel.channel_ready(), CONNECT_TIMEOUT_S)
            except asyncio.TimeoutError:
                raise ConnectionError(
                    f"no connection to {deployment.target} within {CONNECT_TIMEOUT_S:.0f} s "
                    f"({'TLS' if deployment.tls else 'plaintext'}: does the gateway speak the same?)"
                ) from None
            bars.task("load world", len(day.customers))
            await load_world(channel, world, credential=deployment.credential, customers=day.customers, progress=lambda n: bars.phase("load world", n, None))
            if day.gift_cards:
                await issue_gift_cards(channel, day, credential=deployment.credential)
            lap("load")
            measured = []
            if options.ceilings:
                bars.task("ceilings", 3)
                seconds = options.ceiling_seconds
                for probe in (
                    ceiling_probes.empty_grpc(deployment, processes=options.processes, concurrency=options.concurrency, seconds=seconds),
                    ceiling_probes.ray_actor(deployment, inflight=min(options.concurrency, 32), seconds=seconds),
                    ceiling_probes.redis_ping(deployment, processes=options.processes, concurrency=options.concurrency, seconds=seconds),
                ):
                    measured.append(await probe)  # one at a time: each alone on the machine
                    bars.phase("ceilings", 1, None)
            lap("ceilings")

            bars.task("capture", len(day.requests))
            capture_started = time.monotonic()
            capture_started_ms = time.time_ns() // 1_000_000  # orders created from here are this day's

            def on_capture(done: int) -> None:
                elapsed = time.monotonic() - capture_started
                bars.set("capture", done, f"{done / elapsed if elapsed else 0:,.0f} orders/s")

            plan = ClientPlan(
                target=deployment.target,
                credential=deployment.credential,
                demand_path=out / FILE_NAME,
                processes=options.processes,
                concurrency=options.concurrency,
                speedup=options.speedup,
                tls=deployment.tls,
            )
            outcomes, capture_wall = await send_day(plan, out, on_capture)
            lap("capture")

            ok = [o for o in outcomes if o.code == "OK"]
            new = [o for o in ok if not o.replayed]
            if options.lifecycle and ok:
                by_order = {}
                for o in ok:
                    by_order.setdefault(o.order_id, day.requests[o.index])
                life = lifecycle.Lifecycle(
                    channel,
                    md,
                    s,
                    requests=by_order,
                    returnable={p.sku for p in world.products if p.returnable},
                    variants=world.variants,
                    concurrency=options.concurrency,
                    progress=bars.phase,
                    since_ms=capture_started_ms,
                )
                after = await life.run(list(by_order))
                rpcs = life.calls.table()
            lap("rest of the day")

    accepted_requests = [day.requests[o.index] for o in sorted(new, key=lambda o: o.index)]
    console.print(f"sourcing {len(accepted_requests):,} orders offline: optimal, greedy, single-first ...")
    offline = await asyncio.to_thread(policies.compare_policies, s, world, accepted_requests)
    lap("offline policies")

    cap = figures.capture(outcomes, capture_wall)
    ceiling_rows, ratios = figures.ceilings(cap["orders_per_s"], measured)
    policy_rows = figures.policy_rows(new, offline)
    summary = {
        "format": 1,
        "scenario": {
            "name": s.name,
            "description": s.description,
            "seed": s.seed,
            "currency": s.currency,
            "replay_of": {"report": str(options.replay), "scenario": day.scenario, "run_id": day.run_id, "network_of": recorded.get("name")}
            if options.replay is not None
            else None,
        },
        "run": {
            "started_at": started_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "target": deployment.target,
            "pacing": f"open loop, the day at {options.speedup:g}x real time" if options.speedup else "closed loop (as fast as answered)",
            "client_processes": options.processes,
            "concurrency": options.concurrency,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "grpc": grpc.__version__,
            "run_id": day.run_id,
            "requests": len(day.requests),
            "demand_sha256": digest,
            "gift_cards_issued": len(day.gift_cards),
            "warnings": warnings,
            "phases_s": phases,
        },
        "capture": cap,
        "sourcing": figures.sourcing(new),
        "policies": policy_rows,
        "versus": figures.versus(policy_rows),
        "ceilings": ceiling_rows,
        "ceiling_rates": {c.name: c.rate for c in measured},
        "ratios": ratios,
        "timeline": figures.timeline(outcomes),
        "demand_by_hour": figures.demand_by_hour(day),
        "by_hour": figures.by_hour(day, new),
        "by_channel": figures.by_channel(day, new, after),
        "locations": figures.locations(s, new, after, offline),
        "rpcs": rpcs,
    }
    if after is not None:
        summary["lifecycle"] = figures.lifecycle(after)
        summary["payments"] = figures.payments(after)
    report.write_orders_csv(out / "orders.csv", day, outcomes)
    images = await asyncio.to_thread(plots.draw_all, summary, out / "plots")
    lap("report")
    summary["run"]["phases_s"] = phases
    summary["run"]["wall_s"] = sum(phases.values())
    report.write_summary(out, summary)
    (out / "index.html").write_text(render(summary, images))
    report.print_summary(console, summary, out)
    return summary, out


def _warnings(day: Day, world: World, deployment: Deployment) -> list[str]:
    out = []
    known = {p.sku for p in world.products}
    unknown = {line.sku for r in day.requests for line in r.lines} - known
    if unknown:
        out.append(f"{len(unknown)} SKUs of the demand are not in this scenario's catalogue: their orders will be refused")
    active_pickup = set(world.pickup_ids)
    closed = {r.pickup_location_id for r in day.requests if r.pickup_location_id and r.pickup_location_id not in active_pickup}
    if closed:
        out.append(f"pickup orders name stores this network does not offer for pickup: {', '.join(sorted(closed))}")
    return out


# -- the command line -----------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?", default=None, help="a shipped scenario's name (normal-day, peak-day, warehouse-closed, smoke) or a scenario file")
    p.add_argument("--scenario", dest="scenario_option", default=None, help="the same, as an option (with --replay: the network and rules to replay under)")
    p.add_argument("--replay", type=Path, default=None, metavar="REPORT_DIR", help="send the demand recorded in this report folder instead of generating it")
    p.add_argument("--out", type=Path, default=None, help="report folder (default: reports/<scenario>-<time>/)")
    p.add_argument("--orders", type=int, default=None, help="scale the scenario's demand to about this many orders")
    p.add_argument("--clients", type=int, default=2, help="client processes sending orders (default 2)")
    p.add_argument("--concurrency", type=int, default=64, help="CreateOrder calls in flight over all client processes")
    p.add_argument("--speedup", type=float, default=None, help="open loop: run the day this many times faster than real time (default: as fast as answered)")
    p.add_argument("--run-id", default=None, help="idempotency key prefix (default: from the seed, so runs send identical requests)")
    p.add_argument("--no-lifecycle", action="store_true", help="capture only: skip review, shipping, delivery and returns")
    p.add_argument("--no-ceilings", action="store_true", help="skip the empty gRPC, Ray and Redis ceilings")
    p.add_argument("--ceiling-seconds", type=float, default=3.0, help="seconds measured per ceiling")
    p.add_argument("--target", default=None, help="drive a running service at host:port instead of starting one")
    p.add_argument("--api-key-file", type=Path, default=None, help="admin API key for --target (default: $OMS_API_KEY)")
    p.add_argument("--redis-url", default=None, help="with --target: the service's Redis, for gift cards and the Redis ceiling (default: $REDIS_URL)")
    p.add_argument("--ray-address", default=None, help="with --target: the service's Ray, for the Ray ceiling")
    p.add_argument("--ray-namespace", default="oms", help="with --target: the Ray namespace of its actors")
    p.add_argument("--bench-empty", action="store_true", help="with --target: it serves the empty benchmark method")
    p.add_argument("--tls-ca", type=Path, default=None, help="with --target: speak TLS, trusting this PEM CA bundle")
    p.add_argument("--tls-cert", type=Path, default=None, help="with --tls-ca: PEM client certificate (mutual TLS)")
    p.add_argument("--tls-key", type=Path, default=None, help="with --tls-cert: its PEM private key")
    p.add_argument("--tls-server-name", default="", help="with --tls-ca: the name on the server's certificate, if not the target's host")
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/simulate"), help="fresh data folder of the started service")
    p.add_argument("--serve-arg", action="append", default=[], help="extra argument for the started oms serve (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def options_from(args: argparse.Namespace) -> Options:
    name = args.scenario_option or args.scenario
    if args.replay is not None:
        if not (args.replay / FILE_NAME).exists():
            raise SystemExit(f"{args.replay}: no {FILE_NAME} (give a report folder of oms simulate)")
        if name is None:  # the recorded day under its own network: a pure replay
            scenario = Scenario.from_dict(json.loads((args.replay / "scenario.json").read_text()), source=str(args.replay / "scenario.json"))
        else:
            scenario = load_scenario(name)
    else:
        scenario = load_scenario(name or "normal-day")
        if args.orders is not None:
            per_day = scenario.demand.orders_per_day() / (scenario.demand.scale or 1.0)
            scenario = scenario.derive({"demand": {"scale": args.orders / per_day if per_day else 0.0}})
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    label = f"{scenario.name}-replay" if args.replay is not None else scenario.name
    return Options(
        scenario=scenario,
        out_dir=args.out or REPORTS / f"{label}-{stamp}",
        replay=args.replay,
        run_id=args.run_id,
        processes=max(1, args.clients),
        concurrency=max(1, args.concurrency),
        speedup=args.speedup,
        lifecycle=not args.no_lifecycle,
        ceilings=not args.no_ceilings,
        ceiling_seconds=args.ceiling_seconds,
        quiet=args.quiet,
    )


def run(args: argparse.Namespace) -> int:
    console = Console()
    try:
        options = options_from(args)
    except ScenarioError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    started = None
    if args.target is None and (args.tls_ca or args.tls_cert or args.tls_key):
        console.print("[red]--tls-* options go with --target (the service started here speaks plaintext on loopback)[/]")
        return 2
    if args.target is None:
        console.print(f"starting oms serve (embedded Redis and local Ray, data in {args.data_dir}) ...")
        started = start(args.data_dir, extra=["--bench-empty", "--rate-limit", "admin=0", *args.serve_arg])
        deployment = started.deployment
    else:
        credential = args.api_key_file.read_text().strip() if args.api_key_file else credential_from_env()
        if not credential:
            console.print("[red]no API key: give --api-key-file or set $OMS_API_KEY (an admin key of the target)[/]")
            return 2
        if (args.tls_cert is not None or args.tls_key is not None) and args.tls_ca is None:
            console.print("[red]mutual TLS needs --tls-ca too (the CA the gateway's certificate comes from)[/]")
            return 2
        try:
            tls = (
                ClientTls.from_files(ca=args.tls_ca, cert=args.tls_cert, key=args.tls_key, server_name=args.tls_server_name)
                if args.tls_ca is not None
                else None
            )
        except ValueError as exc:  # a certificate without its key, or the reverse
            console.print(f"[red]--tls-cert and --tls-key: {exc}[/]")
            return 2
        deployment = Deployment(
            target=args.target,
            credential=credential,
            redis_url=args.redis_url or os.environ.get("REDIS_URL") or None,
            ray_address=args.ray_address,
            ray_namespace=args.ray_namespace,
            bench_empty=args.bench_empty,
            tls=tls,
        )
    try:
        asyncio.run(simulate(deployment, options, console=console))
    except ConnectionError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    finally:
        if started is not None:
            stop_service(started.proc)
            log = started.data_dir / "serve.log"
            if log.exists() and options.out_dir.exists():
                shutil.copy(log, options.out_dir / "serve.log")
    return 0
