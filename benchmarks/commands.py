"""The ``oms simulate`` and ``oms compare`` sub-commands, registered on the ``oms`` parser.

Only argparse here: the simulator's imports (numpy, matplotlib, Ray's client) wait
until one of these commands runs, so ``oms serve`` does not pay for them.
"""

from __future__ import annotations

import argparse
from typing import Any

COMMANDS = ("simulate", "compare")


def register(sub: Any) -> None:
    from benchmarks import compare, simulate

    sim = sub.add_parser(
        "simulate",
        help="drive a scenario's day through the real service and write a report",
        description=simulate.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_arguments(sim)
    cmp_ = sub.add_parser(
        "compare",
        help="two simulation reports side by side (console and HTML)",
        description=compare.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_arguments(cmp_)


def run(args: argparse.Namespace) -> int:
    if args.command == "compare":
        from benchmarks import compare

        return compare.run(args)
    from benchmarks import simulate

    return simulate.run(args)
