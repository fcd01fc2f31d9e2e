"""The gateway's RPC counts and latency histograms, as Prometheus reads them. Pure."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry

from gateway.metrics import RedisSnapshot, ServiceCollector
from gateway.rpc_metrics import RpcMetrics

CREATE = "/oms.v1.OrderService/CreateOrder"


def scraped(rpc: RpcMetrics, redis: RedisSnapshot | None | str = "none") -> str:
    registry = CollectorRegistry(auto_describe=False)
    probe = None if redis == "none" else (lambda: redis)
    registry.register(ServiceCollector(rpc, order_shards=lambda: [], batches=lambda: (3, 40), redis_probe=probe))
    return generate_latest(registry).decode()


def test_calls_are_counted_by_method_and_code_with_their_latency_in_cumulative_buckets():
    rpc = RpcMetrics()
    for seconds in (0.0004, 0.001, 0.03, 0.03, 12.0):
        rpc.observe(CREATE, "OK", seconds)
    rpc.observe(CREATE, "INVALID_ARGUMENT", 0.0002)
    text = scraped(rpc)
    labels = 'grpc_method="CreateOrder",grpc_service="oms.v1.OrderService"'
    assert f'grpc_server_handled_total{{grpc_code="OK",{labels}}} 5.0' in text
    assert f'grpc_server_handled_total{{grpc_code="INVALID_ARGUMENT",{labels}}} 1.0' in text
    # A call of exactly a bucket's bound is in it ("le"); the buckets count everything below them.
    assert f'grpc_server_handling_seconds_bucket{{{labels},le="0.001"}} 3.0' in text
    assert f'grpc_server_handling_seconds_bucket{{{labels},le="0.05"}} 5.0' in text
    assert f'grpc_server_handling_seconds_bucket{{{labels},le="10.0"}} 5.0' in text
    assert f'grpc_server_handling_seconds_bucket{{{labels},le="+Inf"}} 6.0' in text
    assert f"grpc_server_handling_seconds_count{{{labels}}} 6.0" in text
    assert f"grpc_server_handling_seconds_sum{{{labels}}} 12.0616" in text
    assert "oms_gateway_order_batches_total 3.0" in text and "oms_gateway_batched_orders_total 40.0" in text


def test_nothing_called_yet_is_an_empty_but_valid_scrape():
    text = scraped(RpcMetrics())
    assert "# TYPE grpc_server_handled_total counter" in text and "grpc_code=" not in text


def test_redis_is_reported_from_its_info_and_each_order_shards_stream():
    info = {
        "used_memory": 1_048_576, "maxmemory": 0, "connected_clients": 12, "total_commands_processed": 9_000,
        "aof_enabled": 1, "aof_rewrite_in_progress": 0, "aof_last_write_status": "err", "aof_last_bgrewrite_status": "ok",
        "rdb_last_bgsave_status": "ok",
    }  # fmt: skip
    text = scraped(RpcMetrics(), RedisSnapshot(ping_s=0.0005, info=info, stream_entries=[40, 7]))
    assert "oms_redis_up 1.0" in text and "oms_redis_ping_seconds 0.0005" in text
    assert "oms_redis_used_memory_bytes 1.048576e+06" in text and "oms_redis_connected_clients 12.0" in text
    assert "oms_redis_commands_processed_total 9000.0" in text
    assert "oms_redis_aof_last_write_ok 0.0" in text and "oms_redis_aof_last_rewrite_ok 1.0" in text  # writes refused
    assert 'oms_order_events_stream_entries{shard="0"} 40.0' in text and 'oms_order_events_stream_entries{shard="1"} 7.0' in text


def test_redis_that_does_not_answer_is_down_and_nothing_else_of_it_is_reported():
    text = scraped(RpcMetrics(), None)
    assert "oms_redis_up 0.0" in text and "oms_redis_used_memory_bytes" not in text
    assert "oms_redis_up" not in scraped(RpcMetrics())  # no probe: no Redis families at all


def test_each_inventory_shard_reports_what_it_holds_and_one_that_did_not_answer_only_that_it_is_down():
    collector = ServiceCollector(RpcMetrics(), order_shards=lambda: [], batches=lambda: (0, 0))
    answered = {"loaded": True, "stock_rows": 120, "reservations": 7, "reserved_units": 9, "commits": 33}
    families = {f.name: f for f in collector._inventory_shards([answered, None, {"loaded": False}])}
    samples = {(f, s.labels["shard"]): s.value for f, family in families.items() for s in family.samples}
    assert samples[("oms_inventory_shard_up", "0")] == 1 and samples[("oms_inventory_shard_up", "1")] == 0
    assert samples[("oms_inventory_shard_stock_rows", "0")] == 120 and ("oms_inventory_shard_stock_rows", "1") not in samples
    assert samples[("oms_inventory_shard_reserved_units", "0")] == 9 and samples[("oms_inventory_shard_reservations", "0")] == 7
    assert samples[("oms_inventory_shard_commits", "0")] == 33
    # Up, but its book not read yet: nothing it holds is reported rather than zeros.
    assert samples[("oms_inventory_shard_up", "2")] == 1 and samples[("oms_inventory_shard_loaded", "2")] == 0
    assert ("oms_inventory_shard_stock_rows", "2") not in samples and samples[("oms_inventory_shard_loaded", "0")] == 1


def test_each_location_s_returns_backlog_is_summed_over_the_order_shards_with_its_oldest_wait():
    from gateway.metrics import _returns_backlog

    shard_a = {"ST-1": {"received": (2, 1_000_000), "authorized": (1, 5_000_000)}}
    shard_b = {"ST-1": {"received": (1, 400_000)}, "DC-1": {"at_repair": (3, 2_000_000)}}
    families = {f.name: f for f in _returns_backlog([shard_a, shard_b], now_s=10_000.0)}
    samples = {
        (name, s.labels["location"], s.labels["state"]): s.value for name, family in families.items() for s in family.samples
    }
    assert samples[("oms_returns_waiting", "ST-1", "received")] == 3
    assert samples[("oms_returns_oldest_waiting_seconds", "ST-1", "received")] == 10_000 - 400
    assert samples[("oms_returns_waiting", "ST-1", "authorized")] == 1
    assert samples[("oms_returns_waiting", "DC-1", "at_repair")] == 3
    assert ("oms_returns_waiting", "DC-1", "received") not in samples
