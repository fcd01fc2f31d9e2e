"""Prometheus metrics of one gateway: its RPCs, and the actors behind it as they stand.

What a platform team scales from and alerts on: calls by method and status code,
their latency, the batches the gateway sent the order shards, and per order shard the
open orders it holds, those its reconciler has to look at (steps pending), those whose
last save lost its answer, and whether it answered the scrape at all; per inventory shard
the stock rows, reservations and reserved units it holds and the changes it committed. Of Redis, where
every acknowledged order lives: whether it answers and how fast, its memory against its
limit, whether its append-only file still writes (an order is acknowledged only once it
is there), and how long each order shard's event stream has grown.

Calls are counted in plain dictionaries on the gateway's event loop (a few dictionary
updates per call, no lock: the capture path runs through here); the families are
built when Prometheus scrapes, on the exporter's thread, which also asks the actors
for their ``stats()`` through Ray, bounded by a timeout so a dead shard shows as down
rather than hanging the scrape.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import ray
import redis
from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from gateway.rpc_metrics import BUCKETS, RpcMetrics
from oms_actors.store import keys

log = logging.getLogger(__name__)

ACTOR_STATS_TIMEOUT_S = 2.0


def _method_labels(method: str) -> tuple[str, str]:
    """``/oms.v1.OrderService/CreateOrder`` -> (``oms.v1.OrderService``, ``CreateOrder``)."""
    service, _, name = method.strip("/").partition("/")
    return service, name


class ServiceCollector(Collector):
    """Builds every family at scrape time from the gateway's counts and the actors' stats."""

    def __init__(
        self,
        rpc: RpcMetrics,
        *,
        order_shards: Callable[[], list[Any]],
        batches: Callable[[], tuple[int, int]],
        inventory_shards: Callable[[], list[Any]] = list,
        redis_probe: Callable[[], RedisSnapshot | None] | None = None,
    ) -> None:
        self.rpc = rpc
        self.order_shards = order_shards
        self.inventory_shards = inventory_shards
        self.batches = batches
        self.redis_probe = redis_probe

    def collect(self) -> Iterator[Any]:
        handled = CounterMetricFamily(
            "grpc_server_handled", "RPCs completed on the server, by method and status code",
            labels=["grpc_service", "grpc_method", "grpc_code"],
        )  # fmt: skip
        for (method, code), n in sorted(dict(self.rpc.handled).items()):
            handled.add_metric([*_method_labels(method), code], n)
        yield handled
        latency = HistogramMetricFamily(
            "grpc_server_handling_seconds", "Time to answer an RPC, from its arrival to its status",
            labels=["grpc_service", "grpc_method"],
        )  # fmt: skip
        for method, counts in sorted(self.rpc.latency().items()):
            cumulative, buckets = 0.0, []
            for bound, n in zip((*BUCKETS, float("inf")), counts[:-1]):
                cumulative += n
                buckets.append((_bound(bound), cumulative))
            latency.add_metric(list(_method_labels(method)), buckets, counts[-1])
        yield latency
        sent, carried = self.batches()
        yield CounterMetricFamily("oms_gateway_order_batches", "Batches of new orders sent to the order shards", value=sent)
        yield CounterMetricFamily("oms_gateway_batched_orders", "New orders those batches carried", value=carried)
        orders, inventory = self.order_shards(), self.inventory_shards()
        # One wait for every shard's answer: a scrape takes at most one timeout, not one per shard.
        answers = _stats_of([*orders, *inventory]) if orders or inventory else []  # none: no Ray call at all
        yield from self._order_shards(answers[: len(orders)])
        yield from self._inventory_shards(answers[len(orders) :])
        if self.redis_probe is not None:
            yield from redis_families(self.redis_probe())

    def _order_shards(self, answers: list[Any]) -> Iterator[Any]:
        up = GaugeMetricFamily("oms_order_shard_up", "1 if the order shard answered the scrape", labels=["shard"])
        gauges = {
            "orders": GaugeMetricFamily("oms_order_shard_open_orders", "Open orders the shard holds", labels=["shard"]),
            "attention": GaugeMetricFamily(
                "oms_order_shard_attention_orders", "Orders accepted or with steps pending: the reconciler's list",
                labels=["shard"],
            ),
            "uncertain": GaugeMetricFamily(
                "oms_order_shard_uncertain_orders", "New orders whose first save lost its answer, not yet read back",
                labels=["shard"],
            ),
            "unsure": GaugeMetricFamily(
                "oms_order_shard_unsure_orders", "Placed orders whose last save lost its answer, not yet read back",
                labels=["shard"],
            ),
            "awaiting_delivery": GaugeMetricFamily(
                "oms_orders_awaiting_delivery", "Open orders with a promised line not all delivered", labels=["shard"],
            ),
            "late": GaugeMetricFamily(
                "oms_orders_late",
                "Of them, those with a line late today (re-sourced or reported past its promise, or its promised day gone by)",
                labels=["shard"],
            ),
        }  # fmt: skip
        for shard, answer in enumerate(answers):
            label = [str(shard)]
            up.add_metric(label, 0 if answer is None else 1)
            if answer is not None:
                for key, family in gauges.items():
                    if key in answer:  # a shard of an older version reports fewer
                        family.add_metric(label, answer[key])
        yield up
        yield from gauges.values()
        yield from _returns_backlog([a["returns"] for a in answers if a is not None and "returns" in a], time.time())

    def _inventory_shards(self, answers: list[Any]) -> Iterator[Any]:
        up = GaugeMetricFamily(
            "oms_inventory_shard_up", "1 if the inventory shard answered the scrape (capture reserves through it)",
            labels=["shard"],
        )  # fmt: skip
        loaded = GaugeMetricFamily(
            "oms_inventory_shard_loaded", "1 once the shard has read its book from Redis (the first call that needs it)",
            labels=["shard"],
        )  # fmt: skip
        families = {
            "stock_rows": GaugeMetricFamily("oms_inventory_shard_stock_rows", "Stock rows (location and SKU) the shard holds", labels=["shard"]),
            "reservations": GaugeMetricFamily(
                "oms_inventory_shard_reservations", "Reservations held (order line and location)", labels=["shard"]
            ),
            "reserved_units": GaugeMetricFamily("oms_inventory_shard_reserved_units", "Units reserved for orders", labels=["shard"]),
            "commits": CounterMetricFamily(
                "oms_inventory_shard_commits", "Stock changes committed since the shard loaded its book", labels=["shard"]
            ),
        }  # fmt: skip
        for shard, answer in enumerate(answers):
            label = [str(shard)]
            up.add_metric(label, 0 if answer is None else 1)
            if answer is not None:
                loaded.add_metric(label, 1 if answer["loaded"] else 0)
            if answer is not None and answer["loaded"]:
                for key, family in families.items():
                    family.add_metric(label, answer[key])
        yield up
        yield loaded
        yield from families.values()


def _stats_of(handles: list[Any]) -> list[Any]:
    """Each actor's ``stats()``, None for one that did not answer in time."""
    try:
        refs = [h.stats.remote() for h in handles]
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=ACTOR_STATS_TIMEOUT_S)
        done = set(ready)
        return [ray.get(ref) if ref in done else None for ref in refs]
    except Exception as exc:  # noqa: BLE001 - a scrape reports the shards down, it does not fail
        log.warning("metrics: actor stats unavailable: %s", exc)
        return [None] * len(handles)


@dataclass(frozen=True, kw_only=True)
class RedisSnapshot:
    """What one scrape read of Redis: its PING's round trip, ``INFO``, and per order shard
    the entries in its event stream."""

    ping_s: float
    info: dict[str, Any]
    stream_entries: list[int]


class RedisProbe:
    """Reads a ``RedisSnapshot`` on the exporter's thread, with its own blocking client:
    the gateway's pool belongs to its event loop. None when Redis does not answer in time."""

    def __init__(self, url: str, order_shards: int, *, timeout_s: float = ACTOR_STATS_TIMEOUT_S) -> None:
        self.order_shards = order_shards
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)

    def __call__(self) -> RedisSnapshot | None:
        try:
            start = time.perf_counter()
            self._client.ping()
            ping_s = time.perf_counter() - start
            pipe = self._client.pipeline(transaction=False)
            pipe.info()
            for shard in range(self.order_shards):
                pipe.xlen(keys.order_events(shard))
            info, *lengths = pipe.execute()
        except (redis.RedisError, OSError) as exc:
            log.warning("metrics: redis unavailable: %s", exc)
            return None
        return RedisSnapshot(ping_s=ping_s, info=info, stream_entries=[int(n) for n in lengths])

    def close(self) -> None:
        self._client.close()


# INFO fields reported as they are: (INFO name, metric, help, counter).
_REDIS_NUMBERS = (
    ("used_memory", "oms_redis_used_memory_bytes", "Memory Redis has allocated for its data", False),
    ("maxmemory", "oms_redis_maxmemory_bytes", "Redis's memory limit (0: none); writes fail beyond it", False),
    ("connected_clients", "oms_redis_connected_clients", "Client connections Redis holds", False),
    ("total_commands_processed", "oms_redis_commands_processed", "Commands Redis has run since it started", True),
    ("aof_enabled", "oms_redis_aof_enabled", "1 if Redis writes an append-only file", False),
    ("aof_rewrite_in_progress", "oms_redis_aof_rewrite_in_progress", "1 while Redis rewrites its append-only file (a child process takes a core)", False),
)  # fmt: skip
# INFO's "ok"/"err" statuses as 1/0: a failed append-only write means Redis refuses writes.
_REDIS_STATUSES = (
    ("aof_last_write_status", "oms_redis_aof_last_write_ok", "1 if Redis's last append-only write succeeded"),
    ("aof_last_bgrewrite_status", "oms_redis_aof_last_rewrite_ok", "1 if Redis's last append-only file rewrite succeeded"),
    ("rdb_last_bgsave_status", "oms_redis_rdb_last_save_ok", "1 if Redis's last snapshot succeeded"),
)  # fmt: skip


def redis_families(snapshot: RedisSnapshot | None) -> Iterator[Any]:
    """Redis's families from one snapshot; of an unanswered one, only ``oms_redis_up`` 0."""
    yield GaugeMetricFamily("oms_redis_up", "1 if Redis answered the scrape", value=0 if snapshot is None else 1)
    if snapshot is None:
        return
    yield GaugeMetricFamily("oms_redis_ping_seconds", "Round trip of a PING from the gateway at the scrape", value=snapshot.ping_s)
    info = snapshot.info
    for field, name, text, counter in _REDIS_NUMBERS:
        if field in info:
            family = CounterMetricFamily if counter else GaugeMetricFamily
            yield family(name, text, value=float(info[field]))
    for field, name, text in _REDIS_STATUSES:
        if field in info:
            yield GaugeMetricFamily(name, text, value=1 if info[field] == "ok" else 0)
    entries = GaugeMetricFamily(
        "oms_order_events_stream_entries", "Entries in the order shard's event stream (trimmed at its cap)",
        labels=["shard"],
    )  # fmt: skip
    for shard, n in enumerate(snapshot.stream_entries):
        entries.add_metric([str(shard)], n)
    yield entries


def _bound(seconds: float) -> str:
    return "+Inf" if seconds == float("inf") else repr(seconds)


class MetricsExporter:
    """Prometheus's text format over HTTP at ``/metrics`` on its own thread."""

    def __init__(self, collector: ServiceCollector) -> None:
        self.collector = collector
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(collector)
        self._server: Any = None
        self.port: int | None = None

    def start(self, host: str, port: int) -> int:
        """Serves on ``host:port`` (0: any free port); returns the port bound."""
        self._server, _ = start_http_server(port, addr=host, registry=self.registry)
        self.port = int(self._server.server_port)
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if isinstance(self.collector.redis_probe, RedisProbe):
            self.collector.redis_probe.close()


def _returns_backlog(per_shard: list[dict[str, dict[str, tuple[int, int]]]], now_s: float) -> Iterator[Any]:
    """What each location's returns desks still have to handle, over every order shard that
    answered (``domain.returns.desk_backlog``): how many, and how long the oldest has waited."""
    waiting = GaugeMetricFamily(
        "oms_returns_waiting",
        "Returns a location still has to handle: authorized (to be brought there), received (to inspect), at_repair",
        labels=["location", "state"],
    )
    oldest = GaugeMetricFamily(
        "oms_returns_oldest_waiting_seconds",
        "How long the oldest of them has waited: since asked for (authorized), since received (received, at_repair)",
        labels=["location", "state"],
    )
    merged: dict[tuple[str, str], tuple[int, int]] = {}
    for backlog in per_shard:
        for location, states in backlog.items():
            for state, (count, since_ms) in states.items():
                before = merged.get((location, state))
                merged[(location, state)] = (count, since_ms) if before is None else (before[0] + count, min(before[1], since_ms))
    for (location, state), (count, since_ms) in sorted(merged.items()):
        waiting.add_metric([location, state], count)
        oldest.add_metric([location, state], max(0.0, now_s - since_ms / 1000))
    yield waiting
    yield oldest
