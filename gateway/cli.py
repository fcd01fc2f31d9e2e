"""The ``oms`` command: ``oms serve`` runs the service, ``oms simulate`` drives a day of orders through it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from oms_actors.store.connection import FSYNC_POLICIES
from oms_actors.topology import Topology


def _add_service_args(p: argparse.ArgumentParser, *, default_port: int) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=default_port, help="port (0: any free port)")
    p.add_argument("--redis-url", default=None, help="external Redis (default: $REDIS_URL, else embedded)")
    p.add_argument("--ray-address", default=None, help="Ray cluster (default: $RAY_ADDRESS, else local)")
    p.add_argument("--data-dir", type=Path, default=None, help="embedded Redis data (default: ./.oms-data)")
    p.add_argument("--appendfsync", choices=FSYNC_POLICIES, default="everysec", help="embedded Redis fsync policy")
    p.add_argument("--inventory-shards", type=int, default=None)
    p.add_argument("--order-shards", type=int, default=None)
    p.add_argument("--sourcing-workers", type=int, default=None)


def service_config(args: argparse.Namespace):
    from gateway.server import ServiceConfig

    cfg = ServiceConfig(host=args.host, port=args.port, appendfsync=args.appendfsync)
    cfg.bench_empty = getattr(args, "bench_empty", False)
    cfg.max_batch = getattr(args, "max_batch", cfg.max_batch)
    cfg.max_delay_s = getattr(args, "max_delay_ms", cfg.max_delay_s * 1000) / 1000
    cfg.max_inflight = getattr(args, "max_inflight", cfg.max_inflight)
    if args.redis_url:
        cfg.redis_url = args.redis_url
    if args.ray_address:
        cfg.ray_address = args.ray_address
    if args.data_dir:
        cfg.data_dir = args.data_dir
    counts = (args.inventory_shards, args.order_shards, args.sourcing_workers)
    if any(c is not None for c in counts):
        d = Topology()
        pick = lambda given, default: default if given is None else given  # noqa: E731 - 0 is a valid count
        cfg.topology = Topology(
            inventory_shards=pick(args.inventory_shards, d.inventory_shards),
            order_shards=pick(args.order_shards, d.order_shards),
            sourcing_workers=pick(args.sourcing_workers, d.sourcing_workers),
        )
    return cfg


async def _serve(args: argparse.Namespace) -> int:
    from gateway.server import OmsService

    service = OmsService(service_config(args))
    try:
        port = await service.start()
        print(f"oms gateway listening on {args.host}:{port}", flush=True)
        if args.port_file:
            Path(args.port_file).write_text(str(port))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if stop.is_set():  # a second signal: stop waiting for stragglers
                service.stop_dependencies()
                os._exit(1)
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        await stop.wait()
        print("draining in-flight calls ...", flush=True)
        try:
            await asyncio.wait_for(service.stop(), timeout=service.config.grace_s + 5)
        except asyncio.TimeoutError:
            print("calls still in flight after the grace period; stopping anyway", flush=True)
    finally:
        service.stop_dependencies()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oms", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gateway, the actors and (by default) an embedded Redis")
    _add_service_args(serve, default_port=50051)
    serve.add_argument("--port-file", default=None, help="write the bound port here once listening")
    serve.add_argument("--log-level", default="INFO")
    serve.add_argument("--bench-empty", action="store_true", help="also serve an empty method, the benchmarks' ceiling")
    serve.add_argument("--max-batch", type=int, default=256, help="most orders per actor call")
    serve.add_argument("--max-delay-ms", type=float, default=1.0, help="longest an order waits for its batch")
    serve.add_argument("--max-inflight", type=int, default=1, help="batches in flight per order shard")

    sim = sub.add_parser("simulate", help="drive a multi-channel order day through the real service")
    from benchmarks import simulate

    simulate.add_arguments(sim)

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(args, "log_level", "WARNING"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        return asyncio.run(_serve(args))
    return simulate.run(args)


if __name__ == "__main__":
    sys.exit(main())
