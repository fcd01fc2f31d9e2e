"""Where the service's CPU goes under a load: py-spy samples each Python process of the service.

    python -m benchmarks.profile [--workload create] [--concurrency 64] [--duration 10]
                                 [--rate 200] [--top 15] [--out DIR]

Starts ``oms serve --bench-empty`` (embedded Redis, local Ray) with the benchmark world,
drives the workload with the load clients of ``benchmarks.capture`` (``create``: single
CreateOrder calls; ``create_batch``: the CreateOrders batch RPC; ``empty``: the empty
method), and samples the gateway and every actor process with py-spy over the measured
window, not the warm-up. Prints, per part of the service, its CPU per item and the
functions that hold most of its active samples: the project's own functions with what
they call, and every function on its own (a leaf in a library's loop or thread, such as
``Runner.run`` or ``Thread.run``, is time in the compiled code under it: uvloop, gRPC's
core, Ray's core worker). Writes each process's samples as collapsed stacks
(``<part>-<pid>.txt``, which flamegraph.pl, inferno and speedscope read).

py-spy reads the processes' memory, so it needs the right to trace them (root,
CAP_SYS_PTRACE, or ``kernel.yama.ptrace_scope`` 0); without it the command says so and
stops. Sampling costs the sampled processes little but takes CPU of its own on the box:
read the rates it prints as rates under a profiler.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.capture import load_bench_world, measured
from benchmarks.loadgen import LoadSpec
from benchmarks.service import start, stop_service, tree_cpu

# Parts of the service that run Python code py-spy can read (Redis and Ray's daemons are C/C++).
PYTHON_PARTS = ("gateway", "order shards", "inventory shards", "sourcing workers")
# The project's own code, where a reader of the profile can act.
OWN_CODE = ("gateway/", "oms_actors/", "optimizer/", "benchmarks/")
# Leaves of threads that wait rather than work, when py-spy counts them anyway.
_WAITING = ("Condition.wait", "select (selectors", "main_loop (", "_worker (concurrent")
_LINE = re.compile(r":\d+\)$")


class ProfilerUnavailable(RuntimeError):
    """py-spy is missing or may not read the service's processes."""


@dataclass
class StackCounts:
    """Active samples of one part of the service, by function: on its own and with what it calls."""

    total: int = 0
    own: Counter[str] = field(default_factory=Counter)
    within: Counter[str] = field(default_factory=Counter)

    def add_collapsed(self, lines: Iterable[str]) -> None:
        """Adds py-spy's collapsed stacks (``outer;...;leaf count``; frames ``name (file:line)``)."""
        for line in lines:
            line = line.strip()
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            frames = [_LINE.sub(")", f) for f in stack.split(";")]
            if not frames or any(marker in frames[-1] for marker in _WAITING):
                continue
            n = int(count)
            self.total += n
            self.own[frames[-1]] += n
            for frame in set(frames):
                self.within[frame] += n

    def share(self, counter: Counter[str], frame: str) -> float:
        return counter[frame] / self.total if self.total else 0.0

    def own_code(self, top: int) -> list[str]:
        """The project's functions holding the most samples with what they call."""
        return [f for f, _ in self.within.most_common() if _file_of(f).startswith(OWN_CODE)][:top]


def _file_of(frame: str) -> str:
    """``name (file)`` -> file."""
    return frame.rpartition(" (")[2].rstrip(")")


@dataclass(frozen=True, kw_only=True)
class Recording:
    part: str
    pid: int
    path: Path
    proc: subprocess.Popen[bytes]


def py_spy() -> str:
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if not found:
        raise ProfilerUnavailable("py-spy is not installed (it comes with this project's dependencies)")
    return found


def record(pids: dict[int, str], seconds: float, rate: int, out: Path) -> list[Recording]:
    """Starts one py-spy per process (pid -> part); each stops by itself after ``seconds``."""
    exe = py_spy()
    out.mkdir(parents=True, exist_ok=True)
    recordings = []
    for pid, part in sorted(pids.items()):
        path = out / f"{part.replace(' ', '-')}-{pid}.txt"
        cmd = [exe, "record", "--duration", str(max(1, round(seconds))), "--rate", str(rate), "--pid", str(pid),
               "--format", "raw", "--output", str(path), "--nonblocking"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        recordings.append(Recording(part=part, pid=pid, path=path, proc=proc))
    return recordings


def collect(recordings: list[Recording], timeout_s: float) -> dict[str, StackCounts]:
    """Waits for every py-spy; the samples by part. A py-spy that could not read its process is an error."""
    by_part: dict[str, StackCounts] = {}
    failures = []
    for rec in recordings:
        try:
            _, err = rec.proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            rec.proc.kill()
            _, err = rec.proc.communicate()
        if rec.proc.returncode != 0 or not rec.path.exists():
            failures.append(f"{rec.part} (pid {rec.pid}): {err.decode(errors='replace').strip()[-300:]}")
            continue
        by_part.setdefault(rec.part, StackCounts()).add_collapsed(rec.path.read_text().splitlines())
    if failures:
        raise ProfilerUnavailable(
            "py-spy could not sample " + "; ".join(failures)
            + " (it needs the right to trace the service's processes: root, CAP_SYS_PTRACE, "
            "or kernel.yama.ptrace_scope 0)"
        )  # fmt: skip
    return by_part


def part_table(part: str, counts: StackCounts, cpu_ms_per_item: float | None, top: int) -> Table:
    title = f"{part}: {counts.total:,} active samples" + (
        f", {cpu_ms_per_item:.3f} ms of CPU per item" if cpu_ms_per_item is not None else ""
    )
    table = Table(title=title, title_justify="left")
    table.add_column("with what it calls", justify="right")
    table.add_column("the project's function (file)")
    table.add_column("on its own", justify="right")
    table.add_column("any function (file)")
    within = counts.own_code(top)
    own = [f for f, _ in counts.own.most_common(top)]
    for i in range(max(len(within), len(own))):
        a = within[i] if i < len(within) else ""
        b = own[i] if i < len(own) else ""
        table.add_row(
            f"{counts.share(counts.within, a):.1%}" if a else "", a[:90],
            f"{counts.share(counts.own, b):.1%}" if b else "", b[:90],
        )  # fmt: skip
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workload", choices=("create", "create_batch", "empty"), default="create")
    p.add_argument("--concurrency", type=int, default=64, help="calls in flight")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--duration", type=float, default=10.0, help="seconds sampled")
    p.add_argument("--rate", type=int, default=200, help="samples per second and process")
    p.add_argument("--top", type=int, default=15, help="functions listed per part")
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/bench-profile"))
    p.add_argument("--out", type=Path, default=None, help="where the collapsed stacks go (default reports/profile-<time>)")
    p.add_argument("--serve-arg", action="append", default=[], help="extra argument for oms serve (repeatable)")
    args = p.parse_args(argv)
    out = args.out or Path("reports") / time.strftime("profile-%Y%m%d-%H%M%S", time.gmtime())
    console = Console(width=max(Console().width, 150))
    try:
        py_spy()
    except ProfilerUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        return 2

    console.print("starting oms serve --bench-empty (embedded Redis, local Ray) ...")
    service = start(args.data_dir, extra=["--bench-empty", *args.serve_arg])
    try:
        asyncio.run(load_bench_world(service.deployment.target, service.deployment.credential))
        spec = LoadSpec(
            target=service.deployment.target, workload=args.workload, concurrency=args.concurrency,
            duration_s=args.duration, processes=args.processes, credential=service.deployment.credential,
            run_id=f"profile-{time.time_ns()}",
        )  # fmt: skip
        parts = {pid: part for pid, (part, _) in tree_cpu(service.proc.pid).items() if part in PYTHON_PARTS}
        started: list[list[Recording]] = []
        # The capture benchmark's own measurement: CPU per item over the measured window,
        # the samplers started as it opens.
        load = measured(
            spec, service.proc.pid, at_start=lambda: started.append(record(parts, args.duration, args.rate, out))
        )
        by_part = collect(started[0], timeout_s=60)
    except ProfilerUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    finally:
        stop_service(service.proc)

    result = load.result
    console.print(
        f"{args.workload} at {args.concurrency} in flight: {result.rate:,.0f} items/s, "
        f"p50 {result.percentile_ms(50):.1f} ms, p99 {result.percentile_ms(99):.1f} ms, errors {result.errors or 'none'} "
        "(under the profiler)"
    )
    for part in PYTHON_PARTS:
        if part in by_part:
            console.print(part_table(part, by_part[part], load.by_role_ms.get(part), args.top))
    console.print(f"collapsed stacks, one file per process: {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
