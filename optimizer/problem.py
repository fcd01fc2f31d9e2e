"""The array form of an instance that every solver works on, and the exact cost of a plan.

A plan is one integer matrix `x[line, location]` over all lines of all orders (lines of an order
are contiguous), so checking, costing and converting a plan are a handful of numpy operations
whichever solver produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Allocation, CostBreakdown, Instance, OrderPlan

# Stands for "no limit" in integer arrays; far above any sum of quantities an instance can hold,
# and far enough below the int64 limit that adding a few of them cannot overflow.
UNLIMITED = 1 << 40


@dataclass(frozen=True, kw_only=True)
class OrderArrays:
    """One order as the single-order solvers see it: the stock it may use is already net of
    anything earlier orders took (and of safety stock held back from its channel)."""

    unit_cost: np.ndarray  # int64 [n, m]; only meaningful where usable > 0
    usable: np.ndarray  # int64 [n, m]; units of the line's SKU the order may take there, 0 = ineligible
    qty: np.ndarray  # int64 [n]
    shipment_cost: np.ndarray  # int64 [m]
    capacity: np.ndarray  # int64 [m]; UNLIMITED where none
    max_shipments: int  # >= 1; UNLIMITED where none
    penalty: int


@dataclass(frozen=True, kw_only=True, eq=False)
class Problem:
    location_ids: tuple[str, ...]
    skus: tuple[str, ...]
    order_ids: tuple[str, ...]
    order_start: np.ndarray  # int64 [O + 1]; lines of order o are order_start[o]:order_start[o + 1]
    line_order: np.ndarray  # int64 [L]
    line_sku: np.ndarray  # int64 [L], index into skus
    qty: np.ndarray  # int64 [L]
    unit_cost: np.ndarray  # int64 [L, m]; 0 where not eligible
    eligible: np.ndarray  # bool [L, m]
    stock: np.ndarray  # int64 [S, m]
    capacity: np.ndarray  # int64 [m]; UNLIMITED where none
    shipment_cost: np.ndarray  # int64 [O, m], order overrides applied
    max_shipments: np.ndarray  # int64 [O]; UNLIMITED where none
    penalty: int

    @property
    def n_orders(self) -> int:
        return len(self.order_ids)

    @property
    def n_locations(self) -> int:
        return len(self.location_ids)

    @classmethod
    def from_instance(cls, instance: Instance) -> Problem:
        location_ids = tuple(loc.id for loc in instance.locations)
        loc_index = {loc: j for j, loc in enumerate(location_ids)}
        sku_index: dict[str, int] = {}
        for order in instance.orders:
            for line in order.lines:
                sku_index.setdefault(line.sku, len(sku_index))
        m, n_lines = len(location_ids), sum(len(o.lines) for o in instance.orders)

        stock = np.zeros((len(sku_index), m), dtype=np.int64)
        for (location, sku), qty in instance.stock.items():
            s = sku_index.get(sku)
            if s is not None:  # stock of SKUs nobody ordered cannot matter
                stock[s, loc_index[location]] = qty

        unit_cost = np.zeros((n_lines, m), dtype=np.int64)
        eligible = np.zeros((n_lines, m), dtype=bool)
        qty = np.zeros(n_lines, dtype=np.int64)
        line_sku = np.zeros(n_lines, dtype=np.int64)
        line_order = np.zeros(n_lines, dtype=np.int64)
        order_start = np.zeros(len(instance.orders) + 1, dtype=np.int64)
        base_ship = np.array([loc.shipment_cost for loc in instance.locations], dtype=np.int64)
        shipment_cost = np.tile(base_ship, (len(instance.orders), 1))
        max_shipments = np.full(len(instance.orders), UNLIMITED, dtype=np.int64)
        li = 0
        for o, order in enumerate(instance.orders):
            order_start[o] = li
            if order.max_shipments is not None:
                max_shipments[o] = order.max_shipments
            for location, cost in order.shipment_costs.items():
                shipment_cost[o, loc_index[location]] = cost
            for line in order.lines:
                qty[li], line_sku[li], line_order[li] = line.qty, sku_index[line.sku], o
                for location, cost in line.unit_costs.items():
                    j = loc_index[location]
                    unit_cost[li, j] = cost
                    eligible[li, j] = True
                li += 1
        order_start[-1] = li
        capacity = np.array(
            [UNLIMITED if loc.capacity_units is None else loc.capacity_units for loc in instance.locations],
            dtype=np.int64,
        )
        return cls(
            location_ids=location_ids,
            skus=tuple(sku_index),
            order_ids=tuple(o.id for o in instance.orders),
            order_start=order_start,
            line_order=line_order,
            line_sku=line_sku,
            qty=qty,
            unit_cost=unit_cost,
            eligible=eligible,
            stock=stock,
            capacity=capacity,
            shipment_cost=shipment_cost,
            max_shipments=max_shipments,
            penalty=instance.unfilled_unit_penalty,
        )

    @classmethod
    def from_order_arrays(cls, order: OrderArrays) -> Problem:
        """A one-order Problem over the arrays of a single order (each line its own SKU)."""
        n, m = order.usable.shape
        return cls(
            location_ids=tuple(str(j) for j in range(m)),
            skus=tuple(str(i) for i in range(n)),
            order_ids=("order",),
            order_start=np.array([0, n], dtype=np.int64),
            line_order=np.zeros(n, dtype=np.int64),
            line_sku=np.arange(n, dtype=np.int64),
            qty=order.qty,
            unit_cost=np.where(order.usable > 0, order.unit_cost, 0),
            eligible=order.usable > 0,
            stock=order.usable,
            capacity=order.capacity,
            shipment_cost=order.shipment_cost[None, :],
            max_shipments=np.array([order.max_shipments], dtype=np.int64),
            penalty=order.penalty,
        )

    def order_arrays(self, o: int, stock: np.ndarray | None = None, capacity: np.ndarray | None = None) -> OrderArrays:
        """Order o alone, against `stock`/`capacity` (default: all of the instance's)."""
        lines = slice(self.order_start[o], self.order_start[o + 1])
        stock = self.stock if stock is None else stock
        usable = np.where(self.eligible[lines], stock[self.line_sku[lines]], 0)
        return OrderArrays(
            unit_cost=self.unit_cost[lines],
            usable=usable,
            qty=self.qty[lines],
            shipment_cost=self.shipment_cost[o],
            capacity=self.capacity if capacity is None else capacity,
            max_shipments=int(self.max_shipments[o]),
            penalty=self.penalty,
        )

    # --- plans -----------------------------------------------------------------------------

    def used(self, x: np.ndarray) -> np.ndarray:
        """bool [O, m]: which locations each order ships from."""
        counts = np.zeros((self.n_orders, self.n_locations), dtype=np.int64)
        np.add.at(counts, self.line_order, x > 0)
        return counts > 0

    def order_costs(self, x: np.ndarray) -> np.ndarray:
        """int64 [O, 3]: units, shipments, unfilled cost of each order under plan x."""
        n_orders = self.n_orders
        units = np.bincount(
            self.line_order, weights=(self.unit_cost * x).sum(axis=1), minlength=n_orders
        )
        unfilled = np.bincount(self.line_order, weights=self.qty - x.sum(axis=1), minlength=n_orders)
        shipments = (self.shipment_cost * self.used(x)).sum(axis=1)
        # bincount works in float64: exact for the magnitudes of any real instance (< 2**53)
        return np.stack(
            [units.astype(np.int64), shipments, (unfilled * self.penalty).astype(np.int64)], axis=1
        )

    def cost(self, x: np.ndarray) -> CostBreakdown:
        units, shipments, unfilled = (int(v) for v in self.order_costs(x).sum(axis=0))
        return CostBreakdown(units=units, shipments=shipments, unfilled=unfilled)

    def objective(self, x: np.ndarray) -> int:
        return int(self.order_costs(x).sum())

    def violations(self, x: np.ndarray) -> list[str]:
        """Every way plan x breaks the model; empty for a valid plan."""
        problems: list[str] = []
        if x.shape != self.unit_cost.shape:
            return [f"plan shape {x.shape} != {self.unit_cost.shape}"]
        if (x < 0).any():
            problems.append("negative quantity")
        if (x[~self.eligible] != 0).any():
            problems.append("allocation at an ineligible location")
        if (x.sum(axis=1) > self.qty).any():
            problems.append("line allocated beyond its quantity")
        taken = np.zeros_like(self.stock)
        np.add.at(taken, self.line_sku, x)
        if (taken > self.stock).any():
            problems.append("stock exceeded")
        if (x.sum(axis=0) > self.capacity).any():
            problems.append("capacity exceeded")
        if (self.used(x).sum(axis=1) > self.max_shipments).any():
            problems.append("too many shipments")
        return problems

    def plans(self, x: np.ndarray, costs: np.ndarray | None = None) -> tuple[OrderPlan, ...]:
        """Each order's allocations, unfilled units and costs (`costs`: order_costs(x) if known)."""
        costs = self.order_costs(x) if costs is None else costs
        result: list[OrderPlan] = []
        for o, order_id in enumerate(self.order_ids):
            allocations: list[Allocation] = []
            unfilled: dict[str, int] = {}
            for li in range(self.order_start[o], self.order_start[o + 1]):
                sku = self.skus[self.line_sku[li]]
                for j in np.flatnonzero(x[li]):
                    allocations.append(Allocation(sku=sku, location=self.location_ids[j], qty=int(x[li, j])))
                short = int(self.qty[li] - x[li].sum())
                if short > 0:
                    unfilled[sku] = short
            units, shipments, unfilled_cost = (int(v) for v in costs[o])
            result.append(
                OrderPlan(
                    id=order_id,
                    allocations=tuple(allocations),
                    unfilled=unfilled,
                    cost=CostBreakdown(units=units, shipments=shipments, unfilled=unfilled_cost),
                )
            )
        return tuple(result)

