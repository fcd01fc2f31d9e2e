"""Per-order sourcing on plain Python lists, for the small orders of the capture path.

A capture order has a few lines and the network a few dozen locations, so each of its arrays
holds tens of numbers; a numpy call on them costs more (about a microsecond of dispatch) than a
Python loop over them. This module does per order, in plain Python:

- the greedy baseline (`greedy_allocations`), exactly `baselines.greedy_order`'s plan;
- the exact optimum where a single location (or shipping nothing) provably is optimal
  (`single_site_optimum`), with exactly the plan the fast path returns there; anything else
  returns None and goes to the fast path (`OrderLists.arrays`, then `solve.source_order`);
- the plan and its cost breakdown (`order_plan`).

What does not depend on the stock earlier orders took (distances, unit and shipment costs) is
computed for a whole batch at once with numpy (`batch_costs`), with the same element-wise
operations as `SiteTable.costs`, so the integers are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .costs import SiteTable, haversine_km
from .model import Allocation, CostBreakdown, OrderPlan
from .network import DeliveryMode, Demand
from .problem import OrderArrays

Alloc = tuple[int, int, int]  # (line, location, units)

# In the per-element loops below, `a if a < b else b` stands where min(a, b) would read better:
# a builtin call costs ~40 ns more, about 10% of the per-order time (hence the noqa marks).


@dataclass(slots=True, kw_only=True, eq=False)
class OrderLists:
    """One order as `OrderArrays` holds it, as lists: what the order may use now."""

    unit: list[list[int]]  # [n][m] unit cost
    usable: list[list[int]]  # [n][m] units the line may take there (0 = ineligible or none)
    qty: list[int]  # [n]
    ship: list[int]  # [m] shipment cost
    capacity: list[int]  # [m] what each location may still ship; read only here
    max_shipments: int
    penalty: int

    def arrays(self) -> OrderArrays:
        """The same order as arrays, for the general solvers."""
        return OrderArrays(
            unit_cost=np.array(self.unit, dtype=np.int64),
            usable=np.array(self.usable, dtype=np.int64),
            qty=np.array(self.qty, dtype=np.int64),
            shipment_cost=np.array(self.ship, dtype=np.int64),
            capacity=np.array(self.capacity, dtype=np.int64),
            max_shipments=self.max_shipments,
            penalty=self.penalty,
        )


def batch_costs(table: SiteTable, demands: Sequence[Demand]) -> tuple[list[list[list[int]]], list[list[int]]]:
    """(per order its unit cost rows [n][m], per order its shipment cost row [m]).

    The same operations, element by element, as `SiteTable.costs` per order (a pickup order is
    costed to its store's coordinates, the store itself at distance 0 and shipping nothing).
    """
    n_orders = len(demands)
    if not n_orders:
        return [], []
    lat, lon = np.empty(n_orders), np.empty(n_orders)
    pickups: list[tuple[int, int]] = []  # (order, its pickup site)
    weights: list[int] = []
    line_order: list[int] = []
    for o, demand in enumerate(demands):
        if demand.delivery_mode == DeliveryMode.PICKUP:
            site = table.index[demand.pickup_site]
            pickups.append((o, site))
            lat[o], lon[o] = table.lat[site], table.lon[site]
        else:
            lat[o], lon[o] = demand.dest_lat, demand.dest_lon
        for line in demand.lines:
            weights.append(line.weight_g)
            line_order.append(o)
    distance = haversine_km(table.lat[None, :], table.lon[None, :], lat[:, None], lon[:, None])
    if pickups:
        at = tuple(np.array(pickups).T)
        distance[at] = 0.0
    unit = table.unit_handling_cost[None, :] + np.rint(
        (np.array(weights, dtype=float)[:, None] / 1000.0) * distance[line_order] * table.unit_cost_per_kg_km[None, :]
    ).astype(np.int64)
    shipment = table.shipment_cost + np.rint(table.shipment_cost_per_km * distance).astype(np.int64)
    if pickups:
        shipment[at] = 0
    unit_rows = unit.tolist()
    per_order: list[list[list[int]]] = []
    start = 0
    for demand in demands:
        per_order.append(unit_rows[start : start + len(demand.lines)])
        start += len(demand.lines)
    return per_order, shipment.tolist()


def greedy_allocations(order: OrderLists) -> list[Alloc]:
    """The plan of `baselines.greedy_order`: each line from its cheapest locations with stock
    (ties to the lower index), all lines at once unless that overloads a location or opens more
    shipments than allowed, then line by line against what the earlier lines left."""
    cap = order.capacity
    ranked: list[list[tuple[int, int, int]]] = []  # per line (cost, location, units available)
    allocs: list[Alloc] = []
    load: dict[int, int] = {}
    for i, (q, costs, usable) in enumerate(zip(order.qty, order.unit, order.usable)):
        line = sorted((costs[j], j, a if a < cap[j] else cap[j]) for j, a in enumerate(usable) if a > 0 and cap[j] > 0)  # noqa: FURB136
        ranked.append(line)
        need = q
        for _, j, a in line:
            if need <= 0:
                break
            take = a if a < need else need  # noqa: FURB136
            allocs.append((i, j, take))
            load[j] = load.get(j, 0) + take
            need -= take
    if len(load) <= order.max_shipments and all(units <= cap[j] for j, units in load.items()):
        return allocs
    return _greedy_sequential(order, ranked)


def _greedy_sequential(order: OrderLists, ranked: list[list[tuple[int, int, int]]]) -> list[Alloc]:
    capacity = list(order.capacity)
    used: set[int] = set()
    allocs: list[Alloc] = []
    for i, line in enumerate(ranked):
        need = order.qty[i]
        usable = order.usable[i]
        for _, j, _ in line:
            if need == 0:
                break
            if j not in used and len(used) >= order.max_shipments:
                continue
            take = min(need, usable[j], capacity[j])
            if take > 0:
                allocs.append((i, j, take))
                capacity[j] -= take
                used.add(j)
                need -= take
    return allocs


def allocation_cost(order: OrderLists, allocs: Sequence[Alloc]) -> int:
    """The objective of a plan: units, one shipment per location used, unfilled units."""
    units = sum(order.unit[i][j] * take for i, j, take in allocs)
    shipments = sum(order.ship[j] for j in {j for _, j, _ in allocs})
    unfilled = sum(order.qty) - sum(take for _, _, take in allocs)
    return units + shipments + order.penalty * unfilled


def single_site_optimum(order: OrderLists) -> tuple[list[Alloc], int] | None:
    """(plan, objective) when shipping from one location, or from none, is provably optimal;
    None when that cannot be shown this cheaply (the caller runs the fast path).

    It mirrors `fastpath.solve_order` on the same order, so the plan is the one the fast path
    would return, not merely one as cheap. With A the units a line can usefully take at a
    location (usable, capped by the line's quantity and the location's capacity, 0 where a unit
    costs at least the penalty) and `base = penalty x units ordered`:

    - a single location j costs `base + F_j + sum_i A_ij (c_ij - penalty)`; the fast path starts
      from the cheapest (the lowest index among equals: its stable sort), or from shipping
      nothing if that is no cheaper, and replaces its incumbent only by a strictly cheaper plan;
    - a set of two or more locations costs at least `base + F1 + F2 + fill`, the two cheapest
      shipments plus every line at its cheapest units anywhere (`fill`). The fast path bounds
      the supersets of each single {j} by `base + F_j + (cheapest F after j) + fill`, so when
      the start costs no more than that, its first level keeps no node and it returns the start
      with bound = objective. With one shipment allowed, there is no second level at all.

    The start must not overload its location (the fast path would re-cost it by min-cost flow).
    """
    p, cap = order.penalty, order.capacity
    m = len(order.ship)
    base = p * sum(order.qty)
    saving = [0] * m  # sum_i A_ij (c_ij - p)
    load = [0] * m  # sum_i A_ij
    fill = 0  # every line at its cheapest units anywhere: sum of A (c - p), cheapest first
    for q, costs, usable in zip(order.qty, order.unit, order.usable):
        options: list[tuple[int, int]] = []  # (c - p, A)
        for j, a in enumerate(usable):
            if a > 0 and costs[j] < p:
                if a > q:  # noqa: PLR1730
                    a = q
                if a > cap[j]:  # noqa: PLR1730
                    a = cap[j]
                if a > 0:
                    r = costs[j] - p
                    saving[j] += a * r
                    load[j] += a
                    options.append((r, a))
        fill += _cheapest_fill(options, q)
    useful = [j for j in range(m) if load[j] > 0]
    if not useful:
        return [], base
    best = min(useful, key=lambda j: order.ship[j] + saving[j])  # min() keeps the first of equals
    single = base + order.ship[best] + saving[best]
    ships = single < base
    if ships and load[best] > cap[best]:
        return None
    value = single if ships else base
    if min(order.max_shipments, len(useful)) >= 2:
        f1, f2 = sorted(order.ship[j] for j in useful)[:2]
        if value > base + f1 + f2 + fill:
            return None
    if not ships:
        return [], base
    allocs = []
    for i, (q, costs, usable) in enumerate(zip(order.qty, order.unit, order.usable)):
        a = min(usable[best], q, cap[best]) if costs[best] < p else 0
        if a > 0:
            allocs.append((i, best, a))
    return allocs, value


def _cheapest_fill(options: list[tuple[int, int]], qty: int) -> int:
    """sum of units x saving of the `qty` cheapest units among (saving, units) options."""
    if not options:
        return 0
    if len(options) == 1:
        r, a = options[0]
        return r * min(a, qty)
    options.sort()
    total, need = 0, qty
    for r, a in options:
        take = a if a < need else need  # noqa: FURB136
        total += r * take
        need -= take
        if need == 0:
            break
    return total


def allocations_of(x: np.ndarray) -> list[Alloc]:
    """The nonzero entries of a plan matrix, line by line, locations ascending."""
    lines, locs = np.nonzero(x)
    return [(i, j, t) for i, j, t in zip(lines.tolist(), locs.tolist(), x[lines, locs].tolist())]


def order_plan(demand: Demand, order: OrderLists, allocs: Sequence[Alloc], ids: Sequence[str]) -> OrderPlan:
    """The OrderPlan of a plan, allocations line by line, locations ascending."""
    allocs = sorted(allocs)
    filled = [0] * len(order.qty)
    for i, _, take in allocs:
        filled[i] += take
    unfilled = {line.sku: q - f for line, q, f in zip(demand.lines, order.qty, filled) if q > f}
    return OrderPlan(
        id=demand.id,
        allocations=tuple(Allocation(sku=demand.lines[i].sku, location=ids[j], qty=take) for i, j, take in allocs),
        unfilled=unfilled,
        cost=CostBreakdown(
            units=sum(order.unit[i][j] * take for i, j, take in allocs),
            shipments=sum(order.ship[j] for j in {j for _, j, _ in allocs}),
            unfilled=sum(unfilled.values()) * order.penalty,
        ),
    )
