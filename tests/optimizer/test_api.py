"""The interface the order-capture path calls: names, signatures, frozen keyword-only values."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import optimizer

VALUES = [
    "LocationSpec", "LineSpec", "OrderSpec", "Instance", "Allocation", "CostBreakdown", "OrderPlan", "Solution",
    "Site", "DemandLine", "Demand", "EligibilityRule", "RoutingRules", "Decision",
]


@pytest.mark.parametrize("name", VALUES)
def test_values_are_frozen_keyword_only_dataclasses(name: str) -> None:
    cls = getattr(optimizer, name)
    assert cls.__dataclass_params__.frozen
    assert all(f.kw_only for f in dataclasses.fields(cls))


def test_enums() -> None:
    assert [p.value for p in optimizer.Policy] == ["optimal", "greedy", "single-first"]
    assert {s.value for s in optimizer.SolveStatus} == {"OPTIMAL", "FEASIBLE"}
    assert [t.value for t in optimizer.LocationType] == ["warehouse", "store", "dropship"]


def test_signatures() -> None:
    solve = inspect.signature(optimizer.solve)
    assert list(solve.parameters)[:3] == ["instance", "policy", "time_limit_s"]
    assert solve.parameters["policy"].default is optimizer.Policy.OPTIMAL
    assert solve.parameters["time_limit_s"].default == 2.0
    source = inspect.signature(optimizer.source_orders)
    assert list(source.parameters)[:6] == ["demands", "sites", "stock", "rules", "policy", "time_limit_s"]
    assert source.parameters["time_limit_s"].default == 0.5
    assert list(inspect.signature(optimizer.compile_instance).parameters) == ["demands", "sites", "stock", "rules"]
    assert [f.name for f in dataclasses.fields(optimizer.Decision)] == ["plan", "status", "bound", "greedy_cost", "elapsed_s", "solver"]
    assert issubclass(optimizer.InstanceError, optimizer.OptimizerError)
    error = optimizer.InstanceError(field="orders[0].id", message="must be a non-empty string")
    assert (error.field, error.message) == ("orders[0].id", "must be a non-empty string")
    assert optimizer.CostBreakdown(units=1, shipments=2, unfilled=3).total == 6
