"""benchmarks.profile: py-spy samples a real service process under a real CreateOrder load."""

from __future__ import annotations

import asyncio
import os

import pytest
from rich.console import Console

from benchmarks.capture import load_bench_world
from benchmarks.loadgen import LoadSpec, run_load
from benchmarks.profile import ProfilerUnavailable, Recording, collect, part_table, py_spy, record

pytestmark = pytest.mark.integration


async def test_the_gateway_is_sampled_while_it_places_orders(deployments, tmp_path):
    py_spy()  # a dependency of the project: missing is a failure, not a skip
    deployment = await deployments(13)
    await load_bench_world(deployment.target, deployment.credential)
    spec = LoadSpec(
        target=deployment.target, workload="create", concurrency=8, duration_s=6.0, warmup_s=0.5,
        processes=1, credential=deployment.credential, run_id="profile-test",
    )  # fmt: skip
    started: list[list[Recording]] = []
    # This process serves the deployment's gRPC calls: the gateway under test. It is sampled
    # over the whole load, densely: on a busy box the gateway may work only a few percent of it.
    result = await asyncio.to_thread(
        run_load, spec, on_go=lambda: started.append(record({os.getpid(): "gateway"}, 6.0, 500, tmp_path))
    )
    try:
        by_part = await asyncio.to_thread(collect, started[0], 60)
    except ProfilerUnavailable as exc:  # a container without the right to trace: nothing to measure here
        pytest.skip(str(exc))

    assert result.errors == {} and result.items > 0
    gateway = by_part["gateway"]
    assert gateway.total > 0
    assert "OrderService.CreateOrder (gateway/services/orders.py)" in gateway.within
    assert (tmp_path / f"gateway-{os.getpid()}.txt").read_text().strip()  # the collapsed stacks, for flame graphs
    console = Console(record=True, width=220)
    console.print(part_table("gateway", gateway, 0.3, top=50))
    text = console.export_text()
    assert "gateway: " in text and "0.300 ms of CPU per item" in text
    assert "OrderService.CreateOrder (gateway/services/orders.py)" in text
