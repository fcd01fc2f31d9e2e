"""The order-capture entry points: compile demands against the network and rules, and source
orders one by one in the hot path.

`source_orders` is exact per order: each order gets the cheapest plan against the stock and
capacity the earlier orders left, with its channel's safety stock held back. That is also the
only way per-channel safety stock is exact; `compile_instance` (one shared-stock instance for
batch re-sourcing) holds back, at each location, the largest level among the channels present.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from .baselines import single_first_order
from .compiled import CompiledNetwork, compiled_network
from .costs import SiteTable
from .errors import InstanceError
from .fastpath import lower_bound
from .hotpath import (
    Alloc,
    OrderLists,
    allocation_cost,
    allocations_of,
    batch_costs,
    greedy_allocations,
    order_plan,
    single_site_optimum,
)
from .model import (
    Instance,
    LineSpec,
    LocationSpec,
    OrderPlan,
    OrderSpec,
    Policy,
    SolveStatus,
)
from .network import DeliveryMode, Demand, Site
from .problem import UNLIMITED, OrderArrays
from .rules import CompiledRules, RoutingRules
from .solve import source_order
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
        network = compiled_network(sites, rules)
        table = network.table
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
        return cls(table=table, rules=network.rules, skus=skus, stock=matrix)

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
        if demand.only_sites is not None:
            ids = self.table.ids
            eligible = eligible & np.fromiter((sid in demand.only_sites for sid in ids), dtype=bool, count=len(ids))[None, :]
        if demand.site_surcharge or demand.shipment_surcharge:
            unit, shipment = unit.copy(), shipment.copy()
            for site_id, extra in demand.site_surcharge:
                if (j := self.table.index.get(site_id)) is not None:
                    unit[:, j] += extra
            for site_id, extra in demand.shipment_surcharge:
                if (j := self.table.index.get(site_id)) is not None:
                    shipment[j] += extra
        available = self.stock[rows]
        if held is not None:
            available = np.maximum(available - held[None, :], 0)
        arrays = OrderArrays(
            unit_cost=unit,
            usable=np.where(eligible, available, 0),
            qty=qty,
            shipment_cost=shipment,
            capacity=capacity,
            max_shipments=_cap(self.rules.max_shipments_for(demand.channel), demand),
            penalty=self.rules.rules.unfilled_unit_penalty,
        )
        return arrays, rows, eligible


def _cap(rules_cap: int, demand: Demand) -> int:
    """The order's shipment cap: the routing rules', or its own where that is lower."""
    return rules_cap if demand.max_shipments is None else min(rules_cap, demand.max_shipments)


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
    if demand.max_shipments is not None:
        positive_int(demand.max_shipments, f"{path}.max_shipments")
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


@overload
def source_orders(
    demands: Sequence[Demand],
    sites: Mapping[str, Site],
    stock: Mapping[tuple[str, str], int],
    rules: RoutingRules,
    *,
    policy: Policy = ...,
    time_limit_s: float = ...,
    capacity: Mapping[str, int] | None = ...,
    on_invalid: None = ...,
) -> list[Decision]: ...


@overload
def source_orders(
    demands: Sequence[Demand],
    sites: Mapping[str, Site],
    stock: Mapping[tuple[str, str], int],
    rules: RoutingRules,
    *,
    policy: Policy = ...,
    time_limit_s: float = ...,
    capacity: Mapping[str, int] | None = ...,
    on_invalid: Callable[[Demand, InstanceError], None],
) -> list[Decision | None]: ...


def source_orders(
    demands: Sequence[Demand],
    sites: Mapping[str, Site],
    stock: Mapping[tuple[str, str], int],
    rules: RoutingRules,
    *,
    policy: Policy = Policy.OPTIMAL,
    time_limit_s: float = 0.5,
    capacity: Mapping[str, int] | None = None,
    on_invalid: Callable[[Demand, InstanceError], None] | None = None,
) -> list[Decision | None]:
    """Source `demands` one by one, in the given order, each against what the earlier ones left.

    OPTIMAL: each order exactly (the fast path, OR-Tools only where it cannot prove optimality,
    within `time_limit_s`). The inputs are not modified. `capacity`: units each of these sites
    may still ship (what is left of its day), in place of the sites' own `capacity_units`.

    A demand that is not a valid order raises InstanceError, naming its field; with
    `on_invalid`, it is told the demand and the error instead, the demand answers None, and
    the others are sourced as if it were not there (one bad order does not hold up a batch).

    Sites and rules are compiled once and memoised by value (see compiled.py), so callers need
    not keep anything between calls. Per order the work is plain Python on short lists
    (hotpath.py) where a single location provably is optimal, the fast path elsewhere.
    """
    policy = Policy(policy)
    network = compiled_network(sites, rules)
    table = network.table
    invalid: set[int] = set()
    for i, demand in enumerate(demands):
        if not _looks_valid(demand, table):
            try:
                _validate_demand(demand, i, table)
            except InstanceError as exc:
                if on_invalid is None:
                    raise
                on_invalid(demand, exc)
                invalid.add(i)
    everyone = demands
    if invalid:
        demands = [d for i, d in enumerate(everyone) if i not in invalid]
    stock_rows = _stock_rows(demands, stock, table)
    unit_rows, ship_rows = batch_costs(table, demands)
    left = list(network.capacity)
    for site_id, units in (capacity or {}).items():
        j = table.index.get(site_id)
        if j is not None:
            left[j] = max(0, int(units))
    decisions: list[Decision] = []
    for demand, unit, ship in zip(demands, unit_rows, ship_rows):
        started = time.perf_counter()
        for site_id, extra in demand.site_surcharge:
            j = table.index.get(site_id)
            if j is not None:
                for row in unit:  # this order's own rows (batch_costs builds fresh lists)
                    row[j] += extra
        for site_id, extra in demand.shipment_surcharge:
            j = table.index.get(site_id)
            if j is not None:
                ship[j] += extra  # its own row too
        order = _order_lists(network, demand, unit, ship, stock_rows, left)
        greedy = greedy_allocations(order)
        greedy_cost = allocation_cost(order, greedy)
        if policy is Policy.OPTIMAL:
            allocs, objective, bound, solver = _optimal(order, time_limit_s)
        else:
            arrays = order.arrays()
            allocs = greedy if policy is Policy.GREEDY else allocations_of(single_first_order(arrays))
            objective = allocation_cost(order, allocs)
            bound, solver = min(lower_bound(arrays), objective), str(policy)
        for i, j, take in allocs:
            stock_rows[demand.lines[i].sku][j] -= take
            left[j] -= take
        decisions.append(
            Decision(
                plan=order_plan(demand, order, allocs, table.ids),
                status=SolveStatus.OPTIMAL if objective <= bound else SolveStatus.FEASIBLE,
                bound=bound,
                greedy_cost=greedy_cost,
                elapsed_s=time.perf_counter() - started,
                solver=solver,
            )
        )
    if not invalid:
        return list(decisions)
    sourced = iter(decisions)
    return [None if i in invalid else next(sourced) for i in range(len(everyone))]


def _optimal(order: OrderLists, time_limit_s: float) -> tuple[list[Alloc], int, int, str]:
    """(plan, objective, bound, solver) of the exact plan: the single-location proof where it
    holds (most capture orders), else the fast path and, if need be, the MIP."""
    single = single_site_optimum(order)
    if single is not None:
        allocs, objective = single
        return allocs, objective, objective, "fastpath"
    result = source_order(order.arrays(), time_limit_s=time_limit_s)
    return allocations_of(result.x), result.objective, result.bound, result.solver


def _order_lists(
    network: CompiledNetwork,
    demand: Demand,
    unit: list[list[int]],
    ship: list[int],
    stock_rows: Mapping[str, list[int]],
    capacity: list[int],
) -> OrderLists:
    """The order against what is left now: its channel's safety stock held back, ineligible
    locations (and those not among the order's ``only_sites``) at 0 (what `_Network.order`
    builds as arrays)."""
    site = network.table.index[demand.pickup_site] if demand.delivery_mode == DeliveryMode.PICKUP else None
    held = network.held.get(demand.channel)
    only = None if demand.only_sites is None else [sid in demand.only_sites for sid in network.table.ids]
    usable = []
    for line in demand.lines:
        row = stock_rows[line.sku]
        eligible = network.eligible_row(demand.channel, demand.delivery_mode, site, line.sku)
        if only is not None:
            eligible = [e and o for e, o in zip(eligible, only)]
        if held is None:
            usable.append([v if e else 0 for v, e in zip(row, eligible)])
        else:
            usable.append([(v - h if v > h else 0) if e else 0 for v, h, e in zip(row, held, eligible)])
    return OrderLists(
        unit=unit,
        usable=usable,
        qty=[line.qty for line in demand.lines],
        ship=ship,
        capacity=capacity,
        max_shipments=_cap(network.rules.max_shipments_for(demand.channel), demand),
        penalty=network.rules.rules.unfilled_unit_penalty,
    )


def _stock_rows(demands: Sequence[Demand], stock: Mapping[tuple[str, str], int], table: SiteTable) -> dict[str, list[int]]:
    """sku -> units at each location (what is left, mutated as orders take it), for the SKUs
    the demands name; oversold (negative) stock has nothing to promise."""
    skus = {line.sku: None for demand in demands for line in demand.lines}
    m = len(table.ids)
    if len(stock) <= len(skus) * m:
        rows = {sku: [0] * m for sku in skus}
        for (location, sku), qty in stock.items():
            row, j = rows.get(sku), table.index.get(location)
            if row is not None and j is not None:
                row[j] = qty
    else:
        rows = {sku: [stock.get((location, sku), 0) for location in table.ids] for sku in skus}
    for row in rows.values():
        if not all(type(q) is int and q >= 0 for q in row):  # the usual case needs no copy
            # int(): the stock matrix used to be int64, which truncated any non-integer count
            row[:] = [max(0, q) for q in map(int, row)]
    return rows


def _looks_valid(demand: Demand, table: SiteTable) -> bool:
    """A quick check that passes only demands `_validate_demand` accepts; it is called (to
    raise the precise error) only for a demand this one does not pass."""
    if type(demand.id) is not str or not demand.id or type(demand.channel) is not str or not demand.channel:
        return False
    if demand.delivery_mode == DeliveryMode.SHIP:
        lat, lon = demand.dest_lat, demand.dest_lon
        if type(lat) not in (float, int) or type(lon) not in (float, int) or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return False
    elif demand.delivery_mode == DeliveryMode.PICKUP:
        j = table.index.get(demand.pickup_site) if isinstance(demand.pickup_site, str) else None
        if j is None or not table.pickup[j]:
            return False
    else:
        return False
    cap = demand.max_shipments
    if cap is not None and (type(cap) is not int or cap <= 0):
        return False
    lines = demand.lines
    return (
        bool(lines)
        and all(
            type(line.sku) is str and line.sku and type(line.qty) is int and line.qty > 0
            and type(line.weight_g) is int and line.weight_g >= 0
            for line in lines
        )
        and len({line.sku for line in lines}) == len(lines)
    )
