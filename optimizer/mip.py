"""The OR-Tools model of FORMAT.md, for batches and for single orders the fast path cannot prove.

Variables: x[line, loc] units (only where the pair can matter: eligible, in stock, with
capacity, cheaper than the penalty) and y[order, loc] binary "order ships from loc". Constraints
that can never bind (a line whose candidates together hold no more than its quantity, a stock or
capacity that covers every candidate) are left out, so uncontended batches stay small.

x is continuous: once y is fixed what remains is a network flow (see flow.py), whose optima are
integral, so the model has the same optimum and bound as with integer x, and SCIP branches on y
only. On the benchmark's 200-order batches that is the difference between a proof in ~10 s and
a 1 % gap after a minute. The plan returned is re-derived from the solver's y by an exact
min-cost flow, so it is integral whatever tolerances the solver worked with.

The model is an MPModelProto assembled from numpy arrays, with no Python call per variable or
per term: the variables and the x <= ub * y rows (one per x, the bulk of the model) are
fixed-size protobuf records written by numpy (see `_encode_variables`, `_encode_links`), the
other rows take their terms with one `extend` each. (`ModelBuilderHelper.fill_model_from_sparse_data`
would do this from a scipy matrix, but scipy is not a dependency.) It is solved through
`pywraplp.Solver.SolveWithProto`, so the same model runs on SCIP, CP-SAT or HiGHS;
`benchmarks/sourcing.py` compares them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from .errors import OptimizerError
from .flow import cheapest_fill
from .problem import Problem

SOLVER_TYPES = {
    "scip": pb.MPModelRequest.SCIP_MIXED_INTEGER_PROGRAMMING,
    "cp-sat": pb.MPModelRequest.SAT_INTEGER_PROGRAMMING,
    "highs": pb.MPModelRequest.HIGHS_MIXED_INTEGER_PROGRAMMING,
}
# Every cost is an integer, so a gap below one unit is a proof; the default relative gap of
# 1e-4 would stop early and call a plan optimal that is not.
_PARAMETERS = {
    "scip": "limits/gap = 0\nlimits/absgap = 0.999\n",
    "cp-sat": "num_workers: 1 relative_gap_limit: 0 absolute_gap_limit: 0.999",
    "highs": "output_flag = false\nmip_rel_gap = 0\nmip_abs_gap = 0.999\nthreads = 1\n",
}


class SolverFailure(OptimizerError):
    """The MIP solver returned neither a plan nor a proof (model invalid, solver missing)."""


@dataclass(frozen=True, kw_only=True)
class MipResult:
    x: np.ndarray | None  # int64 [L, m]; None when the solver found no plan in time
    bound: int  # proven lower bound on the objective (integer, rounded up)
    build_s: float
    solve_s: float
    solver: str


@dataclass(frozen=True, kw_only=True)
class _Model:
    proto: pb.MPModelProto
    n_x: int
    y_order: np.ndarray  # order of each y variable (they follow the x variables)
    y_loc: np.ndarray  # location of each y variable


# Protobuf wire records of fixed size. Field numbers from linear_solver.proto: MPModelProto
# variable = 3, constraint = 4; MPVariableProto lower_bound = 1, upper_bound = 2,
# objective_coefficient = 3 (doubles), is_integer = 4 (bool); MPConstraintProto upper_bound = 3,
# var_index = 6 (packed varints), coefficient = 7 (packed doubles).
_VARIABLE = np.dtype([
    ("key", "u1"), ("size", "u1"),
    ("lb_key", "u1"), ("lb", "<f8"), ("ub_key", "u1"), ("ub", "<f8"),
    ("obj_key", "u1"), ("obj", "<f8"), ("int_key", "u1"), ("int", "u1"),
])
_LINK = np.dtype([
    ("key", "u1"), ("size", "u1"),
    ("index_key", "u1"), ("index_size", "u1"), ("index", "u1", (8,)),
    ("coef_key", "u1"), ("coef_size", "u1"), ("coef", "<f8", (2,)),
    ("ub_key", "u1"), ("ub", "<f8"),
])
_VARINT_BYTES = 4  # indices padded to 4 varint bytes (parsers accept padding): up to 2**28 variables


def _encode_variables(ub: np.ndarray, obj: np.ndarray, integer: bool) -> bytes:
    rec = np.zeros(len(ub), dtype=_VARIABLE)
    rec["key"], rec["size"] = (3 << 3) | 2, _VARIABLE.itemsize - 2
    rec["lb_key"], rec["ub_key"], rec["obj_key"], rec["int_key"] = (1 << 3) | 1, (2 << 3) | 1, (3 << 3) | 1, 4 << 3
    rec["ub"], rec["obj"], rec["int"] = ub, obj, integer
    return rec.tobytes()


def _varints(values: np.ndarray) -> np.ndarray:
    """uint8 [N, 4]: each value as a varint padded to four bytes."""
    shifts = 7 * np.arange(_VARINT_BYTES)
    out = ((values[:, None] >> shifts) & 0x7F).astype(np.uint8)
    out[:, :-1] |= 0x80
    return out


def _encode_links(x_index: np.ndarray, y_index: np.ndarray, ub: np.ndarray) -> bytes:
    """The rows x - ub * y <= 0."""
    rec = np.zeros(len(x_index), dtype=_LINK)
    rec["key"], rec["size"] = (4 << 3) | 2, _LINK.itemsize - 2
    rec["index_key"], rec["index_size"] = (6 << 3) | 2, 2 * _VARINT_BYTES
    rec["index"] = np.concatenate([_varints(x_index), _varints(y_index)], axis=1)
    rec["coef_key"], rec["coef_size"] = (7 << 3) | 2, 16
    rec["coef"][:, 0], rec["coef"][:, 1] = 1.0, -ub
    rec["ub_key"], rec["ub"] = (3 << 3) | 1, 0.0
    return rec.tobytes()


def _group_constraints(
    proto: pb.MPModelProto, keys: np.ndarray, var_index: np.ndarray, ub: np.ndarray, limit_of_key: np.ndarray
) -> None:
    """One `sum(vars of a key) <= limit` row per key whose candidates could exceed the limit."""
    if len(keys) == 0:
        return
    order = np.argsort(keys, kind="stable")
    keys, var_index, ub = keys[order], var_index[order], ub[order]
    uniq, start = np.unique(keys, return_index=True)
    end = np.append(start[1:], len(keys))
    total = np.add.reduceat(ub, start)
    limits = limit_of_key[uniq]
    for s, e, lim, tot in zip(start.tolist(), end.tolist(), limits.tolist(), total.tolist()):
        if tot <= lim:
            continue  # cannot bind
        row = proto.constraint.add(upper_bound=float(lim))
        row.var_index.extend(var_index[s:e].tolist())
        row.coefficient.extend([1.0] * (e - s))


def build_model(problem: Problem, hint: np.ndarray | None = None, *, integral_x: bool = False) -> _Model:
    """The MPModelProto of `problem`; `integral_x` for solvers without continuous variables."""
    p = problem.penalty
    m = problem.n_locations
    line_stock = problem.stock[problem.line_sku]  # [L, m]
    ub_matrix = np.minimum(np.minimum(line_stock, problem.qty[:, None]), problem.capacity[None, :])
    candidate = problem.eligible & (problem.unit_cost < p) & (ub_matrix > 0)
    x_line, x_loc = np.nonzero(candidate)
    x_ub = ub_matrix[x_line, x_loc]
    x_order = problem.line_order[x_line]
    n_x = len(x_line)
    y_key, x_y = np.unique(x_order * m + x_loc, return_inverse=True)
    y_order, y_loc = y_key // m, y_key % m
    n_y = len(y_key)

    proto = pb.MPModelProto()
    # Minimising sum (unit cost - penalty) x + shipment costs, plus the penalty of every unit:
    # the same objective as FORMAT.md, with unfilled units implicit.
    proto.objective_offset = float(p * int(problem.qty.sum()))
    if n_x + n_y >= 1 << (7 * _VARINT_BYTES):
        raise SolverFailure(f"model too large to encode: {n_x + n_y} variables")
    proto.MergeFromString(
        _encode_variables(x_ub.astype(float), (problem.unit_cost[x_line, x_loc] - p).astype(float), integral_x)
        + _encode_variables(np.ones(n_y), problem.shipment_cost[y_order, y_loc].astype(float), True)
        # x <= ub * y per line and location (not summed per order): the tighter LP relaxation
        + _encode_links(np.arange(n_x), n_x + x_y, x_ub.astype(float))
    )
    x_index = np.arange(n_x)
    _group_constraints(proto, x_line, x_index, x_ub, problem.qty)
    n_skus = problem.stock.shape[0]
    _group_constraints(proto, problem.line_sku[x_line] * m + x_loc, x_index, x_ub, problem.stock.reshape(n_skus * m))
    _group_constraints(proto, x_loc, x_index, x_ub, problem.capacity)
    _group_constraints(proto, y_order, n_x + np.arange(n_y), np.ones(n_y, np.int64), problem.max_shipments)

    if hint is not None:
        hx = hint[x_line, x_loc]
        used = problem.used(hint)[y_order, y_loc]
        proto.solution_hint.var_index.extend(range(n_x + n_y))
        proto.solution_hint.var_value.extend(hx.astype(float).tolist() + used.astype(float).tolist())
    return _Model(proto=proto, n_x=n_x, y_order=y_order, y_loc=y_loc)


def solve_mip(
    problem: Problem,
    *,
    time_limit_s: float,
    hint: np.ndarray | None = None,
    solver: str = "scip",
) -> MipResult:
    """Solve the whole problem jointly; x is None only if the solver produced no plan at all."""
    check_solver(solver)
    if solver == "highs":
        # OR-Tools 9.15's HiGHS backend crashes the process (SIGSEGV) when the request carries
        # a solution hint (seen on batch-scarce); HiGHS starts cold.
        hint = None
    started = time.perf_counter()
    model = build_model(problem, hint, integral_x=solver == "cp-sat")
    if not model.proto.variable:  # nothing can ship: the empty plan is the only one
        return MipResult(
            x=np.zeros(problem.unit_cost.shape, dtype=np.int64),
            bound=_ceil_bound(model.proto.objective_offset),
            build_s=time.perf_counter() - started,
            solve_s=0.0,
            solver=solver,
        )
    request = pb.MPModelRequest(
        model=model.proto,
        solver_type=SOLVER_TYPES[solver],
        solver_time_limit_seconds=max(time_limit_s, 0.001),
        solver_specific_parameters=_PARAMETERS[solver],
    )
    built = time.perf_counter()
    response = pb.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    solved = time.perf_counter()
    status = response.status
    if status in (pb.MPSOLVER_MODEL_INVALID, pb.MPSOLVER_SOLVER_TYPE_UNAVAILABLE, pb.MPSOLVER_ABNORMAL,
                  pb.MPSOLVER_MODEL_INVALID_SOLVER_PARAMETERS, pb.MPSOLVER_INCOMPATIBLE_OPTIONS):
        raise SolverFailure(f"{solver}: {pb.MPSolverResponseStatus.Name(status)} {response.status_str}")
    if status == pb.MPSOLVER_INFEASIBLE:  # x = 0 is always feasible; reaching here is a bug
        raise SolverFailure(f"{solver}: reported the model infeasible")
    # The solver's own OPTIMAL is not trusted as such: the caller compares the recomputed
    # objective of the plan with this bound, rounded up since every cost is an integer.
    bound = response.best_objective_bound if response.HasField("best_objective_bound") else -math.inf
    x = None
    if status in (pb.MPSOLVER_OPTIMAL, pb.MPSOLVER_FEASIBLE):
        y = np.asarray(response.variable_value[model.n_x :]) > 0.5
        x = fill_for_shipments(problem, model.y_order[y], model.y_loc[y])
    return MipResult(
        x=x,
        bound=_ceil_bound(bound),
        build_s=built - started,
        solve_s=solved - built,
        solver=solver,
    )


def check_solver(solver: str) -> None:
    if solver not in SOLVER_TYPES:
        raise OptimizerError(f"unknown MIP solver {solver!r}; one of {', '.join(sorted(SOLVER_TYPES))}")


def fill_for_shipments(problem: Problem, orders: np.ndarray, locations: np.ndarray) -> np.ndarray:
    """The cheapest integer plan in which order o may ship only from its listed locations."""
    ships = np.zeros((problem.n_orders, problem.n_locations), dtype=bool)
    ships[orders, locations] = True
    _, x = cheapest_fill(
        saving=problem.unit_cost - problem.penalty,
        allowed=problem.eligible & ships[problem.line_order],
        qty=problem.qty,
        line_sku=problem.line_sku,
        stock=problem.stock,
        capacity=problem.capacity,
    )
    return x


def _ceil_bound(bound: float) -> int:
    if not math.isfinite(bound):
        return 0  # every cost is non-negative, so 0 is always a valid bound
    return max(0, math.ceil(bound - 1e-6))
