"""Exact single-order sourcing by vectorised branch and bound over sets of shipping locations.

For a fixed set S of locations an order ships from, and no binding capacity, every line fills
independently from its cheapest units in S (each unit saves `penalty - unit cost`), so

    cost(S) = shipment_cost(S) + fill(S)      and the optimum is   min over |S| <= max_shipments.

fill(S) is supermodular: it is a constant minus a weighted rank function of a uniform matroid per
line (the q cheapest units), so adding a location to a larger set saves at most what it saves
when added to a smaller one. That gives the classic facility-location bound used to prune: for
any T ⊋ S built from locations after max(S),

    cost(T) >= cost(S) + sum over j in T \\ S of  delta_j(S),   delta_j(S) = cost(S ∪ {j}) - cost(S),

and the plain bound  cost(T) >= shipment_cost(T) + fill(all locations).

The search runs level by level (sets of size 1, 2, ...), evaluating all children of a level in
one numpy pass. Capacity is handled exactly: sets whose cheapest fill overloads a location are
re-costed with a min-cost flow, and until then their relaxed cost stands as a lower bound.
When the tree outgrows its budget, the best plan and a proven lower bound are returned and the
caller hands the order to the MIP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from .problem import OrderArrays

# Children evaluated per level, times lines: keeps one level's arrays to a few megabytes.
DEFAULT_BUDGET = 1_500_000
# Sets re-costed by min-cost flow (capacity binding) before giving the proof up to the MIP.
MAX_FLOW_EVALUATIONS = 64

_INF = np.int64(1) << 60


@dataclass(frozen=True, kw_only=True)
class FastResult:
    x: np.ndarray  # int64 [n, m]: the best plan found, always valid
    objective: int
    bound: int  # proven lower bound; == objective when proven
    proven: bool
    sets_evaluated: int


def _fill(R: np.ndarray, A: np.ndarray, q: np.ndarray, sets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cheapest fill of every line from each set of locations, ignoring shared capacity.

    R = unit cost - penalty (< 0 where usable), A = usable units, sets int [N, k].
    Returns (saving [N] = sum of take * R, i.e. <= 0; take [n, N, k]; columns [n, N, k] in the
    order the takes are listed).
    """
    r = R[:, sets]  # [n, N, k]
    a = A[:, sets]
    cols = np.broadcast_to(sets, r.shape)
    if sets.shape[1] > 1:
        order = np.argsort(r, axis=2, kind="stable")
        r = np.take_along_axis(r, order, axis=2)
        a = np.take_along_axis(a, order, axis=2)
        cols = np.take_along_axis(cols, order, axis=2)
    cum = np.cumsum(a, axis=2)
    qq = q[:, None, None]
    take = np.minimum(cum, qq) - np.minimum(cum - a, qq)
    return (take * r).sum(axis=(0, 2)), take, cols


def _flow_fill(R: np.ndarray, A: np.ndarray, q: np.ndarray, cap: np.ndarray, cols: np.ndarray) -> tuple[int, np.ndarray]:
    """Exact cheapest fill from the locations `cols` with shared location capacity (min-cost flow).

    Returns (saving, take [n, len(cols)]). Unfilled units are simply not sent: every arc saves
    `-R > 0`, so maximising saving == minimising cost.
    """
    n, k = R.shape[0], len(cols)
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1 + k + n
    line_arcs: list[tuple[int, int, int]] = []
    for c, j in enumerate(cols):
        flow.add_arc_with_capacity_and_unit_cost(source, 1 + c, int(cap[j]), 0)
        for i in range(n):
            if A[i, j] > 0:
                arc = flow.add_arc_with_capacity_and_unit_cost(1 + c, 1 + k + i, int(A[i, j]), int(R[i, j]))
                line_arcs.append((arc, i, c))
    for i in range(n):
        flow.add_arc_with_capacity_and_unit_cost(1 + k + i, sink, int(q[i]), 0)
    # Max-flow-min-cost with negative costs on every useful arc: a free bypass arc lets the
    # solver leave units unsent, so the cheapest flow of the full supply is the cheapest fill.
    total = int(q.sum())
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:  # cannot happen: the bypass arc makes it always feasible
        raise RuntimeError(f"min-cost flow failed with status {status}")
    take = np.zeros((n, k), dtype=np.int64)
    for arc, i, c in line_arcs:
        take[i, c] = flow.flow(arc)
    return int(flow.optimal_cost()), take


def solve_order(order: OrderArrays, *, budget: int = DEFAULT_BUDGET) -> FastResult:
    """The cheapest plan for one order, proven optimal unless the search outgrows `budget`."""
    q = order.qty
    n, m = order.usable.shape
    p = order.penalty
    base = int(p * q.sum())  # cost of shipping nothing
    # A unit costing at least the penalty is never worth shipping (leaving it unfilled is as
    # cheap and opens no shipment), so such pairs are as good as ineligible.
    A = np.minimum(np.minimum(order.usable, q[:, None]), order.capacity[None, :])
    A = np.where(order.unit_cost < p, A, 0)
    useful = np.flatnonzero(A.any(axis=0))
    K = min(order.max_shipments, len(useful))
    x = np.zeros((n, m), dtype=np.int64)
    if K == 0:
        return FastResult(x=x, objective=base, bound=base, proven=True, sets_evaluated=0)

    A = A[:, useful]
    R = order.unit_cost[:, useful] - p
    F = order.shipment_cost[useful]
    cap = order.capacity[useful]
    # Only a location whose capacity is below what the order could take there can bind.
    tight = cap < A.sum(axis=0)

    # Relabel locations by their cost alone: the most promising come first, so the bounds of
    # later subtrees (which only add later locations) are tight.
    single = F + _fill(R, A, q, np.arange(len(useful))[:, None])[0]
    perm = np.argsort(single, kind="stable")
    A, R, F, cap, tight, useful = A[:, perm], R[:, perm], F[perm], cap[perm], tight[perm], useful[perm]
    u = len(useful)

    saving_all, _, _ = _fill(R, A, q, np.arange(u)[None, :])
    fill_lb = base + int(saving_all[0])  # fill(all useful locations): no set fills cheaper
    # min shipment cost among locations after j, for the "one more shipment" bound
    min_f_after = np.append(np.minimum.accumulate(F[::-1])[::-1][1:], _INF)

    best_value, best_set = base, np.zeros(0, dtype=np.int64)
    unresolved = _INF  # lowest relaxed cost of a set we could not cost exactly
    evaluated = 0
    flows = 0

    nodes = np.zeros((1, 0), dtype=np.int64)  # frontier: sets whose supersets are still open
    node_value = np.array([base], dtype=np.int64)
    node_fsum = np.zeros(1, dtype=np.int64)
    node_bound = np.array([-_INF], dtype=np.int64)
    k = 0
    while len(nodes) and k < K:
        last = nodes[:, -1] if k else np.full(len(nodes), -1)
        valid = np.arange(u)[None, :] > last[:, None]  # children add a later location only
        rows, js = np.nonzero(valid)
        if len(rows) * max(n, 1) * (k + 1) > budget:
            break
        child_sets = np.concatenate([nodes[rows], js[:, None]], axis=1)
        saving, take, cols = _fill(R, A, q, child_sets)
        evaluated += len(rows)
        child_fsum = node_fsum[rows] + F[js]
        child_value = base + child_fsum + saving

        # Best child first: the cheapest relaxed cost is exact unless it overloads a location.
        order_idx = np.argsort(child_value, kind="stable")
        for c in order_idx:
            v = int(child_value[c])
            if v >= best_value:
                break
            sset = child_sets[c]
            if tight[sset].any():
                used = np.zeros(u, dtype=np.int64)
                np.add.at(used, cols[:, c, :].ravel(), take[:, c, :].ravel())
                if (used[sset] > cap[sset]).any():
                    if flows >= MAX_FLOW_EVALUATIONS:
                        unresolved = min(unresolved, v)
                        break
                    flows += 1
                    exact, _ = _flow_fill(R, A, q, cap, sset)
                    v = base + int(child_fsum[c]) + exact
                    if v < best_value:
                        best_value, best_set = v, sset
                    continue
            best_value, best_set = v, sset
            break

        remaining = K - (k + 1)
        if remaining == 0:
            nodes = nodes[:0]
            break
        # Bounds on strict supersets of each child (they add locations after its last one).
        delta = np.full((len(nodes), u), _INF, dtype=np.int64)
        delta[rows, js] = child_value - node_value[rows]
        neg = np.minimum(delta, 0)
        suffix_min = np.minimum.accumulate(delta[:, ::-1], axis=1)[:, ::-1]
        suffix_neg = np.cumsum(neg[:, ::-1], axis=1)[:, ::-1]
        after_min = np.concatenate([suffix_min[:, 1:], np.full((len(nodes), 1), _INF)], axis=1)[rows, js]
        after_neg = np.concatenate([suffix_neg[:, 1:], np.zeros((len(nodes), 1), np.int64)], axis=1)[rows, js]
        has_after = js < u - 1
        add_bound = np.where(after_min >= 0, after_min, np.maximum(after_neg, remaining * after_min))
        b1 = child_value + add_bound
        b2 = child_fsum + min_f_after[js] + fill_lb
        bound = np.maximum(np.maximum(b1, b2), node_bound[rows])
        keep = has_after & (bound < best_value)
        nodes = child_sets[keep]
        node_value = child_value[keep]
        node_fsum = child_fsum[keep]
        node_bound = bound[keep]
        k += 1

    lower = min(best_value, unresolved, int(node_bound.min()) if len(nodes) else _INF)
    if len(best_set):
        _, take, cols = _fill(R, A, q, best_set[None, :])
        used = np.zeros(u, dtype=np.int64)
        np.add.at(used, cols.ravel(), take.ravel())
        if (used > cap).any():
            _, flow_take = _flow_fill(R, A, q, cap, best_set)
            x[:, useful[best_set]] = flow_take
        else:
            np.add.at(x, (np.arange(n)[:, None], useful[cols[:, 0, :]]), take[:, 0, :])
    return FastResult(
        x=x,
        objective=best_value,
        bound=max(lower, 0),
        proven=lower >= best_value,
        sets_evaluated=evaluated,
    )
