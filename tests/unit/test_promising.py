"""The promising pass: orders on-hand stock leaves short are planned again with the supply on its
way, at its cost of waiting, under the same rules; everything else is left as it was."""

from __future__ import annotations

import optimizer
from oms_actors.domain.inbound import promise_site
from oms_actors.promising import promise_pass, rules_with

TODAY = "2026-11-27"
SOON = "2026-11-30"  # three days out
NEAR = (52.52, 13.40)  # the customer, and the warehouse with supply on its way
FAR = (48.14, 11.58)


def site(sid: str, at: tuple[float, float], kind: str = "warehouse") -> optimizer.Site:
    return optimizer.Site(id=sid, type=optimizer.LocationType(kind), lat=at[0], lon=at[1], shipment_cost=500, unit_handling_cost=100)


SITES = {"NEAR": site("NEAR", NEAR), "FAR": site("FAR", FAR)}


def demand(oid: str, qty: int) -> optimizer.Demand:
    return optimizer.Demand(
        id=oid, channel="web", delivery_mode="ship", dest_lat=NEAR[0], dest_lon=NEAR[1],
        lines=(optimizer.DemandLine(sku="A", qty=qty, weight_g=500),),
    )  # fmt: skip


def plans(demands, stock, rules, inbound):
    first = optimizer.source_orders(demands, SITES, stock, rules)
    again = promise_pass(demands, first, SITES, stock, rules, inbound, today=TODAY)
    return first, [sorted((a.location, a.qty) for a in d.plan.allocations) for d in again], again


def rules(**kw) -> optimizer.RoutingRules:
    return optimizer.RoutingRules(**({"inbound_horizon_days": 14, "inbound_wait_unit_cost": 200} | kw))


def test_an_order_stock_cannot_fill_is_promised_the_rest_from_supply_on_its_way():
    first, allocations, again = plans([demand("O1", 3)], {("FAR", "A"): 1}, rules(), [(promise_site("NEAR", SOON), "A", 5)])
    assert dict(first[0].plan.unfilled) == {"A": 2}
    assert allocations == [[("FAR", 1), (promise_site("NEAR", SOON), 2)]]
    assert again[0].plan.unfilled == {}


def test_orders_on_hand_stock_fills_are_not_looked_at_again():
    stock = {("FAR", "A"): 5}
    first, _, again = plans([demand("O1", 2)], stock, rules(), [(promise_site("NEAR", SOON), "A", 5)])
    assert again == first


def test_the_batch_shares_the_supply_and_the_wait_is_weighed_against_not_filling():
    inbound = [(promise_site("NEAR", SOON), "A", 3)]
    _, allocations, again = plans([demand("O1", 2), demand("O2", 2)], {}, rules(), inbound)
    assert allocations == [[(promise_site("NEAR", SOON), 2)], [(promise_site("NEAR", SOON), 1)]]
    assert dict(again[1].plan.unfilled) == {"A": 1}
    # Waiting three days costing more than leaving a unit unfilled: nothing is promised.
    _, allocations, _ = plans([demand("O1", 2)], {}, rules(inbound_wait_unit_cost=50_000, unfilled_unit_penalty=100_000), inbound)
    assert allocations == [[]]


def test_without_a_horizon_or_an_active_location_nothing_is_promised():
    inbound = [(promise_site("NEAR", SOON), "A", 3)]
    for r, supply in ((rules(inbound_horizon_days=0), inbound), (rules(), [(promise_site("CLOSED", SOON), "A", 3)])):
        first, _, again = plans([demand("O1", 2)], {}, r, supply)
        assert again == first


def test_rules_apply_to_a_locations_supply_as_to_the_location():
    inbound = [(promise_site("NEAR", SOON), "A", 3)]
    deny = optimizer.EligibilityRule(effect="deny", locations=frozenset({"NEAR"}))
    _, allocations, _ = plans([demand("O1", 2)], {}, rules(rules=(deny,)), inbound)
    assert allocations == [[]]
    adapted = rules_with(rules(rules=(deny,), safety_stock_by_channel={"web": {"warehouse": 2}}), [promise_site("NEAR", SOON)])
    assert adapted.rules[0].locations == {"NEAR", promise_site("NEAR", SOON)}
    assert adapted.safety_stock_by_channel["web"] == {"warehouse": 2, promise_site("NEAR", SOON): 0}


def test_a_locations_day_is_shared_by_the_orders_planned_again():
    capped = {"NEAR": SITES["NEAR"], "FAR": optimizer.Site(**{**SITES["FAR"].__dict__, "capacity_units": 2})}
    stock = {("FAR", "A"): 10}
    demands = [demand("O1", 2), demand("O2", 2)]
    first = optimizer.source_orders(demands, capped, stock, rules())
    assert [sum(a.qty for a in d.plan.allocations) for d in first] == [2, 0]  # FAR ships two units a day
    again = promise_pass(demands, first, capped, stock, rules(), [(promise_site("NEAR", SOON), "A", 5)], today=TODAY)
    # O2, planned again, may not ship from FAR today either: it is promised the supply instead.
    assert sorted((a.location, a.qty) for a in again[1].plan.allocations) == [(promise_site("NEAR", SOON), 2)]
    assert again[0] == first[0]


def test_promise_sites_seen_before_stay_among_the_sites_so_the_network_compiles_once():
    known: dict[str, optimizer.Site] = {}
    first_rows = [(promise_site("NEAR", SOON), "A", 3)]
    first = optimizer.source_orders([demand("O1", 2)], SITES, {}, rules())
    promise_pass([demand("O1", 2)], first, SITES, {}, rules(), first_rows, today=TODAY, known=known)
    assert set(known) == {promise_site("NEAR", SOON)}
    # A later batch whose SKU is coming only to FAR still plans with NEAR's site (empty for it).
    later = [optimizer.Demand(**{**demand("O2", 1).__dict__, "lines": (optimizer.DemandLine(sku="B", qty=1),)})]
    decided = optimizer.source_orders(later, SITES, {}, rules())
    again = promise_pass(later, decided, SITES, {}, rules(), [(promise_site("FAR", SOON), "B", 1)], today=TODAY, known=known)
    assert set(known) == {promise_site("NEAR", SOON), promise_site("FAR", SOON)}
    assert [(a.location, a.qty) for a in again[0].plan.allocations] == [(promise_site("FAR", SOON), 1)]
