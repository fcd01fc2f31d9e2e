"""What one actor call costs: through Ray, and over the actor's socket (oms_actors/direct.py).

    python -m benchmarks.actor_calls [--calls 3000] [--payload 2000] [--inflight 1,8] [--rounds 2]

Both go to the same actor, with the same bytes, from the same asyncio caller, in
alternating rounds: the rounds show how far the machine drifts between them. For each
it prints calls per second, the wall time per call, and the CPU per call of the
caller and of the actor's process (its Ray threads included). Capture makes two
such calls per batch, so at moderate rates this is a large share of a batch's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import psutil
import ray
from rich.console import Console
from rich.table import Table

from oms_actors.direct import DirectActor, DirectServer, Endpoint


class Echo:
    """An actor with nothing to do but answer, served both ways."""

    def __init__(self) -> None:
        self.direct = DirectServer(self, ("echo",))

    async def echo(self, payload: bytes) -> bytes:
        return payload

    async def direct_endpoint(self) -> Endpoint | None:
        return await self.direct.endpoint()

    def pid(self) -> int:
        return os.getpid()


@dataclass(frozen=True, kw_only=True)
class Measured:
    path: str
    inflight: int
    round: int
    rate: float  # calls/s
    wall_ms: float  # per call, one at a time; with calls in flight, 1000 / rate
    caller_cpu_ms: float
    actor_cpu_ms: float


def _cpu(process: psutil.Process) -> float:
    t = process.cpu_times()
    return t.user + t.system


async def _drive(call: Any, payload: bytes, calls: int, inflight: int) -> float:
    per_worker = calls // inflight

    async def worker() -> None:
        for _ in range(per_worker):
            await call(payload)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    return time.perf_counter() - started


async def measure(*, calls: int, payload_bytes: int, inflight: list[int], rounds: int) -> list[Measured]:
    actor = ray.remote(Echo).options(num_cpus=0).remote()
    actor_process = psutil.Process(await actor.pid.remote())
    me = psutil.Process()
    direct = DirectActor(actor)
    payload = os.urandom(payload_bytes)
    paths = {"ray": lambda p: actor.echo.remote(p), "direct": lambda p: direct.call("echo", p)}
    for call in paths.values():  # warm both, and open the socket
        await _drive(call, payload, 200, 1)
    if not direct.direct:
        raise SystemExit("the direct path is off (OMS_DIRECT_CALLS=0?): nothing to compare")
    out: list[Measured] = []
    for round_ in range(1, rounds + 1):
        for n in inflight:
            for path, call in paths.items():
                actor_before, me_before = _cpu(actor_process), _cpu(me)
                wall = await _drive(call, payload, calls, n)
                done = (calls // n) * n
                out.append(
                    Measured(
                        path=path,
                        inflight=n,
                        round=round_,
                        rate=done / wall,
                        wall_ms=1000 * wall / done,
                        caller_cpu_ms=1000 * (_cpu(me) - me_before) / done,
                        actor_cpu_ms=1000 * (_cpu(actor_process) - actor_before) / done,
                    )
                )
    direct.close()
    ray.kill(actor)
    return out


def print_table(rows: list[Measured], console: Console) -> None:
    table = Table(title="One actor call: through Ray (ray), over the actor's Unix socket (direct)")
    for col in ("path", "in flight", "round", "calls/s", "wall ms/call", "caller CPU ms", "actor CPU ms", "CPU ms/call"):
        table.add_column(col, justify="right" if col not in ("path",) else "left")
    for r in rows:
        table.add_row(
            r.path,
            str(r.inflight),
            str(r.round),
            f"{r.rate:,.0f}",
            f"{r.wall_ms:.3f}",
            f"{r.caller_cpu_ms:.3f}",
            f"{r.actor_cpu_ms:.3f}",
            f"{r.caller_cpu_ms + r.actor_cpu_ms:.3f}",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=3000, help="calls per measurement")
    ap.add_argument("--payload", type=int, default=2000, help="bytes sent and answered (a batch of a few orders)")
    ap.add_argument("--inflight", default="1,8", help="calls in flight, comma-separated")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    inflight = [int(x) for x in args.inflight.split(",") if x.strip()]
    ray.init(include_dashboard=False, logging_level="ERROR", num_cpus=2)
    try:
        rows = asyncio.run(measure(calls=args.calls, payload_bytes=args.payload, inflight=inflight, rounds=args.rounds))
    finally:
        ray.shutdown()
    print_table(rows, Console())
    return 0


if __name__ == "__main__":
    sys.exit(main())
