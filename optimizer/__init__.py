"""Cost-optimal order sourcing: exact, fast enough for every order, and explained.

Pure code over numpy arrays and OR-Tools; no Ray, Redis or gRPC here. See FORMAT.md in
../shared/sourcing for the instance format and the exact problem this package solves.
"""

from .errors import InstanceError, OptimizerError
from .format import instance_to_json, load_instance, solution_to_json
from .model import (
    Allocation,
    CostBreakdown,
    Instance,
    LineSpec,
    LocationSpec,
    OrderPlan,
    OrderSpec,
    Policy,
    Solution,
    SolveStatus,
)
from .solve import solve

__all__ = [
    "Allocation",
    "CostBreakdown",
    "Instance",
    "InstanceError",
    "LineSpec",
    "LocationSpec",
    "OptimizerError",
    "OrderPlan",
    "OrderSpec",
    "Policy",
    "Solution",
    "SolveStatus",
    "instance_to_json",
    "load_instance",
    "solution_to_json",
    "solve",
]
