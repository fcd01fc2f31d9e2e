"""Two services measured in alternation: is B faster than A, on a machine whose speed drifts?

A shared or throttled machine drifts by tens of percent within minutes (this project's
2-core VM gave between 1,489 and 2,155 CreateOrder/s with the same code in ten runs over
16 minutes), so one run of each side says more about when it ran than about the side.
This runs capture's measurements (``benchmarks.capture``: the empty call and CreateOrder
at each concurrency, the open-loop points, the batch RPC beside its ceiling) on A and B
in turns, each run on a service of its own started afresh, the order flipped every pair
(A B, B A, A B, ...), so drift falls on both sides alike. It prints each run as it ends,
then every figure as each side's median with its range, B's median over A's, and in how
many pairs B came out higher: a difference both sides' ranges overlap and that a
third of the pairs contradict is drift, not a change.

A side is a set of ``oms serve`` arguments (``--a-serve-arg``/``--b-serve-arg``: one
configuration against another), the environment it runs in (``--b-env KEY=VALUE``:
``RAY_USE_UVLOOP=0``, ``OMS_GC_THRESHOLD=700``) and the code it runs (``--b-code``:
another checkout of this project, say a ``git worktree`` of the last release; its
gateway and its actors run from there, the load clients from here)::

    python -m benchmarks.alternate --b-serve-arg=--order-shards=1 --pairs 4
    python -m benchmarks.alternate --b-env RAY_USE_UVLOOP=0
    git worktree add /tmp/oms-before HEAD~3
    python -m benchmarks.alternate --b-code /tmp/oms-before --pairs 4
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.capture import Round, format_figure, load_bench_world, measure_round, spread
from benchmarks.service import start, stop_service

PARTS = ("gateway", "order shards", "inventory shards", "redis")


@dataclass(frozen=True, kw_only=True)
class Side:
    name: str
    serve_args: list[str]
    code: Path | None  # None: this checkout
    env: dict[str, str]

    def describe(self) -> str:
        where = f"code from {self.code}" if self.code is not None else "this checkout's code"
        setting = "".join(f"{k}={v} " for k, v in sorted(self.env.items()))
        return f"{self.name}: {where}; {setting}oms serve {' '.join(['--bench-empty', *self.serve_args])}"


def env_of(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments as a mapping (ValueError naming one that is not)."""
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not key.replace("_", "").isalnum():
            raise ValueError(f"{pair!r}: not KEY=VALUE")
        env[key] = value
    return env


def figures(run: Round) -> list[tuple[str, float]]:
    """capture's figures of one run, and the service's CPU per order by part at each load."""
    rows = [(name, values[0]) for name, values in spread([run])]
    for point in run.points:
        rows += [(f"{point.clients} clients: {part} CPU ms/order", point.create.by_role_ms.get(part, 0.0)) for part in PARTS]
    rows += [(f"batch RPC: {part} CPU ms/order", run.batch.by_role_ms.get(part, 0.0)) for part in PARTS]
    return rows


def order_of(pair: int) -> tuple[str, str]:
    """A B for the first pair, B A for the second, and so on."""
    return ("A", "B") if pair % 2 == 0 else ("B", "A")


def compare(a: list[Round], b: list[Round]) -> list[tuple[str, list[float], list[float]]]:
    """(figure, A's values, B's values), each in the order its runs were made (pair by pair)."""
    by_name: dict[str, tuple[list[float], list[float]]] = {}
    for side, runs in ((0, a), (1, b)):
        for run in runs:
            for name, value in figures(run):
                by_name.setdefault(name, ([], []))[side].append(value)
    return [(name, values[0], values[1]) for name, values in by_name.items()]


def higher_in(a: list[float], b: list[float]) -> tuple[int, int]:
    """(pairs where B's value is above A's, pairs compared)."""
    pairs = [(x, y) for x, y in zip(a, b) if x == x and y == y]  # NaN: not measured in that run
    return sum(y > x for x, y in pairs), len(pairs)


def _known(values: list[float]) -> list[float]:
    return [v for v in values if v == v]  # NaN: not measured in that run


def _median(values: list[float]) -> float:
    known = _known(values)
    return float(np.median(known)) if known else float("nan")


def _median_range(values: list[float]) -> str:
    known = _known(values)
    if not known:
        return "-"
    return f"{format_figure(_median(known))} ({format_figure(min(known))}-{format_figure(max(known))})"


def comparison_table(a: list[Round], b: list[Round]) -> Table:
    pairs = min(len(a), len(b))
    table = Table(title=f"A against B, {pairs} pair{'' if pairs == 1 else 's'}, alternating: median (lowest-highest)")
    for col in ("figure", "A", "B", "B / A", "B higher"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    for name, xs, ys in compare(a, b):
        up, n = higher_in(xs, ys)
        ratio = format_figure(_median(ys) / _median(xs)) if _median(xs) else "-"
        table.add_row(name, _median_range(xs), _median_range(ys), ratio, f"{up} of {n}")
    return table


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, default=4, help="runs of each side, alternating")
    p.add_argument("--duration", type=float, default=5.0, help="seconds measured per point")
    p.add_argument("--concurrency", default="64", help="comma-separated client concurrencies")
    p.add_argument("--load-fractions", default="0.5", help="open-loop points, as in benchmarks.capture (empty: none)")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--batch-size", type=int, default=100, help="orders per CreateOrders call")
    p.add_argument("--batch-concurrency", type=int, default=8, help="CreateOrders calls in flight")
    p.add_argument(
        "--batch-view", choices=("basic", "full"), default="basic", help="what CreateOrders answers each order with"
    )
    p.add_argument("--data-dir", type=Path, default=Path(".oms-data/bench-alternate"))
    p.add_argument("--a-serve-arg", action="append", default=[], help="an oms serve argument of side A (repeatable)")
    p.add_argument("--b-serve-arg", action="append", default=[], help="an oms serve argument of side B (repeatable)")
    p.add_argument("--a-code", type=Path, default=None, help="a checkout whose service side A runs (default: this one)")
    p.add_argument("--b-code", type=Path, default=None, help="a checkout whose service side B runs (default: this one)")
    p.add_argument("--a-env", action="append", default=[], help="KEY=VALUE in side A's environment (repeatable)")
    p.add_argument("--b-env", action="append", default=[], help="KEY=VALUE in side B's environment (repeatable)")
    args = p.parse_args(argv)
    if args.pairs < 1:
        p.error("--pairs must be at least 1")
    for flag, code in (("--a-code", args.a_code), ("--b-code", args.b_code)):
        if code is not None and not (code / "gateway" / "cli.py").is_file():
            p.error(f"{flag} {code}: not a checkout of this project (no gateway/cli.py)")
    try:
        envs = {"A": env_of(args.a_env), "B": env_of(args.b_env)}
    except ValueError as exc:
        p.error(str(exc))
    sides = {
        "A": Side(name="A", serve_args=args.a_serve_arg, code=args.a_code, env=envs["A"]),
        "B": Side(name="B", serve_args=args.b_serve_arg, code=args.b_code, env=envs["B"]),
    }
    console = Console(width=max(Console().width, 120))
    for side in sides.values():
        console.print(side.describe())
    runs: dict[str, list[Round]] = {"A": [], "B": []}
    for pair in range(args.pairs):
        for name in order_of(pair):
            side = sides[name]
            service = start(args.data_dir / name, extra=["--bench-empty", *side.serve_args], code=side.code, env=side.env)
            try:
                asyncio.run(load_bench_world(service.deployment.target, service.deployment.credential))
                runs[name].append(measure_round(args, service, f"{name}{pair + 1}", console))
            finally:
                stop_service(service.proc)
    console.print(comparison_table(runs["A"], runs["B"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
