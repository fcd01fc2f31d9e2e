"""What a hand-off between two processes costs this machine: the floor under every hop.

    python -m benchmarks.handoff [--round-trips 20000] [--rounds 2]

Every hop of the service (client to gateway, gateway to order shard, order shard to
Redis and to the inventory shard) wakes another process and waits for its answer. On a
virtual machine a wake-up on another core can cost more than the Python work it hands
over, so this prints, beside a system call and a send and receive within one process,
a round trip of a small message between two processes over a Unix socket pair: left to
the scheduler, both on one core, and on two different cores (when the machine has them
and lets a process pick its cores). For each, the wall time and the whole box's CPU per
round trip (every process, as ``benchmarks.capture`` reads it). The capture benchmark's
context switches per call, times these, are what a call's hand-offs cost.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import socket
import sys
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from benchmarks.box import box_busy_s

MESSAGE = b"x" * 100


@dataclass(frozen=True)
class Handoff:
    name: str
    wall_us: float  # per operation
    box_cpu_us: float  # the whole box's busy CPU per operation


def _timed(name: str, count: int, run) -> Handoff:
    box0, t0 = box_busy_s(), time.perf_counter()
    run()
    wall, box = time.perf_counter() - t0, box_busy_s() - box0
    return Handoff(name=name, wall_us=wall / count * 1e6, box_cpu_us=box / count * 1e6)


def syscall(count: int) -> Handoff:
    libc = ctypes.CDLL(None)

    def run() -> None:
        for _ in range(count):
            libc.getppid()

    return _timed("a system call (getppid)", count, run)


def local_send(count: int) -> Handoff:
    a, b = socket.socketpair()
    try:

        def run() -> None:
            for _ in range(count):
                a.send(MESSAGE)
                b.recv(1024)

        return _timed("send and receive in one process", count, run)
    finally:
        a.close()
        b.close()


def round_trip(count: int, cores: tuple[int, int] | None, name: str) -> Handoff | None:
    """A message to a child process and back, ``count`` times; ``cores``: (ours, the child's)."""
    if cores is not None and not hasattr(os, "sched_setaffinity"):
        return None
    a, b = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child answers every message, then leaves without cleanup of the parent's state
        try:
            a.close()
            if cores is not None:
                os.sched_setaffinity(0, {cores[1]})
            for _ in range(count):
                b.send(b.recv(1024))
        finally:
            os._exit(0)
    b.close()
    before = os.sched_getaffinity(0) if cores is not None else None
    try:
        if cores is not None:
            os.sched_setaffinity(0, {cores[0]})

        def run() -> None:
            for _ in range(count):
                a.send(MESSAGE)
                a.recv(1024)

        return _timed(name, count, run)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
        a.close()
        os.waitpid(pid, 0)


def measure(round_trips: int) -> list[Handoff]:
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    found = [
        syscall(round_trips * 5),
        local_send(round_trips),
        round_trip(round_trips, None, "round trip between two processes, left to the scheduler"),
    ]
    if cores:
        found.append(round_trip(round_trips, (cores[0], cores[0]), "round trip, both processes on one core"))
    if len(cores) >= 2:
        found.append(round_trip(round_trips, (cores[0], cores[1]), "round trip, the processes on two cores"))
    return [h for h in found if h is not None]


def table(rounds: list[list[Handoff]]) -> Table:
    t = Table(title="Hand-offs on this machine (per operation)")
    t.add_column("operation")
    for i in range(len(rounds)):
        t.add_column(f"round {i + 1}: wall us", justify="right")
        t.add_column(f"round {i + 1}: box CPU us", justify="right")
    for j, first in enumerate(rounds[0]):
        t.add_row(first.name, *(f"{v:.2f}" for r in rounds for v in (r[j].wall_us, r[j].box_cpu_us)))
    return t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--round-trips", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    if not hasattr(os, "fork"):
        Console().print("[red]needs os.fork (Linux, macOS)[/red]")
        return 2
    rounds = [measure(args.round_trips) for _ in range(args.rounds)]
    Console(width=max(Console().width, 120)).print(table(rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
