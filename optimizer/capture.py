"""The order-capture entry points: compile demands against the network and rules, and source
orders one by one in the hot path.

`source_orders` is exact per order: each order gets the cheapest plan against the stock and
capacity the earlier orders left, with its channel's safety stock held back. That is also the
only way per-channel safety stock is exact; `compile_instance` (one shared-stock instance for
batch re-sourcing) holds back, at each location, the largest level among the channels present.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .baselines import greedy_order, single_first_order
from .costs import SiteTable
from .errors import InstanceError
from .fastpath import lower_bound
from .model import Allocation, CostBreakdown, Instance, LineSpec, LocationSpec, OrderPlan, OrderSpec, Policy, SolveStatus
from .network import Demand, DeliveryMode, Site
from .problem import UNLIMITED, OrderArrays
from .rules import CompiledRules, RoutingRules
from .solve import order_objective, source_order
from .validation import non_negative_int, number_in, positive_int, text


@dataclass(frozen=True, kw_only=True)
class Decision:
    """One order's sourcing result in the hot path, with what explains it."""

    plan: OrderPlan
    status: SolveStatus
    bound: int  # proven lower bound on this order's cost given what was left for it
    greedy_cost: int  # what the greedy rule would have cost for this order at the same moment
    elapsed_s: float
    solver: str


@dataclass(frozen=True, kw_only=True, eq=False)
class _Network:
    table: SiteTable
    rules: CompiledRules
    skus: Mapping[str, int]  # sku -> row of stock
    stock: np.ndarray  # int64 [S, m], mutable: what is left

    @classmethod
    def build(cls, demands: Sequence[Demand], sites: Mapping[str, Site], stock: Mapping[tuple[str, str], int], rules: RoutingRules) -> _Network:
        table = SiteTable.build(sites)
        skus: dict[str, int] = {}
        for i, demand in enumerate(demands):
            _validate_demand(demand, i, table)
            for line in demand.lines:
                skus.setdefault(line.sku, len(skus))
        matrix = np.zeros((len(skus), len(table.ids)), dtype=np.int64)
        if len(stock) <= matrix.size:
            for (location, sku), qty in stock.items():
                j, s = table.index.get(location), skus.get(sku)
                if j is not None and s is not None:
                    matrix[s, j] = qty
        else:
            for sku, s in skus.items():
                for j, location in enumerate(table.ids):
                    matrix[s, j] = stock.get((location, sku), 0)
        # Oversold stock (negative) has nothing to promise.
        np.maximum(matrix, 0, out=matrix)
        return cls(table=table, rules=CompiledRules.build(rules, table), skus=skus, stock=matrix)

    def order(self, demand: Demand, capacity: np.ndarray, held: np.ndarray | None) -> tuple[OrderArrays, np.ndarray, np.ndarray]:
        """(the order's arrays, its stock rows, its eligibility) against what is left now."""
        skus = tuple(line.sku for line in demand.lines)
        rows = np.fromiter((self.skus[s] for s in skus), dtype=np.int64, count=len(skus))
        weights = np.fromiter((line.weight_g for line in demand.lines), dtype=float, count=len(skus))
        qty = np.fromiter((line.qty for line in demand.lines), dtype=np.int64, count=len(skus))
        if demand.delivery_mode == DeliveryMode.PICKUP:
            site = self.table.index[demand.pickup_site]
            unit, shipment = self.table.costs(self.table.lat[site], self.table.lon[site], weights, at_site=site)
        else:
            site = None
            unit, shipment = self.table.costs(demand.dest_lat, demand.dest_lon, weights)
        eligible = self.rules.eligible(demand.channel, demand.delivery_mode, skus, site)
        available = self.stock[rows]
        if held is not None:
            available = np.maximum(available - held[None, :], 0)
        arrays = OrderArrays(
            unit_cost=unit,
            usable=np.where(eligible, available, 0),
            qty=qty,
            shipment_cost=shipment,
            capacity=capacity,
            max_shipments=self.rules.max_shipments_for(demand.channel),
            penalty=self.rules.rules.unfilled_unit_penalty,
        )
        return arrays, rows, eligible


def _validate_demand(demand: Demand, i: int, table: SiteTable) -> None:
    path = f"demands[{i}]"
    text(demand.id, f"{path}.id")
    text(demand.channel, f"{path}.channel")
    if demand.delivery_mode == DeliveryMode.SHIP:
        # a ship order needs its destination
        number_in(demand.dest_lat, f"{path}.dest_lat", -90.0, 90.0)
        number_in(demand.dest_lon, f"{path}.dest_lon", -180.0, 180.0)
    elif demand.delivery_mode == DeliveryMode.PICKUP:
        if demand.pickup_site not in table.index:
            raise InstanceError(field=f"{path}.pickup_site", message="a pickup order needs a known site")
        if not table.pickup[table.index[demand.pickup_site]]:
            raise InstanceError(field=f"{path}.pickup_site", message=f"{demand.pickup_site!r} is not a pickup store")
    else:
        raise InstanceError(field=f"{path}.delivery_mode", message="must be 'ship' or 'pickup'")
    if not demand.lines:
        raise InstanceError(field=f"{path}.lines", message="must hold at least one line")
    seen: set[str] = set()
    for li, line in enumerate(demand.lines):
        lpath = f"{path}.lines[{li}]"
        text(line.sku, f"{lpath}.sku")
        if line.sku in seen:
            raise InstanceError(field=f"{lpath}.sku", message=f"sku {line.sku!r} appears twice in the order")
        seen.add(line.sku)
        positive_int(line.qty, f"{lpath}.qty")
        non_negative_int(line.weight_g, f"{lpath}.weight_g")


def compile_instance(
    demands: Sequence[Demand],
    sites: Mapping[str, Site],
    stock: Mapping[tuple[str, str], int],
    rules: RoutingRules,
) -> Instance:
    """One FORMAT.md instance for sourcing `demands` jointly (batch re-sourcing, what-if replays)."""
    network = _Network.build(demands, sites, stock, rules)
    table = network.table
    channels = {d.channel for d in demands}
    levels = [network.rules.held_for(c) for c in channels]
    levels = [h for h in levels if h is not None]
    held = np.max(levels, axis=0) if levels else None
    orders: list[OrderSpec] = []
    for demand in demands:
        arrays, _, eligible = network.order(demand, table.capacity, None)
        lines = tuple(
            LineSpec(
                sku=line.sku,
                qty=line.qty,
                unit_costs={table.ids[j]: int(arrays.unit_cost[i, j]) for j in np.flatnonzero(eligible[i])},
            )
            for i, line in enumerate(demand.lines)
        )
        any_eligible = np.flatnonzero(eligible.any(axis=0))
        limit = arrays.max_shipments
        orders.append(
            OrderSpec(
                id=demand.id,
                lines=lines,
                max_shipments=None if limit >= UNLIMITED else limit,
                shipment_costs={
                    table.ids[j]: int(arrays.shipment_cost[j])
                    for j in any_eligible
                    if arrays.shipment_cost[j] != table.shipment_cost[j]
                },
            )
        )
    net_stock = network.stock if held is None else np.maximum(network.stock - held[None, :], 0)
    return Instance(
        locations=tuple(
            LocationSpec(
                id=site_id,
                shipment_cost=int(table.shipment_cost[j]),
                capacity_units=None if table.capacity[j] >= UNLIMITED else int(table.capacity[j]),
            )
            for j, site_id in enumerate(table.ids)
        ),
        stock={
            (table.ids[j], sku): int(net_stock[s, j])
            for sku, s in network.skus.items()
            for j in np.flatnonzero(net_stock[s])
        },
        orders=tuple(orders),
        unfilled_unit_penalty=rules.unfilled_unit_penalty,
    )


def source_orders(
    demands: Sequence[Demand],
    sites: Mapping[str, Site],
    stock: Mapping[tuple[str, str], int],
    rules: RoutingRules,
    *,
    policy: Policy = Policy.OPTIMAL,
    time_limit_s: float = 0.5,
) -> list[Decision]:
    """Source `demands` one by one, in the given order, each against what the earlier ones left.

    OPTIMAL: each order exactly (the fast path, OR-Tools only where it cannot prove optimality,
    within `time_limit_s`). The inputs are not modified.
    """
    policy = Policy(policy)
    network = _Network.build(demands, sites, stock, rules)
    table = network.table
    capacity = table.capacity.copy()
    decisions: list[Decision] = []
    for demand in demands:
        started = time.perf_counter()
        arrays, rows, _ = network.order(demand, capacity, network.rules.held_for(demand.channel))
        greedy_x = greedy_order(arrays)
        greedy_cost = order_objective(arrays, greedy_x)
        if policy is Policy.OPTIMAL:
            result = source_order(arrays, time_limit_s=time_limit_s)
            x, objective, bound, solver = result.x, result.objective, result.bound, result.solver
        else:
            x = greedy_x if policy is Policy.GREEDY else single_first_order(arrays)
            objective = order_objective(arrays, x)
            bound, solver = min(lower_bound(arrays), objective), str(policy)
        network.stock[rows] -= x
        capacity -= x.sum(axis=0)
        decisions.append(
            Decision(
                plan=_plan(demand, x, arrays, table),
                status=SolveStatus.OPTIMAL if objective <= bound else SolveStatus.FEASIBLE,
                bound=bound,
                greedy_cost=greedy_cost,
                elapsed_s=time.perf_counter() - started,
                solver=solver,
            )
        )
    return decisions


def _plan(demand: Demand, x: np.ndarray, arrays: OrderArrays, table: SiteTable) -> OrderPlan:
    lines, locs = np.nonzero(x)
    allocations = tuple(
        Allocation(sku=demand.lines[i].sku, location=table.ids[j], qty=int(x[i, j]))
        for i, j in zip(lines.tolist(), locs.tolist())
    )
    short = arrays.qty - x.sum(axis=1)
    unfilled = {demand.lines[i].sku: int(short[i]) for i in np.flatnonzero(short)}
    used = (x > 0).any(axis=0)
    return OrderPlan(
        id=demand.id,
        allocations=allocations,
        unfilled=unfilled,
        cost=CostBreakdown(
            units=int((arrays.unit_cost * x).sum()),
            shipments=int(arrays.shipment_cost[used].sum()),
            unfilled=int(short.sum()) * arrays.penalty,
        ),
    )
