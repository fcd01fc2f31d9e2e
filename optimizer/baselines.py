"""The rules today's order management systems source with, kept as yardsticks for the optimum.

- greedy: orders in the given order, each line from its cheapest eligible location with stock
  (then the next cheapest, and so on), opening no more shipments than the order allows;
- single-first: the cheapest location that can ship the whole order alone, else greedy.

Neither looks at the unfilled penalty or shipment costs beyond that: they are what a rules engine
does, not a cheaper heuristic.
"""

from __future__ import annotations

import numpy as np

from .problem import OrderArrays, Problem


def greedy_order(order: OrderArrays) -> np.ndarray:
    """int64 [n, m]: the greedy plan of one order against the stock and capacity it is given."""
    cost, q = order.unit_cost, order.qty
    avail = np.minimum(order.usable, order.capacity[None, :])
    n, m = avail.shape
    ranked = np.argsort(np.where(avail > 0, cost, np.iinfo(np.int64).max), axis=1, kind="stable")
    a = np.take_along_axis(avail, ranked, axis=1)
    cum = np.cumsum(a, axis=1)
    take = np.minimum(cum, q[:, None]) - np.minimum(cum - a, q[:, None])
    x = np.zeros((n, m), dtype=np.int64)
    np.put_along_axis(x, ranked, take, axis=1)
    # Lines filled independently: exact greedy unless they share a capacity or the shipment cap.
    if (x.sum(axis=0) <= order.capacity).all() and (x > 0).any(axis=0).sum() <= order.max_shipments:
        return x
    return _greedy_sequential(order, ranked)


def _greedy_sequential(order: OrderArrays, ranked: np.ndarray) -> np.ndarray:
    n, m = order.usable.shape
    x = np.zeros((n, m), dtype=np.int64)
    capacity = order.capacity.copy()
    used: set[int] = set()
    for i in range(n):
        need = int(order.qty[i])
        for j in ranked[i].tolist():
            if need == 0:
                break
            if j not in used and len(used) >= order.max_shipments:
                continue
            take = min(need, int(order.usable[i, j]), int(capacity[j]))
            if take > 0:
                x[i, j] = take
                capacity[j] -= take
                used.add(j)
                need -= take
    return x


def single_first_order(order: OrderArrays) -> np.ndarray:
    """The cheapest single location that ships every line in full, else the greedy plan."""
    q = order.qty
    can = (order.usable >= q[:, None]).all(axis=0) & (order.capacity >= q.sum())
    if not can.any():
        return greedy_order(order)
    total = (order.unit_cost * q[:, None]).sum(axis=0) + order.shipment_cost
    j = int(np.flatnonzero(can)[np.argmin(total[can])])
    x = np.zeros(order.usable.shape, dtype=np.int64)
    x[:, j] = q
    return x


def sequential(problem: Problem, solve_one) -> np.ndarray:
    """Plan the orders one by one in the given order, each against what the earlier ones left.

    `solve_one(OrderArrays) -> x` plans one order; this applies a single-order rule to a batch.
    """
    stock = problem.stock.copy()
    capacity = problem.capacity.copy()
    x = np.zeros(problem.unit_cost.shape, dtype=np.int64)
    for o in range(problem.n_orders):
        lines = slice(problem.order_start[o], problem.order_start[o + 1])
        xo = solve_one(problem.order_arrays(o, stock, capacity))
        x[lines] = xo
        np.subtract.at(stock, problem.line_sku[lines], xo)
        capacity -= xo.sum(axis=0)
    return x


def greedy(problem: Problem) -> np.ndarray:
    return sequential(problem, greedy_order)


def single_first(problem: Problem) -> np.ndarray:
    return sequential(problem, single_first_order)
