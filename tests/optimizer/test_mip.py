"""The MIP model: numpy-written protobuf records read back as the plain API would write them."""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import linear_solver_pb2 as pb

from optimizer import load_instance
from optimizer.mip import _encode_links, _encode_variables, build_model, solve_mip
from optimizer.problem import Problem

from .test_format import TINY


def test_variable_records_match_the_protobuf_api() -> None:
    ub, obj = np.array([0.0, 1.0, 7.0, 1e9]), np.array([-99902.0, 424.0, 0.0, 3.5])
    for integer in (False, True):
        encoded = pb.MPModelProto()
        encoded.MergeFromString(_encode_variables(ub, obj, integer))
        plain = pb.MPModelProto()
        for u, c in zip(ub, obj):
            plain.variable.add(lower_bound=0.0, upper_bound=u, objective_coefficient=c, is_integer=integer)
        assert encoded == plain


def test_link_records_match_the_protobuf_api() -> None:
    x, y, ub = np.array([0, 127, 128, 300, (1 << 28) - 1]), np.array([5, 16383, 16384, 2**21, 1]), np.array([1.0, 2.0, 3.0, 40.0, 5.0])
    encoded = pb.MPModelProto()
    encoded.MergeFromString(_encode_links(x, y, ub))
    plain = pb.MPModelProto()
    for xi, yi, u in zip(x.tolist(), y.tolist(), ub.tolist()):
        row = plain.constraint.add(upper_bound=0.0)
        row.var_index.extend((xi, yi))
        row.coefficient.extend((1.0, -u))
    assert encoded == plain


def test_model_of_the_tiny_example() -> None:
    problem = Problem.from_instance(load_instance(TINY))
    model = build_model(problem)
    # x: SKU-1 at DC-1 and ST-7, SKU-2 at ST-7; y: DC-1, ST-7
    assert [v.upper_bound for v in model.proto.variable] == [2, 1, 1, 1, 1]
    assert [v.is_integer for v in model.proto.variable] == [False, False, False, True, True]
    assert [v.objective_coefficient for v in model.proto.variable] == [120 - 100000, 80 - 100000, 95 - 100000, 450, 300]
    assert model.proto.objective_offset == 3 * 100000
    result = solve_mip(problem, time_limit_s=10)
    assert problem.objective(result.x) == result.bound == 1045
    for solver in ("cp-sat", "highs"):
        other = solve_mip(problem, time_limit_s=10, solver=solver)
        assert problem.objective(other.x) == other.bound == 1045
