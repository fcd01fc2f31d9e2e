"""The day's orders sourced offline under each policy, for the cost comparison in the report.

The orders the service accepted, in arrival order, each sourced against what the
earlier ones left (``optimizer.source_orders``), from the scenario's initial stock
less safety stock at its active locations, under its routing rules as the gateway
reads them. The optimal policy is what the service does per order; greedy (each
line from its cheapest location with stock) and single-first (the cheapest
location that ships the whole order, else greedy) are what rules engines do.
Offline runs see neither concurrency nor the stock that returns put back or
rejected orders released during the day, so the service's own figures sit beside
them rather than replacing one of them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import optimizer
from benchmarks.scenario import Scenario
from benchmarks.world import World
from oms_actors.domain.inbound import add_days, is_promise, promise_site, utc_today
from oms_actors.promising import promise_pass
from protos.oms.v1 import common_pb2, orders_pb2

POLICIES = (optimizer.Policy.OPTIMAL, optimizer.Policy.GREEDY, optimizer.Policy.SINGLE_FIRST)


@dataclass(frozen=True, kw_only=True)
class PolicyResult:
    policy: str
    orders: int
    units: int
    allocated: int  # from stock on hand
    promised: int  # from supply on its way (routing rules' inbound_horizon_days)
    unit_cost: int  # minor units over the day (a promised unit's wait included)
    shipment_cost: int
    unfilled_cost: int
    shipments: int
    split_orders: int  # shipped from more than one location
    backordered_orders: int  # with any unit unfilled
    proven_optimal: int
    elapsed_s: float
    by_location: dict[str, int]  # units allocated per location

    @property
    def fulfilment_cost(self) -> int:
        """What shipping the orders costs: units and shipments, without the backorder penalty."""
        return self.unit_cost + self.shipment_cost

    @property
    def total_cost(self) -> int:
        return self.fulfilment_cost + self.unfilled_cost

    def per_order(self, value: int) -> float:
        return value / self.orders if self.orders else 0.0

    def to_dict(self) -> dict[str, Any]:
        n = self.orders or 1
        return {
            "policy": self.policy,
            "orders": self.orders,
            "fill_rate": self.allocated / self.units if self.units else 0.0,
            "promise_rate": self.promised / self.units if self.units else 0.0,
            "fulfilment_cost_per_order": self.fulfilment_cost / n,
            "total_cost_per_order": self.total_cost / n,
            "unit_cost_per_order": self.unit_cost / n,
            "shipment_cost_per_order": self.shipment_cost / n,
            "unfilled_cost_per_order": self.unfilled_cost / n,
            "shipments_per_order": self.shipments / n,
            "split_rate": self.split_orders / n,
            "backordered_orders": self.backordered_orders,
            "proven_optimal_share": self.proven_optimal / n,
            "elapsed_s": self.elapsed_s,
            "by_location": self.by_location,
        }


def sites(s: Scenario) -> dict[str, optimizer.Site]:
    """The active locations as the service's sourcing sees them (oms_actors.routing.to_site)."""
    return {
        lid: optimizer.Site(
            id=lid,
            type=optimizer.LocationType(loc.type),
            lat=loc.lat,
            lon=loc.lon,
            shipment_cost=loc.shipment_cost_minor,
            shipment_cost_per_km=loc.shipment_cost_per_km_minor,
            unit_handling_cost=loc.unit_handling_cost_minor,
            unit_cost_per_kg_km=loc.unit_cost_per_kg_km_minor,
            pickup=loc.pickup,
            # The service plans within each location's day; the whole simulated day is one.
            capacity_units=loc.capacity_units_per_day,
        )
        for lid, loc in sorted(s.active_locations.items())
    }


def rules(world: World) -> optimizer.RoutingRules:
    from gateway.convert import Violations, routing_rules_from_proto

    return optimizer.RoutingRules.from_dict(routing_rules_from_proto(world.routing_rules, Violations()))


def demands(requests: Sequence[orders_pb2.CreateOrderRequest], world: World, active: dict[str, optimizer.Site]) -> list[optimizer.Demand]:
    """The requests as the optimizer's demands; those the network cannot take (an unknown
    SKU, a closed pickup store) are left out, as the service would refuse them."""
    from benchmarks.demand import CHANNEL_NAMES

    weights = {p.sku: p.weight_grams for p in world.products}
    out = []
    for r in requests:
        if any(line.sku not in weights for line in r.lines):
            continue
        lines = tuple(optimizer.DemandLine(sku=line.sku, qty=line.quantity, weight_g=weights[line.sku]) for line in r.lines)
        cap = 1 if r.ship_complete else None  # one parcel, for every policy as for the service
        if r.delivery_mode == common_pb2.DELIVERY_MODE_PICKUP_IN_STORE:
            site = active.get(r.pickup_location_id)
            if site is None or not site.pickup:
                continue
            out.append(optimizer.Demand(
                id=r.idempotency_key, channel=CHANNEL_NAMES[r.channel], delivery_mode="pickup", pickup_site=r.pickup_location_id,
                lines=lines, max_shipments=cap,
            ))  # fmt: skip
        else:
            p = r.ship_to.position
            out.append(optimizer.Demand(
                id=r.idempotency_key, channel=CHANNEL_NAMES[r.channel], delivery_mode="ship", dest_lat=p.latitude,
                dest_lon=p.longitude, lines=lines, max_shipments=cap,
            ))  # fmt: skip
    return out


def compare_policies(s: Scenario, world: World, requests: Sequence[orders_pb2.CreateOrderRequest]) -> list[PolicyResult]:
    active = sites(s)
    stock = {
        (level.location_id, level.sku): max(level.on_hand - level.safety_stock, 0)
        for level in world.stock
        if level.location_id in active
    }
    routing = rules(world)
    wanted = demands(requests, world, active)
    today = utc_today()
    results = []
    for policy in POLICIES:
        started = time.perf_counter()
        decisions = optimizer.source_orders(wanted, active, stock, routing, policy=policy)
        if routing.inbound_horizon_days:
            # As the service does: what on-hand stock leaves short, promised from supply on its way.
            decisions = promise_pass(
                wanted, decisions, active, stock, routing, inbound_rows(world, routing), today=today, policy=policy
            )
        results.append(_summarise(str(policy), wanted, decisions, time.perf_counter() - started))
    return results


def inbound_rows(world: World, routing: optimizer.RoutingRules) -> list[tuple[str, str, int]]:
    """The scenario's supply on its way within the rules' horizon, as the inventory shards give it
    to sourcing: (promise site, sku, units)."""
    until = add_days(utc_today(), routing.inbound_horizon_days)
    rows = []
    for supply in world.inbound:
        day = supply.expected_at.ToDatetime().date().isoformat()
        if day <= until and supply.quantity > 0:
            rows.append((promise_site(supply.location_id, day), supply.sku, int(supply.quantity)))
    return rows


def _summarise(policy: str, wanted: Sequence[optimizer.Demand], decisions: Sequence[optimizer.Decision], elapsed_s: float) -> PolicyResult:
    units = allocated = promised = unit_cost = shipment_cost = unfilled_cost = shipments = split = backordered = proven = 0
    by_location: dict[str, int] = {}
    for demand, d in zip(wanted, decisions):
        units += sum(line.qty for line in demand.lines)
        used = set()
        waits = False
        for a in d.plan.allocations:
            used.add(a.location)
            if is_promise(a.location):  # ships when its supply arrives: not filled today
                promised += a.qty
                waits = True
                continue
            allocated += a.qty
            by_location[a.location] = by_location.get(a.location, 0) + a.qty
        shipments += len(used)
        split += len(used) > 1
        backordered += bool(d.plan.unfilled) or waits
        unit_cost += d.plan.cost.units
        shipment_cost += d.plan.cost.shipments
        unfilled_cost += d.plan.cost.unfilled
        proven += d.status is optimizer.SolveStatus.OPTIMAL
    return PolicyResult(
        policy=policy,
        orders=len(wanted),
        units=units,
        allocated=allocated,
        promised=promised,
        unit_cost=unit_cost,
        shipment_cost=shipment_cost,
        unfilled_cost=unfilled_cost,
        shipments=shipments,
        split_orders=split,
        backordered_orders=backordered,
        proven_optimal=proven,
        elapsed_s=elapsed_s,
        by_location=dict(sorted(by_location.items())),
    )
