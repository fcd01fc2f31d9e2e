"""Cost-optimal order sourcing: exact, fast enough for every order, and explained.

Pure code over numpy arrays and OR-Tools; no Ray, Redis or gRPC here. See FORMAT.md in
../shared/sourcing for the instance format and the exact problem this package solves.
"""

from .capture import Decision, compile_instance, source_orders
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
from .network import DeliveryMode, Demand, DemandLine, LocationType, Site
from .rules import EligibilityRule, RoutingRules
from .solve import solve

__all__ = [
    "Allocation",
    "CostBreakdown",
    "Decision",
    "DeliveryMode",
    "Demand",
    "DemandLine",
    "EligibilityRule",
    "Instance",
    "InstanceError",
    "LineSpec",
    "LocationSpec",
    "LocationType",
    "OptimizerError",
    "OrderPlan",
    "OrderSpec",
    "Policy",
    "RoutingRules",
    "Site",
    "Solution",
    "SolveStatus",
    "compile_instance",
    "instance_to_json",
    "load_instance",
    "solution_to_json",
    "solve",
    "source_orders",
]
