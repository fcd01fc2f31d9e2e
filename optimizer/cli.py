"""`python -m optimizer solve FILE...`: one JSON answer per line, in argument order.

A file that cannot be read or is not a valid instance gets a message on stderr naming the file
and the offending field and no answer line; the other files are still answered, and the exit
status is 1 if any file was refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from .errors import InstanceError
from .format import load_instance, solution_to_json
from .mip import SOLVER_TYPES
from .model import Policy
from .solve import solve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m optimizer", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="source the orders of sourcing instances (FORMAT.md)")
    solve_cmd.add_argument("files", nargs="+", metavar="FILE", help="instance JSON files; - reads stdin")
    solve_cmd.add_argument(
        "--policy", choices=[p.value for p in Policy], default=Policy.OPTIMAL.value,
        help="optimal (jointly, for several orders), or a baseline rule (default: optimal)",
    )
    solve_cmd.add_argument(
        "--time-limit", type=float, default=10.0, metavar="SECONDS",
        help="per instance, for the MIP when the fast path cannot prove optimality (default: 10)",
    )
    solve_cmd.add_argument("--solver", choices=sorted(SOLVER_TYPES), default="scip", help="MIP solver (default: scip)")
    return parser


def _read(path: str) -> object:
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        print("--time-limit: must be positive", file=stderr)
        return 2
    failed = False
    for path in args.files:
        try:
            instance = load_instance(_read(path))
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror or exc}", file=stderr)
            failed = True
            continue
        except json.JSONDecodeError as exc:
            print(f"{path}: not valid JSON: {exc}", file=stderr)
            failed = True
            continue
        except InstanceError as exc:
            print(f"{path}: {exc.field or '(instance)'}: {exc.message}", file=stderr)
            failed = True
            continue
        solution = solve(instance, policy=Policy(args.policy), time_limit_s=args.time_limit, solver=args.solver)
        print(json.dumps({"file": path} | solution_to_json(solution), separators=(",", ":")), file=stdout, flush=True)
    return 1 if failed else 0
