"""Scenarios: a day for the planner's simulator, as a JSON file under ``benchmarks/scenarios/``.

A scenario holds the network (locations with coordinates, types, capacities and
costs), the catalogue, how stock and inbound supply are laid out, the customers,
the demand (orders per hour by channel, lines per order, SKU popularity,
destinations), the payment mix, what reviewers, locations and customers do with
the orders later in the day (review, ship, deliver, return) and the routing rules,
as the ``oms.v1.RoutingRules`` message in its proto JSON form, exactly what
``InventoryService.SetRoutingRules`` takes.

``"base": "normal-day"`` starts from another scenario and overrides fields
(objects merge key by key), so ``warehouse-closed`` is the normal day with one
location's ``active`` set to false. ``network.defaults`` gives per-type values
that every location of that type starts from.

Everything random is drawn from ``seed``: two runs of a scenario send the same
orders, and scenarios that differ only in network, stock or rules send the same
orders too (world.py and demand.py say how).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from benchmarks.fields import ScenarioError, join, merge, mix, non_negative, positive, read, share
from oms_actors.domain.days import is_time_zone
from protos.oms.v1 import billing_pb2, inventory_pb2, orders_pb2, returns_pb2

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
CHANNELS = ("web", "mobile_app", "store", "call_center", "field_sales", "marketplace")
LOCATION_TYPES = ("warehouse", "store", "dropship")
CONSUMER_PAYMENTS = ("card", "gift_card", "gift_card_and_card", "cash_on_delivery")
BUSINESS_PAYMENTS = ("invoice", "card")
IN_STORE_PAYMENTS = ("cash_in_store", "card", "gift_card")
RESOLUTIONS = ("refund", "store_credit", "replacement", "repair", "exchange")
HOURS = 24

Problems = Iterator[tuple[str, str]]


@dataclass(frozen=True, kw_only=True)
class Location:
    type: str  # warehouse | store | dropship
    lat: float
    lon: float
    shipment_cost_minor: int  # fixed cost of one shipment from here
    shipment_cost_per_km_minor: float
    unit_handling_cost_minor: int
    unit_cost_per_kg_km_minor: float
    # Units it can ship in a day: the service plans within it (Location.daily_capacity_units;
    # a run is one day), the simulated locations honour it when they ship, and the report
    # shows each location's load against it.
    capacity_units_per_day: int | None = None
    pickup: bool = False
    active: bool = True
    name: str = ""
    # Where its day begins (an IANA name; "": UTC): its capacity is per its own day.
    time_zone: str = ""
    # ISO 3166-1 alpha-2: orders collected there state its tax rates (Location.country_code).
    country_code: str = ""
    # oms.v1.ShippingSchedule, proto JSON (cutoff, handling days, transit): the delivery days
    # its orders are promised; empty: the service's defaults.
    shipping: dict = field(default_factory=dict)

    def shipping_schedule(self) -> inventory_pb2.ShippingSchedule | None:
        return json_format.ParseDict(self.shipping, inventory_pb2.ShippingSchedule()) if self.shipping else None

    def problems(self, path: str) -> Problems:
        yield from _schedule_problems(self, join(path, "shipping"))
        if not is_time_zone(self.time_zone):
            yield join(path, "time_zone"), f"unknown time zone {self.time_zone!r}: an IANA name such as Europe/Berlin"
        if self.country_code and not (len(self.country_code) == 2 and self.country_code.isascii() and self.country_code.isupper()):
            yield join(path, "country_code"), f"ISO 3166-1 alpha-2, upper case, not {self.country_code!r}"
        if self.type not in LOCATION_TYPES:
            yield join(path, "type"), f"must be one of {', '.join(LOCATION_TYPES)}, not {self.type!r}"
        if not -90 <= self.lat <= 90:
            yield join(path, "lat"), "must be within -90..90"
        if not -180 <= self.lon <= 180:
            yield join(path, "lon"), "must be within -180..180"
        for name in ("shipment_cost_minor", "shipment_cost_per_km_minor", "unit_handling_cost_minor", "unit_cost_per_kg_km_minor"):
            yield from non_negative(getattr(self, name), join(path, name))
        if self.capacity_units_per_day is not None:
            yield from non_negative(self.capacity_units_per_day, join(path, "capacity_units_per_day"))
        if self.pickup and self.type != "store":
            yield join(path, "pickup"), "only stores offer pickup"


@dataclass(frozen=True, kw_only=True)
class Network:
    locations: Mapping[str, Location]
    # country -> its public holidays (YYYY-MM-DD): SetPublicHolidays, for the locations there
    # and the addresses there alike.
    public_holidays: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def problems(self, path: str) -> Problems:
        if not self.locations:
            yield join(path, "locations"), "needs at least one location"
        if not any(loc.active for loc in self.locations.values()):
            yield join(path, "locations"), "needs at least one active location"
        for country, days in self.public_holidays.items():
            where = join(join(path, "public_holidays"), country)
            if not (len(country) == 2 and country.isascii() and country.isupper()):
                yield where, "ISO 3166-1 alpha-2, upper case"
            for i, day in enumerate(days):
                try:
                    dt.date.fromisoformat(day)
                except ValueError:
                    yield join(where, i), f"{day!r} is not a day as YYYY-MM-DD"


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    skus: int
    weight_grams: tuple[int, int]  # drawn log-uniform within
    price_minor: tuple[int, int]  # drawn log-uniform within
    returnable_share: float = 0.95
    # SKUs in a row form a style (sizes of one shirt): they share its price, and a return
    # may exchange one for another. 1: every SKU its own product, no exchanges.
    variants_per_style: int = 1

    def problems(self, path: str) -> Problems:
        yield from positive(self.skus, join(path, "skus"))
        yield from positive(self.variants_per_style, join(path, "variants_per_style"))
        for name in ("weight_grams", "price_minor"):
            lo, hi = getattr(self, name)
            if not 0 < lo <= hi:
                yield join(path, name), "must be [min, max] with 0 < min <= max"
        yield from share(self.returnable_share, join(path, "returnable_share"))


@dataclass(frozen=True, kw_only=True)
class StockPolicy:
    """How locations of one type are stocked: a carried SKU holds about ``min_units`` plus
    ``days_of_cover`` days of its expected sales, spread over the locations that carry it."""

    carried_share: float
    min_units: float
    days_of_cover: float = 0.0
    safety_stock: int = 0  # held back from every channel at each (location, SKU)

    def problems(self, path: str) -> Problems:
        yield from share(self.carried_share, join(path, "carried_share"))
        yield from non_negative(self.min_units, join(path, "min_units"))
        yield from non_negative(self.days_of_cover, join(path, "days_of_cover"))
        yield from non_negative(self.safety_stock, join(path, "safety_stock"))


@dataclass(frozen=True, kw_only=True)
class Inbound:
    """Purchase orders on their way: a share of SKUs gets a receipt at one location of a type."""

    sku_share: float
    days_of_cover: float
    days_ahead: tuple[int, int]
    location_type: str = "warehouse"

    def problems(self, path: str) -> Problems:
        yield from share(self.sku_share, join(path, "sku_share"))
        yield from non_negative(self.days_of_cover, join(path, "days_of_cover"))
        lo, hi = self.days_ahead
        if not 0 <= lo <= hi:
            yield join(path, "days_ahead"), "must be [min, max] with 0 <= min <= max"
        if self.location_type not in LOCATION_TYPES:
            yield join(path, "location_type"), f"must be one of {', '.join(LOCATION_TYPES)}"


@dataclass(frozen=True, kw_only=True)
class Stock:
    # Expected units sold per day over all SKUs when the stock was planned. It sizes the
    # stock and does not follow the demand below: a peak day meets the normal day's stock.
    reference_units_per_day: float
    by_type: Mapping[str, StockPolicy]
    scale: float = 1.0  # multiplies every quantity: below 1 for scarce stock
    inbound: Inbound | None = None

    def problems(self, path: str) -> Problems:
        yield from non_negative(self.reference_units_per_day, join(path, "reference_units_per_day"))
        yield from non_negative(self.scale, join(path, "scale"))
        for kind in self.by_type:
            if kind not in LOCATION_TYPES:
                yield join(join(path, "by_type"), kind), f"is not one of {', '.join(LOCATION_TYPES)}"


@dataclass(frozen=True, kw_only=True)
class Customers:
    count: int
    business_share: float
    business_credit_limit_minor: int  # what each business customer may owe on invoice
    country: str = "DE"

    def problems(self, path: str) -> Problems:
        yield from positive(self.count, join(path, "count"))
        yield from share(self.business_share, join(path, "business_share"))
        yield from non_negative(self.business_credit_limit_minor, join(path, "business_credit_limit_minor"))
        if len(self.country) != 2:
            yield join(path, "country"), "must be an ISO 3166-1 alpha-2 code"


@dataclass(frozen=True, kw_only=True)
class Metro:
    name: str
    lat: float
    lon: float
    weight: float
    radius_km: float

    def problems(self, path: str) -> Problems:
        yield from non_negative(self.weight, join(path, "weight"))
        yield from positive(self.radius_km, join(path, "radius_km"))


@dataclass(frozen=True, kw_only=True)
class Destinations:
    """Where customers live: around metros by weight, the rest spread over the region."""

    lat_range: tuple[float, float]
    lon_range: tuple[float, float]
    metros: tuple[Metro, ...] = ()
    rural_share: float = 0.3

    def problems(self, path: str) -> Problems:
        for name, bound in (("lat_range", 90), ("lon_range", 180)):
            lo, hi = getattr(self, name)
            if not -bound <= lo < hi <= bound:
                yield join(path, name), f"must be [min, max] within -{bound}..{bound}"
        yield from share(self.rural_share, join(path, "rural_share"))
        if self.rural_share < 1 and not any(m.weight > 0 for m in self.metros):
            yield join(path, "metros"), "needs a metro with weight above 0 unless rural_share is 1"


@dataclass(frozen=True, kw_only=True)
class Demand:
    orders_per_hour: Mapping[str, tuple[float, ...]]  # channel -> 24 values, hour 0 first
    scale: float = 1.0  # multiplies every hour: 10 for a peak day
    lines_per_order_mean: float = 2.0  # 1 + Poisson(mean - 1)
    lines_per_order_max: int = 20
    units_per_line_max: int = 3  # uniform 1..max
    sku_popularity_skew: float = 1.1  # Zipf exponent over the catalogue
    pickup_share: Mapping[str, float] = field(default_factory=dict)  # channel -> share collected in store
    business_share: Mapping[str, float] = field(default_factory=dict)  # channel -> share placed by business customers
    retry_share: float = 0.0  # orders a channel sends twice (a retry after a timeout)
    # channel -> share of its shipped orders asking to arrive within express_days of the day
    # they are placed (CreateOrderRequest.deliver_by: an express option at checkout)
    express_share: Mapping[str, float] = field(default_factory=dict)
    express_days: int = 2
    # channel -> share of its other shipped orders asking for carrier_service at checkout
    # (CreateOrderRequest.shipping_service: a location's next-day product, say)
    carrier_service_share: Mapping[str, float] = field(default_factory=dict)
    carrier_service: str = ""
    # channel -> share of its orders asking for everything in one parcel (ship_complete)
    ship_complete_share: Mapping[str, float] = field(default_factory=dict)
    # channel -> share of its orders asking to be delivered on a later day (deliver_from), 2 to
    # scheduled_days ahead (a B2B customer's requested delivery date); not those asking for express
    scheduled_share: Mapping[str, float] = field(default_factory=dict)
    scheduled_days: int = 14
    destinations: Destinations

    def problems(self, path: str) -> Problems:
        per_hour = join(path, "orders_per_hour")
        if not self.orders_per_hour:
            yield per_hour, "needs at least one channel"
        for channel, hours in self.orders_per_hour.items():
            if channel not in CHANNELS:
                yield join(per_hour, channel), f"is not one of {', '.join(CHANNELS)}"
            if len(hours) != HOURS:
                yield join(per_hour, channel), f"must hold {HOURS} numbers (orders in each hour from 0:00), not {len(hours)}"
            if any(h < 0 for h in hours):
                yield join(per_hour, channel), "must not be negative"
        yield from non_negative(self.scale, join(path, "scale"))
        if self.lines_per_order_mean < 1:
            yield join(path, "lines_per_order_mean"), "must be at least 1"
        yield from positive(self.lines_per_order_max, join(path, "lines_per_order_max"))
        yield from positive(self.units_per_line_max, join(path, "units_per_line_max"))
        yield from non_negative(self.sku_popularity_skew, join(path, "sku_popularity_skew"))
        for name in ("pickup_share", "business_share", "express_share", "carrier_service_share", "ship_complete_share",
                     "scheduled_share"):
            for channel, value in getattr(self, name).items():
                if channel not in CHANNELS:
                    yield join(join(path, name), channel), f"is not one of {', '.join(CHANNELS)}"
                yield from share(value, join(join(path, name), channel))
        yield from share(self.retry_share, join(path, "retry_share"))
        if not 0 <= self.express_days <= 30:
            yield join(path, "express_days"), "must be 0-30 days"
        if not 2 <= self.scheduled_days <= 366:
            yield join(path, "scheduled_days"), "must be 2-366 days"
        if any(self.carrier_service_share.values()) and not self.carrier_service:
            yield join(path, "carrier_service"), "names the service asked for (a CarrierService code of the network)"

    def orders_per_day(self) -> float:
        return sum(sum(h) for h in self.orders_per_hour.values()) * self.scale


@dataclass(frozen=True, kw_only=True)
class Payments:
    consumer: Mapping[str, float]  # a consumer's order outside stores
    business: Mapping[str, float]
    in_store: Mapping[str, float]  # orders of the store channel
    card_decline_share: float = 0.0  # card payments the acquirer declines
    gift_card_balance_minor: int = 5000  # on cards that pay part of an order
    # Invoices paid on account that their business customers pay the same day (a transfer each).
    invoice_paid_share: float = 0.0

    def problems(self, path: str) -> Problems:
        yield from mix(self.consumer, join(path, "consumer"), CONSUMER_PAYMENTS)
        yield from mix(self.business, join(path, "business"), BUSINESS_PAYMENTS)
        yield from mix(self.in_store, join(path, "in_store"), IN_STORE_PAYMENTS)
        yield from share(self.card_decline_share, join(path, "card_decline_share"))
        yield from positive(self.gift_card_balance_minor, join(path, "gift_card_balance_minor"))
        yield from share(self.invoice_paid_share, join(path, "invoice_paid_share"))


@dataclass(frozen=True, kw_only=True)
class Pricing:
    """What the channels charge besides the items, and the tax their prices include. The
    defaults charge nothing and name no tax: requests are as they were without this section."""

    tax_rate_bps: int = 0  # the standard rate, included in every price (1900: 19%)
    reduced_rate_bps: int = 0  # the reduced rate of a share of the catalogue (food, books)
    reduced_share: float = 0.0
    shipping_minor: int = 0  # charged on orders shipped to an address, at the standard rate ...
    free_shipping_from_minor: int = 0  # ... whose items cost less than this (0: always)

    def problems(self, path: str) -> Problems:
        for name in ("tax_rate_bps", "reduced_rate_bps"):
            if not 0 <= getattr(self, name) <= 10_000:
                yield join(path, name), "basis points, 0 to 10000"
        yield from share(self.reduced_share, join(path, "reduced_share"))
        yield from non_negative(self.shipping_minor, join(path, "shipping_minor"))
        yield from non_negative(self.free_shipping_from_minor, join(path, "free_shipping_from_minor"))


@dataclass(frozen=True, kw_only=True)
class Review:
    # Held orders a reviewer approves; the rest, and every order whose payment was
    # declined and not paid another way, are rejected (approving would only ask the
    # provider again for the same card).
    approve_share: float = 0.9
    # Customers whose card was declined who pay with another (ReplacePaymentInstrument): an
    # order held for that alone then goes on without a reviewer.
    fixed_card_share: float = 0.0

    def problems(self, path: str) -> Problems:
        yield from share(self.approve_share, join(path, "approve_share"))
        yield from share(self.fixed_card_share, join(path, "fixed_card_share"))


@dataclass(frozen=True, kw_only=True)
class Fulfilment:
    delivered_share: float = 0.9  # shipments delivered (or collected) by the end of the day
    honour_capacity: bool = True  # locations ship no more units in the day than their capacity
    # Fulfilment requests a location reports short at picking (ReportShortage) instead of
    # shipping: the units leave its stock and the order is sourced again.
    shortage_share: float = 0.0
    # Fulfilment requests at stores that the store declines (ReportShortage, reason declined:
    # too busy today): the units stay in its stock and the order is sourced again elsewhere.
    decline_share: float = 0.0
    # Parcels whose carrier reports a delay once they left (UpdateDeliveryEstimate): two days
    # past the order's promised day, so its lines turn late.
    carrier_delay_share: float = 0.0
    # Parcels that come back undelivered instead (ReportDeliveryFailure): refused, the address
    # not found (sent again), a pickup never collected; refunded or replaced at once, then
    # inspected by the desk where they came back. A share of all shipments, beside delivered_share.
    undelivered_share: float = 0.0

    def problems(self, path: str) -> Problems:
        yield from share(self.delivered_share, join(path, "delivered_share"))
        yield from share(self.shortage_share, join(path, "shortage_share"))
        yield from share(self.decline_share, join(path, "decline_share"))
        yield from share(self.carrier_delay_share, join(path, "carrier_delay_share"))
        yield from share(self.undelivered_share, join(path, "undelivered_share"))
        if self.delivered_share + self.undelivered_share > 1:
            yield join(path, "undelivered_share"), "delivered_share plus undelivered_share is more than every shipment"


@dataclass(frozen=True, kw_only=True)
class Returns:
    rate: float  # delivered orders that come back (a line of each)
    resolutions: Mapping[str, float]
    in_store_share: float = 0.3  # brought to a store rather than sent to a warehouse
    write_off_share: float = 0.1  # returned items damaged beyond resale
    cancel_share: float = 0.0  # asked for, then not sent after all (CancelReturn)
    # Repairs found beyond repair (DeclareBeyondRepair), made good half by a new unit, half
    # by the price back.
    unrepairable_share: float = 0.0
    # Refunded or credited returns found worn at inspection (used beyond trying them on): the
    # desk keeps worn_deduction_percent of the received units' price (InspectReturn's
    # deductions). Needs a return policy that pays back once inspected, not on receipt.
    worn_share: float = 0.0
    worn_deduction_percent: int = 20

    def problems(self, path: str) -> Problems:
        yield from share(self.rate, join(path, "rate"))
        yield from share(self.worn_share, join(path, "worn_share"))
        if not 0 < self.worn_deduction_percent <= 100:
            yield join(path, "worn_deduction_percent"), "more than 0, at most 100"
        yield from share(self.cancel_share, join(path, "cancel_share"))
        yield from share(self.unrepairable_share, join(path, "unrepairable_share"))
        yield from mix(self.resolutions, join(path, "resolutions"), RESOLUTIONS)
        yield from share(self.in_store_share, join(path, "in_store_share"))
        yield from share(self.write_off_share, join(path, "write_off_share"))


@dataclass(frozen=True, kw_only=True)
class Service:
    """Customer service before the locations ship: calls noted on the order, customers who
    want fewer units."""

    note_share: float = 0.0  # orders service staff write a note on (AddOrderNote)
    reduce_share: float = 0.0  # orders whose customer wants one unit fewer of a line with several

    def problems(self, path: str) -> Problems:
        yield from share(self.note_share, join(path, "note_share"))
        yield from share(self.reduce_share, join(path, "reduce_share"))


@dataclass(frozen=True, kw_only=True)
class Goodwill:
    """Customer service gives money back on a share of the delivered orders nobody returns
    (a late parcel, a scratch): a percentage of what the order cost, refunded or as store credit."""

    share: float = 0.0
    percent: float = 10.0  # of the order's total
    store_credit_share: float = 0.5  # as a voucher rather than back to the payment

    def problems(self, path: str) -> Problems:
        yield from share(self.share, join(path, "share"))
        yield from share(self.store_credit_share, join(path, "store_credit_share"))
        if not 0 < self.percent <= 100:
            yield join(path, "percent"), "more than 0, at most 100"


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str
    description: str = ""
    seed: int
    currency: str = "EUR"
    network: Network
    catalogue: Catalogue
    stock: Stock
    customers: Customers
    demand: Demand
    payments: Payments
    pricing: Pricing = field(default_factory=Pricing)
    review: Review = field(default_factory=Review)
    fulfilment: Fulfilment = field(default_factory=Fulfilment)
    returns: Returns
    goodwill: Goodwill = field(default_factory=Goodwill)
    service: Service = field(default_factory=Service)
    routing_rules: dict = field(default_factory=dict)  # oms.v1.RoutingRules, proto JSON
    # oms.v1.RiskRules, proto JSON (an unset threshold is off); None: the service's defaults.
    risk_rules: dict | None = None
    # oms.v1.TaxRates and oms.v1.ReturnPolicy, proto JSON, set as the world is loaded;
    # None: left as the service has them.
    tax_rates: dict | None = None
    return_policy: dict | None = None
    # The merged JSON it was read from (after "base" and network defaults): what a report records.
    raw: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def problems(self, path: str) -> Problems:
        if len(self.currency) != 3 or not self.currency.isupper():
            yield "currency", "must be an ISO 4217 code such as EUR"
        if self.returns.worn_share and (self.return_policy or {}).get("resolve_on_receipt"):
            yield (
                "returns.worn_share",
                "deductions need return_policy.resolve_on_receipt false: on receipt the money goes back before inspection",
            )

    def routing_rules_message(self) -> inventory_pb2.RoutingRules:
        return json_format.ParseDict(self.routing_rules, inventory_pb2.RoutingRules())

    def tax_rates_message(self) -> billing_pb2.TaxRates | None:
        return None if self.tax_rates is None else json_format.ParseDict(self.tax_rates, billing_pb2.TaxRates())

    def return_policy_message(self) -> returns_pb2.ReturnPolicy | None:
        return None if self.return_policy is None else json_format.ParseDict(self.return_policy, returns_pb2.ReturnPolicy())

    def risk_rules_message(self) -> orders_pb2.RiskRules:
        if self.risk_rules is None:
            from gateway.convert import risk_rules_to_proto
            from oms_actors.domain.risk import RiskRules

            return risk_rules_to_proto(RiskRules(), 0)
        return json_format.ParseDict(self.risk_rules, orders_pb2.RiskRules())

    @property
    def active_locations(self) -> dict[str, Location]:
        return {lid: loc for lid, loc in self.network.locations.items() if loc.active}

    def to_json(self) -> str:
        return json.dumps(self.raw, indent=2)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str = "(scenario)") -> Scenario:
        raw = _with_location_defaults(dict(raw))
        problems: list[tuple[str, str]] = []
        scenario = read(cls, raw, "", problems)
        problems.extend(_rule_problems(raw))
        problems.extend(_risk_rule_problems(raw))
        problems.extend(_rules_as_data_problems(raw))
        if scenario is None or problems:
            raise ScenarioError(source, problems)
        object.__setattr__(scenario, "raw", raw)
        return scenario

    def derive(self, overrides: Mapping[str, Any]) -> Scenario:
        """This scenario with some fields changed, checked like a file."""
        return Scenario.from_dict(merge(self.raw, overrides), source=f"{self.name} (derived)")


def _with_location_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    network = raw.get("network")
    if not isinstance(network, dict) or "defaults" not in network:
        return raw
    defaults = network.get("defaults") or {}
    locations = network.get("locations")
    merged = {}
    if isinstance(locations, dict) and isinstance(defaults, dict):
        for lid, loc in locations.items():
            kind = loc.get("type") if isinstance(loc, dict) else None
            base = defaults.get(kind) if isinstance(kind, str) else None
            merged[lid] = merge(base, loc) if isinstance(base, dict) and isinstance(loc, dict) else loc
    else:
        merged = locations
    rest = {k: v for k, v in network.items() if k != "defaults"}
    return {**raw, "network": {**rest, "locations": merged}}


def _schedule_problems(location: Location, path: str) -> Problems:
    """The gateway's own checks of a location's schedule, so a scenario fails here and not at load."""
    from gateway.convert import Violations, shipping_schedule_from_proto
    from oms_actors.domain.errors import ValidationError

    try:
        schedule = location.shipping_schedule()
    except (json_format.ParseError, AttributeError, TypeError) as exc:
        yield path, f"not an oms.v1.ShippingSchedule message: {exc}"
        return
    if schedule is None:
        return
    v = Violations()
    shipping_schedule_from_proto(schedule, path, v)
    try:
        v.raise_if_any()
    except ValidationError as exc:
        for violation in exc.violations:
            yield violation.field, violation.description


def _rule_problems(raw: Mapping[str, Any]) -> Problems:
    """The gateway's own checks of SetRoutingRules, so a scenario fails here and not at load."""
    from gateway.convert import Violations, routing_rules_from_proto
    from oms_actors.domain.errors import ValidationError

    doc = raw.get("routing_rules", {})
    try:
        rules = json_format.ParseDict(doc, inventory_pb2.RoutingRules())
    except (json_format.ParseError, AttributeError, TypeError) as exc:
        yield "routing_rules", f"not an oms.v1.RoutingRules message: {exc}"
        return
    network = raw.get("network")
    locations = network.get("locations") if isinstance(network, dict) else None
    v = Violations()
    routing_rules_from_proto(rules, v)
    try:
        v.raise_if_any()
    except ValidationError as exc:
        for violation in exc.violations:
            yield f"routing_rules.{violation.field}", violation.description
    for i, rule in enumerate(rules.rules):
        for j, lid in enumerate(rule.location_ids):
            if isinstance(locations, dict) and lid not in locations:
                yield f"routing_rules.rules[{i}].location_ids[{j}]", f"no location {lid!r} in the network"


def _risk_rule_problems(raw: Mapping[str, Any]) -> Problems:
    """The gateway's own checks of SetRiskRules."""
    from gateway.convert import Violations, risk_rules_from_proto

    doc = raw.get("risk_rules")
    if doc is None:
        return
    try:
        rules = json_format.ParseDict(doc, orders_pb2.RiskRules())
    except (json_format.ParseError, AttributeError, TypeError) as exc:
        yield "risk_rules", f"not an oms.v1.RiskRules message: {exc}"
        return
    v = Violations()
    risk_rules_from_proto(rules, v, prefix="risk_rules.")
    for violation in v.items:
        yield violation.field, violation.description


def _rules_as_data_problems(raw: Mapping[str, Any]) -> Problems:
    """The gateway's own checks of SetTaxRates and SetReturnPolicy."""
    from gateway.convert import Violations, return_policy_from_proto, tax_rates_from_proto

    for name, message, check in (
        ("tax_rates", billing_pb2.TaxRates, tax_rates_from_proto),
        ("return_policy", returns_pb2.ReturnPolicy, return_policy_from_proto),
    ):
        doc = raw.get(name)
        if doc is None:
            continue
        try:
            parsed = json_format.ParseDict(doc, message())
        except (json_format.ParseError, AttributeError, TypeError) as exc:
            yield name, f"not an oms.v1.{message.__name__} message: {exc}"
            continue
        v = Violations()
        check(parsed, v, prefix=f"{name}.")
        for violation in v.items:
            yield violation.field, violation.description


def load_raw(name_or_path: str | Path, *, _seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    """The scenario's JSON with its ``base`` merged in, and where it came from."""
    path = Path(name_or_path)
    if not path.exists():
        shipped = SCENARIO_DIR / f"{name_or_path}.json"
        if not shipped.exists():
            names = ", ".join(shipped_names())
            raise ScenarioError(str(name_or_path), [("(file)", f"no such file, and no shipped scenario of that name ({names})")])
        path = shipped
    source = str(path)
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ScenarioError(source, [("(file)", f"not JSON: {exc}")]) from exc
    if not isinstance(raw, dict):
        raise ScenarioError(source, [("(file)", "must hold one JSON object")])
    base = raw.pop("base", None)
    if base is not None:
        if not isinstance(base, str):
            raise ScenarioError(source, [("base", "must be the name or path of another scenario")])
        if base in _seen:
            raise ScenarioError(source, [("base", f"scenarios base on each other in a loop: {' -> '.join((*_seen, base))}")])
        base_path = path.parent / base if (path.parent / base).exists() else base
        base_raw, _ = load_raw(base_path, _seen=(*_seen, str(name_or_path)))
        base_raw.pop("description", None)
        raw = merge(base_raw, raw)
    return raw, source


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name (``normal-day``) or a scenario file by path."""
    raw, source = load_raw(name_or_path)
    return Scenario.from_dict(raw, source=source)


def shipped_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


def build_world(s: Scenario):  # -> benchmarks.world.World
    """Kept here for callers from before world.py (benchmarks.inventory imports it from this module)."""
    from benchmarks.world import build_world as build

    return build(s)
