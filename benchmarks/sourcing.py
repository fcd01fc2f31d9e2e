"""Offline sourcing study: the optimizer against the rule baselines and a plain CP-SAT model.

    python -m benchmarks.sourcing            # 1,000 single orders, batches of 50-400 orders
    python -m benchmarks.sourcing --quick    # a small run, a few seconds

Every instance is generated from a seed through the optimizer's own network, rules and cost
model (sites on a map of roughly Germany, weights, distances, safety stock, shipment caps), so
runs are repeatable. Figures are printed, never asserted: they are for reading.

Sections:
- single orders: `optimizer.solve` on each single-order instance, beside one CP-SAT model per
  order (built term by term with the cp_model API, default parameters) as the reference;
- hot path: `optimizer.source_orders` over a stream of orders sharing one network's stock;
- batches: the joint optimum of 50-400 orders against scarce shared stock, beside the baselines,
  sequential exact sourcing, and the same CP-SAT reference order by order; with `--solvers`,
  the joint model through SCIP, HiGHS and CP-SAT.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from optimizer import (
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


def make_demand(rng: np.random.Generator, i: int, sites: dict[str, Site], skus: Sequence[str], weights: dict[str, int], max_lines: int = 10) -> Demand:
    n = int(min(max_lines, 1 + rng.geometric(0.45) - 1 + (rng.random() < 0.15) * rng.integers(0, max_lines)))
    n = max(1, min(n, max_lines, len(skus)))
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
    """`count` one-order instances: 1-10 lines, 5-60 locations, each with its own network."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        sites = make_sites(rng, int(rng.integers(5, 61)))
        skus, weights = catalogue(rng, 40)
        stock = make_stock(rng, sites, skus)
        demand = make_demand(rng, i, sites, skus, weights)
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


def _row(name: str, times: Sequence[float], proven: int, count: int, total_cost: int | None = None) -> None:
    rate = count / sum(times) if sum(times) else float("inf")
    cost = f"  cost {total_cost:>14,}" if total_cost is not None else ""
    print(f"  {name:<28} {rate:9.0f} decisions/s  {_ms(times)}  proven {proven / count:7.2%}{cost}")


def _vs(name: str, cost: int, optimum: int) -> None:
    print(f"  {name:<28} cost {cost:>14,}  = optimum + {(cost - optimum) / optimum:7.3%}")


def bench_single(seed: int, count: int, cp_time_limit: float) -> None:
    print(f"\nSingle orders: {count} instances (1-10 lines, 5-60 locations, seed {seed})")
    instances = single_order_instances(seed, count)
    solve(instances[0])  # warm up imports and caches outside the timings
    sols, times = [], []
    for inst in instances:
        started = time.perf_counter()
        sols.append(solve(inst))
        times.append(time.perf_counter() - started)
    optimum = sum(s.objective for s in sols)
    proven = sum(s.status is SolveStatus.OPTIMAL for s in sols)
    solvers: dict[str, int] = {}
    for s in sols:
        solvers[s.solver] = solvers.get(s.solver, 0) + 1
    _row("optimizer.solve", times, proven, count, optimum)
    print(f"  {'':<28} answered by: {', '.join(f'{k} {v}' for k, v in sorted(solvers.items()))}")
    cores = []
    for inst in instances:
        arrays = Problem.from_instance(inst).order_arrays(0)
        started = time.perf_counter()
        source_order(arrays, time_limit_s=2.0)
        cores.append(time.perf_counter() - started)
    _row("  exact core on arrays", cores, proven, count)
    cp = [cp_sat_order(inst, cp_time_limit) for inst in instances]
    _row("CP-SAT, one model per order", [t for _, _, t in cp], sum(ok for _, ok, _ in cp), count, sum(o for o, _, _ in cp))
    mismatched = sum(1 for s, (o, ok, _) in zip(sols, cp) if ok and s.status is SolveStatus.OPTIMAL and o != s.objective)
    print(f"  {'':<28} objective disagreements where both proved optimality: {mismatched}")
    _vs("greedy", sum(s.greedy_objective for s in sols), optimum)
    _vs("single-first", sum(solve(i, policy=Policy.SINGLE_FIRST).objective for i in instances), optimum)


def bench_hot_path(seed: int, n_orders: int) -> None:
    stream = order_stream(seed, n_orders)
    print(f"\nHot path: source_orders over a stream of {n_orders} orders, 40 sites, shared stock (seed {seed})")
    results = {}
    for policy in Policy:
        started = time.perf_counter()
        decisions = source_orders(stream.demands, stream.sites, stream.stock, RULES, policy=policy)
        wall = time.perf_counter() - started
        results[policy] = decisions
        times = [d.elapsed_s for d in decisions]
        proven = sum(d.status is SolveStatus.OPTIMAL for d in decisions)
        cost = sum(d.plan.cost.total for d in decisions)
        _row(f"policy {policy.value}", times, proven, len(decisions), cost)
        if policy is Policy.OPTIMAL:
            print(f"  {'':<28} wall {wall:.3f} s for {len(decisions)} orders = {len(decisions) / wall:.0f} orders/s including compilation")
    optimum = sum(d.plan.cost.total for d in results[Policy.OPTIMAL])
    _vs("greedy (same stream)", sum(d.plan.cost.total for d in results[Policy.GREEDY]), optimum)
    _vs("single-first (same stream)", sum(d.plan.cost.total for d in results[Policy.SINGLE_FIRST]), optimum)
    print("  (each stream's later orders see what its own earlier orders left, so totals differ by policy)")


def bench_batches(seed: int, sizes: Sequence[int], time_limit: float, cp_time_limit: float, solvers: bool) -> None:
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
        print(f"  {'joint (optimizer.solve)':<28} {size / wall:9.0f} decisions/s  {wall * 1e3 / size:7.3f} ms/order  "
              f"{wall:.3f} s  {joint.status.value} gap {gap:.4%} via {joint.solver}  cost {joint.objective:>14,}")
        _vs("greedy", joint.greedy_objective, joint.objective)
        _vs("single-first", solve(instance, policy=Policy.SINGLE_FIRST).objective, joint.objective)
        seq = source_orders(stream.demands, stream.sites, stream.stock, rules)
        seq_times = [d.elapsed_s for d in seq]
        _row("sequential exact (hot path)", seq_times, sum(d.status is SolveStatus.OPTIMAL for d in seq), size)
        _vs("  its total", sum(d.plan.cost.total for d in seq), joint.objective)
        cp_total, cp_times, cp_proven = cp_sat_sequential(stream, rules, cp_time_limit)
        _row("CP-SAT per order, sequential", cp_times, cp_proven, size)
        _vs("  its total", cp_total, joint.objective)
        if solvers:
            problem = Problem.from_instance(instance)
            for name in ("scip", "highs", "cp-sat"):
                result = solve_mip(problem, time_limit_s=time_limit, solver=name)
                objective = problem.objective(result.x) if result.x is not None else None
                proven = objective is not None and objective <= result.bound
                print(f"  {'joint model via ' + name:<28} build {result.build_s * 1e3:7.1f} ms  solve {result.solve_s:8.3f} s  "
                      f"{'OPTIMAL ' if proven else 'FEASIBLE'} objective {objective}  bound {result.bound}")


def _without_safety(rules: RoutingRules) -> RoutingRules:
    return RoutingRules(
        rules=rules.rules,
        max_shipments=rules.max_shipments,
        max_shipments_by_channel=rules.max_shipments_by_channel,
        unfilled_unit_penalty=rules.unfilled_unit_penalty,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sourcing", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run: 200 single orders, batches of 50 and 100")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--orders", type=int, default=None, help="single-order instances (default 1000, quick 200)")
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=None, help="default 50 100 200 400, quick 50 100")
    parser.add_argument("--time-limit", type=float, default=20.0, help="per batch, seconds")
    parser.add_argument("--solvers", action="store_true", help="also run the joint batch model through SCIP, HiGHS and CP-SAT")
    args = parser.parse_args(argv)
    count = args.orders or (200 if args.quick else 1000)
    sizes = args.batch_sizes if args.batch_sizes is not None else ([50, 100] if args.quick else [50, 100, 200, 400])
    print(f"optimizer sourcing benchmark (python {sys.version.split()[0]}, numpy {np.__version__})")
    bench_single(args.seed, count, cp_time_limit=10.0)
    bench_hot_path(args.seed + 1, 500 if args.quick else 2000)
    bench_batches(args.seed + 2, sizes, args.time_limit, cp_time_limit=10.0, solvers=args.solvers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
