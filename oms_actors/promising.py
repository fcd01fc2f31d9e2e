"""Promises from inbound supply: the second look sourcing takes at orders on-hand stock cannot fill.

On-hand stock first: every order of a batch is planned from what is on hand (the
solver's exact plan). An order left with unfilled units, when the routing rules allow
promising (``inbound_horizon_days``), is planned again, whole, with the supply each
location has on its way within the horizon as extra sites: ``L^D`` for the units
expected at ``L`` on day ``D`` (``domain.inbound``), costing what ``L`` costs plus
``inbound_wait_unit_cost`` per unit for each day until ``D``, with no daily capacity
(the units ship the day they arrive, not today) and no pickup. The solver then weighs
shipping now from farther against waiting for nearer supply, and waiting against not
filling at all, exactly as it weighs locations; the plan it proves cheapest is the
order's, its units at ``L^D`` promised with ``D`` as their date.

Pure functions over the optimizer's types; the sourcing worker reads the supply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

import optimizer
from oms_actors.domain.inbound import days_between, is_promise, split_site


def promise_sites(
    sites: Mapping[str, optimizer.Site], inbound: Iterable[tuple[str, str, int]], rules: optimizer.RoutingRules, today: str
) -> tuple[dict[str, optimizer.Site], dict[tuple[str, str], int]]:
    """The sites of supply on its way (at active locations only) and the units free at each:
    ``inbound`` rows are (promise site, sku, units free to promise)."""
    found: dict[str, optimizer.Site] = {}
    stock: dict[tuple[str, str], int] = {}
    for site_id, sku, units in inbound:
        location, day = split_site(site_id)
        base = sites.get(location)
        if base is None or units <= 0:
            continue
        if site_id not in found:
            wait = days_between(today, day) * rules.inbound_wait_unit_cost
            found[site_id] = replace(
                base, id=site_id, unit_handling_cost=base.unit_handling_cost + wait, capacity_units=None, pickup=False
            )
        stock[(site_id, sku)] = units
    return found, stock


def rules_with(rules: optimizer.RoutingRules, promised: Iterable[str]) -> optimizer.RoutingRules:
    """The rules as they apply to promise sites: a rule naming a location names its supply on
    the way too; types match as the location's; no safety stock is held back from supply
    that has not arrived (it is held back at the location once it has)."""
    by_location: dict[str, set[str]] = {}
    for site_id in promised:
        by_location.setdefault(split_site(site_id)[0], set()).add(site_id)
    eligibility = tuple(
        replace(rule, locations=rule.locations.union(*(by_location.get(loc, ()) for loc in rule.locations)))
        if rule.locations
        else rule
        for rule in rules.rules
    )
    safety = {
        channel: {**levels, **{site: 0 for sites in by_location.values() for site in sites}}
        for channel, levels in rules.safety_stock_by_channel.items()
    }
    return replace(rules, rules=eligibility, safety_stock_by_channel=safety)


def demand_with(demand: optimizer.Demand, promised: Iterable[str]) -> optimizer.Demand:
    """The order's own terms of sites as they apply to promise sites: a location's supply on
    the way may send the order what the location may (``only_sites``), as it would send it
    (``shipment_surcharge``: the carrier service asked for)."""
    if demand.only_sites is None and not demand.shipment_surcharge:
        return demand
    by_location: dict[str, list[str]] = {}
    for site_id in promised:
        by_location.setdefault(split_site(site_id)[0], []).append(site_id)
    only = demand.only_sites
    if only is not None:
        only = only.union(*(by_location.get(location, ()) for location in only))
    extra = tuple((site_id, cost) for location, cost in demand.shipment_surcharge for site_id in by_location.get(location, ()))
    return replace(demand, only_sites=only, shipment_surcharge=demand.shipment_surcharge + extra)


def promise_pass(
    demands: Sequence[optimizer.Demand],
    decisions: Sequence[optimizer.Decision | None],
    sites: Mapping[str, optimizer.Site],
    stock: Mapping[tuple[str, str], int],
    rules: optimizer.RoutingRules,
    inbound: Iterable[tuple[str, str, int]],
    *,
    today: str,
    capacity: Mapping[str, int] | None = None,
    time_limit_s: float = 0.5,
    on_invalid: Callable[[optimizer.Demand, optimizer.InstanceError], None] | None = None,
    policy: optimizer.Policy = optimizer.Policy.OPTIMAL,
    known: dict[str, optimizer.Site] | None = None,
) -> list[optimizer.Decision | None]:
    """The decisions again, the orders with unfilled units planned anew with supply on its way.

    ``decisions`` are ``source_orders(demands, sites, stock, rules, capacity=capacity)``;
    each order planned again sees the on-hand stock (and capacity) every other order of
    the batch left, its own first plan given back, and the supply the orders planned
    again before it left. ``policy``: the one the decisions were made with (the planner's
    offline comparisons promise under greedy and single-first too). ``known``: promise sites
    of earlier calls on the same ``today``, kept among the sites (with no stock when nothing
    of the batch's SKUs is coming there) and added to in place: the optimizer compiles the
    network once per distinct set of sites and rules (``optimizer.compiled``), and each batch's
    own few sites would make a new set nearly every batch."""
    out = list(decisions)
    short = [i for i, d in enumerate(decisions) if d is not None and d.plan.unfilled]
    if not short or not rules.inbound_horizon_days:
        return out
    promised, supply = promise_sites(sites, inbound, rules, today)
    if known is not None:
        known.update(promised)
        promised = {site_id: site for site_id, site in known.items() if split_site(site_id)[0] in sites}
    # Only an order short of a SKU with supply on its way can be promised anything.
    coming = {sku for _, sku in supply}
    short = [i for i in short if any(sku in coming for sku in decisions[i].plan.unfilled)]  # type: ignore[union-attr]
    if not short:
        return out
    every_site = {**sites, **promised}
    promising_rules = rules_with(rules, promised)
    left = dict(stock)
    # What each capped location may still ship: the caller's figures, else the sites' own
    # (one solve per order below, so the day's use must be carried from call to call).
    if capacity is not None:
        room: dict[str, int] | None = dict(capacity)
    else:
        room = {sid: site.capacity_units for sid, site in sites.items() if site.capacity_units is not None} or None

    def take(decision: optimizer.Decision, sign: int) -> None:
        for a in decision.plan.allocations:
            if is_promise(a.location):
                supply[(a.location, a.sku)] = supply.get((a.location, a.sku), 0) - sign * a.qty
                continue
            left[(a.location, a.sku)] = left.get((a.location, a.sku), 0) - sign * a.qty
            if room is not None and a.location in room:
                room[a.location] -= sign * a.qty

    for d in decisions:
        if d is not None:
            take(d, 1)
    for i in short:
        first = decisions[i]
        assert first is not None
        take(first, -1)
        [again] = optimizer.source_orders(
            [demand_with(demands[i], promised)],
            every_site,
            {**left, **supply},
            promising_rules,
            policy=policy,
            time_limit_s=time_limit_s,
            capacity=room,
            on_invalid=on_invalid,
        )
        chosen = again if again is not None else first
        take(chosen, 1)
        out[i] = chosen
    return out
