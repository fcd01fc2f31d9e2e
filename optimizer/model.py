"""The sourcing model of FORMAT.md as frozen value types, and the shapes of an answer.

All costs and quantities are integers (minor currency units, units of stock), so two solvers, or
a solver and a recomputation, can be compared exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Policy(StrEnum):
    OPTIMAL = "optimal"
    GREEDY = "greedy"
    SINGLE_FIRST = "single-first"


class SolveStatus(StrEnum):
    OPTIMAL = "OPTIMAL"  # proven: objective == best lower bound
    FEASIBLE = "FEASIBLE"  # a valid plan; `bound` says how far from optimal it can be at most


@dataclass(frozen=True, kw_only=True)
class LocationSpec:
    id: str
    shipment_cost: int
    capacity_units: int | None = None  # None: unlimited


@dataclass(frozen=True, kw_only=True)
class LineSpec:
    sku: str
    qty: int
    unit_costs: Mapping[str, int]  # a location absent from the map is not eligible


@dataclass(frozen=True, kw_only=True)
class OrderSpec:
    id: str
    lines: tuple[LineSpec, ...]
    max_shipments: int | None = None  # None: unlimited
    shipment_costs: Mapping[str, int] = field(default_factory=dict)  # per-location override


@dataclass(frozen=True, kw_only=True)
class Instance:
    locations: tuple[LocationSpec, ...]
    stock: Mapping[tuple[str, str], int]  # (location, sku) -> units; absent pairs hold 0
    orders: tuple[OrderSpec, ...]
    unfilled_unit_penalty: int


@dataclass(frozen=True, kw_only=True)
class Allocation:
    sku: str
    location: str
    qty: int


@dataclass(frozen=True, kw_only=True)
class CostBreakdown:
    units: int  # sum of unit cost x quantity
    shipments: int  # fixed cost of every (order, location) shipped from
    unfilled: int  # penalty x units left unallocated

    @property
    def total(self) -> int:
        return self.units + self.shipments + self.unfilled

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        return CostBreakdown(
            units=self.units + other.units,
            shipments=self.shipments + other.shipments,
            unfilled=self.unfilled + other.unfilled,
        )


ZERO_COST = CostBreakdown(units=0, shipments=0, unfilled=0)


@dataclass(frozen=True, kw_only=True)
class OrderPlan:
    id: str
    allocations: tuple[Allocation, ...]
    unfilled: Mapping[str, int]  # sku -> units unfilled, only entries > 0
    cost: CostBreakdown


@dataclass(frozen=True, kw_only=True)
class Solution:
    status: SolveStatus
    objective: int
    bound: int  # best proven lower bound; equals objective when OPTIMAL
    orders: tuple[OrderPlan, ...]
    cost: CostBreakdown
    greedy_objective: int | None  # what the greedy baseline costs on the same instance
    solver: str  # which path produced the plan, e.g. "fastpath", "scip", "greedy"
    elapsed_s: float

    @property
    def gap(self) -> int:
        return self.objective - self.bound
