"""Scenarios for simulations: a network, a catalogue, stock, customers and a stream of orders.

Everything is generated from a seed, so a scenario file is a few parameters and
two runs of the same scenario send the same orders.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterator

import numpy as np

from protos.oms.v1 import common_pb2, customers_pb2, inventory_pb2, orders_pb2

CHANNEL_NAMES = {
    "web": common_pb2.CHANNEL_WEB,
    "mobile_app": common_pb2.CHANNEL_MOBILE_APP,
    "store": common_pb2.CHANNEL_STORE,
    "call_center": common_pb2.CHANNEL_CALL_CENTER,
    "field_sales": common_pb2.CHANNEL_FIELD_SALES,
    "marketplace": common_pb2.CHANNEL_MARKETPLACE,
}
# Roughly Germany: where the sample network and its customers are.
LAT_RANGE = (47.6, 54.6)
LON_RANGE = (6.2, 14.9)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str = "normal-day"
    seed: int = 7
    currency: str = "EUR"
    warehouses: int = 4
    stores: int = 12
    pickup_stores: int = 6
    dropship_suppliers: int = 1
    skus: int = 3000
    customers: int = 2000
    business_share: float = 0.05
    orders: int = 5000
    channel_mix: dict[str, float] = field(
        default_factory=lambda: {
            "web": 0.40,
            "mobile_app": 0.25,
            "store": 0.10,
            "call_center": 0.08,
            "field_sales": 0.05,
            "marketplace": 0.12,
        }
    )
    mean_lines: float = 2.0  # lines per order, 1 + Poisson(mean - 1)
    max_quantity: int = 3
    popularity_skew: float = 1.1  # Zipf exponent of SKU demand
    pickup_share: float = 0.10  # of web and mobile orders
    warehouse_stock_mean: float = 60.0
    store_stock_mean: float = 4.0
    warehouse_stock_coverage: float = 0.75  # share of SKUs a warehouse carries
    store_stock_coverage: float = 0.35
    retry_share: float = 0.03  # orders a channel sends twice (a retry after a timeout)
    closed_locations: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        raw = json.loads(Path(path).read_text())
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{path}: unknown scenario fields {sorted(unknown)}")
        if "closed_locations" in raw:
            raw["closed_locations"] = tuple(raw["closed_locations"])
        return cls(**raw)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


@dataclass(frozen=True)
class World:
    """The generated master data of a scenario, as the API messages that load it."""

    locations: list[inventory_pb2.Location]
    products: list[inventory_pb2.Product]
    prices: np.ndarray  # minor units per SKU index
    stock: list[inventory_pb2.StockLevel]
    customers: list[customers_pb2.Customer]

    @property
    def pickup_ids(self) -> list[str]:
        return [loc.location_id for loc in self.locations if loc.pickup_enabled and loc.active]


def _point(rng: np.random.Generator) -> common_pb2.GeoPoint:
    return common_pb2.GeoPoint(latitude=float(rng.uniform(*LAT_RANGE)), longitude=float(rng.uniform(*LON_RANGE)))


def build_world(s: Scenario) -> World:
    rng = np.random.default_rng(s.seed)
    locations: list[inventory_pb2.Location] = []

    def add(prefix: str, n: int, kind: int, ship: tuple[int, int], handling: tuple[int, int], pickup: int = 0) -> None:
        for i in range(n):
            lid = f"{prefix}-{i + 1:02d}"
            locations.append(
                inventory_pb2.Location(
                    location_id=lid,
                    type=kind,
                    name=lid,
                    position=_point(rng),
                    shipment_cost_minor=int(rng.integers(*ship)),
                    shipment_cost_per_km_minor=float(rng.uniform(0.3, 0.8)),
                    unit_handling_cost_minor=int(rng.integers(*handling)),
                    unit_cost_per_kg_km_minor=float(rng.uniform(0.01, 0.03)),
                    pickup_enabled=i < pickup,
                    active=lid not in s.closed_locations,
                )
            )

    add("DC", s.warehouses, common_pb2.LOCATION_TYPE_WAREHOUSE, (400, 520), (40, 80))
    add("ST", s.stores, common_pb2.LOCATION_TYPE_STORE, (620, 800), (100, 160), pickup=s.pickup_stores)
    add("DS", s.dropship_suppliers, common_pb2.LOCATION_TYPE_DROPSHIP, (900, 1100), (20, 40))

    weights = rng.integers(100, 5000, size=s.skus)
    prices = (np.exp(rng.uniform(math.log(500), math.log(30000), size=s.skus)) // 1).astype(np.int64)
    products = [
        inventory_pb2.Product(sku=f"SKU-{i:05d}", name=f"Product {i}", weight_grams=int(w), returnable=True)
        for i, w in enumerate(weights)
    ]
    # Popular SKUs are stocked more deeply: stock follows demand, as a planner would set it.
    popularity = _popularity(s)
    depth = 0.3 + popularity / popularity.max() * 20
    stock: list[inventory_pb2.StockLevel] = []
    for loc in locations:
        if loc.type == common_pb2.LOCATION_TYPE_WAREHOUSE:
            carried = rng.random(s.skus) < s.warehouse_stock_coverage
            qty = rng.poisson(s.warehouse_stock_mean * np.minimum(depth, 5.0) / 2)
        elif loc.type == common_pb2.LOCATION_TYPE_STORE:
            carried = rng.random(s.skus) < s.store_stock_coverage
            qty = rng.poisson(s.store_stock_mean * np.minimum(depth, 3.0) / 2)
        else:
            carried = rng.random(s.skus) < 0.3
            qty = np.full(s.skus, 500)
        for i in np.flatnonzero(carried & (qty > 0)):
            stock.append(inventory_pb2.StockLevel(location_id=loc.location_id, sku=products[i].sku, on_hand=int(qty[i])))
    customers = []
    for i in range(s.customers):
        business = rng.random() < s.business_share
        customers.append(
            customers_pb2.Customer(
                customer_id=f"C-{i:06d}",
                type=customers_pb2.CUSTOMER_TYPE_BUSINESS if business else customers_pb2.CUSTOMER_TYPE_CONSUMER,
                name=f"Customer {i}",
                email=f"customer{i}@example.com",
                default_address=common_pb2.Address(country_code="DE", position=_point(rng)),
            )
        )
    return World(locations=locations, products=products, prices=prices, stock=stock, customers=customers)


def _popularity(s: Scenario) -> np.ndarray:
    ranks = np.arange(1, s.skus + 1, dtype=float)
    weights = ranks ** (-s.popularity_skew)
    return weights / weights.sum()


def order_stream(s: Scenario, world: World, *, run_id: str) -> Iterator[orders_pb2.CreateOrderRequest]:
    """The scenario's orders, in arrival order; a retried order appears twice with one key."""
    rng = np.random.default_rng(s.seed + 1)
    popularity = _popularity(s)
    channels = list(s.channel_mix)
    mix = np.array([s.channel_mix[c] for c in channels], dtype=float)
    mix /= mix.sum()
    pickup_ids = world.pickup_ids
    for n in range(s.orders):
        channel = channels[int(rng.choice(len(channels), p=mix))]
        customer = world.customers[int(rng.integers(len(world.customers)))]
        n_lines = min(1 + int(rng.poisson(max(0.0, s.mean_lines - 1))), 20)
        skus = np.unique(rng.choice(s.skus, size=n_lines, p=popularity))
        req = orders_pb2.CreateOrderRequest(
            channel=CHANNEL_NAMES[channel],
            idempotency_key=f"{run_id}-{n}",
            customer_id=customer.customer_id,
            external_reference=f"{channel.upper()}-{n}",
        )
        total = 0
        for i in skus:
            qty = int(rng.integers(1, s.max_quantity + 1))
            price = int(world.prices[i])
            total += qty * price
            req.lines.add(
                sku=world.products[i].sku, quantity=qty, unit_price=common_pb2.Money(amount_minor=price, currency=s.currency)
            )
        if channel in ("web", "mobile_app") and pickup_ids and rng.random() < s.pickup_share:
            req.delivery_mode = common_pb2.DELIVERY_MODE_PICKUP_IN_STORE
            req.pickup_location_id = pickup_ids[int(rng.integers(len(pickup_ids)))]
        else:
            req.delivery_mode = common_pb2.DELIVERY_MODE_SHIP
            req.ship_to.CopyFrom(
                common_pb2.Address(name=customer.name, country_code="DE", position=_point(rng))
            )
        method = orders_pb2.PAYMENT_METHOD_CARD
        if customer.type == customers_pb2.CUSTOMER_TYPE_BUSINESS:
            method = orders_pb2.PAYMENT_METHOD_INVOICE
        elif channel == "store":
            method = orders_pb2.PAYMENT_METHOD_CASH_IN_STORE
        req.payments.add(
            method=method,
            amount=common_pb2.Money(amount_minor=total, currency=s.currency),
            token=f"tok_{run_id}_{n:08d}" if method == orders_pb2.PAYMENT_METHOD_CARD else "",
        )
        yield req
        if rng.random() < s.retry_share:
            yield req
