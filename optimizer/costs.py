"""The cost model: distances by haversine, integer costs from the sites' rates.

    distance     = great-circle km from the site to the customer (ship) or to the pickup store
    unit cost    = unit_handling_cost + weight_kg x distance x unit_cost_per_kg_km
    shipment cost = shipment_cost + shipment_cost_per_km x distance

each rounded to the nearest minor unit. For a pickup order the pickup store itself has distance 0
and no shipment cost (the customer collects; nothing is shipped), while any other location allowed
by a rule is a transfer to that store and costs like a shipment to the store's coordinates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import InstanceError
from .network import LocationType, Site
from .problem import UNLIMITED
from .validation import non_negative_int, number_in

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: float, lon2: float) -> np.ndarray:
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True, kw_only=True, eq=False)
class SiteTable:
    """The sites as arrays, built once per call so each order costs a few numpy operations."""

    ids: tuple[str, ...]
    index: Mapping[str, int]
    types: tuple[LocationType, ...]
    lat: np.ndarray
    lon: np.ndarray
    shipment_cost: np.ndarray
    shipment_cost_per_km: np.ndarray
    unit_handling_cost: np.ndarray
    unit_cost_per_kg_km: np.ndarray
    capacity: np.ndarray  # int64, UNLIMITED where none
    pickup: np.ndarray  # bool

    @classmethod
    def build(cls, sites: Mapping[str, Site]) -> SiteTable:
        for key, site in sites.items():
            _validate_site(key, site)
        values = list(sites.values())
        return cls(
            ids=tuple(s.id for s in values),
            index={s.id: j for j, s in enumerate(values)},
            types=tuple(LocationType(s.type) for s in values),
            lat=np.array([s.lat for s in values], dtype=float),
            lon=np.array([s.lon for s in values], dtype=float),
            shipment_cost=np.array([s.shipment_cost for s in values], dtype=np.int64),
            shipment_cost_per_km=np.array([s.shipment_cost_per_km for s in values], dtype=float),
            unit_handling_cost=np.array([s.unit_handling_cost for s in values], dtype=np.int64),
            unit_cost_per_kg_km=np.array([s.unit_cost_per_kg_km for s in values], dtype=float),
            capacity=np.array(
                [UNLIMITED if s.capacity_units is None else s.capacity_units for s in values], dtype=np.int64
            ),
            pickup=np.array([s.pickup for s in values], dtype=bool),
        )

    def costs(self, dest_lat: float, dest_lon: float, weights_g: np.ndarray, at_site: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(unit cost int64 [n, m], shipment cost int64 [m]) of delivering to (dest_lat, dest_lon).

        `at_site`: the pickup store, which ships nothing to itself.
        """
        distance = haversine_km(self.lat, self.lon, dest_lat, dest_lon)
        if at_site is not None:
            distance[at_site] = 0.0
        unit = self.unit_handling_cost[None, :] + np.rint(
            (weights_g[:, None] / 1000.0) * distance[None, :] * self.unit_cost_per_kg_km[None, :]
        ).astype(np.int64)
        shipment = self.shipment_cost + np.rint(self.shipment_cost_per_km * distance).astype(np.int64)
        if at_site is not None:
            shipment[at_site] = 0
        return unit, shipment


def _validate_site(key: str, site: Site) -> None:
    path = f"sites.{key}"
    if site.id != key:
        raise InstanceError(field=f"{path}.id", message=f"must equal its key {key!r}")
    try:
        LocationType(site.type)
    except ValueError:
        raise InstanceError(
            field=f"{path}.type", message=f"must be one of {', '.join(t.value for t in LocationType)}"
        ) from None
    number_in(site.lat, f"{path}.lat", -90.0, 90.0)
    number_in(site.lon, f"{path}.lon", -180.0, 180.0)
    non_negative_int(site.shipment_cost, f"{path}.shipment_cost")
    non_negative_int(site.unit_handling_cost, f"{path}.unit_handling_cost")
    number_in(site.shipment_cost_per_km, f"{path}.shipment_cost_per_km", 0.0, float("inf"))
    number_in(site.unit_cost_per_kg_km, f"{path}.unit_cost_per_kg_km", 0.0, float("inf"))
    if site.capacity_units is not None:
        non_negative_int(site.capacity_units, f"{path}.capacity_units")
