"""Exact single-order sourcing by vectorised branch and bound over sets of shipping locations.

For a fixed set S of locations an order ships from, and no binding capacity, every line fills
independently from its cheapest units in S (each unit saves `penalty - unit cost`), so

    cost(S) = shipment_cost(S) + fill(S)      and the optimum is   min over |S| <= max_shipments.

fill(S) is supermodular: it is a constant minus a weighted rank function of a uniform matroid per
line (the q cheapest units), so adding a location to a larger set saves at most what it saves
when added to a smaller one. That gives the classic facility-location bound used to prune: for
any T ⊋ S built from locations after max(S),

    cost(T) >= cost(S) + sum over j in T \\ S of  delta_j(S),   delta_j(S) = cost(S ∪ {j}) - cost(S),

and, since fill only falls as locations are added,

    cost(T) >= shipment_cost(S) + min shipment cost after max(S) + fill(S ∪ every location after max(S)).

The search runs level by level (sets of size 1, 2, ...), evaluating all children of a level in
one numpy pass; before a wide level a local search (add / drop / swap) looks for a better
incumbent to prune it with. Capacity is handled exactly: sets whose cheapest fill overloads a
location are re-costed with a min-cost flow, and until then their relaxed cost stands as a lower
bound. When the tree outgrows its budget, the best plan and a proven lower bound are returned
and the caller hands the order to the MIP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .flow import cheapest_fill
from .problem import OrderArrays

# Array elements the search may touch in all (see _Reduced.work): ~50 ms at most, beyond which
# the MIP is the faster way to a proof.
DEFAULT_BUDGET = 3_000_000
# Children of one level above which a local search for a better incumbent pays for itself.
LOCAL_SEARCH_ABOVE = 400
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


def _flow_fill(R: np.ndarray, A: np.ndarray, q: np.ndarray, cap: np.ndarray, cols: np.ndarray) -> tuple[int, np.ndarray]:
    """Exact cheapest fill from the locations `cols` with their capacity shared across lines."""
    saving, x = cheapest_fill(
        saving=R[:, cols], allowed=A[:, cols] > 0, qty=q, line_sku=np.arange(len(q)), stock=A[:, cols], capacity=cap[cols]
    )
    return saving, x


@dataclass(frozen=True, kw_only=True, eq=False)
class _Reduced:
    """The order restricted to its useful locations (relabelled best-first), ready to cost sets.

    Lines of one unit (most lines) fill from their single cheapest location in a set, a min;
    other lines fill cheapest-first, which needs the order of the set's locations per line.
    """

    R: np.ndarray  # int64 [n, u]: unit cost - penalty (< 0 where usable)
    A: np.ndarray  # int64 [n, u]: usable units, capped by quantity and capacity
    F: np.ndarray  # int64 [u]: shipment cost
    cap: np.ndarray  # int64 [u]
    q: np.ndarray  # int64 [n]
    base: int  # cost of shipping nothing
    R1: np.ndarray  # int64 [n1, u]: one-unit lines, R where usable else 0 (unfilled saves 0)
    Rm: np.ndarray  # int64 [n2, u]: multi-unit lines
    Am: np.ndarray
    qm: np.ndarray
    rank: np.ndarray  # int64 [n2, u]: place of each location in the line's cheapest-first order
    by_cost: np.ndarray  # int64 [n2, u]: the line's locations, cheapest first
    Rm_sorted: np.ndarray
    Am_sorted: np.ndarray

    @classmethod
    def build(cls, R: np.ndarray, A: np.ndarray, F: np.ndarray, cap: np.ndarray, q: np.ndarray, base: int) -> _Reduced:
        one = q == 1
        Rm, Am = R[~one], A[~one]
        # Unusable pairs rank last, whatever their cost: they hold nothing to take anyway.
        by_cost = np.argsort(np.where(Am > 0, Rm, 0), axis=1, kind="stable")
        rank = np.empty_like(by_cost)
        np.put_along_axis(rank, by_cost, np.arange(R.shape[1])[None, :], axis=1)
        return cls(
            R=R, A=A, F=F, cap=cap, q=q, base=base,
            R1=np.where(A[one] > 0, R[one], 0),
            Rm=Rm, Am=Am, qm=q[~one], rank=rank, by_cost=by_cost,
            Rm_sorted=np.take_along_axis(Rm, by_cost, axis=1),
            Am_sorted=np.take_along_axis(Am, by_cost, axis=1),
        )

    def work(self, n_sets: int, k: int) -> int:
        """Array elements touched to cost n_sets sets of k locations (the budget's unit)."""
        return n_sets * (len(self.R1) * k + len(self.Rm) * k * k + 1)

    def saving(self, sets: np.ndarray) -> np.ndarray:
        """Cheapest fill of every line from each set [N, k], capacity shared across lines
        ignored: the summed `take x (unit cost - penalty)`, int64 [N] (<= 0)."""
        total = np.zeros(len(sets), dtype=np.int64)
        if len(self.R1):
            total += self.R1[:, sets].min(axis=2).sum(axis=0)
        if len(self.Rm):
            r, a, rk = self.Rm[:, sets], self.Am[:, sets], self.rank[:, sets]  # [n2, N, k]
            # units available at locations of the set that the line prefers to each one
            before = (a[:, :, None, :] * (rk[:, :, None, :] < rk[:, :, :, None])).sum(axis=3)
            take = np.clip(self.qm[:, None, None] - before, 0, a)
            total += (take * r).sum(axis=(0, 2))
        return total

    def relaxed(self, sets: np.ndarray) -> np.ndarray:
        return self.base + self.F[sets].sum(axis=1) + self.saving(sets)

    def fill_bound(self) -> int:
        """Cost of filling from every location at once, shipments aside: no set does better."""
        return self.base + int(self.masked_saving(np.ones((1, len(self.F)), dtype=bool))[0])

    def masked_saving(self, masks: np.ndarray) -> np.ndarray:
        """As `saving`, for sets given as bool masks [N, u]."""
        total = np.zeros(len(masks), dtype=np.int64)
        if len(self.R1):
            total += np.where(masks[:, None, :], self.R1[None], 0).min(axis=2).sum(axis=1)
        if len(self.Rm):
            a = self.Am_sorted[None] * masks[:, self.by_cost]  # [N, n2, u]
            cum = np.cumsum(a, axis=2)
            qq = self.qm[None, :, None]
            take = np.minimum(cum, qq) - np.minimum(cum - a, qq)
            total += (take * self.Rm_sorted[None]).sum(axis=(1, 2))
        return total

    def takes(self, sset: np.ndarray) -> np.ndarray:
        """int64 [n, len(sset)]: the cheapest-first fill of every line from one set."""
        if len(sset) == 1:
            return self.A[:, sset].copy()  # already capped by each line's quantity
        r, a = self.R[:, sset], self.A[:, sset]
        order = np.argsort(np.where(a > 0, r, 0), axis=1, kind="stable")
        a_sorted = np.take_along_axis(a, order, axis=1)
        cum = np.cumsum(a_sorted, axis=1)
        qq = self.q[:, None]
        take = np.zeros_like(a)
        np.put_along_axis(take, order, np.minimum(cum, qq) - np.minimum(cum - a_sorted, qq), axis=1)
        return take

    def overloads(self, sset: np.ndarray, take: np.ndarray) -> bool:
        return bool((take.sum(axis=0) > self.cap[sset]).any())

    def plan(self, sset: np.ndarray) -> tuple[int, np.ndarray]:
        """Exact cost of shipping from the set (shared capacity included) and its takes."""
        take = self.takes(sset)
        if self.overloads(sset, take):
            saving, take = _flow_fill(self.R, self.A, self.q, self.cap, sset)
        else:
            saving = int((take * self.R[:, sset]).sum())
        return self.base + int(self.F[sset].sum()) + saving, take


def _local_search(order: _Reduced, K: int, current: np.ndarray, rounds: int = 8) -> np.ndarray:
    """A good set to start from: best add / drop / swap moves on relaxed costs from `current`.

    Its cost prunes the exact search from the first level on, so a strong start saves levels.
    """
    u = len(order.F)
    value = int(order.relaxed(current[None, :])[0]) if len(current) else order.base
    for _ in range(rounds):
        inside = np.zeros(u, dtype=bool)
        inside[current] = True
        outside = np.flatnonzero(~inside)
        k = len(current)
        moves = []
        if k < K and len(outside):
            moves.append(np.concatenate([np.broadcast_to(current, (len(outside), k)), outside[:, None]], axis=1))
        if k:
            drops = np.array([np.delete(current, i) for i in range(k)]).reshape(k, k - 1)
            if k > 1:
                moves.append(drops)
            if len(outside):
                swaps = np.repeat(drops, len(outside), axis=0)
                moves.append(np.concatenate([swaps, np.tile(outside, k)[:, None]], axis=1))
        best_value, best = value, None
        for sets in moves:
            values = order.relaxed(sets)
            i = int(np.argmin(values))
            if values[i] < best_value:
                best_value, best = int(values[i]), sets[i]
        if best is None:
            break
        current, value = np.sort(best), best_value
    return current


def _reduce(order: OrderArrays) -> tuple[_Reduced, np.ndarray]:
    """The order on the locations that can serve it, best first, and their original indices."""
    q, p = order.qty, order.penalty
    # A unit costing at least the penalty is never worth shipping (leaving it unfilled is as
    # cheap and opens no shipment), so such pairs are as good as ineligible.
    A = np.minimum(np.minimum(order.usable, q[:, None]), order.capacity[None, :])
    A = np.where(order.unit_cost < p, A, 0)
    useful = np.flatnonzero(A.any(axis=0))
    A = A[:, useful]
    R = order.unit_cost[:, useful] - p
    F = order.shipment_cost[useful]
    # Relabel locations by their cost alone (A is already capped by the quantity): the most
    # promising come first, so the bounds of later subtrees (which add later locations) are tight.
    perm = np.argsort(F + (A * R).sum(axis=0), kind="stable")
    useful = useful[perm]
    return _Reduced.build(R[:, perm], A[:, perm], F[perm], order.capacity[useful], q, int(p * q.sum())), useful


def lower_bound(order: OrderArrays) -> int:
    """A cheap valid bound: every line at its cheapest units anywhere, one shipment if any ships."""
    red, useful = _reduce(order)
    if not len(useful):
        return red.base
    return min(red.base, red.fill_bound() + int(red.F.min()))


def solve_order(order: OrderArrays, *, budget: int = DEFAULT_BUDGET) -> FastResult:
    """The cheapest plan for one order, proven optimal unless the search outgrows `budget`."""
    n, m = order.usable.shape
    red, useful = _reduce(order)
    base, F, u = red.base, red.F, len(useful)
    K = min(order.max_shipments, u)
    x = np.zeros((n, m), dtype=np.int64)
    if K == 0:
        return FastResult(x=x, objective=base, bound=base, proven=True, sets_evaluated=0)
    # Only a location whose capacity is below what the order could take there can bind.
    tight = red.cap < red.A.sum(axis=0)

    fill_lb = red.fill_bound()  # no set of locations fills cheaper than all of them
    # min shipment cost among locations after j, for the "one more shipment" bound
    min_f_after = np.append(np.minimum.accumulate(F[::-1])[::-1][1:], _INF)
    root_bound = fill_lb + int(F.min())  # any plan that ships at all

    best_value, best_set = base, np.zeros(0, dtype=np.int64)
    value, _ = red.plan(np.zeros(1, dtype=np.int64))  # the best single location
    if value < best_value:
        best_value, best_set = value, np.zeros(1, dtype=np.int64)
    searched = K == 1
    unresolved = _INF  # lowest relaxed cost of a set we could not cost exactly
    evaluated = spent = 0
    flows = 0

    nodes = np.zeros((1, 0), dtype=np.int64)  # frontier: sets whose supersets are still open
    node_value = np.array([base], dtype=np.int64)
    node_fsum = np.zeros(1, dtype=np.int64)
    node_bound = np.array([min(base, root_bound)], dtype=np.int64)
    k = 0
    while len(nodes) and k < K and node_bound.min() < best_value:
        last = nodes[:, -1] if k else np.full(len(nodes), -1)
        rows, js = np.nonzero(np.arange(u)[None, :] > last[:, None])  # children add a later location
        if not searched and len(rows) > LOCAL_SEARCH_ABOVE:
            # A wide level ahead: a strong incumbent first prunes much of it (easy orders
            # never get here, so they do not pay for the search).
            searched = True
            start = _local_search(red, K, best_set)
            if len(start) > 1:
                value, _ = red.plan(start)
                if value < best_value:
                    best_value, best_set = value, start
            alive = node_bound < best_value
            nodes, node_value, node_fsum, node_bound = nodes[alive], node_value[alive], node_fsum[alive], node_bound[alive]
            continue
        spent += red.work(len(rows), k + 1)
        if spent > budget:
            break
        child_sets = np.concatenate([nodes[rows], js[:, None]], axis=1)
        evaluated += len(rows)
        child_fsum = node_fsum[rows] + F[js]
        child_value = base + child_fsum + red.saving(child_sets)

        # Best child first: its relaxed cost is exact unless its fill overloads a location.
        for c in np.argsort(child_value, kind="stable"):
            v = int(child_value[c])
            if v >= best_value:
                break
            sset = child_sets[c]
            if tight[sset].any() and red.overloads(sset, red.takes(sset)):
                if flows >= MAX_FLOW_EVALUATIONS:
                    unresolved = min(unresolved, v)
                    break
                flows += 1
                v, _ = red.plan(sset)
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
        suffix_min = np.minimum.accumulate(delta[:, ::-1], axis=1)[:, ::-1]
        suffix_neg = np.cumsum(np.minimum(delta, 0)[:, ::-1], axis=1)[:, ::-1]
        after_min = np.concatenate([suffix_min[:, 1:], np.full((len(nodes), 1), _INF)], axis=1)[rows, js]
        after_neg = np.concatenate([suffix_neg[:, 1:], np.zeros((len(nodes), 1), np.int64)], axis=1)[rows, js]
        add_bound = np.where(after_min >= 0, after_min, np.maximum(after_neg, remaining * after_min))
        b1 = child_value + add_bound
        b2 = child_fsum + min_f_after[js] + fill_lb
        bound = np.maximum(np.maximum(b1, b2), node_bound[rows])
        keep = np.flatnonzero((js < u - 1) & (bound < best_value))
        if len(keep):
            # Survivors get a sharper bound: their supersets fill at best from their own
            # locations plus every later one.
            masks = np.arange(u)[None, :] > js[keep, None]
            masks[np.arange(len(keep))[:, None], child_sets[keep]] = True
            b3 = base + child_fsum[keep] + min_f_after[js[keep]] + red.masked_saving(masks)
            bound[keep] = np.maximum(bound[keep], b3)
            keep = keep[bound[keep] < best_value]
        nodes = child_sets[keep]
        node_value = child_value[keep]
        node_fsum = child_fsum[keep]
        node_bound = bound[keep]
        k += 1

    lower = max(0, min(best_value, unresolved, int(node_bound.min()) if len(nodes) else _INF))
    if len(best_set):
        _, take = red.plan(best_set)
        x[:, useful[best_set]] = take
    return FastResult(
        x=x,
        objective=best_value,
        bound=lower,
        proven=lower >= best_value,
        sets_evaluated=evaluated,
    )
