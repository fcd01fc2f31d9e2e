"""The network and the catalogue: locations stock is held at, and the products sold."""

from __future__ import annotations

from dataclasses import dataclass

from oms_actors.domain.delivery import DEFAULT_SCHEDULE, ShippingSchedule
from oms_actors.domain.enums import LocationType


@dataclass(frozen=True, kw_only=True, slots=True)
class Location:
    location_id: str
    type: LocationType
    name: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    shipment_cost_minor: int = 0
    shipment_cost_per_km_minor: float = 0.0
    unit_handling_cost_minor: int = 0
    unit_cost_per_kg_km_minor: float = 0.0
    pickup_enabled: bool = False
    # Days a pickup waits here, ready, for its customer; then it comes back undelivered
    # (refunded, the units checked back into stock). 0: it waits until collected.
    pickup_hold_days: int = 0
    active: bool = True
    daily_capacity_units: int = 0  # units planned to ship from here per day (its own); 0: no limit
    time_zone: str = ""  # IANA name (Europe/Berlin): where the location's day begins; "": UTC
    country_code: str = ""  # ISO 3166-1 alpha-2: whose tax rates orders collected here state; "": not stated
    shipping: ShippingSchedule = DEFAULT_SCHEDULE  # when parcels leave and how they travel: delivery promises


@dataclass(frozen=True, kw_only=True, slots=True)
class Product:
    sku: str
    name: str = ""
    weight_grams: int = 0
    returnable: bool = True
    style: str = ""  # what it is a variant of (a size or colour of it); returns may exchange within it
    # Its own return window (a mattress's 100 nights, a phone's 14 days), in place of its
    # order's channel's; 0: the channel's. A channel taking no returns (0 days) takes none of it.
    return_window_days: int = 0
