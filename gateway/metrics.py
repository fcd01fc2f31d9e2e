"""Prometheus metrics of one gateway: its RPCs, and the actors behind it as they stand.

What a platform team scales from and alerts on: calls by method and status code,
their latency, the batches the gateway sent the order shards, and per order shard the
open orders it holds, those its reconciler has to look at (steps pending), those whose
last save lost its answer, and whether it answered the scrape at all.

Calls are counted in plain dictionaries on the gateway's event loop (a few dictionary
updates per call, no lock: the capture path runs through here); the families are
built when Prometheus scrapes, on the exporter's thread, which also asks the actors
for their ``stats()`` through Ray, bounded by a timeout so a dead shard shows as down
rather than hanging the scrape.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterator

import ray
from prometheus_client import start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

from gateway.rpc_metrics import BUCKETS, RpcMetrics

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
    ) -> None:
        self.rpc = rpc
        self.order_shards = order_shards
        self.inventory_shards = inventory_shards
        self.batches = batches

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
        up = GaugeMetricFamily(
            "oms_inventory_shard_up", "1 if the inventory shard answered the scrape (capture reserves through it)",
            labels=["shard"],
        )  # fmt: skip
        for shard, answer in enumerate(answers[len(orders) :]):
            up.add_metric([str(shard)], 0 if answer is None else 1)
        yield up

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
        }  # fmt: skip
        for shard, answer in enumerate(answers):
            label = [str(shard)]
            up.add_metric(label, 0 if answer is None else 1)
            if answer is not None:
                for key, family in gauges.items():
                    family.add_metric(label, answer[key])
        yield up
        yield from gauges.values()


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


def _bound(seconds: float) -> str:
    return "+Inf" if seconds == float("inf") else repr(seconds)


class MetricsExporter:
    """Prometheus's text format over HTTP at ``/metrics`` on its own thread."""

    def __init__(self, collector: ServiceCollector) -> None:
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
