"""The load generator's open loop: a seeded arrival schedule, every arrival sent and counted.

Rates are never asserted from a service: only that the calls the schedule holds were
made, answered and measured from when they were due.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.loadgen import LoadSpec, _requests, arrivals, process_count, run_load


def test_arrivals_are_a_seeded_poisson_schedule_inside_the_window():
    a = arrivals(50.0, 2_000.0, seed=7)
    assert np.array_equal(a, arrivals(50.0, 2_000.0, seed=7))
    assert not np.array_equal(a, arrivals(50.0, 2_000.0, seed=8))
    assert np.all(np.diff(a) > 0) and a[0] >= 0 and a[-1] < 2_000.0
    # 100,000 expected arrivals: the count is within 1% (about 3 standard deviations)...
    assert len(a) == pytest.approx(100_000, rel=0.01)
    # ...and the gaps are exponential: their spread equals their mean.
    gaps = np.diff(a)
    assert gaps.std() == pytest.approx(gaps.mean(), rel=0.02)
    assert len(arrivals(0.0, 10.0, seed=1)) == 0


@pytest.mark.parametrize("view", ["basic", "full"])
def test_batches_ask_for_the_view_the_load_names(view: str):
    from protos.oms.v1 import orders_pb2

    spec = LoadSpec(target="", workload="create_batch", concurrency=1, duration_s=1.0, batch_size=5, batch_view=view)
    batches = _requests(spec, 0)
    first, second = next(batches), next(batches)
    wanted = {"basic": orders_pb2.ORDER_VIEW_BASIC, "full": orders_pb2.ORDER_VIEW_FULL}[view]
    assert (first.view, second.view) == (wanted, wanted)
    assert len(first.orders) == len(second.orders) == 5
    assert first.orders[0].idempotency_key != second.orders[0].idempotency_key


@pytest.mark.integration
async def test_open_loop_sends_every_scheduled_call_and_times_it_from_its_arrival(deployments):
    deployment = await deployments(8)
    spec = LoadSpec(
        target=deployment.target,
        workload="empty",
        concurrency=64,
        duration_s=1.0,
        warmup_s=0.3,
        processes=2,
        credential=deployment.credential,
        rate_per_s=300.0,
    )
    result = await asyncio.to_thread(run_load, spec)
    procs = process_count(spec)
    share = spec.rate_per_s / procs
    # The calls due inside the measured window, from the same schedules the children drew.
    due = sum(
        int(np.count_nonzero(arrivals(share, spec.warmup_s + spec.duration_s, seed=spec.seed * 1000 + i) >= spec.warmup_s))
        for i in range(procs)
    )
    assert result.errors == {}
    assert result.calls == due == len(result.latencies_s)
    assert np.all(result.latencies_s > 0)
    assert result.rate == pytest.approx(due / spec.duration_s)



def _short_batches(deployment, workload: str, *, concurrency: int, batch_size: int, run_id: str) -> LoadSpec:
    """Half a second of batch calls from one client process, after a fifth of a second's warm-up."""
    return LoadSpec(
        target=deployment.target,
        workload=workload,
        concurrency=concurrency,
        duration_s=0.5,
        warmup_s=0.2,
        processes=1,
        batch_size=batch_size,
        credential=deployment.credential,
        run_id=run_id,
    )


@pytest.mark.integration
async def test_the_batch_ceiling_sends_create_orders_batches_to_the_empty_method_and_places_nothing(deployments):
    from benchmarks.capture import load_bench_world
    from oms_actors.store.connection import connect

    deployment = await deployments(10)
    # The world the batches' orders are for: sent to CreateOrders, they would be placed.
    await load_bench_world(deployment.target, deployment.credential)
    spec = _short_batches(deployment, "empty_batch", concurrency=2, batch_size=7, run_id="ceiling")
    redis = connect(deployment.redis_url)
    try:
        keys_before = sorted(redis.keys("*"))
        result = await asyncio.to_thread(run_load, spec)
        assert result.errors == {}
        assert result.calls > 0 and result.items == 7 * result.calls
        # The batches reached no order shard: the store holds exactly what it held.
        assert sorted(redis.keys("*")) == keys_before
    finally:
        redis.close()


@pytest.mark.integration
async def test_the_gateway_counts_the_order_shard_batches_a_load_made(deployments):
    from benchmarks.capture import GatewayBatches, load_bench_world, measured

    deployment = await deployments(15)
    await load_bench_world(deployment.target, deployment.credential)
    counts = GatewayBatches(deployment.target, deployment.credential)
    batches0, orders0 = await asyncio.to_thread(counts)
    # Three seconds measured with two calls in flight, so that batches go out inside the
    # window however slow the box is (a box with twice its cores' work elsewhere still does).
    spec = replace(_short_batches(deployment, "create_batch", concurrency=2, batch_size=6, run_id="counted"), duration_s=3.0)
    window = await asyncio.to_thread(measured, spec, os.getpid(), batches=counts)
    batches1, orders1 = await asyncio.to_thread(counts)
    assert window.result.errors == {} and window.result.items > 0
    # Every order placed went in one of the counted batches, warm-up included; none was empty.
    assert orders1 - orders0 >= window.result.items
    assert 0 < batches1 - batches0 <= orders1 - orders0
    # The window's own reading (this process serves the load): orders per batch, and the box's switches.
    assert window.orders_per_batch >= 1 and window.switches > 0
    # Without the admin key the counts are not read: the benchmark shows "-" then.
    assert GatewayBatches(deployment.target, "omsk_0000000000000000_nope")() is None
