"""solve(): the plan for an instance under a policy, with its proof status and its explanation.

One order: the exact fast path, then (only when it could not prove optimality) the MIP, warm
started from the fast path's plan. Several orders: each order alone is a relaxation of the joint
problem, so if the orders' separate optima fit the shared stock and capacity together they are
jointly optimal; otherwise the joint MIP, warm started from the better of sequential-exact and
greedy, with the sum of the separate bounds as a floor under its bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import baselines
from .fastpath import DEFAULT_BUDGET, lower_bound, solve_order
from .mip import check_solver, solve_mip
from .model import CostBreakdown, Instance, Policy, Solution, SolveStatus
from .problem import OrderArrays, Problem


@dataclass(frozen=True, kw_only=True)
class OrderResult:
    """One order's plan in array form, as the hot path uses it."""

    x: np.ndarray
    objective: int
    bound: int
    solver: str


def order_objective(order: OrderArrays, x: np.ndarray) -> int:
    used = (x > 0).any(axis=0)
    return int(
        (order.unit_cost * x).sum()
        + order.shipment_cost[used].sum()
        + order.penalty * (order.qty - x.sum(axis=1)).sum()
    )


def source_order(
    order: OrderArrays, *, time_limit_s: float, solver: str = "scip", budget: int = DEFAULT_BUDGET
) -> OrderResult:
    """The exact plan of one order: fast path first, the MIP only where it cannot prove."""
    fast = solve_order(order, budget=budget)
    if fast.proven:
        return OrderResult(x=fast.x, objective=fast.objective, bound=fast.bound, solver="fastpath")
    mip = solve_mip(Problem.from_order_arrays(order), time_limit_s=time_limit_s, hint=fast.x, solver=solver)
    bound = max(fast.bound, mip.bound)
    if mip.x is not None:
        mip_objective = order_objective(order, mip.x)
        if mip_objective < fast.objective:
            return OrderResult(x=mip.x, objective=mip_objective, bound=min(bound, mip_objective), solver=solver)
    return OrderResult(x=fast.x, objective=fast.objective, bound=min(bound, fast.objective), solver=f"fastpath+{solver}")


def _fast_solve_one(order: OrderArrays) -> np.ndarray:
    return solve_order(order).x


def solve(instance: Instance, *, policy: Policy = Policy.OPTIMAL, time_limit_s: float = 2.0, solver: str = "scip") -> Solution:
    """The plan for `instance` under `policy`; for several orders `optimal` means jointly optimal.

    `time_limit_s` bounds the MIP when the fast path cannot prove optimality on its own;
    `solver` picks the MIP backend ("scip", "highs" or "cp-sat").
    """
    started = time.perf_counter()
    policy = Policy(policy)
    check_solver(solver)
    problem = Problem.from_instance(instance)
    greedy_x = baselines.greedy(problem)

    if policy is Policy.OPTIMAL and problem.n_orders == 1:
        result = source_order(problem.order_arrays(0), time_limit_s=time_limit_s, solver=solver)
        x, bound, used_solver = result.x, result.bound, result.solver
    elif policy is Policy.OPTIMAL:
        x, bound, used_solver = _solve_batch(problem, started + time_limit_s, solver)
    else:
        # A baseline proves nothing; it gets the cheap bound (each order at its cheapest units).
        x = greedy_x if policy is Policy.GREEDY else baselines.single_first(problem)
        bound = sum(lower_bound(problem.order_arrays(o)) for o in range(problem.n_orders))
        used_solver = str(policy)

    costs = problem.order_costs(x)
    units, shipments, unfilled = (int(v) for v in costs.sum(axis=0))
    objective = units + shipments + unfilled
    bound = min(max(bound, 0), objective)
    return Solution(
        status=SolveStatus.OPTIMAL if objective <= bound else SolveStatus.FEASIBLE,
        objective=objective,
        bound=bound,
        orders=problem.plans(x, costs),
        cost=CostBreakdown(units=units, shipments=shipments, unfilled=unfilled),
        greedy_objective=problem.objective(greedy_x),
        solver=used_solver,
        elapsed_s=time.perf_counter() - started,
    )


def _solve_batch(problem: Problem, deadline: float, solver: str) -> tuple[np.ndarray, int, str]:
    separate = [solve_order(problem.order_arrays(o)) for o in range(problem.n_orders)]
    x = np.zeros(problem.unit_cost.shape, dtype=np.int64)
    for o, result in enumerate(separate):
        x[problem.order_start[o] : problem.order_start[o + 1]] = result.x
    floor = sum(r.bound for r in separate)
    if not problem.violations(x):
        # Each order got its own optimum against all the stock, and they fit together.
        return x, floor, "fastpath"

    candidates = [baselines.sequential(problem, _fast_solve_one), baselines.greedy(problem)]
    hint = min(candidates, key=problem.objective)
    mip = solve_mip(problem, time_limit_s=deadline - time.perf_counter(), hint=hint, solver=solver)
    bound = max(floor, mip.bound)
    if mip.x is not None and not problem.violations(mip.x) and problem.objective(mip.x) <= problem.objective(hint):
        return mip.x, bound, solver
    return hint, bound, f"sequential+{solver}"
