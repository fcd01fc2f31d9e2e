"""The sourcing network and the demand the order-capture path hands to the optimizer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LocationType(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"
    DROPSHIP = "dropship"


class DeliveryMode(StrEnum):
    SHIP = "ship"  # to the customer's address
    PICKUP = "pickup"  # the customer collects at a store (`Demand.pickup_site`)


@dataclass(frozen=True, kw_only=True)
class Site:
    """One location of the network; costs in minor currency units."""

    id: str
    type: LocationType
    lat: float
    lon: float
    shipment_cost: int  # fixed cost of one shipment from here
    shipment_cost_per_km: float = 0.0
    unit_handling_cost: int = 0  # per unit picked and packed here
    unit_cost_per_kg_km: float = 0.0
    capacity_units: int | None = None  # units it may still ship now; None = unlimited
    pickup: bool = False  # a store customers can collect from


@dataclass(frozen=True, kw_only=True)
class DemandLine:
    sku: str
    qty: int
    weight_g: int = 0  # per unit


@dataclass(frozen=True, kw_only=True)
class Demand:
    """One order to source. Ship orders need a destination; pickup orders a pickup site."""

    id: str
    channel: str
    delivery_mode: str  # a DeliveryMode value
    dest_lat: float | None = None
    dest_lon: float | None = None
    pickup_site: str | None = None
    lines: tuple[DemandLine, ...]
    # (site, cost) pairs: what each unit sourced at that site costs beyond the network's
    # costs, as the service prices a site that would deliver after the day the order asked for.
    site_surcharge: tuple[tuple[str, int], ...] = ()
    # (site, cost) pairs: what a shipment from that site costs beyond the network's costs, as
    # a parcel sent by the carrier service the order asked for (an express product).
    shipment_surcharge: tuple[tuple[str, int], ...] = ()
    # The only sites that may send this order anything (those offering the carrier service
    # it asked for), beside what the routing rules allow; None: every site the rules allow.
    only_sites: frozenset[str] | None = None
    # The order's own cap on its shipments, below the routing rules' (1: the customer asked
    # for everything in one parcel); None: the rules' alone.
    max_shipments: int | None = None
