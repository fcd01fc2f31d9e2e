"""Random small instances: the exact paths agree, every plan is valid, no baseline beats the optimum."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer import Policy, load_instance, solution_to_json, solve
from optimizer.fastpath import solve_order
from optimizer.mip import solve_mip
from optimizer.problem import Problem
from optimizer.solve import source_order

from .checks import answer_cost, answer_violations
from .strategies import instances

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_optimum(data: dict) -> int:
    """FORMAT.md written straight into CP-SAT, in a different form from optimizer/mip.py
    (explicit unfilled variables, one shipment link per order and location)."""
    model = cp_model.CpModel()
    stock = {(s["location"], s["sku"]): s["qty"] for s in data["stock"]}
    ship = {loc["id"]: loc["shipment_cost"] for loc in data["locations"]}
    capacity = {loc["id"]: loc.get("capacity_units") for loc in data["locations"]}
    by_stock: dict = {}
    by_location: dict = {}
    objective = []
    for o, order in enumerate(data["orders"]):
        uses = {}
        by_order_location: dict = {}
        for line in order["lines"]:
            unfilled = model.new_int_var(0, line["qty"], "")
            row = [unfilled]
            objective.append(data["unfilled_unit_penalty"] * unfilled)
            for loc, cost in line["unit_costs"].items():
                x = model.new_int_var(0, line["qty"], "")
                row.append(x)
                objective.append(cost * x)
                by_stock.setdefault((loc, line["sku"]), []).append(x)
                by_location.setdefault(loc, []).append(x)
                by_order_location.setdefault(loc, []).append(x)
            model.add(sum(row) == line["qty"])
        for loc, xs in by_order_location.items():
            uses[loc] = model.new_bool_var("")
            model.add(sum(xs) <= 10_000 * uses[loc])
            objective.append(order.get("shipment_costs", {}).get(loc, ship[loc]) * uses[loc])
        if order.get("max_shipments") is not None:
            model.add(sum(uses.values()) <= order["max_shipments"])
    for key, xs in by_stock.items():
        model.add(sum(xs) <= stock.get(key, 0))
    for loc, xs in by_location.items():
        if capacity[loc] is not None:
            model.add(sum(xs) <= capacity[loc])
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@SETTINGS
@given(instances(max_orders=1, max_locations=7, max_lines=4))
def test_single_order_fast_path_and_mip_agree(data: dict) -> None:
    problem = Problem.from_instance(load_instance(data))
    fast = solve_order(problem.order_arrays(0))
    assert fast.proven
    assert problem.violations(fast.x) == []
    assert problem.objective(fast.x) == fast.objective == fast.bound

    mip = solve_mip(problem, time_limit_s=30)
    assert mip.x is not None and problem.violations(mip.x) == []
    assert problem.objective(mip.x) == mip.bound == fast.objective
    assert reference_optimum(data) == fast.objective


@SETTINGS
@given(instances(max_orders=1, max_locations=7, max_lines=4), st.integers(1, 40))
def test_an_exhausted_fast_path_still_gives_a_valid_plan_and_bound(data: dict, budget: int) -> None:
    problem = Problem.from_instance(load_instance(data))
    order = problem.order_arrays(0)
    optimum = solve_order(order).objective
    cut = solve_order(order, budget=budget)
    assert problem.violations(cut.x) == []
    assert cut.bound <= optimum <= cut.objective == problem.objective(cut.x)
    assert cut.proven == (cut.objective == cut.bound)
    # ... and the MIP behind it proves what the fast path could not.
    handed_on = source_order(order, time_limit_s=30, budget=budget)
    assert handed_on.objective == handed_on.bound == optimum


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_orders=4, max_locations=4, max_lines=3))
def test_batches_are_jointly_optimal_and_baselines_never_beat_them(data: dict) -> None:
    instance = load_instance(data)
    solution = solve(instance, time_limit_s=30)
    answer = solution_to_json(solution)
    assert answer["status"] == "OPTIMAL"
    assert answer_violations(data, answer) == []
    assert answer_cost(data, answer) == solution.objective == solution.bound
    assert reference_optimum(data) == solution.objective
    for policy in (Policy.GREEDY, Policy.SINGLE_FIRST):
        baseline = solution_to_json(solve(instance, policy=policy))
        assert answer_violations(data, baseline) == []
        assert answer_cost(data, baseline) == baseline["objective"] >= solution.objective
        assert baseline["bound"] <= solution.objective
    assert solution.greedy_objective == solve(instance, policy=Policy.GREEDY).objective
