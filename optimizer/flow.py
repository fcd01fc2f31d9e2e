"""Cheapest fill for fixed shipping choices, as a min-cost flow (OR-Tools, vectorised arcs).

Once it is decided which locations each order ships from, what is left is a transportation
problem: source -> location (capacity) -> (SKU, location) (stock) -> line (its quantity), with
every unit saving `penalty - unit cost`. Network flows have integral optima, so this turns any
choice of shipments (a MIP's, the fast path's) into the best integer allocation for it.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .errors import OptimizerError


def cheapest_fill(
    *,
    saving: np.ndarray,  # int64 [L, m]: unit cost - penalty; only pairs < 0 are worth shipping
    allowed: np.ndarray,  # bool [L, m]: the line may take units there
    qty: np.ndarray,  # int64 [L]
    line_sku: np.ndarray,  # int64 [L]: row of `stock` each line draws on
    stock: np.ndarray,  # int64 [S, m]
    capacity: np.ndarray,  # int64 [m]
) -> tuple[int, np.ndarray]:
    """(summed saving (<= 0), x int64 [L, m]) of the cheapest allocation using allowed pairs."""
    n_lines, m = allowed.shape
    x = np.zeros((n_lines, m), dtype=np.int64)
    lines, locs = np.nonzero(allowed & (saving < 0) & (stock[line_sku] > 0))
    if len(lines) == 0:
        return 0, x
    total = int(qty.sum())
    keys, key_of_pair = np.unique(line_sku[lines] * m + locs, return_inverse=True)
    key_loc = keys % m
    used_locs, loc_of_key = np.unique(key_loc, return_inverse=True)
    # nodes: 0 source, 1 sink, then locations, (SKU, location) pairs, lines
    loc_node = 2 + np.arange(len(used_locs))
    key_node = 2 + len(used_locs) + np.arange(len(keys))
    line_node = 2 + len(used_locs) + len(keys) + np.arange(n_lines)
    tails = np.concatenate([np.zeros(len(used_locs), np.int64), loc_node[loc_of_key], key_node[key_of_pair], line_node, [0]])
    heads = np.concatenate([loc_node, key_node, line_node[lines], np.ones(n_lines, np.int64), [1]])
    caps = np.concatenate([
        np.minimum(capacity[used_locs], total),
        stock.reshape(-1)[keys],
        np.minimum(qty[lines], stock[line_sku[lines], locs]),
        qty,
        [total],  # units left unfilled bypass the network at no saving
    ])
    costs = np.concatenate([
        np.zeros(len(used_locs), np.int64),
        np.zeros(len(keys), np.int64),
        saving[lines, locs],
        np.zeros(n_lines, np.int64),
        [0],
    ])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs.astype(np.int64))
    flow.set_nodes_supplies(np.array([0, 1], np.int32), np.array([total, -total], np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:  # the bypass arc makes every instance feasible
        raise OptimizerError(f"min-cost flow failed with status {status}")
    first_pair_arc = len(used_locs) + len(keys)
    x[lines, locs] = flow.flows(np.arange(first_pair_arc, first_pair_arc + len(lines), dtype=np.int32))
    return int(flow.optimal_cost()), x
