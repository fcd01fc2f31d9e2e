"""The capture hot path's shortcuts give exactly what the general numpy path gives.

`source_orders` sources most orders in plain Python (optimizer/hotpath.py) against a network
compiled once (optimizer/compiled.py). Each shortcut is checked here against the code it stands
in for: the single-location proof against the fast path (same plan, objective and bound) and
OR-Tools, the greedy against `greedy_order`, the batch costs against `SiteTable.costs`, the
eligibility rows against `CompiledRules.eligible`, and whole `source_orders` runs against the
per-order numpy loop it replaced.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optimizer import (
    Decision,
    Demand,
    DemandLine,
    EligibilityRule,
    InstanceError,
    LocationType,
    Policy,
    RoutingRules,
    Site,
    SolveStatus,
    source_orders,
)
from optimizer.baselines import greedy_order, single_first_order
from optimizer.capture import _Network
from optimizer.compiled import CompiledNetwork, compiled_network
from optimizer.costs import SiteTable
from optimizer.fastpath import lower_bound, solve_order
from optimizer.hotpath import (
    OrderLists,
    batch_costs,
    greedy_allocations,
    single_site_optimum,
)
from optimizer.mip import solve_mip
from optimizer.model import Allocation, CostBreakdown, OrderPlan
from optimizer.problem import UNLIMITED, OrderArrays, Problem
from optimizer.rules import CompiledRules
from optimizer.solve import order_objective, source_order

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHANNELS = ["web", "pos", "app"]
SKUS = ["A", "B", "C", "D", "E"]


# --- one order as lists ------------------------------------------------------------------------


@st.composite
def orders(draw) -> OrderLists:
    """A random order against random stock: ineligible or empty pairs, units dearer than the
    penalty, capacities (some 0), shipment caps; shipment costs on a random scale so that both
    one-location optima and split plans come up, and coarse costs so that ties do."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    penalty = draw(st.sampled_from([40, 150, 400, 100_000]))
    if draw(st.booleans()):
        unit, ship = st.integers(0, 300), st.integers(0, draw(st.sampled_from([0, 50, 400, 2000])))
    else:
        unit, ship = st.sampled_from([0, 20, 40]), st.sampled_from([0, 100, 200])
    cell = st.integers(0, 6) | st.just(0)
    return OrderLists(
        unit=[[draw(unit) for _ in range(m)] for _ in range(n)],
        usable=[[draw(cell) for _ in range(m)] for _ in range(n)],
        qty=[draw(st.integers(1, 6)) for _ in range(n)],
        ship=[draw(ship) for _ in range(m)],
        capacity=[draw(st.just(UNLIMITED) | st.integers(0, 8)) for _ in range(m)],
        max_shipments=draw(st.just(UNLIMITED) | st.integers(1, 3)),
        penalty=penalty,
    )


def matrix(allocs, order: OrderLists) -> np.ndarray:
    x = np.zeros((len(order.qty), len(order.ship)), dtype=np.int64)
    for i, j, take in allocs:
        x[i, j] += take
    return x


@SETTINGS
@given(orders())
def test_single_location_proof_returns_exactly_the_fast_paths_answer(order: OrderLists) -> None:
    single = single_site_optimum(order)
    assume(single is not None)
    allocs, objective = single
    fast = solve_order(order.arrays())
    assert fast.proven
    assert (matrix(allocs, order) == fast.x).all()
    assert objective == fast.objective == fast.bound
    assert len({j for _, j, _ in allocs}) <= 1


def random_orders(seed: int, count: int) -> list[OrderLists]:
    """Seeded random orders, many with ties (coarse costs): ties decide which plan is returned."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        n, m = int(rng.integers(1, 5)), int(rng.integers(1, 10))
        coarse = rng.random() < 0.5
        unit = rng.choice([0, 20, 40], size=(n, m)) if coarse else rng.integers(0, 300, size=(n, m))
        ship = rng.choice([0, 100, 200], size=m) if coarse else rng.integers(0, int(rng.choice([1, 50, 400, 2000])), size=m)
        usable = np.where(rng.random((n, m)) < 0.6, rng.integers(0, 7, size=(n, m)), 0)
        capacity = np.where(rng.random(m) < 0.8, UNLIMITED, rng.integers(0, 9, size=m))
        out.append(OrderLists(
            unit=unit.tolist(), usable=usable.tolist(), qty=rng.integers(1, 7, size=n).tolist(), ship=ship.tolist(),
            capacity=capacity.tolist(), max_shipments=int(rng.choice([UNLIMITED, 1, 2, 3])),
            penalty=int(rng.choice([40, 150, 400, 100_000])),
        ))
    return out


def test_single_location_proof_on_many_seeded_orders() -> None:
    proven = 0
    for order in random_orders(seed=1, count=3000):
        single = single_site_optimum(order)
        if single is None:
            continue
        proven += 1
        fast = solve_order(order.arrays())
        assert fast.proven and (matrix(single[0], order) == fast.x).all(), order
        assert single[1] == fast.objective == fast.bound, order
    assert proven > 1500  # the proof applies to most such orders, so the check is not vacuous


def test_greedy_on_many_seeded_orders() -> None:
    for order in random_orders(seed=2, count=3000):
        assert (matrix(greedy_allocations(order), order) == greedy_order(order.arrays())).all(), order


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders())
def test_single_location_proof_agrees_with_or_tools(order: OrderLists) -> None:
    single = single_site_optimum(order)
    assume(single is not None)
    allocs, objective = single
    arrays = order.arrays()
    problem = Problem.from_order_arrays(arrays)
    assert problem.violations(matrix(allocs, order)) == []
    assert order_objective(arrays, matrix(allocs, order)) == objective
    mip = solve_mip(problem, time_limit_s=30)
    assert mip.x is not None and problem.objective(mip.x) == mip.bound == objective


def test_the_proof_covers_the_capture_shapes() -> None:
    """One line, or lines one location stocks in full with shipments dearer than unit-cost
    differences: proven here, no fast path needed."""
    one_line = OrderLists(unit=[[90, 80, 120]], usable=[[1, 2, 0]], qty=[2], ship=[500, 700, 650],
                          capacity=[UNLIMITED] * 3, max_shipments=UNLIMITED, penalty=100_000)
    two_lines = OrderLists(unit=[[90, 80, 120], [60, 70, 50]], usable=[[3, 2, 0], [1, 4, 4]], qty=[2, 1],
                           ship=[500, 700, 650], capacity=[UNLIMITED] * 3, max_shipments=UNLIMITED, penalty=100_000)
    nothing = OrderLists(unit=[[90]], usable=[[0]], qty=[1], ship=[500], capacity=[UNLIMITED], max_shipments=1, penalty=100_000)
    for order in (one_line, two_lines, nothing):
        single = single_site_optimum(order)
        assert single is not None
        fast = solve_order(order.arrays())
        assert (matrix(single[0], order) == fast.x).all() and single[1] == fast.objective


def test_the_proof_steps_aside_when_a_split_may_be_cheaper() -> None:
    # Each line is only stocked at a different location: two shipments are needed.
    split = OrderLists(unit=[[90, 80], [60, 70]], usable=[[1, 0], [0, 1]], qty=[1, 1], ship=[500, 700],
                       capacity=[UNLIMITED] * 2, max_shipments=UNLIMITED, penalty=100_000)
    assert single_site_optimum(split) is None
    # The best location cannot ship the whole plan: its capacity binds.
    tight = OrderLists(unit=[[90, 80], [60, 70]], usable=[[1, 1], [1, 1]], qty=[1, 1], ship=[500, 700],
                       capacity=[1, UNLIMITED], max_shipments=1, penalty=100_000)
    assert single_site_optimum(tight) is None


@SETTINGS
@given(orders())
def test_greedy_in_python_is_greedy_order(order: OrderLists) -> None:
    assert (matrix(greedy_allocations(order), order) == greedy_order(order.arrays())).all()


# --- the network: costs and eligibility ----------------------------------------------------------


@st.composite
def networks(draw, max_sites: int = 8):
    """Sites, stock, rules and a batch of demands touching every feature source_orders has."""
    kinds = list(LocationType)
    sites = {}
    for j in range(draw(st.integers(1, max_sites))):
        sites[f"S{j}"] = Site(
            id=f"S{j}", type=draw(st.sampled_from(kinds)), lat=draw(st.floats(40, 55)), lon=draw(st.floats(0, 20)),
            shipment_cost=draw(st.integers(0, 900)), shipment_cost_per_km=draw(st.sampled_from([0.0, 0.3, 0.55])),
            unit_handling_cost=draw(st.integers(0, 100)), unit_cost_per_kg_km=draw(st.sampled_from([0.0, 0.01, 0.4])),
            capacity_units=draw(st.none() | st.none() | st.integers(0, 8)), pickup=draw(st.booleans()),
        )
    names = list(sites)
    stock = {(s, k): draw(st.integers(-1, 8)) for s in names for k in SKUS if draw(st.booleans())}
    rule = st.builds(
        EligibilityRule,
        effect=st.sampled_from(["allow", "deny"]),
        channels=st.frozensets(st.sampled_from(CHANNELS), max_size=1),
        delivery_modes=st.frozensets(st.sampled_from(["ship", "pickup"]), max_size=1),
        location_types=st.frozensets(st.sampled_from([t.value for t in kinds]), max_size=2),
        locations=st.frozensets(st.sampled_from(names), max_size=2),
        skus=st.frozensets(st.sampled_from(SKUS), max_size=2),
    )
    rules = RoutingRules(
        rules=tuple(draw(st.lists(rule, max_size=4))),
        max_shipments=draw(st.none() | st.integers(1, 3)),
        max_shipments_by_channel=draw(st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 2), max_size=1)),
        safety_stock_by_channel=draw(st.dictionaries(
            st.sampled_from(CHANNELS),
            st.dictionaries(st.sampled_from([t.value for t in kinds] + names), st.integers(0, 3), max_size=3),
            max_size=2,
        )),
        unfilled_unit_penalty=draw(st.sampled_from([150, 400, 100_000])),
    )
    pickups = [s for s, site in sites.items() if site.pickup]
    demands = []
    for i in range(draw(st.integers(0, 8))):
        lines = tuple(
            DemandLine(sku=k, qty=draw(st.integers(1, 5)), weight_g=draw(st.integers(0, 5000)))
            for k in draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=4, unique=True))
        )
        channel = draw(st.sampled_from(CHANNELS))
        if pickups and draw(st.booleans()):
            demands.append(Demand(id=f"O{i}", channel=channel, delivery_mode="pickup", pickup_site=draw(st.sampled_from(pickups)), lines=lines))
        else:
            demands.append(Demand(id=f"O{i}", channel=channel, delivery_mode="ship",
                                  dest_lat=draw(st.floats(40, 55)), dest_lon=draw(st.floats(0, 20)), lines=lines))
    return sites, stock, rules, demands


@SETTINGS
@given(networks(max_sites=12))
def test_batch_costs_are_the_per_order_costs(network) -> None:
    sites, _, _, demands = network
    table = SiteTable.build(sites)
    unit_rows, ship_rows = batch_costs(table, demands) if demands else ([], [])
    for demand, unit, ship in zip(demands, unit_rows, ship_rows):
        weights = np.array([line.weight_g for line in demand.lines], dtype=float)
        if demand.delivery_mode == "pickup":
            j = table.index[demand.pickup_site]
            expected = table.costs(table.lat[j], table.lon[j], weights, at_site=j)
        else:
            expected = table.costs(demand.dest_lat, demand.dest_lon, weights)
        assert unit == expected[0].tolist() and ship == expected[1].tolist()


@SETTINGS
@given(networks())
def test_eligibility_rows_are_the_compiled_rules(network) -> None:
    sites, _, rules, demands = network
    compiled = CompiledNetwork.build(sites, rules)
    reference = CompiledRules.build(rules, SiteTable.build(sites))
    for demand in demands:
        site = compiled.table.index[demand.pickup_site] if demand.delivery_mode == "pickup" else None
        skus = tuple(line.sku for line in demand.lines)
        expected = reference.eligible(demand.channel, demand.delivery_mode, skus, site)
        got = [compiled.eligible_row(demand.channel, demand.delivery_mode, site, sku) for sku in skus]
        assert np.array(got, dtype=bool).reshape(expected.shape).tolist() == expected.tolist()


# --- whole runs against the loop they replaced ---------------------------------------------------


def reference_source_orders(demands, sites, stock, rules, policy: Policy = Policy.OPTIMAL) -> list[Decision]:
    """source_orders as it was before the hot path: every order through numpy arrays."""
    network = _Network.build(demands, sites, stock, rules)
    table = network.table
    capacity = table.capacity.copy()
    decisions = []
    for demand in demands:
        arrays, rows, _ = network.order(demand, capacity, network.rules.held_for(demand.channel))
        greedy_x = greedy_order(arrays)
        if policy is Policy.OPTIMAL:
            result = source_order(arrays, time_limit_s=30)
            x, objective, bound, solver = result.x, result.objective, result.bound, result.solver
        else:
            x = greedy_x if policy is Policy.GREEDY else single_first_order(arrays)
            objective = order_objective(arrays, x)
            bound, solver = min(lower_bound(arrays), objective), str(policy)
        network.stock[rows] -= x
        capacity -= x.sum(axis=0)
        decisions.append(Decision(
            plan=_reference_plan(demand, x, arrays, table),
            status=SolveStatus.OPTIMAL if objective <= bound else SolveStatus.FEASIBLE,
            bound=bound, greedy_cost=order_objective(arrays, greedy_x), elapsed_s=0.0, solver=solver,
        ))
    return decisions


def _reference_plan(demand: Demand, x: np.ndarray, arrays: OrderArrays, table: SiteTable) -> OrderPlan:
    lines, locs = np.nonzero(x)
    short = arrays.qty - x.sum(axis=1)
    return OrderPlan(
        id=demand.id,
        allocations=tuple(Allocation(sku=demand.lines[i].sku, location=table.ids[j], qty=int(x[i, j])) for i, j in zip(lines, locs)),
        unfilled={demand.lines[i].sku: int(short[i]) for i in np.flatnonzero(short)},
        cost=CostBreakdown(
            units=int((arrays.unit_cost * x).sum()),
            shipments=int(arrays.shipment_cost[(x > 0).any(axis=0)].sum()),
            unfilled=int(short.sum()) * arrays.penalty,
        ),
    )


def same(a: Decision, b: Decision) -> bool:
    return (a.plan, a.status, a.bound, a.greedy_cost, a.solver) == (b.plan, b.status, b.bound, b.greedy_cost, b.solver)


@SETTINGS
@given(networks(), st.sampled_from(list(Policy)))
def test_source_orders_decides_exactly_as_the_numpy_loop_did(network, policy: Policy) -> None:
    sites, stock, rules, demands = network
    got = source_orders(demands, sites, stock, rules, policy=policy, time_limit_s=30)
    expected = reference_source_orders(demands, sites, stock, rules, policy)
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert same(a, b), (a, b)


def test_capture_like_stream_decides_exactly_as_the_numpy_loop_did() -> None:
    """A longer stream on a 17-location network (the capture shape), stock running out."""
    rng = np.random.default_rng(7)
    kinds = [LocationType.WAREHOUSE] * 4 + [LocationType.STORE] * 12 + [LocationType.DROPSHIP]
    sites = {
        f"L{j}": Site(id=f"L{j}", type=kind, lat=float(rng.uniform(47, 55)), lon=float(rng.uniform(6, 15)),
                      shipment_cost=int(rng.integers(400, 1200)), shipment_cost_per_km=0.4, unit_handling_cost=int(rng.integers(30, 130)),
                      unit_cost_per_kg_km=0.02, pickup=kind is LocationType.STORE and bool(rng.random() < 0.5))
        for j, kind in enumerate(kinds)
    }
    skus = [f"K{s}" for s in range(60)]
    stock = {(s, k): int(rng.integers(0, 12)) for s in sites for k in skus if rng.random() < 0.6}
    pickups = [s for s, site in sites.items() if site.pickup]
    demands = []
    for i in range(300):
        lines = tuple(DemandLine(sku=str(k), qty=int(rng.integers(1, 4)), weight_g=int(rng.integers(50, 5000)))
                      for k in rng.choice(skus, size=int(rng.integers(1, 5)), replace=False))
        channel = str(rng.choice(CHANNELS))
        if rng.random() < 0.1:
            demands.append(Demand(id=f"O{i}", channel=channel, delivery_mode="pickup", pickup_site=str(rng.choice(pickups)), lines=lines))
        else:
            demands.append(Demand(id=f"O{i}", channel=channel, delivery_mode="ship", dest_lat=float(rng.uniform(47, 55)),
                                  dest_lon=float(rng.uniform(6, 15)), lines=lines))
    rules = RoutingRules(
        rules=(EligibilityRule(effect="deny", channels=frozenset({"pos"}), location_types=frozenset({"dropship"})),),
        max_shipments_by_channel={"app": 2},
        safety_stock_by_channel={"web": {"store": 1}},
    )
    for size in (1, 10, 60):
        got, expected = [], []
        for start in range(0, len(demands), size):
            batch = demands[start : start + size]
            got += source_orders(batch, sites, stock, rules)
            expected += reference_source_orders(batch, sites, stock, rules)
        assert all(same(a, b) for a, b in zip(got, expected))
        assert all(d.status is SolveStatus.OPTIMAL for d in got)


# --- the memo ------------------------------------------------------------------------------------


def test_equal_sites_and_rules_share_one_compilation() -> None:
    site = Site(id="A", type=LocationType.WAREHOUSE, lat=50.0, lon=10.0, shipment_cost=500)
    rules = RoutingRules(safety_stock_by_channel={"web": {"A": 1}})
    first = compiled_network({"A": site}, rules)
    rebuilt = Site(**vars(site))  # the capture path rebuilds its Site objects every batch
    assert compiled_network({"A": rebuilt}, RoutingRules(safety_stock_by_channel={"web": {"A": 1}})) is first
    assert compiled_network({"A": rebuilt}, RoutingRules(safety_stock_by_channel={"web": {"A": 2}})) is not first
    moved = Site(**{**vars(site), "lat": 51.0})
    assert compiled_network({"A": moved}, rules).table.lat[0] == 51.0


@pytest.mark.parametrize(("field", "value"), [("shipment_cost", 1.0), ("shipment_cost", True), ("lat", True)])
def test_values_equal_to_valid_ones_still_fail_validation(field: str, value: object) -> None:
    good = Site(id="A", type=LocationType.WAREHOUSE, lat=1, lon=10.0, shipment_cost=1)
    demand = Demand(id="1", channel="web", delivery_mode="ship", dest_lat=1.0, dest_lon=1.0, lines=(DemandLine(sku="X", qty=1),))
    source_orders([demand], {"A": good}, {}, RoutingRules())  # valid: compiled and remembered
    bad = Site(**{**vars(good), field: value})
    assert bad == good  # equal, hash alike, yet not valid
    with pytest.raises(InstanceError) as caught:
        source_orders([demand], {"A": bad}, {}, RoutingRules())
    assert caught.value.field == f"sites.A.{field}"


def test_sites_and_rules_changed_in_place_are_compiled_again() -> None:
    """The memo's identity shortcut (same dict, same Site objects) must notice any change."""
    site = Site(id="A", type=LocationType.WAREHOUSE, lat=50.0, lon=10.0, shipment_cost=500)
    sites = {"A": site}
    rules = RoutingRules(safety_stock_by_channel={"web": {"A": 1}})
    first = compiled_network(sites, rules)
    assert compiled_network(sites, rules) is first
    sites["A"] = Site(**{**vars(site), "shipment_cost": 600})
    assert compiled_network(sites, rules).table.shipment_cost.tolist() == [600]
    sites["B"] = Site(id="B", type=LocationType.STORE, lat=51.0, lon=11.0, shipment_cost=700)
    assert compiled_network(sites, rules).table.ids == ("A", "B")
    rules.safety_stock_by_channel["web"]["A"] = 3
    assert compiled_network(sites, rules).held["web"] == (3, 0)
