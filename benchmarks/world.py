"""A scenario's master data as the API messages that load it: network, catalogue, stock, inbound, customers.

Each part draws from its own random stream keyed by the seed (and, for stock, by
the location id), so changing one part of a scenario leaves the others as they
were: closing a warehouse does not reshuffle the stock of the others, and a
different network does not change the catalogue or the customers.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from google.protobuf import timestamp_pb2

from benchmarks.scenario import Destinations, Scenario
from protos.oms.v1 import common_pb2, customers_pb2, inventory_pb2, orders_pb2

LOCATION_TYPES = {
    "warehouse": common_pb2.LOCATION_TYPE_WAREHOUSE,
    "store": common_pb2.LOCATION_TYPE_STORE,
    "dropship": common_pb2.LOCATION_TYPE_DROPSHIP,
}
EARTH_KM_PER_DEGREE = 111.2

# Independent random streams, one per part of the world.
CATALOGUE, STOCK, CUSTOMERS, INBOUND = 1, 2, 3, 4


@dataclass(frozen=True, kw_only=True)
class World:
    """Master data of a scenario: what ``load_world`` sends before the day starts."""

    scenario: Scenario
    locations: list[inventory_pb2.Location]
    products: list[inventory_pb2.Product]
    prices: np.ndarray  # minor units, per SKU index
    weights: np.ndarray  # grams, per SKU index
    popularity: np.ndarray  # share of order lines, per SKU index
    stock: list[inventory_pb2.StockLevel]
    inbound: list[inventory_pb2.InboundSupply]
    customers: list[customers_pb2.Customer]
    routing_rules: inventory_pb2.RoutingRules
    risk_rules: orders_pb2.RiskRules
    holidays: list[inventory_pb2.HolidayCalendar] = field(default_factory=list)

    @property
    def variants(self) -> dict[str, list[str]]:
        """sku -> the SKUs of its style, itself included (only SKUs that have a style)."""
        styles: dict[str, list[str]] = {}
        for p in self.products:
            if p.style:
                styles.setdefault(p.style, []).append(p.sku)
        return {sku: skus for skus in styles.values() for sku in skus}

    @property
    def pickup_ids(self) -> list[str]:
        return [loc.location_id for loc in self.locations if loc.pickup_enabled and loc.active]


def rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, *key])


def popularity(skus: int, skew: float) -> np.ndarray:
    """Zipf shares: SKU index 0 is the best seller."""
    weights = np.arange(1, skus + 1, dtype=float) ** (-skew)
    return weights / weights.sum()


def sku_id(i: int) -> str:
    return f"SKU-{i:05d}"


def build_world(s: Scenario) -> World:
    locations = [
        inventory_pb2.Location(
            location_id=lid,
            type=LOCATION_TYPES[loc.type],
            name=loc.name or lid,
            position=common_pb2.GeoPoint(latitude=loc.lat, longitude=loc.lon),
            shipment_cost_minor=loc.shipment_cost_minor,
            shipment_cost_per_km_minor=loc.shipment_cost_per_km_minor,
            unit_handling_cost_minor=loc.unit_handling_cost_minor,
            unit_cost_per_kg_km_minor=loc.unit_cost_per_kg_km_minor,
            pickup_enabled=loc.pickup,
            active=loc.active,
            daily_capacity_units=loc.capacity_units_per_day or 0,
            time_zone=loc.time_zone,
            country_code=loc.country_code,
            shipping=loc.shipping_schedule(),
        )
        for lid, loc in s.network.locations.items()
    ]
    c = s.catalogue
    r = rng(s.seed, CATALOGUE)
    weights = np.exp(r.uniform(math.log(c.weight_grams[0]), math.log(c.weight_grams[1]) + 1e-9, size=c.skus)).astype(np.int64)
    prices = np.exp(r.uniform(math.log(c.price_minor[0]), math.log(c.price_minor[1]) + 1e-9, size=c.skus)).astype(np.int64)
    returnable = r.random(c.skus) < c.returnable_share
    k = c.variants_per_style
    if k > 1:
        # The variants of a style share its first SKU's price, so an exchange is even; the
        # draws above stay as they were, and so does everything drawn after them.
        prices = prices[(np.arange(c.skus) // k) * k]
    products = [
        inventory_pb2.Product(
            sku=sku_id(i), name=f"Product {i}", weight_grams=int(weights[i]), returnable=bool(returnable[i]),
            style=f"style-{i // k:05d}" if k > 1 else "",
        )  # fmt: skip
        for i in range(c.skus)
    ]
    pop = popularity(c.skus, s.demand.sku_popularity_skew)
    return World(
        scenario=s,
        locations=locations,
        products=products,
        prices=prices,
        weights=weights,
        popularity=pop,
        stock=_stock(s, pop),
        inbound=_inbound(s, pop),
        customers=_customers(s),
        routing_rules=s.routing_rules_message(),
        risk_rules=s.risk_rules_message(),
        holidays=[
            inventory_pb2.HolidayCalendar(country_code=country, dates=[_midnight(day) for day in days])
            for country, days in sorted(s.network.public_holidays.items())
        ],
    )


def _midnight(day: str) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=int(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC).timestamp()))


def _stock(s: Scenario, pop: np.ndarray) -> list[inventory_pb2.StockLevel]:
    """Stock follows planned sales: a carried SKU holds its minimum plus its days of cover,
    shared among the locations of that type expected to carry it."""
    levels: list[inventory_pb2.StockLevel] = []
    by_type = {kind: sum(1 for loc in s.network.locations.values() if loc.type == kind) for kind in s.stock.by_type}
    daily = pop * s.stock.reference_units_per_day
    for lid, loc in s.network.locations.items():
        policy = s.stock.by_type.get(loc.type)
        if policy is None:
            continue
        r = rng(s.seed, STOCK, zlib.crc32(lid.encode()))
        carried = r.random(len(pop)) < policy.carried_share
        carriers = max(1.0, by_type[loc.type] * policy.carried_share)
        mean = (policy.min_units + policy.days_of_cover * daily / carriers) * s.stock.scale
        qty = r.poisson(mean)
        for i in np.flatnonzero(carried & (qty > 0)):
            levels.append(
                inventory_pb2.StockLevel(location_id=lid, sku=sku_id(int(i)), on_hand=int(qty[i]), safety_stock=policy.safety_stock)
            )
    return levels


def _inbound(s: Scenario, pop: np.ndarray) -> list[inventory_pb2.InboundSupply]:
    plan = s.stock.inbound
    if plan is None:
        return []
    targets = [lid for lid, loc in s.network.locations.items() if loc.type == plan.location_type and loc.active]
    if not targets:
        return []
    r = rng(s.seed, INBOUND)
    chosen = np.flatnonzero(r.random(len(pop)) < plan.sku_share)
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    for i in chosen:
        qty = int(r.poisson(max(1.0, plan.days_of_cover * pop[i] * s.stock.reference_units_per_day)))
        days = int(r.integers(plan.days_ahead[0], plan.days_ahead[1] + 1))
        lid = targets[int(r.integers(len(targets)))]
        if qty <= 0:
            continue
        supply = inventory_pb2.InboundSupply(location_id=lid, sku=sku_id(int(i)), quantity=qty)
        supply.expected_at.FromDatetime(today + dt.timedelta(days=days))
        out.append(supply)
    return out


def _customers(s: Scenario) -> list[customers_pb2.Customer]:
    c = s.customers
    r = rng(s.seed, CUSTOMERS)
    business = r.random(c.count) < c.business_share
    lat, lon = destinations(s.demand.destinations, r, c.count)
    out = []
    for i in range(c.count):
        customer = customers_pb2.Customer(
            customer_id=f"C-{i:06d}",
            type=customers_pb2.CUSTOMER_TYPE_BUSINESS if business[i] else customers_pb2.CUSTOMER_TYPE_CONSUMER,
            name=f"Business {i} GmbH" if business[i] else f"Customer {i}",
            email=f"customer{i}@example.com",
            default_address=common_pb2.Address(
                country_code=c.country, position=common_pb2.GeoPoint(latitude=float(lat[i]), longitude=float(lon[i]))
            ),
        )
        if business[i]:
            customer.credit_limit.CopyFrom(common_pb2.Money(amount_minor=c.business_credit_limit_minor, currency=s.currency))
        out.append(customer)
    return out


def destinations(d: Destinations, r: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points: around metros by weight (normal spread of ``radius_km``), the rural
    share uniform over the region; every point clipped to the region."""
    lat = r.uniform(*d.lat_range, size=n)
    lon = r.uniform(*d.lon_range, size=n)
    metros = [m for m in d.metros if m.weight > 0]
    if metros:
        urban = r.random(n) >= d.rural_share
        w = np.array([m.weight for m in metros])
        pick = r.choice(len(metros), size=n, p=w / w.sum())
        centre_lat = np.array([m.lat for m in metros])[pick]
        centre_lon = np.array([m.lon for m in metros])[pick]
        radius = np.array([m.radius_km for m in metros])[pick]
        dlat = r.normal(0, 1, size=n) * radius / EARTH_KM_PER_DEGREE
        dlon = r.normal(0, 1, size=n) * radius / (EARTH_KM_PER_DEGREE * np.cos(np.radians(centre_lat)))
        lat = np.where(urban, centre_lat + dlat, lat)
        lon = np.where(urban, centre_lon + dlon, lon)
    return np.clip(lat, *d.lat_range), np.clip(lon, *d.lon_range)
