"""Routing rules compile into eligibility, costs, shipment caps and safety stock."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import (
    Demand,
    DemandLine,
    EligibilityRule,
    InstanceError,
    LocationType,
    Policy,
    RoutingRules,
    Site,
    SolveStatus,
    compile_instance,
    solve,
    source_orders,
)
from optimizer.costs import haversine_km

SITES = {
    "DC-B": Site(id="DC-B", type=LocationType.WAREHOUSE, lat=52.52, lon=13.405, shipment_cost=450,
                 shipment_cost_per_km=0.5, unit_handling_cost=40, unit_cost_per_kg_km=0.02),
    "ST-M": Site(id="ST-M", type=LocationType.STORE, lat=48.137, lon=11.575, shipment_cost=700,
                 unit_handling_cost=80, pickup=True),
    "ST-F": Site(id="ST-F", type=LocationType.STORE, lat=50.11, lon=8.682, shipment_cost=650,
                 unit_handling_cost=70, pickup=True, capacity_units=3),
    "DS-1": Site(id="DS-1", type=LocationType.DROPSHIP, lat=51.0, lon=10.0, shipment_cost=900),
}
STOCK = {("DC-B", "A"): 10, ("ST-M", "A"): 3, ("ST-F", "A"): 3, ("ST-F", "B"): 5, ("DS-1", "B"): 50, ("DC-B", "B"): 1}


def demand(i: str = "1", channel: str = "web", mode: str = "ship", *lines: tuple[str, int], **kw) -> Demand:
    where = {"dest_lat": 48.2, "dest_lon": 11.6} if mode == "ship" else {"pickup_site": kw.pop("pickup_site", "ST-M")}
    return Demand(id=i, channel=channel, delivery_mode=mode, lines=tuple(DemandLine(sku=s, qty=q, weight_g=500) for s, q in lines) or (DemandLine(sku="A", qty=1, weight_g=500),), **where, **kw)


def locations(decision) -> set[str]:
    return {a.location for a in decision.plan.allocations}


def test_haversine_berlin_munich() -> None:
    assert haversine_km(52.52, 13.405, 48.137, 11.575) == pytest.approx(504, abs=2)


def test_deny_overrides_allow_whatever_the_order() -> None:
    for rules in (
        [EligibilityRule(effect="deny", channels=frozenset({"web"}), location_types=frozenset({"store"})),
         EligibilityRule(effect="allow", locations=frozenset({"ST-M"}))],
        [EligibilityRule(effect="allow", locations=frozenset({"ST-M"})),
         EligibilityRule(effect="deny", channels=frozenset({"web"}), location_types=frozenset({"store"}))],
    ):
        [web] = source_orders([demand("1", "web", "ship", ("A", 1))], SITES, STOCK, RoutingRules(rules=tuple(rules)))
        [app] = source_orders([demand("2", "app", "ship", ("A", 1))], SITES, STOCK, RoutingRules(rules=tuple(rules)))
        assert locations(web) == {"DC-B"}  # the stores are cheaper, but denied to web
        assert locations(app) == {"ST-F"}


def test_sku_specific_deny() -> None:
    rules = RoutingRules(rules=(EligibilityRule(effect="deny", skus=frozenset({"B"}), location_types=frozenset({"dropship"})),))
    [d] = source_orders([demand("1", "web", "ship", ("B", 20))], SITES, STOCK, rules)
    assert "DS-1" not in locations(d)
    assert d.plan.unfilled == {"B": 20 - 3 - 1}  # ST-F may ship 3 (capacity), DC-B holds 1


def test_pickup_uses_only_the_store_unless_a_rule_allows_transfers() -> None:
    d = demand("1", "app", "pickup", ("A", 5), pickup_site="ST-M")
    [alone] = source_orders([d], SITES, STOCK, RoutingRules())
    assert locations(alone) == {"ST-M"} and alone.plan.unfilled == {"A": 2}
    assert alone.plan.cost.shipments == 0  # the customer collects: nothing is shipped
    transfers = RoutingRules(rules=(EligibilityRule(effect="allow", delivery_modes=frozenset({"pickup"}), location_types=frozenset({"warehouse"})),))
    [moved] = source_orders([d], SITES, STOCK, transfers)
    assert locations(moved) <= {"ST-M", "DC-B"} and moved.plan.unfilled == {}
    km = haversine_km(52.52, 13.405, 48.137, 11.575)
    assert moved.plan.cost.shipments == 450 + round(0.5 * km)  # a transfer to the store


def test_unit_and_shipment_costs_follow_the_cost_model() -> None:
    rules = RoutingRules(rules=(EligibilityRule(effect="deny", locations=frozenset({"ST-M", "ST-F", "DS-1"})),))
    [d] = source_orders([demand("1", "web", "ship", ("A", 2))], SITES, STOCK, rules)
    km = float(haversine_km(52.52, 13.405, 48.2, 11.6))
    assert d.plan.cost.units == 2 * (40 + round(0.5 * km * 0.02))
    assert d.plan.cost.shipments == 450 + round(0.5 * km)


def test_max_shipments_global_and_per_channel() -> None:
    rules = RoutingRules(max_shipments=3, max_shipments_by_channel={"pos": 1})
    lines = (("A", 12), ("B", 6))
    [web] = source_orders([demand("1", "web", "ship", *lines)], SITES, STOCK, rules)
    [pos] = source_orders([demand("2", "pos", "ship", *lines)], SITES, STOCK, rules)
    assert len(locations(web)) <= 3 and len(locations(pos)) == 1
    assert pos.status is SolveStatus.OPTIMAL and web.status is SolveStatus.OPTIMAL
    assert pos.plan.cost.total >= web.plan.cost.total


def test_capacity_and_stock_are_consumed_in_order() -> None:
    only_frankfurt = RoutingRules(rules=(EligibilityRule(effect="deny", locations=frozenset({"DC-B", "ST-M", "DS-1"})),))
    decisions = source_orders([demand(str(i), "web", "ship", ("B", 2)) for i in range(3)], SITES, STOCK, only_frankfurt)
    assert [d.plan.unfilled for d in decisions] == [{}, {"B": 1}, {"B": 2}]  # capacity 3 at ST-F
    assert STOCK[("ST-F", "B")] == 5  # the caller's stock is not modified


def test_what_is_left_of_the_day_replaces_the_sites_capacity() -> None:
    only_frankfurt = RoutingRules(rules=(EligibilityRule(effect="deny", locations=frozenset({"DC-B", "ST-M", "DS-1"})),))
    orders = [demand(str(i), "web", "ship", ("B", 2)) for i in range(3)]
    left_1 = source_orders(orders, SITES, STOCK, only_frankfurt, capacity={"ST-F": 1})
    assert [d.plan.unfilled for d in left_1] == [{"B": 1}, {"B": 2}, {"B": 2}]
    # Room for more than the site's own 3 today (the orders' own units credited back): stock binds.
    roomy = source_orders(orders, SITES, STOCK, only_frankfurt, capacity={"ST-F": 9, "elsewhere": 0})
    assert [d.plan.unfilled for d in roomy] == [{}, {}, {"B": 1}]


def test_safety_stock_is_held_back_from_its_channel_only() -> None:
    rules = RoutingRules(
        rules=(EligibilityRule(effect="deny", locations=frozenset({"DC-B", "ST-F", "DS-1"})),),
        safety_stock_by_channel={"web": {"store": 2}, "app": {"ST-M": 1, "store": 3}},
    )
    web, app, pos = source_orders([demand(c, c, "ship", ("A", 3)) for c in ("web", "app", "pos")], SITES, STOCK, rules)
    assert web.plan.unfilled == {"A": 2}  # 3 at ST-M, 2 held from web
    assert app.plan.unfilled == {"A": 2}  # 2 left, the id-specific level 1 wins over the type's 3
    assert pos.plan.unfilled == {"A": 2}  # no level for pos: takes the last unit


def test_greedy_cost_explains_each_decision() -> None:
    decisions = source_orders([demand("1", "web", "ship", ("A", 4), ("B", 3))], SITES, STOCK, RoutingRules())
    for d in decisions:
        assert d.greedy_cost >= d.plan.cost.total == d.bound
        assert d.solver == "fastpath"
    [greedy] = source_orders([demand("1", "web", "ship", ("A", 4), ("B", 3))], SITES, STOCK, RoutingRules(), policy=Policy.GREEDY)
    assert greedy.plan.cost.total == decisions[0].greedy_cost


def test_compile_instance_matches_the_hot_path() -> None:
    demands = [demand("1", "web", "ship", ("A", 4), ("B", 3)), demand("2", "web", "pickup", ("A", 2), pickup_site="ST-F")]
    rules = RoutingRules(max_shipments=2, safety_stock_by_channel={"web": {"DC-B": 1}})
    instance = compile_instance(demands, SITES, STOCK, rules)
    assert instance.orders[0].max_shipments == 2
    assert instance.stock[("DC-B", "A")] == 9
    assert set(instance.orders[1].lines[0].unit_costs) == {"ST-F"}
    assert instance.orders[1].shipment_costs == {"ST-F": 0}
    sequential = source_orders(demands, SITES, STOCK, rules)
    joint = solve(instance)
    assert joint.status is SolveStatus.OPTIMAL
    assert joint.objective <= sum(d.plan.cost.total for d in sequential)
    [first] = solve(compile_instance(demands[:1], SITES, STOCK, rules)).orders
    assert first.cost == sequential[0].plan.cost


def test_rules_round_trip_through_json() -> None:
    rules = RoutingRules(
        rules=(EligibilityRule(effect="deny", channels=frozenset({"web", "app"}), location_types=frozenset({"store"}), description="no ship-from-store online"),),
        max_shipments=3,
        max_shipments_by_channel={"pos": 1},
        safety_stock_by_channel={"web": {"store": 2, "DC-B": 5}},
        unfilled_unit_penalty=5000,
    )
    d = rules.to_dict()
    assert d["rules"][0]["channels"] == ["app", "web"]
    assert RoutingRules.from_dict(d) == rules


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"rules": [{"effect": "maybe"}]}, "rules[0].effect"),
        ({"rules": [{"effect": "deny"}, {"effect": "allow", "location_types": ["shop"]}]}, "rules[1].location_types"),
        ({"rules": [{"effect": "deny", "delivery_modes": ["drone"]}]}, "rules[0].delivery_modes"),
        ({"rules": [{"effect": "deny", "skus": "A"}]}, "rules[0].skus"),
        ({"rules": [{"effect": "deny", "where": []}]}, "rules[0].where"),
        ({"max_shipments": 0}, "max_shipments"),
        ({"max_shipments_by_channel": {"pos": -1}}, "max_shipments_by_channel.pos"),
        ({"safety_stock_by_channel": {"web": {"store": 1.5}}}, "safety_stock_by_channel.web.store"),
        ({"unfilled_unit_penalty": -1}, "unfilled_unit_penalty"),
        ({"max_shipment": 2}, "max_shipment"),
    ],
)
def test_bad_rules_name_the_field(raw: dict, field: str) -> None:
    with pytest.raises(InstanceError) as caught:
        RoutingRules.from_dict(raw)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (Demand(id="x", channel="web", delivery_mode="ship", dest_lat=1.0, dest_lon=1.0, lines=(DemandLine(sku="A", qty=0),)), "demands[1].lines[0].qty"),
        (Demand(id="x", channel="web", delivery_mode="ship", lines=(DemandLine(sku="A", qty=1),)), "demands[1].dest_lat"),
        (Demand(id="x", channel="web", delivery_mode="pickup", pickup_site="DC-B", lines=(DemandLine(sku="A", qty=1),)), "demands[1].pickup_site"),
        (Demand(id="x", channel="web", delivery_mode="post", lines=(DemandLine(sku="A", qty=1),)), "demands[1].delivery_mode"),
        (Demand(id="x", channel="web", delivery_mode="ship", dest_lat=1.0, dest_lon=1.0, lines=(DemandLine(sku="A", qty=1), DemandLine(sku="A", qty=2))), "demands[1].lines[1].sku"),
    ],
)
def test_bad_demands_name_the_field(bad: Demand, field: str) -> None:
    with pytest.raises(InstanceError) as caught:
        source_orders([demand(), bad], SITES, STOCK, RoutingRules())
    assert caught.value.field == field


def test_with_on_invalid_a_bad_demand_answers_none_and_the_others_are_sourced_as_without_it() -> None:
    bad = Demand(id="x", channel="web", delivery_mode="ship", lines=(DemandLine(sku="A", qty=1),))  # no destination
    first, second = demand("1", "web", "ship", ("A", 2)), demand("2", "web", "ship", ("A", 3))
    heard: list[tuple[str, str]] = []
    got = source_orders([first, bad, second], SITES, STOCK, RoutingRules(), on_invalid=lambda d, e: heard.append((d.id, e.field)))
    alone = source_orders([first, second], SITES, STOCK, RoutingRules())
    assert got[1] is None and heard == [("x", "demands[1].dest_lat")]
    assert [d.plan for d in (got[0], got[2])] == [d.plan for d in alone]


@st.composite
def networks(draw):
    sites = {
        f"S{j}": Site(id=f"S{j}", type=draw(st.sampled_from(list(LocationType))), lat=draw(st.floats(40, 55)), lon=draw(st.floats(0, 20)),
                      shipment_cost=draw(st.integers(0, 900)), shipment_cost_per_km=draw(st.sampled_from([0.0, 0.3])),
                      unit_handling_cost=draw(st.integers(0, 100)), unit_cost_per_kg_km=draw(st.sampled_from([0.0, 0.01])),
                      capacity_units=draw(st.none() | st.integers(0, 8)), pickup=draw(st.booleans()))
        for j in range(draw(st.integers(1, 5)))
    }
    skus = ["A", "B", "C"]
    stock = {(s, k): draw(st.integers(-1, 6)) for s in sites for k in skus if draw(st.booleans())}
    rules = RoutingRules(
        rules=tuple(
            EligibilityRule(effect=draw(st.sampled_from(["allow", "deny"])), channels=frozenset(draw(st.lists(st.sampled_from(["web", "pos"]), max_size=1))),
                            location_types=frozenset(draw(st.lists(st.sampled_from([t.value for t in LocationType]), max_size=2))),
                            skus=frozenset(draw(st.lists(st.sampled_from(skus), max_size=1))))
            for _ in range(draw(st.integers(0, 3)))
        ),
        max_shipments=draw(st.none() | st.integers(1, 3)),
        safety_stock_by_channel={"web": {t.value: draw(st.integers(0, 2)) for t in LocationType}},
        unfilled_unit_penalty=draw(st.sampled_from([300, 100_000])),
    )
    pickups = [s for s, site in sites.items() if site.pickup]
    demands = []
    for i in range(draw(st.integers(1, 4))):
        lines = tuple(DemandLine(sku=k, qty=draw(st.integers(1, 4)), weight_g=draw(st.integers(0, 3000))) for k in draw(st.lists(st.sampled_from(skus), min_size=1, unique=True)))
        channel = draw(st.sampled_from(["web", "pos"]))
        if pickups and draw(st.booleans()):
            demands.append(Demand(id=str(i), channel=channel, delivery_mode="pickup", pickup_site=draw(st.sampled_from(pickups)), lines=lines))
        else:
            demands.append(Demand(id=str(i), channel=channel, delivery_mode="ship", dest_lat=draw(st.floats(40, 55)), dest_lon=draw(st.floats(0, 20)), lines=lines))
    return sites, stock, rules, demands


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_hot_path_is_exact_per_order_against_what_is_left(network) -> None:
    sites, stock, rules, demands = network
    decisions = source_orders(demands, sites, stock, rules)
    left = {k: max(v, 0) for k, v in stock.items()}
    capacity = {s: site.capacity_units for s, site in sites.items()}
    for demand_, decision in zip(demands, decisions):
        # The same order alone, compiled with exactly what was left for it, solved from scratch.
        held = rules.safety_stock_by_channel.get(demand_.channel, {})
        net = {k: max(0, v - held.get(k[0], held.get(sites[k[0]].type.value, 0))) for k, v in left.items()}
        now = {s: site if capacity[s] is None else Site(**{**site.__dict__, "capacity_units": capacity[s]}) for s, site in sites.items()}
        alone = solve(compile_instance([demand_], now, net, RoutingRules(**{**rules.__dict__, "safety_stock_by_channel": {}})))
        assert decision.status is SolveStatus.OPTIMAL and alone.status is SolveStatus.OPTIMAL
        assert decision.plan.cost.total == alone.objective == decision.bound
        assert decision.greedy_cost >= decision.plan.cost.total
        for a in decision.plan.allocations:
            assert a.qty <= net.get((a.location, a.sku), 0)
            left[(a.location, a.sku)] -= a.qty
            if capacity[a.location] is not None:
                capacity[a.location] -= a.qty
                assert capacity[a.location] >= 0
        assert math.isfinite(decision.elapsed_s)


def test_a_site_surcharge_moves_units_only_where_it_outweighs_the_saving() -> None:
    # ST-F is the cheapest for A; priced as if it missed the customer's day by 1,000 a unit,
    # the next cheapest takes the unit instead.
    [plain] = source_orders([demand("1", "web", "ship", ("A", 1))], SITES, STOCK, RoutingRules())
    assert locations(plain) == {"ST-F"}
    late = demand("1", "web", "ship", ("A", 1), site_surcharge=(("ST-F", 1_000),))
    [moved] = source_orders([late], SITES, STOCK, RoutingRules())
    assert locations(moved) == {"DC-B"} and moved.status is SolveStatus.OPTIMAL  # 744 against 1,720
    # A surcharge smaller than what ST-F saves leaves the unit there, its cost counted once.
    small = demand("1", "web", "ship", ("A", 1), site_surcharge=(("ST-F", 1),))
    [kept] = source_orders([small], SITES, STOCK, RoutingRules())
    assert locations(kept) == {"ST-F"} and kept.plan.cost.units == plain.plan.cost.units + 1


def test_only_sites_keeps_the_order_away_from_every_other_site_even_if_it_goes_unfilled() -> None:
    # DC-B is the cheapest for two A to Munich (789); asked to ship only from the stores, it is not used.
    [plain] = source_orders([demand("1", "web", "ship", ("A", 2))], SITES, STOCK, RoutingRules())
    assert locations(plain) == {"DC-B"}
    stores = frozenset({"ST-M", "ST-F"})
    [kept_away] = source_orders([demand("1", "web", "ship", ("A", 2), only_sites=stores)], SITES, STOCK, RoutingRules())
    assert locations(kept_away) == {"ST-F"} and not kept_away.plan.unfilled  # 790 against ST-M's 860
    assert kept_away.status is SolveStatus.OPTIMAL
    # No allowed site holds B: the units wait, though DS-1 has fifty.
    only_m = demand("1", "web", "ship", ("B", 2), only_sites=frozenset({"ST-M"}))
    [waiting] = source_orders([only_m], SITES, STOCK, RoutingRules())
    assert waiting.plan.allocations == () and waiting.plan.unfilled == {"B": 2}
    # The exported instance (joint re-sourcing, what-if) says the same.
    instance = compile_instance([demand("1", "web", "ship", ("A", 2), only_sites=stores)], SITES, STOCK, RoutingRules())
    assert set(instance.orders[0].lines[0].unit_costs) == stores


def test_a_shipment_surcharge_is_paid_once_per_parcel_and_moves_the_order_only_where_it_outweighs_the_saving() -> None:
    [plain] = source_orders([demand("1", "web", "ship", ("A", 2))], SITES, STOCK, RoutingRules())
    assert locations(plain) == {"DC-B"}
    # An express parcel from DC-B costing 50 more: ST-F (dearer by 1) takes the order.
    express = demand("1", "web", "ship", ("A", 2), shipment_surcharge=(("DC-B", 50),))
    [moved] = source_orders([express], SITES, STOCK, RoutingRules())
    assert locations(moved) == {"ST-F"} and moved.status is SolveStatus.OPTIMAL
    # A surcharge of less than that stays, counted once for the parcel, not per unit.
    small = demand("1", "web", "ship", ("A", 2), shipment_surcharge=(("ST-F", 500), ("DC-B", 0)))
    [kept] = source_orders([small], SITES, STOCK, RoutingRules())
    assert locations(kept) == {"DC-B"} and kept.plan.cost == plain.plan.cost
    tiny = demand("1", "web", "ship", ("A", 2), shipment_surcharge=(("DC-B", 1),))  # 790 against ST-F's 790: either
    [either] = source_orders([tiny], SITES, STOCK, RoutingRules())
    assert either.plan.cost.units + either.plan.cost.shipments == 790
    instance = compile_instance([express], SITES, STOCK, RoutingRules())
    assert instance.orders[0].shipment_costs["DC-B"] == 699 + 50
