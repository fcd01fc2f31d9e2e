"""The shared examples: each answered with its proven optimum, status OPTIMAL, and an objective
that an independent recomputation of its allocations agrees with."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from optimizer import Policy, load_instance, solution_to_json, solve
from optimizer.cli import main

from .checks import answer_cost, answer_violations

# A copy of ../shared/sourcing/examples, so a clone on its own (CI) checks them too;
# test_the_copy_is_current compares it with the shared folder where that exists.
EXAMPLES = Path(__file__).resolve().parent / "examples"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "sourcing" / "examples"
CASES = (
    sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))
    if EXAMPLES.is_dir()
    else [pytest.param(None, marks=pytest.mark.skip(reason=f"no shared sourcing examples at {EXAMPLES}"))]
)


def _expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text())


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem if p else "absent")
def test_example_is_answered_with_its_proven_optimum(path: Path) -> None:
    data = json.loads(path.read_text())
    solution = solve(load_instance(data), time_limit_s=60)
    answer = solution_to_json(solution)
    assert answer["status"] == "OPTIMAL"
    assert answer["objective"] == _expected(path)["objective"]
    assert answer["bound"] == answer["objective"]
    assert answer_cost(data, answer) == answer["objective"]
    assert answer_violations(data, answer) == []
    assert solution.cost.total == solution.objective
    assert sum(plan.cost.total for plan in solution.orders) == solution.objective
    assert solution.greedy_objective is not None and solution.greedy_objective >= solution.objective


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem if p else "absent")
@pytest.mark.parametrize("policy", [Policy.GREEDY, Policy.SINGLE_FIRST])
def test_baselines_are_valid_and_never_beat_the_optimum(path: Path, policy: Policy) -> None:
    data = json.loads(path.read_text())
    answer = solution_to_json(solve(load_instance(data), policy=policy))
    assert answer_violations(data, answer) == []
    assert answer_cost(data, answer) == answer["objective"] >= _expected(path)["objective"]
    assert answer["bound"] <= _expected(path)["objective"]


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason=f"no shared sourcing examples at {EXAMPLES}")
def test_command_line_answers_every_example_in_argument_order() -> None:
    paths = [p for p in CASES if isinstance(p, Path)]
    out, err = io.StringIO(), io.StringIO()
    assert main(["solve", *map(str, paths)], stdout=out, stderr=err) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines):
        answer = json.loads(line)
        assert answer["file"] == str(path)
        assert (answer["status"], answer["objective"]) == ("OPTIMAL", _expected(path)["objective"])
        assert answer_cost(json.loads(path.read_text()), answer) == answer["objective"]
    assert err.getvalue() == ""


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem if p else "absent")
@pytest.mark.parametrize("solver", ["highs", "cp-sat"])
def test_other_mip_backends_give_valid_answers(path: Path, solver: str) -> None:
    # HiGHS once crashed the process when handed a warm start; CP-SAT rarely closes batch gaps.
    data = json.loads(path.read_text())
    solution = solve(load_instance(data), time_limit_s=2.0 if solver == "cp-sat" else 30.0, solver=solver)
    answer = solution_to_json(solution)
    assert answer_violations(data, answer) == []
    assert answer_cost(data, answer) == solution.objective
    assert solution.bound <= _expected(path)["objective"] <= solution.objective
    if solver == "highs":
        assert solution.status == "OPTIMAL"


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"no shared sourcing examples at {SHARED}")
def test_the_copy_is_current():
    shared = {p.name: p.read_bytes() for p in SHARED.glob("*.json")}
    ours = {p.name: p.read_bytes() for p in EXAMPLES.glob("*.json")}
    assert ours == shared, "copy ../shared/sourcing/examples into tests/optimizer/examples"
