"""benchmarks.actor_calls measures both paths to one real actor on the session's Ray."""

from __future__ import annotations

import pytest

from benchmarks.actor_calls import measure, print_table

pytestmark = pytest.mark.integration


async def test_both_paths_are_measured_in_every_round(ray_session, capsys):
    from rich.console import Console

    rows = await measure(calls=40, payload_bytes=100, inflight=[1, 4], rounds=2)

    assert [(r.round, r.inflight, r.path) for r in rows] == [
        (k, n, path) for k in (1, 2) for n in (1, 4) for path in ("ray", "direct")
    ]
    assert all(r.rate > 0 and r.wall_ms > 0 and r.caller_cpu_ms >= 0 and r.actor_cpu_ms >= 0 for r in rows)
    print_table(rows, Console(width=120))
    assert capsys.readouterr().out.count("direct") >= 4
