"""The network and routing rules as the optimizer sees them, compiled once per network version.

Sourcing (where orders are placed) and availability (what a channel is told
it may promise) read the same view, so a channel is never promised what its
orders could not be sourced from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

import optimizer
from oms_actors.domain.days import local_days
from oms_actors.domain.enums import DeliveryMode
from oms_actors.domain.network import Location
from oms_actors.store.network import NetworkCache
from optimizer.costs import SiteTable
from optimizer.rules import CompiledRules


def to_site(loc: Location) -> optimizer.Site:
    return optimizer.Site(
        id=loc.location_id,
        type=optimizer.LocationType(loc.type.value),
        lat=loc.latitude,
        lon=loc.longitude,
        shipment_cost=loc.shipment_cost_minor,
        shipment_cost_per_km=loc.shipment_cost_per_km_minor,
        unit_handling_cost=loc.unit_handling_cost_minor,
        unit_cost_per_kg_km=loc.unit_cost_per_kg_km_minor,
        pickup=loc.pickup_enabled,
    )


def rules_from_json(raw: bytes | str | None) -> optimizer.RoutingRules:
    return optimizer.RoutingRules.from_dict(json.loads(raw)) if raw else optimizer.RoutingRules()


def mode_name(mode: DeliveryMode) -> str:
    return "pickup" if mode is DeliveryMode.PICKUP else "ship"


@dataclass(frozen=True, eq=False)
class RoutingView:
    version: int
    sites: dict[str, optimizer.Site]  # active locations only
    rules: optimizer.RoutingRules
    compiled: CompiledRules
    # Active locations with a daily capacity: units they may be planned to ship per day,
    # each day the location's own (its time zone).
    capacity: dict[str, int] = field(default_factory=dict)
    # Active locations with a time zone (IANA name); the others count days in UTC.
    zones: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, version: int, locations: dict[str, Location], rules: optimizer.RoutingRules) -> RoutingView:
        sites = {lid: to_site(loc) for lid, loc in sorted(locations.items()) if loc.active}
        return cls(
            version=version,
            sites=sites,
            rules=rules,
            compiled=CompiledRules.build(rules, SiteTable.build(sites)),
            capacity={lid: loc.daily_capacity_units for lid, loc in locations.items() if lid in sites and loc.daily_capacity_units > 0},
            zones={lid: loc.time_zone for lid, loc in locations.items() if lid in sites and loc.time_zone},
        )

    def days(self, locations: Iterable[str], now_s: float | None = None) -> dict[str, str]:
        """Each location's current day (yyyymmdd), in its own time zone."""
        return local_days(locations, self.zones, now_s)

    def keep(self, channel: str, location_id: str) -> int:
        """Units of every SKU a channel must leave at a location (its safety stock there)."""
        held = self.compiled.held_for(channel)
        j = self.compiled.table.index.get(location_id)
        return 0 if held is None or j is None else int(held[j])

    def eligible(self, channel: str, mode: DeliveryMode, sku: str, pickup_location_id: str = "") -> set[str]:
        """Locations the rules let a line of this SKU come from, for such an order."""
        table = self.compiled.table
        pickup = table.index.get(pickup_location_id) if mode is DeliveryMode.PICKUP else None
        if mode is DeliveryMode.PICKUP and pickup is None:
            return set()
        mask = self.compiled.eligible(channel, mode_name(mode), (sku,), pickup)[0]
        return {table.ids[j] for j in np.flatnonzero(mask)}


def promisable_units(
    view: RoutingView,
    *,
    channel: str | None,
    eligible: set[str],
    location_id: str,
    available: int,
    capacity_left: int | None,
) -> int:
    """Units of a SKU at a location a channel may be promised now: those available where the
    rules let its orders take the SKU from (``eligible``: ``RoutingView.eligible``) above what
    the channel must leave there, within what is left of the location's capacity today (None:
    uncapped). ``channel`` None: any active location's available units. What GetAvailability
    answers and what an exchange asked for is checked against, so neither promises what
    sourcing could not place."""
    if channel is None:
        units = available if location_id in view.sites else 0
    else:
        units = max(0, available - view.keep(channel, location_id)) if location_id in eligible else 0
    return units if capacity_left is None else min(units, capacity_left)


class RoutingCache:
    """Rebuilds the view when the network cache's version moves."""

    def __init__(self, network: NetworkCache) -> None:
        self.network = network
        self._view: RoutingView | None = None

    async def view(self) -> RoutingView:
        await self.network.refresh()
        if self._view is None or self._view.version != self.network.version:
            self._view = RoutingView.build(
                self.network.version, self.network.locations, rules_from_json(self.network.rules_json)
            )
        return self._view
