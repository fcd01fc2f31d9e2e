"""Offline sourcing study: the optimizer against the rule baselines and a plain CP-SAT model.

    python -m benchmarks.sourcing            # 1,000 single orders, batches of 50-400 orders
    python -m benchmarks.sourcing --quick    # a small run, a few seconds
    python -m benchmarks.sourcing --only capture   # just the capture hot path per order

Every instance is generated from a seed through the optimizer's own network, rules and cost
model (sites on a map of roughly Germany, weights, distances, safety stock, shipment caps), so
runs are repeatable. Figures are printed, never asserted: they are for reading.

Sections:
- single orders: `optimizer.solve` on each single-order instance, beside one CP-SAT model per
  order (built term by term with the cp_model API, default parameters) as the reference;
- hot path: `optimizer.source_orders` over a stream of orders sharing one network's stock;
- hot path, capture shape: CPU per order of `source_orders` at batch sizes 1, 10 and 60 on
  the order-capture network (17 locations, orders of 1-4 lines), as the sourcing worker calls it;
- batches: the joint optimum of 50-400 orders against scarce shared stock, beside the baselines,
  sequential exact sourcing, and the same CP-SAT reference order by order; and the joint model
  through SCIP, HiGHS and CP-SAT (for the smaller batches, see --compare-solvers-up-to).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import ortools
from ortools.sat.python import cp_model

from optimizer import (
    CostBreakdown,
    Demand,
    DemandLine,
    EligibilityRule,
    Instance,
    LocationType,
    Policy,
    RoutingRules,
    Site,
    SolveStatus,
    compile_instance,
    solve,
    source_orders,
)
from optimizer.mip import solve_mip
from optimizer.problem import Problem
from optimizer.solve import source_order

LAT, LON = (47.6, 54.6), (6.2, 14.9)
CHANNELS = ("web", "app", "pos", "marketplace")

RULES = RoutingRules(
    rules=(
        EligibilityRule(effect="deny", channels=frozenset({"marketplace"}), location_types=frozenset({"store"}),
                        description="marketplace orders ship from warehouses and suppliers only"),
        EligibilityRule(effect="deny", channels=frozenset({"pos"}), location_types=frozenset({"dropship"}),
                        description="no drop-ship for store sales"),
        EligibilityRule(effect="allow", delivery_modes=frozenset({"pickup"}), location_types=frozenset({"warehouse"}),
                        description="pickup orders may be transferred from a warehouse"),
    ),
    max_shipments_by_channel={"marketplace": 2},
    safety_stock_by_channel={"web": {"store": 1}, "marketplace": {"warehouse": 2}},
)


# --- generation ----------------------------------------------------------------------------


def make_sites(rng: np.random.Generator, m: int) -> dict[str, Site]:
    types = (LocationType.WAREHOUSE, LocationType.STORE, LocationType.DROPSHIP)
    kinds = [types[k] for k in rng.choice(3, size=m, p=[0.2, 0.65, 0.15])]
    kinds[0] = LocationType.WAREHOUSE  # every network has a warehouse
    prefix = {LocationType.WAREHOUSE: "DC", LocationType.STORE: "ST", LocationType.DROPSHIP: "DS"}
    sites: dict[str, Site] = {}
    for j, kind in enumerate(kinds):
        site_id = f"{prefix[kind]}-{j}"
        lat, lon = float(rng.uniform(*LAT)), float(rng.uniform(*LON))
        if kind is LocationType.WAREHOUSE:
            site = Site(id=site_id, type=kind, lat=lat, lon=lon, shipment_cost=int(rng.integers(400, 560)),
                        shipment_cost_per_km=0.4, unit_handling_cost=int(rng.integers(30, 60)), unit_cost_per_kg_km=0.3,
                        capacity_units=int(rng.integers(50, 400)) if rng.random() < 0.2 else None)
        elif kind is LocationType.STORE:
            site = Site(id=site_id, type=kind, lat=lat, lon=lon, shipment_cost=int(rng.integers(600, 820)),
                        shipment_cost_per_km=0.6, unit_handling_cost=int(rng.integers(70, 130)), unit_cost_per_kg_km=0.4,
                        capacity_units=int(rng.integers(5, 40)) if rng.random() < 0.3 else None, pickup=bool(rng.random() < 0.5))
        else:
            site = Site(id=site_id, type=kind, lat=lat, lon=lon, shipment_cost=int(rng.integers(900, 1250)),
                        shipment_cost_per_km=0.2, unit_handling_cost=int(rng.integers(20, 50)), unit_cost_per_kg_km=0.2)
        sites[site_id] = site
    return sites


def make_stock(rng: np.random.Generator, sites: dict[str, Site], skus: Sequence[str], scarcity: float = 1.0) -> dict[tuple[str, str], int]:
    """Warehouses hold most SKUs in depth, stores a few units of some, suppliers a few SKUs."""
    stock: dict[tuple[str, str], int] = {}
    for site in sites.values():
        share, low, high = {
            LocationType.WAREHOUSE: (0.7, 1, 60),
            LocationType.STORE: (0.35, 1, 6),
            LocationType.DROPSHIP: (0.15, 20, 200),
        }[site.type]
        for sku in skus:
            if rng.random() < share:
                stock[(site.id, sku)] = max(1, int(rng.integers(low, high + 1) * scarcity))
    return stock


def make_demand(rng: np.random.Generator, i: int, sites: dict[str, Site], skus: Sequence[str], weights: dict[str, int],
                n_lines: int | None = None) -> Demand:
    """One order; `n_lines` None draws a web-shop mix (mostly 1-3 lines, a tail up to 10)."""
    n = n_lines or int(rng.geometric(0.45) + (rng.random() < 0.15) * rng.integers(0, 10))
    n = max(1, min(n, 10, len(skus)))
    chosen = rng.choice(len(skus), size=n, replace=False)
    lines = tuple(
        DemandLine(sku=skus[s], qty=int(rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3, 5, 12])), weight_g=weights[skus[s]])
        for s in chosen
    )
    channel = str(rng.choice(CHANNELS, p=[0.45, 0.25, 0.15, 0.15]))
    pickups = [s for s, site in sites.items() if site.pickup]
    if pickups and channel in ("web", "app") and rng.random() < 0.15:
        return Demand(id=f"O-{i}", channel=channel, delivery_mode="pickup", pickup_site=str(rng.choice(pickups)), lines=lines)
    return Demand(id=f"O-{i}", channel=channel, delivery_mode="ship",
                  dest_lat=float(rng.uniform(*LAT)), dest_lon=float(rng.uniform(*LON)), lines=lines)


def catalogue(rng: np.random.Generator, n: int) -> tuple[list[str], dict[str, int]]:
    skus = [f"SKU-{s}" for s in range(n)]
    weights = {sku: int(np.clip(rng.lognormal(np.log(800), 1.0), 50, 30_000)) for sku in skus}
    return skus, weights


def single_order_instances(seed: int, count: int) -> list[Instance]:
    """`count` one-order instances: 1-10 lines and 5-60 locations (both uniform), each order with
    its own network; harder than a web shop's mix, which the hot-path stream uses."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        sites = make_sites(rng, int(rng.integers(5, 61)))
        skus, weights = catalogue(rng, 40)
        stock = make_stock(rng, sites, skus)
        demand = make_demand(rng, i, sites, skus, weights, n_lines=int(rng.integers(1, 11)))
        out.append(compile_instance([demand], sites, stock, RULES))
    return out


@dataclass(frozen=True, kw_only=True)
class Stream:
    sites: dict[str, Site]
    stock: dict[tuple[str, str], int]
    demands: list[Demand]


def order_stream(seed: int, n_orders: int, n_sites: int = 40, n_skus: int = 300, scarcity: float = 1.0) -> Stream:
    rng = np.random.default_rng(seed)
    sites = make_sites(rng, n_sites)
    skus, weights = catalogue(rng, n_skus)
    stock = make_stock(rng, sites, skus, scarcity)
    return Stream(sites=sites, stock=stock, demands=[make_demand(rng, i, sites, skus, weights) for i in range(n_orders)])


# --- the CP-SAT reference ---------------------------------------------------------------------


def cp_sat_order(instance: Instance, time_limit_s: float) -> tuple[int, bool, float]:
    """One plain CP-SAT model for a one-order instance: (objective, proven, seconds)."""
    started = time.perf_counter()
    [order] = instance.orders
    ship = {loc.id: loc.shipment_cost for loc in instance.locations}
    capacity = {loc.id: loc.capacity_units for loc in instance.locations}
    model = cp_model.CpModel()
    objective = []
    by_location: dict[str, list] = {}
    for line in order.lines:
        xs = []
        for loc, cost in line.unit_costs.items():
            units = min(line.qty, instance.stock.get((loc, line.sku), 0))
            if units <= 0:
                continue
            x = model.new_int_var(0, units, "")
            xs.append(x)
            objective.append(cost * x)
            by_location.setdefault(loc, []).append(x)
        unfilled = model.new_int_var(0, line.qty, "")
        objective.append(instance.unfilled_unit_penalty * unfilled)
        model.add(sum(xs) + unfilled == line.qty)
    used = []
    for loc, xs in by_location.items():
        y = model.new_bool_var("")
        used.append(y)
        for x in xs:
            model.add(x == 0).only_enforce_if(~y)
        objective.append(order.shipment_costs.get(loc, ship[loc]) * y)
        if capacity[loc] is not None:
            model.add(sum(xs) <= capacity[loc])
    if order.max_shipments is not None:
        model.add(sum(used) <= order.max_shipments)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    status = solver.solve(model)
    return round(solver.objective_value), status == cp_model.OPTIMAL, time.perf_counter() - started


def cp_sat_sequential(stream: Stream, rules: RoutingRules, time_limit_s: float) -> tuple[int, list[float], int]:
    """One CP-SAT model per order, in order, against what the earlier ones left."""
    stock = dict(stream.stock)
    capacity = {s: site.capacity_units for s, site in stream.sites.items()}
    total, times, proven = 0, [], 0
    for demand in stream.demands:
        held = rules.safety_stock_by_channel.get(demand.channel, {})
        net = {k: max(0, v - held.get(k[0], held.get(stream.sites[k[0]].type.value, 0))) for k, v in stock.items()}
        now = {s: site if capacity[s] is None else Site(**{**site.__dict__, "capacity_units": capacity[s]}) for s, site in stream.sites.items()}
        started = time.perf_counter()
        instance = compile_instance([demand], now, net, _without_safety(rules))
        objective, ok, _ = cp_sat_order(instance, time_limit_s)
        times.append(time.perf_counter() - started)
        # The reference's plan is not read back; its stock use is taken from the optimizer's
        # equally optimal plan so both runs see the same remaining stock.
        [plan] = solve(instance).orders
        for a in plan.allocations:
            stock[(a.location, a.sku)] -= a.qty
            if capacity[a.location] is not None:
                capacity[a.location] -= a.qty
        total += objective
        proven += ok
    return total, times, proven


# --- reporting ------------------------------------------------------------------------------


def _ms(values: Sequence[float]) -> str:
    a = np.asarray(values) * 1e3
    return f"p50 {np.percentile(a, 50):7.3f} ms  p99 {np.percentile(a, 99):7.3f} ms  max {a.max():8.2f} ms"


def _row(name: str, times: Sequence[float], proven: int, count: int) -> None:
    rate = count / sum(times) if sum(times) else float("inf")
    print(f"  {name:<30} {rate:8.0f} decisions/s  {_ms(times)}  proven optimal {proven / count:7.2%}")


def _cost(name: str, cost: CostBreakdown | int, reference: int, against: str = "optimum") -> None:
    total = cost if isinstance(cost, int) else cost.total
    parts = "" if isinstance(cost, int) else (
        f"  (units {cost.units:>11,}  shipments {cost.shipments:>11,}  unfilled {cost.unfilled:>13,})"
    )
    print(f"  {name:<30} cost {total:>14,}  vs {against} {(total - reference) / reference:+8.3%}{parts}")


def _sum(costs) -> CostBreakdown:
    total = CostBreakdown(units=0, shipments=0, unfilled=0)
    for c in costs:
        total = total + c
    return total


def bench_single(seed: int, count: int, cp_time_limit: float) -> None:
    print(f"\nSingle orders: {count} instances (1-10 lines, 5-60 locations, seed {seed}), one decision each")
    instances = single_order_instances(seed, count)
    lines = np.array([len(i.orders[0].lines) for i in instances])
    print(f"  lines per order: mean {lines.mean():.2f}, {np.mean(lines >= 5):.0%} with 5 or more; "
          f"locations: mean {np.mean([len(i.locations) for i in instances]):.1f}; "
          f"{np.mean([i.orders[0].max_shipments is not None for i in instances]):.0%} with a shipment cap")
    solve(instances[0])  # warm up imports and caches outside the timings
    sols, times = [], []
    for inst in instances:
        started = time.perf_counter()
        sols.append(solve(inst))
        times.append(time.perf_counter() - started)
    optimum = sum(s.objective for s in sols)
    _row("optimizer.solve (Instance in)", times, sum(s.status is SolveStatus.OPTIMAL for s in sols), count)
    answered: dict[str, int] = {}
    for s in sols:
        answered[s.solver] = answered.get(s.solver, 0) + 1
    print(f"  {'':<30} answered by: {', '.join(f'{k} {v}' for k, v in sorted(answered.items()))}")
    arrays = [Problem.from_instance(inst).order_arrays(0) for inst in instances]
    cores = []
    for a in arrays:
        started = time.perf_counter()
        source_order(a, time_limit_s=2.0)
        cores.append(time.perf_counter() - started)
    _row("  its exact core (arrays in)", cores, count, count)
    scip, scip_proven = [], 0
    for inst in instances:
        problem = Problem.from_instance(inst)
        started = time.perf_counter()
        result = solve_mip(problem, time_limit_s=cp_time_limit)
        scip.append(time.perf_counter() - started)
        scip_proven += result.x is not None and problem.objective(result.x) <= result.bound
    _row("SCIP model alone, per order", scip, scip_proven, count)
    cp = [cp_sat_order(inst, cp_time_limit) for inst in instances]
    _row("CP-SAT, one model per order", [t for _, _, t in cp], sum(ok for _, ok, _ in cp), count)
    mismatched = sum(1 for s, (o, ok, _) in zip(sols, cp) if ok and s.status is SolveStatus.OPTIMAL and o != s.objective)
    print(f"  {'':<30} objectives differing from CP-SAT where both proved optimality: {mismatched}")
    _cost("optimal", _sum(s.cost for s in sols), optimum)
    _cost("greedy", _sum(solve(i, policy=Policy.GREEDY).cost for i in instances), optimum)
    _cost("single-first", _sum(solve(i, policy=Policy.SINGLE_FIRST).cost for i in instances), optimum)
    _cost("CP-SAT reference", sum(o for o, _, _ in cp), optimum)


def bench_hot_path(seed: int, n_orders: int) -> None:
    stream = order_stream(seed, n_orders)
    print(f"\nHot path: source_orders over a stream of {n_orders} orders, 40 sites, shared stock (seed {seed})")
    source_orders(stream.demands[:3], stream.sites, stream.stock, RULES)  # warm up
    _stream(stream, RULES)
    # A per-line greedy under a shipment cap strands the lines after the cap (marketplace orders
    # here); without caps the comparison is about unit and shipment costs alone.
    print("  the same stream without shipment caps:")
    _stream(stream, RoutingRules(rules=RULES.rules, safety_stock_by_channel=RULES.safety_stock_by_channel))


def _stream(stream: Stream, rules: RoutingRules) -> None:
    totals = {}
    for policy in Policy:
        started = time.perf_counter()
        decisions = source_orders(stream.demands, stream.sites, stream.stock, rules, policy=policy)
        wall = time.perf_counter() - started
        totals[policy] = _sum(d.plan.cost for d in decisions)
        _row(f"policy {policy.value}", [d.elapsed_s for d in decisions], sum(d.status is SolveStatus.OPTIMAL for d in decisions), len(decisions))
        if policy is Policy.OPTIMAL:
            answered: dict[str, int] = {}
            for d in decisions:
                answered[d.solver] = answered.get(d.solver, 0) + 1
            print(f"  {'':<30} answered by: {', '.join(f'{k} {v}' for k, v in sorted(answered.items()))}; "
                  f"wall {wall:.3f} s = {len(decisions) / wall:.0f} orders/s with compilation")
    reference = totals[Policy.OPTIMAL].total
    for policy in Policy:
        _cost(f"{policy.value} (its own stream)", totals[policy], reference, "optimal")
    # Exact per order is not optimal for the stream: an order takes the stock that is cheapest
    # for it, which a later order may have needed more; the joint batch solve is the remedy.
    print("  (each policy's later orders see what its own earlier orders left)")


def capture_stream(seed: int, n_orders: int, n_skus: int = 2000) -> Stream:
    """The order-capture shape: 17 locations (4 warehouses, 12 stores, 1 drop-ship), orders of
    1-4 lines (mostly 1-2) of 1-3 units, stock for most lines, a few pickup orders."""
    rng = np.random.default_rng(seed)
    kinds = [LocationType.WAREHOUSE] * 4 + [LocationType.STORE] * 12 + [LocationType.DROPSHIP]
    sites: dict[str, Site] = {}
    for j, kind in enumerate(kinds):
        site_id = f"{kind.value[:2].upper()}-{j:02d}"
        ship, handling = {LocationType.WAREHOUSE: (450, 40), LocationType.STORE: (700, 90), LocationType.DROPSHIP: (1000, 30)}[kind]
        sites[site_id] = Site(id=site_id, type=kind, lat=float(rng.uniform(*LAT)), lon=float(rng.uniform(*LON)),
                              shipment_cost=ship + int(rng.integers(0, 100)), shipment_cost_per_km=float(rng.uniform(0.2, 0.6)),
                              unit_handling_cost=handling + int(rng.integers(0, 40)), unit_cost_per_kg_km=float(rng.uniform(0.01, 0.05)),
                              pickup=kind is LocationType.STORE and j % 2 == 0)
    skus, weights = catalogue(rng, n_skus)
    stock: dict[tuple[str, str], int] = {}
    for site in sites.values():
        share, high = {LocationType.WAREHOUSE: (0.9, 200), LocationType.STORE: (0.5, 8), LocationType.DROPSHIP: (0.3, 500)}[site.type]
        for sku in skus:
            if rng.random() < share:
                stock[(site.id, sku)] = int(rng.integers(1, high + 1))
    pickups = [s for s, site in sites.items() if site.pickup]
    demands = []
    for i in range(n_orders):
        n = int(rng.choice([1, 2, 3, 4], p=[0.4, 0.37, 0.18, 0.05]))
        lines = tuple(DemandLine(sku=skus[s], qty=int(rng.integers(1, 4)), weight_g=weights[skus[s]])
                      for s in rng.choice(len(skus), size=n, replace=False))
        channel = str(rng.choice(CHANNELS, p=[0.45, 0.25, 0.15, 0.15]))
        if channel in ("web", "app") and rng.random() < 0.08:
            demands.append(Demand(id=f"O-{i}", channel=channel, delivery_mode="pickup", pickup_site=str(rng.choice(pickups)), lines=lines))
        else:
            demands.append(Demand(id=f"O-{i}", channel=channel, delivery_mode="ship",
                                  dest_lat=float(rng.uniform(*LAT)), dest_lon=float(rng.uniform(*LON)), lines=lines))
    return Stream(sites=sites, stock=stock, demands=demands)


def bench_capture(seed: int, n_orders: int, sizes: Sequence[int] = (1, 10, 60), repeats: int = 3) -> None:
    """CPU per order of `source_orders` alone, as the capture path calls it: one call per batch,
    with the stock of the batch's SKUs only (the worker reads availability per batch)."""
    stream = capture_stream(seed, n_orders)
    print(f"\nHot path, capture shape: source_orders per batch, 17 locations, {n_orders} orders of 1-4 lines (seed {seed})")
    for size in sizes:
        batches = []
        for start in range(0, n_orders, size):
            demands = stream.demands[start : start + size]
            skus = {line.sku for d in demands for line in d.lines}
            batches.append((demands, {k: v for k, v in stream.stock.items() if k[1] in skus}))
        for demands, stock in batches[:5]:
            source_orders(demands, stream.sites, stock, RULES)  # warm up imports and the network memo
        best, proven, answered = float("inf"), 0, {}
        for _ in range(repeats):
            proven, answered = 0, {}
            started = time.perf_counter()
            for demands, stock in batches:
                for d in source_orders(demands, stream.sites, stock, RULES):
                    proven += d.status is SolveStatus.OPTIMAL
                    answered[d.solver] = answered.get(d.solver, 0) + 1
            best = min(best, time.perf_counter() - started)
        print(f"  batch {size:>3}: {best / n_orders * 1e3:7.4f} ms per order (best of {repeats})  "
              f"proven optimal {proven / n_orders:7.2%}  answered by: {', '.join(f'{k} {v}' for k, v in sorted(answered.items()))}")


def bench_batches(seed: int, sizes: Sequence[int], time_limit: float, cp_time_limit: float, compare_up_to: int) -> None:
    print(f"\nBatches: orders sourced jointly against scarce shared stock (40 sites, time limit {time_limit:g} s)")
    # One shared-stock instance holds one safety level per location; the study leaves it out so
    # the joint, sequential and reference runs all solve exactly the same problem.
    rules = _without_safety(RULES)
    for k, size in enumerate(sizes):
        stream = order_stream(seed + k, size, scarcity=0.3)
        instance = compile_instance(stream.demands, stream.sites, stream.stock, rules)
        print(f"\n  {size} orders, {sum(len(o.lines) for o in instance.orders)} lines, seed {seed + k}")
        started = time.perf_counter()
        joint = solve(instance, time_limit_s=time_limit)
        wall = time.perf_counter() - started
        gap = (joint.objective - joint.bound) / max(joint.objective, 1)
        print(f"  {'joint: optimizer.solve':<30} {size / wall:8.0f} decisions/s  {wall * 1e3 / size:7.3f} ms per order "
              f"({wall:.3f} s)  {joint.status.value} gap {gap:.3%} via {joint.solver}")
        seq = source_orders(stream.demands, stream.sites, stream.stock, rules)
        _row("sequential exact (hot path)", [d.elapsed_s for d in seq], sum(d.status is SolveStatus.OPTIMAL for d in seq), size)
        cp_total, cp_times, cp_proven = cp_sat_sequential(stream, rules, cp_time_limit)
        _row("CP-SAT per order, sequential", cp_times, cp_proven, size)
        _cost("joint plan", joint.cost, joint.objective, "joint")
        _cost("greedy", solve(instance, policy=Policy.GREEDY).cost, joint.objective, "joint")
        _cost("single-first", solve(instance, policy=Policy.SINGLE_FIRST).cost, joint.objective, "joint")
        _cost("sequential exact", _sum(d.plan.cost for d in seq), joint.objective, "joint")
        _cost("CP-SAT per order, sequential", cp_total, joint.objective, "joint")
        if size <= compare_up_to:
            problem = Problem.from_instance(instance)
            for name in ("scip", "highs", "cp-sat"):
                result = solve_mip(problem, time_limit_s=time_limit, solver=name)
                objective = problem.objective(result.x) if result.x is not None else None
                status = "OPTIMAL " if objective is not None and objective <= result.bound else "FEASIBLE"
                print(f"  {'joint model via ' + name:<30} build {result.build_s * 1e3:6.1f} ms  solve {result.solve_s:7.3f} s  "
                      f"{status} objective {objective}  bound {result.bound}")


def _without_safety(rules: RoutingRules) -> RoutingRules:
    return RoutingRules(
        rules=rules.rules,
        max_shipments=rules.max_shipments,
        max_shipments_by_channel=rules.max_shipments_by_channel,
        unfilled_unit_penalty=rules.unfilled_unit_penalty,
    )


SECTIONS = ["single", "hot-path", "capture", "batches"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sourcing", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run: 200 single orders, batches of 50 and 100")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--orders", type=int, default=None, help="single-order instances (default 1000, quick 200)")
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=None, help="default 50 100 200 400, quick 50 100")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="per joint batch solve and solver comparison, seconds (default 20, quick 5)")
    parser.add_argument("--compare-solvers-up-to", type=int, default=None, metavar="ORDERS",
                        help="run the joint model through SCIP, HiGHS and CP-SAT for batches up to this size "
                             "(default 100, quick 50)")
    parser.add_argument("--only", choices=SECTIONS, nargs="+", default=SECTIONS, help="run only these sections")
    args = parser.parse_args(argv)
    count = args.orders or (200 if args.quick else 1000)
    sizes = args.batch_sizes if args.batch_sizes is not None else ([50, 100] if args.quick else [50, 100, 200, 400])
    compare = args.compare_solvers_up_to if args.compare_solvers_up_to is not None else (50 if args.quick else 100)
    time_limit = args.time_limit or (5.0 if args.quick else 20.0)
    print(f"optimizer sourcing benchmark (python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"ortools {ortools.__version__}, {os.cpu_count()} cores)")
    if "single" in args.only:
        bench_single(args.seed, count, cp_time_limit=10.0)
    if "hot-path" in args.only:
        bench_hot_path(args.seed + 1, 500 if args.quick else 2000)
    if "capture" in args.only:
        bench_capture(args.seed + 3, 600 if args.quick else 3000)
    if "batches" in args.only:
        bench_batches(args.seed + 2, sizes, time_limit, cp_time_limit=10.0, compare_up_to=compare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
