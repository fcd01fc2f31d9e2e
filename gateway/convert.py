"""Proto messages to domain values and back: the only place both kinds meet.

Inbound conversion validates every field and collects every violation before
failing, so a client fixes its request in one round trip.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Collection, Iterable, Mapping, TypeVar

from google.protobuf import timestamp_pb2

from gateway import limits
from oms_actors.domain.commands import Address, CreateOrder, LineInput, PaymentInstruction, ShippingCharge
from oms_actors.domain.customer import Customer
from oms_actors.domain.days import is_time_zone
from oms_actors.domain.delivery import (
    DEFAULT_DELIVERY_WEEKDAYS,
    DEFAULT_KM_PER_DAY,
    DEFAULT_SCHEDULE,
    DEFAULT_SHIPPING_WEEKDAYS,
    DEFAULT_TRANSIT_MIN_DAYS,
    MAX_CLOSED_DATES,
    MAX_HANDLING_DAYS,
    MAX_KM_PER_DAY,
    MAX_SERVICES,
    MAX_TRANSIT_DAYS,
    WEEKDAYS,
    CarrierService,
    ShippingSchedule,
)
from oms_actors.domain.enums import (
    Channel,
    CustomerType,
    DeliveryMode,
    LineStatus,
    LocationType,
    OrderStatus,
    PaymentMethod,
)
from oms_actors.domain.errors import FieldViolation, ValidationError
from oms_actors.domain.events import OrderEvent
from oms_actors.domain.fulfilment import Shipment, ShipmentStatus, UndeliveredReason
from oms_actors.domain.inbound import PROMISE_SEP, split_site, utc_today
from oms_actors.domain.ledger import FeedKind, FeedMessage
from oms_actors.domain.money import MAX_AMOUNT_MINOR, Money, is_currency
from oms_actors.domain.network import Location, Product
from oms_actors.domain.order import ApprovalStatus, Order, ReleaseWait
from oms_actors.domain.payment_state import PaymentRecord, PaymentStatus
from oms_actors.domain.return_policy import MAX_RESTOCKING_FEE_BPS, MAX_WINDOW_DAYS, ReturnPolicy
from oms_actors.domain.returns import Appeasement, Resolution, ReturnReason, ReturnRecord, ReturnStatus
from oms_actors.domain.risk import DEFAULT_LIMITS_CURRENCY, RiskRules
from oms_actors.domain.stock import StockLevelChange
from oms_actors.domain.tax import MAX_TAX_RATE_BPS, TaxTable, rate_refusal
from protos.oms.v1 import billing_pb2, common_pb2, customers_pb2, events_pb2, inventory_pb2, orders_pb2, returns_pb2

E = TypeVar("E")

CHANNELS = {
    common_pb2.CHANNEL_WEB: Channel.WEB,
    common_pb2.CHANNEL_MOBILE_APP: Channel.MOBILE_APP,
    common_pb2.CHANNEL_STORE: Channel.STORE,
    common_pb2.CHANNEL_CALL_CENTER: Channel.CALL_CENTER,
    common_pb2.CHANNEL_FIELD_SALES: Channel.FIELD_SALES,
    common_pb2.CHANNEL_MARKETPLACE: Channel.MARKETPLACE,
}
DELIVERY_MODES = {
    common_pb2.DELIVERY_MODE_SHIP: DeliveryMode.SHIP,
    common_pb2.DELIVERY_MODE_PICKUP_IN_STORE: DeliveryMode.PICKUP,
}
PAYMENT_METHODS = {
    orders_pb2.PAYMENT_METHOD_CARD: PaymentMethod.CARD,
    orders_pb2.PAYMENT_METHOD_GIFT_CARD: PaymentMethod.GIFT_CARD,
    orders_pb2.PAYMENT_METHOD_STORE_CREDIT: PaymentMethod.STORE_CREDIT,
    orders_pb2.PAYMENT_METHOD_INVOICE: PaymentMethod.INVOICE,
    orders_pb2.PAYMENT_METHOD_CASH_ON_DELIVERY: PaymentMethod.CASH_ON_DELIVERY,
    orders_pb2.PAYMENT_METHOD_CASH_IN_STORE: PaymentMethod.CASH_IN_STORE,
}
LOCATION_TYPES = {
    common_pb2.LOCATION_TYPE_WAREHOUSE: LocationType.WAREHOUSE,
    common_pb2.LOCATION_TYPE_STORE: LocationType.STORE,
    common_pb2.LOCATION_TYPE_DROPSHIP: LocationType.DROPSHIP,
}
CUSTOMER_TYPES = {
    customers_pb2.CUSTOMER_TYPE_CONSUMER: CustomerType.CONSUMER,
    customers_pb2.CUSTOMER_TYPE_BUSINESS: CustomerType.BUSINESS,
}
# Proto enum values are ORDER_STATUS_<NAME>, LINE_STATUS_<NAME>, ... for each domain member.
ORDER_STATUSES = {orders_pb2.OrderStatus.Value(f"ORDER_STATUS_{s.name}"): s for s in OrderStatus}
LINE_STATUSES = {s: orders_pb2.LineStatus.Value(f"LINE_STATUS_{s.name}") for s in LineStatus}
APPROVAL_STATUSES = {s: orders_pb2.ApprovalStatus.Value(f"APPROVAL_STATUS_{s.name}") for s in ApprovalStatus}
RELEASE_WAITS = {w: orders_pb2.ReleaseWait.Value(f"RELEASE_WAIT_{w.name}") for w in ReleaseWait}
PAYMENT_STATUSES = {s: orders_pb2.PaymentStatus.Value(f"PAYMENT_STATUS_{s.name}") for s in PaymentStatus}
SHIPMENT_STATUSES = {s: orders_pb2.ShipmentStatus.Value(f"SHIPMENT_STATUS_{s.name}") for s in ShipmentStatus}
RETURN_STATUSES = {s: orders_pb2.ReturnStatus.Value(f"RETURN_STATUS_{s.name}") for s in ReturnStatus}
RESOLUTIONS_TO_PROTO = {r: orders_pb2.ReturnResolution.Value(f"RETURN_RESOLUTION_{r.name}") for r in Resolution}
RESOLUTIONS = {v: k for k, v in RESOLUTIONS_TO_PROTO.items()}
REASONS_TO_PROTO = {r: orders_pb2.ReturnReason.Value(f"RETURN_REASON_{r.name}") for r in ReturnReason}
REASONS = {v: k for k, v in REASONS_TO_PROTO.items()}
UNDELIVERED_TO_PROTO = {r: orders_pb2.UndeliveredReason.Value(f"UNDELIVERED_REASON_{r.name}") for r in UndeliveredReason}
UNDELIVERED_REASONS = {v: k for k, v in UNDELIVERED_TO_PROTO.items()}
CHANNEL_VALUES = {c.value for c in Channel}
MAX_PICKUP_HOLD_DAYS = 90


def _inverse(table: dict[int, E]) -> dict[E, int]:
    return {v: k for k, v in table.items()}


CHANNEL_TO_PROTO = _inverse(CHANNELS)
DELIVERY_TO_PROTO = _inverse(DELIVERY_MODES)
PAYMENT_TO_PROTO = _inverse(PAYMENT_METHODS)
LOCATION_TYPE_TO_PROTO = _inverse(LOCATION_TYPES)
CUSTOMER_TYPE_TO_PROTO = _inverse(CUSTOMER_TYPES)
ORDER_STATUS_TO_PROTO = _inverse(ORDER_STATUSES)


class Violations:
    """Collects every problem of a request before failing once."""

    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(field=field, description=description))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError.of(self.items)

    def identifier(self, field: str, value: str, *, required: bool = True) -> None:
        if not value:
            if required:
                self.add(field, "is required")
            return
        if len(value) > limits.MAX_ID_LEN:
            self.add(field, f"at most {limits.MAX_ID_LEN} characters")
        elif not limits.ID_PATTERN.fullmatch(value):
            self.add(field, "letters, digits and . _ : @ # / + = ~ - only, starting with a letter or digit")

    def country(self, field: str, value: str, *, required: bool = False) -> bool:
        """Whether ``value`` is a country code (ISO 3166-1 alpha-2, upper case), ``field``
        named if not; empty passes unless ``required``."""
        if not value and not required:
            return True
        if limits.COUNTRY_PATTERN.fullmatch(value):
            return True
        self.add(field, "ISO 3166-1 alpha-2, upper case")
        return False

    def unique(self, field: str, ids: list[str], what: str) -> None:
        """Each repeat of an id in the list ``field`` named, with where it was first."""
        seen: dict[str, int] = {}
        for i, value in enumerate(ids):
            if value in seen:
                self.add(f"{field}[{i}]", f"duplicate {what} of {field}[{seen[value]}]")
            seen.setdefault(value, i)

    def text(self, field: str, value: str, *, max_len: int = limits.MAX_TEXT_LEN) -> None:
        if len(value) > max_len:
            self.add(field, f"at most {max_len} characters")
        elif any(ord(c) < 32 for c in value):
            self.add(field, "control characters are not allowed")

    def token(self, field: str, value: str, *, required: bool = False) -> None:
        """A payment instrument's token (a provider's, a gift card number): write-only, so checked
        for shape only."""
        if not value:
            if required:
                self.add(field, "is required")
        elif len(value) > limits.MAX_TOKEN_LEN:
            self.add(field, f"at most {limits.MAX_TOKEN_LEN} characters")
        elif not limits.TOKEN_PATTERN.fullmatch(value):
            self.add(field, "printable ASCII, no spaces")

    def required_text(self, field: str, value: str, why: str) -> None:
        """Text that must say something (``why``: what reads it), checked like ``text``."""
        if not value.strip():
            self.add(field, f"is required: {why}")
        self.text(field, value)

    def rules_update(self, request: Any, field: str, read_with: str) -> int | None:
        """A Set request of rules kept with a version (``SetRiskRules``, ``SetReturnPolicy``, ``SetTaxRates``):
        its ``field`` is required, its ``expected_version`` one that ``read_with`` answered
        (0: never set) or unset; the version to write over, None for whatever it is."""
        if not request.HasField(field):
            self.add(field, "is required")
        expected = request.expected_version if request.HasField("expected_version") else None
        if expected is not None and expected < 0:
            self.add("expected_version", f"a version {read_with} answered (0: never set, the defaults), or unset")
        return expected

    def enum(self, field: str, value: int, table: dict[int, E]) -> E | None:
        if value in table:
            return table[value]
        self.add(field, "is required" if value == 0 else f"unknown value {value}")
        return None

    def position(self, field: str, point: common_pb2.GeoPoint) -> None:
        if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
            self.add(field, "latitude within ±90 and longitude within ±180")

    def day(self, field: str, ts: timestamp_pb2.Timestamp) -> str:
        """The UTC day (YYYY-MM-DD) ``ts`` falls on; "" with ``field`` named for a time no
        calendar holds (Timestamp allows years 0001 to 9999 only)."""
        try:
            return day_of(ts)
        except ValueError:
            self.add(field, "not a valid time: years 0001 to 9999")
            return ""

    def day_span(self, request: Any, first: str, last: str, at_most: int) -> tuple[dt.date, dt.date] | None:
        """The UTC days of ``request``'s Timestamp fields ``first`` through ``last`` (both
        required, at most ``at_most`` days); None with the fields named otherwise."""
        days: dict[str, dt.date] = {}
        for name in (first, last):
            if request.HasField(name):
                if day := self.day(name, getattr(request, name)):
                    days[name] = dt.date.fromisoformat(day)
            else:
                self.add(name, "is required: the first and last day it adds up")
        if len(days) < 2:
            return None
        span = (days[last] - days[first]).days + 1
        if span < 1:
            self.add(last, f"on or after {first}")
        elif span > at_most:
            self.add(last, f"at most {at_most} days after {first}")
        else:
            return days[first], days[last]
        return None

    def coming_day(self, field: str, ts: timestamp_pb2.Timestamp) -> str:
        """``day``, for a delivery day: from yesterday (UTC: a customer's today west of
        Greenwich) to ``limits.MAX_DAYS_AHEAD`` ahead; "" with ``field`` named otherwise."""
        day = self.day(field, ts)
        if day:
            today = dt.datetime.now(dt.timezone.utc).date()
            if not today - dt.timedelta(days=1) <= dt.date.fromisoformat(day) <= today + dt.timedelta(days=limits.MAX_DAYS_AHEAD):
                self.add(field, f"a day from yesterday (UTC) to {limits.MAX_DAYS_AHEAD} days ahead")
                return ""
        return day

    def page_size(self, value: int, default: int = limits.DEFAULT_PAGE_SIZE) -> int:
        """The rows a page holds: ``value``, 0 for ``default``; past the largest page, a
        violation of ``page_size``."""
        if not 0 <= value <= limits.MAX_PAGE_SIZE:
            self.add("page_size", f"between 1 and {limits.MAX_PAGE_SIZE} (0 for {default})")
        return value or default

    def count(self, field: str, items: Iterable[object], *, at_most: int, at_least: int = 0) -> bool:
        n = len(items)  # type: ignore[arg-type]
        if n < at_least:
            self.add(field, "is required" if at_least == 1 else f"at least {at_least} entries")
            return False
        if n > at_most:
            self.add(field, f"at most {at_most} entries")
            return False
        return True

    def identifiers(self, field: str, items: Collection[str], *, at_most: int) -> None:
        """A list of at most ``at_most`` identifiers (a report's SKUs or locations), each named if bad."""
        if self.count(field, items, at_most=at_most):
            for i, value in enumerate(items):
                self.identifier(f"{field}[{i}]", value)

    def money(self, field: str, msg: common_pb2.Money, *, positive: bool = False) -> Money | None:
        ok = True
        if not is_currency(msg.currency):
            self.add(f"{field}.currency", "not an ISO 4217 currency code")
            ok = False
        if msg.amount_minor < 0:
            self.add(f"{field}.amount_minor", "must not be negative")
            ok = False
        elif positive and msg.amount_minor == 0:
            self.add(f"{field}.amount_minor", "must be positive")
            ok = False
        elif msg.amount_minor > MAX_AMOUNT_MINOR:
            self.add(f"{field}.amount_minor", f"at most {MAX_AMOUNT_MINOR}")
            ok = False
        return Money(amount_minor=msg.amount_minor, currency=msg.currency) if ok else None


def address_from_proto(msg: common_pb2.Address, field: str, v: Violations, *, need_position: bool) -> Address:
    for name in ("name", "city", "region", "postal_code", "phone"):
        v.text(f"{field}.{name}", getattr(msg, name))
    if v.count(f"{field}.lines", msg.lines, at_most=limits.MAX_ADDRESS_LINES):
        for i, line in enumerate(msg.lines):
            v.text(f"{field}.lines[{i}]", line)
    v.country(f"{field}.country_code", msg.country_code)
    has_position = msg.HasField("position")
    if has_position:
        if not -90 <= msg.position.latitude <= 90:
            v.add(f"{field}.position.latitude", "between -90 and 90")
        if not -180 <= msg.position.longitude <= 180:
            v.add(f"{field}.position.longitude", "between -180 and 180")
    elif need_position:
        v.add(f"{field}.position", "is required to ship: sourcing costs depend on distance")
    return Address(
        name=msg.name,
        lines=tuple(msg.lines),
        city=msg.city,
        region=msg.region,
        postal_code=msg.postal_code,
        country_code=msg.country_code,
        latitude=msg.position.latitude if has_position else None,
        longitude=msg.position.longitude if has_position else None,
        phone=msg.phone,
    )


def create_order_from_proto(
    msg: orders_pb2.CreateOrderRequest,
    *,
    known_skus: set[str],
    pickup_locations: Mapping[str, str],
    tax_rates: TaxTable | None = None,
    services: Collection[str] = (),
) -> CreateOrder:
    """A validated command, or ValidationError naming every bad field. ``pickup_locations``:
    the active locations offering pickup among those the request names, with their
    countries ("" unstated). ``tax_rates``: the countries whose rates an order shipped, or
    collected, there must state (``SetTaxRates``). ``services``: the carrier services active
    locations offer (their codes)."""
    v = Violations()
    channel = v.enum("channel", msg.channel, CHANNELS)
    v.identifier("idempotency_key", msg.idempotency_key)
    v.identifier("customer_id", msg.customer_id)
    v.identifier("external_reference", msg.external_reference, required=False)
    mode = v.enum("delivery_mode", msg.delivery_mode, DELIVERY_MODES)

    lines: list[LineInput] = []
    currency = ""
    if v.count("lines", msg.lines, at_least=1, at_most=limits.MAX_ORDER_LINES):
        seen: dict[str, int] = {}
        for i, line in enumerate(msg.lines):
            f = f"lines[{i}]"
            v.identifier(f"{f}.sku", line.sku)
            if line.sku in seen:
                v.add(f"{f}.sku", f"duplicate of lines[{seen[line.sku]}]; one line per SKU")
            seen.setdefault(line.sku, i)
            if not 1 <= line.quantity <= limits.MAX_LINE_QUANTITY:
                v.add(f"{f}.quantity", f"between 1 and {limits.MAX_LINE_QUANTITY}")
            price = v.money(f"{f}.unit_price", line.unit_price) if line.HasField("unit_price") else None
            if not line.HasField("unit_price"):
                v.add(f"{f}.unit_price", "is required")
            if price is not None:
                currency = currency or price.currency
                if price.currency != currency:
                    v.add(f"{f}.unit_price.currency", f"all lines must be in one currency ({currency})")
                if not 0 <= line.tax_rate_bps <= MAX_TAX_RATE_BPS:
                    v.add(f"{f}.tax_rate_bps", f"basis points, 0 to {MAX_TAX_RATE_BPS} (1900 is 19%)")
                lines.append(LineInput(sku=line.sku, quantity=line.quantity, unit_price=price, tax_rate_bps=line.tax_rate_bps))
        for sku, i in seen.items():
            if sku and sku not in known_skus and limits.ID_PATTERN.fullmatch(sku) and len(sku) <= limits.MAX_ID_LEN:
                v.add(f"lines[{i}].sku", f"unknown SKU {sku!r}")

    ship_to = None
    if msg.HasField("ship_to"):
        ship_to = address_from_proto(msg.ship_to, "ship_to", v, need_position=mode is DeliveryMode.SHIP)
    elif mode is DeliveryMode.SHIP:
        v.add("ship_to", "is required when delivery_mode is SHIP")
    if mode is DeliveryMode.PICKUP:
        v.identifier("pickup_location_id", msg.pickup_location_id)
        if msg.pickup_location_id and msg.pickup_location_id not in pickup_locations:
            v.add("pickup_location_id", "not an active location that offers pickup")
    elif msg.pickup_location_id:
        v.add("pickup_location_id", "only for delivery_mode PICKUP_IN_STORE")

    payments: list[PaymentInstruction] = []
    if v.count("payments", msg.payments, at_most=limits.MAX_PAYMENTS):
        for i, p in enumerate(msg.payments):
            f = f"payments[{i}]"
            method = v.enum(f"{f}.method", p.method, PAYMENT_METHODS)
            amount = v.money(f"{f}.amount", p.amount, positive=True) if p.HasField("amount") else None
            if not p.HasField("amount"):
                v.add(f"{f}.amount", "is required")
            v.token(f"{f}.token", p.token)
            if p.token_hint:
                v.add(f"{f}.token_hint", "is output only")
            if amount is not None and currency and amount.currency != currency:
                v.add(f"{f}.amount.currency", f"must be the order currency ({currency})")
            if method is not None and amount is not None:
                payments.append(PaymentInstruction(method=method, amount=amount, token=p.token))
    shipping = None
    if msg.HasField("shipping"):
        shipping = _shipping_charge(msg.shipping, mode, currency, v)
    deliver_by = v.coming_day("deliver_by", msg.deliver_by) if msg.HasField("deliver_by") else ""
    deliver_from = v.coming_day("deliver_from", msg.deliver_from) if msg.HasField("deliver_from") else ""
    if deliver_from and deliver_by and deliver_from > deliver_by:
        v.add("deliver_from", f"after deliver_by ({deliver_by}): no day is both")
    if msg.shipping_service:
        v.identifier("shipping_service", msg.shipping_service)
        if mode is not None and mode is not DeliveryMode.SHIP:
            v.add("shipping_service", "only for delivery_mode SHIP")
        elif msg.shipping_service not in services:
            v.add("shipping_service", f"no active location offers carrier service {msg.shipping_service[:64]!r}")
    # Tax follows where the goods are handed over: the ship-to address, or the store.
    country = ""
    if mode is DeliveryMode.SHIP and ship_to is not None:
        country = ship_to.country_code
    elif mode is DeliveryMode.PICKUP:
        country = pickup_locations.get(msg.pickup_location_id, "")
    if tax_rates and country in tax_rates:
        stated = [(f"lines[{i}].tax_rate_bps", line.tax_rate_bps) for i, line in enumerate(msg.lines)]
        if msg.HasField("shipping"):
            stated.append(("shipping.tax_rate_bps", msg.shipping.tax_rate_bps))
        for field, rate in stated:
            if (refusal := rate_refusal(tax_rates, country, rate)) is not None:
                v.add(field, refusal)
    v.raise_if_any()

    assert channel is not None and mode is not None
    command = CreateOrder(
        channel=channel,
        idempotency_key=msg.idempotency_key,
        customer_id=msg.customer_id,
        lines=tuple(lines),
        delivery_mode=mode,
        ship_to=ship_to,
        pickup_location_id=msg.pickup_location_id,
        payments=tuple(payments),
        external_reference=msg.external_reference,
        shipping=shipping,
        deliver_by=deliver_by,
        shipping_service=msg.shipping_service,
        ship_complete=msg.ship_complete,
        deliver_from=deliver_from,
    )
    if payments:
        paid = sum(p.amount.amount_minor for p in payments)
        total = command.total()
        if paid != total.amount_minor:
            v.add("payments", f"amounts add up to {paid}, the order total is {total.amount_minor} ({total})")
            v.raise_if_any()
    return command


def _shipping_charge(
    msg: orders_pb2.ShippingCharge, mode: DeliveryMode | None, currency: str, v: Violations
) -> ShippingCharge | None:
    if mode is not DeliveryMode.SHIP:
        v.add("shipping", "only for delivery_mode SHIP")
    if not 0 <= msg.tax_rate_bps <= MAX_TAX_RATE_BPS:
        v.add("shipping.tax_rate_bps", f"basis points, 0 to {MAX_TAX_RATE_BPS} (1900 is 19%)")
    if not msg.HasField("amount"):
        v.add("shipping.amount", "is required")
        return None
    amount = v.money("shipping.amount", msg.amount)
    if amount is not None and currency and amount.currency != currency:
        v.add("shipping.amount.currency", f"must be the order currency ({currency})")
    return ShippingCharge(amount=amount, tax_rate_bps=msg.tax_rate_bps) if amount is not None else None


def money_to_proto(m: Money) -> common_pb2.Money:
    return common_pb2.Money(amount_minor=m.amount_minor, currency=m.currency)


def timestamp_from_proto(ts: timestamp_pb2.Timestamp) -> int:
    """Epoch milliseconds (UTC) of a Timestamp."""
    return ts.seconds * 1000 + ts.nanos // 1_000_000


def timestamp_to_proto(ms: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=ms // 1000, nanos=(ms % 1000) * 1_000_000)


def address_to_proto(a: Address) -> common_pb2.Address:
    return common_pb2.Address(**_address_fields(a))


def _address_fields(a: Address) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": a.name,
        "lines": list(a.lines),
        "city": a.city,
        "region": a.region,
        "postal_code": a.postal_code,
        "country_code": a.country_code,
        "phone": a.phone,
    }
    if a.latitude is not None and a.longitude is not None:
        fields["position"] = {"latitude": a.latitude, "longitude": a.longitude}
    return fields


def _allocations(parts) -> list[dict[str, Any]]:
    return [
        {"location_id": a.location_id, "quantity": a.quantity}
        if PROMISE_SEP not in a.location_id
        else _promised_allocation(a.location_id, a.quantity)
        for a in parts
    ]


def _promised_allocation(site: str, quantity: int) -> dict[str, Any]:
    location, day = split_site(site)
    return {"location_id": location, "quantity": quantity, "expected_on": day_fields(day)}


def day_fields(day: str) -> dict[str, int]:
    """A day (YYYY-MM-DD) as the Timestamp fields of its 00:00 UTC, as the API tells days."""
    return {"seconds": _day_seconds(day)}


@functools.lru_cache(maxsize=4096)
def _day_seconds(day: str) -> int:
    # Orders answered together are mostly promised the same few days.
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc).timestamp())


def _order_standing(o: Order) -> dict[str, Any]:
    """The fields both views carry (``ORDER_VIEW_BASIC``'s whole answer): who placed the
    order, how it stands, what it is worth."""
    approval: dict[str, Any] = {
        "status": APPROVAL_STATUSES[o.approval.status],
        "reasons": list(o.approval.reasons),
        "decided_by": o.approval.decided_by,
    }
    if o.approval.decided_at_ms:
        approval["decided_at"] = _ts_fields(o.approval.decided_at_ms)
    standing = {
        "order_id": o.order_id,
        "channel": CHANNEL_TO_PROTO[o.channel],
        "customer_id": o.customer_id,
        "idempotency_key": o.idempotency_key,
        "external_reference": o.external_reference,
        "status": ORDER_STATUS_TO_PROTO[o.status],
        "total": _money(o.total),
        "payable": _money_fields(o.payable, o.currency),
        "created_at": _ts_fields(o.created_at_ms),
        "updated_at": _ts_fields(o.updated_at_ms),
        "version": o.version,
        "approval": approval,
    }
    if (promised := o.promised_on) is not None:
        standing["promised_delivery"] = day_fields(promised)
    return standing


def order_basic_to_proto(o: Order) -> orders_pb2.Order:
    """``ORDER_VIEW_BASIC``: the order's identity and standing, none of its lines,
    payments, shipments or returns."""
    return orders_pb2.Order(**_order_standing(o))


def order_to_proto(o: Order, *, internal_notes: bool = False) -> orders_pb2.Order:
    """``internal_notes``: staff's internal notes too (only for principals who see everything)."""
    # One constructor call with plain dicts for the nested messages: building each nested
    # message as an object and copying it in cost about twice as much (upb copies on
    # append and on assignment), and this runs for every order an RPC answers with.
    currency = o.currency
    fields = _order_standing(o)
    fields |= {
        "delivery_mode": DELIVERY_TO_PROTO[o.delivery_mode],
        "pickup_location_id": o.pickup_location_id,
        "cancel_reason": o.cancel_reason,
        "lines": [
            {
                "line_number": line.line_number,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": _money(line.unit_price),
                "line_total": _money(line.line_total),
                "status": LINE_STATUSES[line.status],
                "allocations": _allocations(line.allocations),
                "backordered_quantity": line.backordered_quantity,
                "promised_quantity": line.promised_quantity,
                "released": _allocations(line.released),
                "shipped": _allocations(line.shipped),
                "delivered_quantity": line.delivered,
                "cancelled_quantity": line.cancelled,
                "tax_rate_bps": line.tax_rate_bps,
            }
            for line in o.lines
        ],
        "payment_status": [_payment_status(p, currency) for p in o.payment_records],
        "shipments": [_shipment(sh, currency) for sh in o.shipments],
        "pending_steps": list(o.pending),
        "returns": [_return(r, currency, o.unit_prices(r)) for r in o.returns],
        # The token itself never leaves the service.
        "payments": [
            {"method": PAYMENT_TO_PROTO[p.method], "amount": _money(p.amount), "token_hint": p.token_hint}
            for p in o.payments
        ],
    }
    # Money on account, dunning and shortages concern few orders: the keys only when they
    # hold something, as the constructor pays for every key it is given (CreateOrder's path).
    if o.receipts:
        fields["receipts"] = [
            {
                "receipt_id": r.receipt_id,
                "invoice_number": r.invoice_number,
                "amount": _money(r.amount),
                "received_at": timestamp_to_proto(r.received_at_ms),
            }
            for r in o.receipts
        ]
    if o.overdue:
        fields["overdue_invoices"] = [
            {
                "invoice_number": n.invoice_number,
                "due_at": timestamp_to_proto(n.due_at_ms),
                "open": _money(n.open),
                "noticed_at": timestamp_to_proto(n.noticed_at_ms),
            }
            for n in o.overdue
        ]
    if o.hold_requested is not None:
        asked = o.hold_requested
        fields["hold_requested"] = {"by": asked.by, "reason": asked.reason, "at": _ts_fields(asked.at_ms)}
    if o.shortages:
        fields["shortages"] = [
            {
                "shortage_id": s.shortage_id,
                "location_id": s.location_id,
                "lines": [{"line_number": x.line_number, "quantity": x.quantity} for x in s.lines],
                "reason": s.reason.value,
                "reported_at": timestamp_to_proto(s.reported_at_ms),
            }
            for s in o.shortages
        ]
    if o.shipping is not None:
        fields["shipping"] = {"amount": _money(o.shipping.amount), "tax_rate_bps": o.shipping.tax_rate_bps}
    if o.return_window_days is not None:
        fields["return_window_days"] = o.return_window_days
    today = ""  # read once, for the first promised line
    for line_fields, line in zip(fields["lines"], o.lines):
        if line.delivered and (until := o.return_by_ms(line.line_number)) is not None:
            line_fields["return_by"] = _ts_fields(until)
        if line.final_sale:
            line_fields["final_sale"] = True
        if line.undelivered:
            line_fields["undelivered_quantity"] = line.undelivered
        if line.return_window_days is not None:
            line_fields["return_window_days"] = line.return_window_days
        if line.promised_on is not None:
            line_fields["promised_delivery"] = day_fields(line.promised_on)
            if line.estimated_on is not None:
                line_fields["estimated_delivery"] = day_fields(line.estimated_on)
            if line.late(today := today or utc_today()):
                line_fields["delivery_late"] = fields["delivery_late"] = True
    if o.appeasements:
        fields["goodwill"] = [_goodwill(a, currency) for a in o.appeasements]
    if o.notes:
        fields["notes"] = [
            {"note_id": n.note_id, "text": n.text, "by": n.by, "at": _ts_fields(n.at_ms), "for_customer": not n.internal}
            for n in o.notes
            if internal_notes or not n.internal
        ]
    if o.ship_to is not None:
        fields["ship_to"] = _address_fields(o.ship_to)
    if o.sourcing is not None:
        s = o.sourcing
        fields["sourcing"] = {
            "status": s.status,
            "cost_minor": s.cost,
            "unit_cost_minor": s.unit_cost,
            "shipment_cost_minor": s.shipment_cost,
            "unfilled_cost_minor": s.unfilled_cost,
            "bound_minor": s.bound,
            "greedy_cost_minor": s.greedy_cost,
            "solver": s.solver,
            "shipments": s.shipments,
            "late_cost_minor": s.late_cost,
        }
    if o.deliver_by:
        fields["deliver_by"] = day_fields(o.deliver_by)
    if o.shipping_service:
        fields["shipping_service"] = o.shipping_service
    if o.ship_complete:
        fields["ship_complete"] = True
    if o.deliver_from:
        fields["deliver_from"] = day_fields(o.deliver_from)
        fields["scheduled"] = o.scheduled and o.is_open  # a cancelled order waits for nothing
    if waits := o.release_waits_for:
        fields["release_waits_for"] = [RELEASE_WAITS[w] for w in waits]
    return orders_pb2.Order(**fields)


def _money(m: Money) -> dict[str, Any]:
    return {"amount_minor": m.amount_minor, "currency": m.currency}


def _money_fields(amount_minor: int, currency: str) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": currency}


def _ts_fields(ms: int) -> dict[str, int]:
    return {"seconds": ms // 1000, "nanos": (ms % 1000) * 1_000_000}


def _payment_status(p: PaymentRecord, currency: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "payment_id": p.payment_id,
        "method": PAYMENT_TO_PROTO[p.method],
        "amount": _money(p.amount),
        "status": PAYMENT_STATUSES[p.status],
        "authorized": _money_fields(p.authorized, currency),
        "captured": _money_fields(p.captured, currency),
        "refunded": _money_fields(p.refunded, currency),
        "token_hint": p.token_hint,
        "declined_reason": p.declined_reason,
        "authorization_reference": p.authorization_id,
    }
    if p.expires_at_ms:
        fields["authorization_expires_at"] = _ts_fields(p.expires_at_ms)
    return fields


def _shipment(sh: Shipment, currency: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "shipment_id": sh.shipment_id,
        "location_id": sh.location_id,
        "lines": [{"line_number": x.line_number, "quantity": x.quantity} for x in sh.lines],
        "status": SHIPMENT_STATUSES[sh.status],
        "carrier": sh.carrier,
        "tracking": sh.tracking,
        "value": _money_fields(sh.value, currency),
        "invoice_number": sh.invoice_number,
        "shipped_at": _ts_fields(sh.shipped_at_ms),
    }
    if sh.delivered_at_ms:
        fields["delivered_at"] = _ts_fields(sh.delivered_at_ms)
    if sh.shipping:
        fields["shipping"] = _money_fields(sh.shipping, currency)
    if sh.estimated_delivery:
        fields["estimated_delivery"] = day_fields(sh.estimated_delivery)
        fields["estimate_reason"] = sh.estimate_reason
    if sh.shipping_service:
        fields["shipping_service"] = sh.shipping_service
    if sh.returned_at_ms:
        fields["returned_at"] = _ts_fields(sh.returned_at_ms)
        fields["undelivered_reason"] = UNDELIVERED_TO_PROTO[UndeliveredReason(sh.undelivered_reason)]
    return fields


def return_to_proto(r: ReturnRecord, currency: str, unit_prices: Mapping[int, int]) -> orders_pb2.Return:
    """``unit_prices``: line number -> unit price, of the return's lines (``Order.unit_prices``)."""
    return orders_pb2.Return(**_return(r, currency, unit_prices))


def _return(r: ReturnRecord, currency: str, unit_prices: Mapping[int, int]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "return_id": r.return_id,
        "status": RETURN_STATUSES[r.status],
        "channel": CHANNEL_TO_PROTO.get(Channel(r.channel), 0) if r.channel in CHANNEL_VALUES else 0,
        "location_id": r.location_id,
        "refunded": _money_fields(sum(p.amount for p in r.refunds), currency),
        "store_credit": _money_fields(r.store_credit, currency),
        "credit_notes": list(r.credit_notes),
        "replacement_order_id": r.replacement_order_id,
        "requested_at": _ts_fields(r.requested_at_ms),
        "lines": [
            {
                "line_number": rl.line_number,
                "quantity": rl.quantity,
                "reason": rl.reason,
                "resolution": RESOLUTIONS_TO_PROTO[rl.resolution],
                "received": rl.received,
                "restocked": rl.restocked,
                "written_off": rl.written_off,
                "refunded": _money_fields(rl.refunded, currency),
                "exchange_sku": rl.exchange_sku,
                "repaired": rl.repaired,
                "reason_code": REASONS_TO_PROTO[ReturnReason(rl.reason_code)] if rl.reason_code else 0,
                **(
                    {"deducted": _money_fields(rl.deducted, currency), "deduction_reason": rl.deduction_reason}
                    if rl.deducted
                    else {}
                ),
                **(
                    {
                        "restocking_fee_bps": rl.restocking_fee_bps,
                        "restocking_fee": _money_fields(
                            rl.restocking_fee(unit_prices.get(rl.line_number, 0) * rl.received), currency
                        ),
                    }
                    if rl.restocking_fee_bps
                    else {}
                ),
            }
            for rl in r.lines
        ],
    }
    if r.resolved_at_ms:
        fields["resolved_at"] = _ts_fields(r.resolved_at_ms)
    if r.expired_at_ms:
        fields["expired_at"] = _ts_fields(r.expired_at_ms)
    if r.kept:
        fields["kept"] = True
    if r.cancelled_at_ms:
        fields["cancelled_at"] = _ts_fields(r.cancelled_at_ms)
        fields["cancel_reason"] = r.cancel_reason
    if r.sent_at_ms:
        fields["sent_at"] = _ts_fields(r.sent_at_ms)
        fields["inbound_carrier"] = r.inbound_carrier
        fields["inbound_tracking"] = r.inbound_tracking
    if r.repaired_at_ms:
        fields["repaired_at"] = _ts_fields(r.repaired_at_ms)
        fields["repair_carrier"] = r.repair_carrier
        fields["repair_tracking"] = r.repair_tracking
    if r.unrepairable:
        fields["unrepairable"] = RESOLUTIONS_TO_PROTO[Resolution(r.unrepairable)]
        fields["unrepairable_reason"] = r.unrepairable_reason
        fields["unrepairable_at"] = _ts_fields(r.unrepairable_at_ms)
        fields["repair_replacement_order_id"] = r.repair_replacement_order_id
    if r.shipment_id:
        fields["shipment_id"] = r.shipment_id
        fields["undelivered_reason"] = UNDELIVERED_TO_PROTO[UndeliveredReason(r.undelivered_reason)]
        if r.ship_to is not None:
            fields["ship_to"] = _address_fields(r.ship_to)
    if r.unrepairable_resolved_at_ms:
        fields["made_good_at"] = _ts_fields(r.unrepairable_resolved_at_ms)
    return fields


def _goodwill(a: Appeasement, currency: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "goodwill_id": a.appeasement_id,
        "amount": _money_fields(a.amount, currency),
        "reason": a.reason,
        "resolution": RESOLUTIONS_TO_PROTO[a.resolution],
        "granted_by": a.by,
        "granted_at": _ts_fields(a.requested_at_ms),
        "refunded": _money_fields(sum(p.amount for p in a.refunds), currency),
        "store_credit": _money_fields(a.store_credit, currency),
        "credit_notes": list(a.credit_notes),
    }
    if a.resolved_at_ms:
        fields["paid_at"] = _ts_fields(a.resolved_at_ms)
    return fields


def location_from_proto(msg: inventory_pb2.Location, field: str, v: Violations) -> Location | None:
    v.identifier(f"{field}.location_id", msg.location_id)
    kind = v.enum(f"{field}.type", msg.type, LOCATION_TYPES)
    v.text(f"{field}.name", msg.name)
    if not msg.HasField("position"):
        v.add(f"{field}.position", "is required: sourcing costs depend on distance")
    else:
        v.position(f"{field}.position", msg.position)
    for name in (
        "shipment_cost_minor",
        "shipment_cost_per_km_minor",
        "unit_handling_cost_minor",
        "unit_cost_per_kg_km_minor",
    ):
        value = getattr(msg, name)
        if value < 0 or value != value:  # NaN is not equal to itself
            v.add(f"{field}.{name}", "must be a non-negative number")
    if msg.daily_capacity_units < 0:
        v.add(f"{field}.daily_capacity_units", "must not be negative (0: no limit)")
    if not is_time_zone(msg.time_zone):
        v.add(f"{field}.time_zone", f"unknown time zone {msg.time_zone[:64]!r}: an IANA name such as Europe/Berlin, or empty for UTC")
    v.country(f"{field}.country_code", msg.country_code)
    if msg.pickup_enabled and kind is not None and kind is not LocationType.STORE:
        v.add(f"{field}.pickup_enabled", "only stores offer pickup")
    if not 0 <= msg.pickup_hold_days <= MAX_PICKUP_HOLD_DAYS:
        v.add(f"{field}.pickup_hold_days", f"must be 0-{MAX_PICKUP_HOLD_DAYS} days (0: held until collected)")
    elif msg.pickup_hold_days and not msg.pickup_enabled:
        v.add(f"{field}.pickup_hold_days", "only a location offering pickup holds orders for collection")
    shipping = DEFAULT_SCHEDULE
    if msg.HasField("shipping"):
        shipping = shipping_schedule_from_proto(msg.shipping, f"{field}.shipping", v)
    if kind is None:
        return None
    return Location(
        location_id=msg.location_id,
        type=kind,
        name=msg.name,
        latitude=msg.position.latitude,
        longitude=msg.position.longitude,
        shipment_cost_minor=msg.shipment_cost_minor,
        shipment_cost_per_km_minor=msg.shipment_cost_per_km_minor,
        unit_handling_cost_minor=msg.unit_handling_cost_minor,
        unit_cost_per_kg_km_minor=msg.unit_cost_per_kg_km_minor,
        pickup_enabled=msg.pickup_enabled,
        pickup_hold_days=msg.pickup_hold_days,
        active=msg.active,
        daily_capacity_units=msg.daily_capacity_units,
        time_zone=msg.time_zone,
        country_code=msg.country_code,
        shipping=shipping,
    )


def shipping_schedule_from_proto(msg: inventory_pb2.ShippingSchedule, field: str, v: Violations) -> ShippingSchedule:
    """A location's schedule, each unset field its default (``domain.delivery``)."""
    if not 0 <= msg.handling_days <= MAX_HANDLING_DAYS:
        v.add(f"{field}.handling_days", f"must be 0-{MAX_HANDLING_DAYS} days")
    cutoff = _cutoff(msg.cutoff, f"{field}.cutoff", v)
    weekdays = {name: _weekdays(getattr(msg, name), f"{field}.{name}", v) for name in ("shipping_weekdays", "delivery_weekdays")}
    km_per_day, least = _transit(msg, field, v)
    v.count(f"{field}.closed_dates", msg.closed_dates, at_most=MAX_CLOSED_DATES)
    services: list[CarrierService] = []
    if v.count(f"{field}.services", msg.services, at_most=MAX_SERVICES):
        codes: list[str] = []
        for i, s in enumerate(msg.services):
            path = f"{field}.services[{i}]"
            v.identifier(f"{path}.code", s.code)
            codes.append(s.code)
            if s.parcel_cost_minor < 0:
                v.add(f"{path}.parcel_cost_minor", "must not be negative")
            km, days = _transit(s, path, v)
            services.append(
                CarrierService(
                    code=s.code, transit_km_per_day=km, transit_min_days=days,
                    cutoff_minute=_cutoff(s.cutoff, f"{path}.cutoff", v), parcel_cost_minor=s.parcel_cost_minor,
                    delivery_weekdays=_weekdays(s.delivery_weekdays, f"{path}.delivery_weekdays", v),
                )  # fmt: skip
            )
        v.unique(f"{field}.services", codes, "code")
    return ShippingSchedule(
        handling_days=msg.handling_days,
        cutoff_minute=cutoff,
        shipping_weekdays=weekdays["shipping_weekdays"] or DEFAULT_SHIPPING_WEEKDAYS,
        transit_km_per_day=km_per_day,
        transit_min_days=least,
        delivery_weekdays=weekdays["delivery_weekdays"] or DEFAULT_DELIVERY_WEEKDAYS,
        closed_dates=frozenset(v.day(f"{field}.closed_dates[{i}]", ts) for i, ts in enumerate(msg.closed_dates)),
        services=tuple(services),
    )


def _weekdays(days: Iterable[int], field: str, v: Violations) -> tuple[int, ...]:
    """ISO weekdays, in order; ``field`` named unless each is 1-7 and given once."""
    days = tuple(days)
    if not set(days) <= WEEKDAYS or len(set(days)) != len(days):
        v.add(field, "ISO weekdays, each once: 1 (Monday) to 7 (Sunday)")
    return tuple(sorted(days))


def _cutoff(text: str, field: str, v: Violations) -> int | None:
    """Minutes after midnight of an "HH:MM"; None for ""."""
    if not text:
        return None
    hours, _, minutes = text.partition(":")
    if len(text) != 5 or not (hours.isdigit() and minutes.isdigit()) or int(hours) > 23 or int(minutes) > 59:
        v.add(field, f"{text[:16]!r} is not a time of day as HH:MM (00:00-23:59)")
        return None
    return int(hours) * 60 + int(minutes)


def _transit(msg: inventory_pb2.ShippingSchedule | inventory_pb2.CarrierService, field: str, v: Violations) -> tuple[int, int]:
    """(km a day, least days) of a schedule's or a service's transit, each unset one its default."""
    if not 0 <= msg.transit_km_per_day <= MAX_KM_PER_DAY:
        v.add(f"{field}.transit_km_per_day", f"must be 1-{MAX_KM_PER_DAY:,} km (0: {DEFAULT_KM_PER_DAY})")
    least = msg.transit_min_days if msg.HasField("transit_min_days") else DEFAULT_TRANSIT_MIN_DAYS
    if not 0 <= least <= MAX_TRANSIT_DAYS:
        v.add(f"{field}.transit_min_days", f"must be 0-{MAX_TRANSIT_DAYS} days")
    return msg.transit_km_per_day or DEFAULT_KM_PER_DAY, least


def _time_of_day(minute: int | None) -> str:
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def shipping_schedule_to_proto(s: ShippingSchedule, *, costs: bool = True) -> inventory_pb2.ShippingSchedule:
    """``costs``: with what each carrier service's parcel costs; else that unset."""
    return inventory_pb2.ShippingSchedule(
        handling_days=s.handling_days, cutoff=_time_of_day(s.cutoff_minute), shipping_weekdays=s.shipping_weekdays,
        transit_km_per_day=s.transit_km_per_day, transit_min_days=s.transit_min_days, delivery_weekdays=s.delivery_weekdays,
        closed_dates=[day_to_proto(day) for day in sorted(s.closed_dates)],
        services=[
            inventory_pb2.CarrierService(
                code=c.code, transit_km_per_day=c.transit_km_per_day, transit_min_days=c.transit_min_days,
                cutoff=_time_of_day(c.cutoff_minute), parcel_cost_minor=c.parcel_cost_minor if costs else 0,
                delivery_weekdays=c.delivery_weekdays,
            )
            for c in s.services
        ],
    )  # fmt: skip


def product_from_proto(msg: inventory_pb2.Product, field: str, v: Violations) -> Product:
    v.identifier(f"{field}.sku", msg.sku)
    v.text(f"{field}.name", msg.name)
    if msg.weight_grams < 0:
        v.add(f"{field}.weight_grams", "must not be negative")
    v.identifier(f"{field}.style", msg.style, required=False)
    if not 0 <= msg.return_window_days <= MAX_WINDOW_DAYS:
        v.add(f"{field}.return_window_days", f"days, 0 (its channel's) to {MAX_WINDOW_DAYS}")
    return Product(
        sku=msg.sku, name=msg.name, weight_grams=msg.weight_grams, returnable=msg.returnable, style=msg.style,
        return_window_days=msg.return_window_days,
    )  # fmt: skip


def product_to_proto(p: Product) -> inventory_pb2.Product:
    return inventory_pb2.Product(
        sku=p.sku, name=p.name, weight_grams=p.weight_grams, returnable=p.returnable, style=p.style,
        return_window_days=p.return_window_days,
    )  # fmt: skip


def location_to_proto(loc: Location, *, costs: bool) -> inventory_pb2.Location:
    """``costs``: with the cost model's figures (costs, daily capacity); else those unset."""
    msg = inventory_pb2.Location(
        location_id=loc.location_id, type=LOCATION_TYPE_TO_PROTO[loc.type], name=loc.name,
        position=common_pb2.GeoPoint(latitude=loc.latitude, longitude=loc.longitude),
        pickup_enabled=loc.pickup_enabled, active=loc.active, time_zone=loc.time_zone, country_code=loc.country_code,
        shipping=shipping_schedule_to_proto(loc.shipping, costs=costs), pickup_hold_days=loc.pickup_hold_days,
    )  # fmt: skip
    if costs:
        msg.shipment_cost_minor = loc.shipment_cost_minor
        msg.shipment_cost_per_km_minor = loc.shipment_cost_per_km_minor
        msg.unit_handling_cost_minor = loc.unit_handling_cost_minor
        msg.unit_cost_per_kg_km_minor = loc.unit_cost_per_kg_km_minor
        msg.daily_capacity_units = loc.daily_capacity_units
    return msg


def stock_level_from_proto(msg: inventory_pb2.StockLevel, field: str, v: Violations) -> StockLevelChange:
    v.identifier(f"{field}.location_id", msg.location_id)
    v.identifier(f"{field}.sku", msg.sku)
    if msg.on_hand < 0:
        v.add(f"{field}.on_hand", "must not be negative")
    if msg.safety_stock < 0:
        v.add(f"{field}.safety_stock", "must not be negative")
    return StockLevelChange(location_id=msg.location_id, sku=msg.sku, on_hand=msg.on_hand, safety=msg.safety_stock)


def customer_from_proto(msg: customers_pb2.Customer, v: Violations) -> Customer | None:
    v.identifier("customer.customer_id", msg.customer_id)
    kind = v.enum("customer.type", msg.type, CUSTOMER_TYPES)
    for name in ("name", "email", "phone"):
        v.text(f"customer.{name}", getattr(msg, name))
    if msg.email and "@" not in msg.email:
        v.add("customer.email", "not an email address")
    address = (
        address_from_proto(msg.default_address, "customer.default_address", v, need_position=False)
        if msg.HasField("default_address")
        else None
    )
    limit = v.money("customer.credit_limit", msg.credit_limit) if msg.HasField("credit_limit") else None
    if limit is not None and kind is not CustomerType.BUSINESS:
        v.add("customer.credit_limit", "only business customers buy on credit")
    terms = msg.payment_terms_days if msg.HasField("payment_terms_days") else None
    if terms is not None:
        if kind is not CustomerType.BUSINESS:
            v.add("customer.payment_terms_days", "only business customers buy on credit")
        elif not 0 <= terms <= limits.MAX_PAYMENT_TERMS_DAYS:
            v.add("customer.payment_terms_days", f"0 (due on receipt) to {limits.MAX_PAYMENT_TERMS_DAYS} days")
    if kind is None:
        return None
    return Customer(
        customer_id=msg.customer_id,
        type=kind,
        name=msg.name,
        email=msg.email,
        phone=msg.phone,
        default_address=address,
        credit_limit=limit,
        payment_terms_days=terms,
    )


def customer_to_proto(c: Customer) -> customers_pb2.Customer:
    msg = customers_pb2.Customer(
        customer_id=c.customer_id,
        type=CUSTOMER_TYPE_TO_PROTO[c.type],
        name=c.name,
        email=c.email,
        phone=c.phone,
        created_at=timestamp_to_proto(c.created_at_ms),
        updated_at=timestamp_to_proto(c.updated_at_ms),
    )
    if c.default_address is not None:
        msg.default_address.CopyFrom(address_to_proto(c.default_address))
    if c.credit_limit is not None:
        msg.credit_limit.CopyFrom(money_to_proto(c.credit_limit))
    if c.payment_terms_days is not None:
        msg.payment_terms_days = c.payment_terms_days
    if c.erased_at_ms:
        msg.erased_at.CopyFrom(timestamp_to_proto(c.erased_at_ms))
    if c.erasure_requested_at_ms:
        msg.erasure_requested_at.CopyFrom(timestamp_to_proto(c.erasure_requested_at_ms))
    return msg


# -- inventory feeds, inbound supply, routing rules ------------------------------------------

ADJUSTMENT_REASONS = {
    inventory_pb2.ADJUSTMENT_REASON_CYCLE_COUNT: "cycle_count",
    inventory_pb2.ADJUSTMENT_REASON_DAMAGE: "damage",
    inventory_pb2.ADJUSTMENT_REASON_SHRINKAGE: "shrinkage",
    inventory_pb2.ADJUSTMENT_REASON_FOUND: "found",
    inventory_pb2.ADJUSTMENT_REASON_RETURN_TO_VENDOR: "return_to_vendor",
    inventory_pb2.ADJUSTMENT_REASON_OTHER: "other",
}
RULE_EFFECTS = {inventory_pb2.RULE_EFFECT_ALLOW: "allow", inventory_pb2.RULE_EFFECT_DENY: "deny"}
RULE_EFFECT_TO_PROTO = _inverse(RULE_EFFECTS)


def feed_message_from_proto(msg: inventory_pb2.StockFeedMessage, field: str, v: Violations) -> FeedMessage | None:
    """One feed message, whole (the gateway splits it per partition)."""
    v.identifier(f"{field}.feed_id", msg.feed_id)
    v.identifier(f"{field}.location_id", msg.location_id)
    if msg.sequence < 1:
        v.add(f"{field}.sequence", "starts at 1 and grows by 1 per (feed_id, location_id)")
    body = msg.WhichOneof("body")
    if body is None:
        v.add(f"{field}.body", "one of snapshot, delta or adjustment is required")
        return None
    part = getattr(msg, body)
    items = part.quantities if body == "snapshot" else part.changes
    name = "quantities" if body == "snapshot" else "changes"
    if not v.count(f"{field}.{body}.{name}", items, at_most=limits.MAX_BULK_ITEMS, at_least=0 if body == "snapshot" else 1):
        return None
    seen: dict[str, int] = {}
    for i, q in enumerate(items):
        f = f"{field}.{body}.{name}[{i}]"
        v.identifier(f"{f}.sku", q.sku)
        if q.sku in seen:
            v.add(f"{f}.sku", f"duplicate of {name}[{seen[q.sku]}]")
        seen.setdefault(q.sku, i)
        if body == "snapshot" and q.quantity < 0:
            v.add(f"{f}.quantity", "on hand cannot be negative")
        if body != "snapshot" and q.quantity == 0:
            v.add(f"{f}.quantity", "a change of 0 changes nothing; leave it out")
        if abs(q.quantity) > MAX_AMOUNT_MINOR:
            v.add(f"{f}.quantity", "out of range")
    reason = ""
    if body == "adjustment":
        reason = v.enum(f"{field}.adjustment.reason", msg.adjustment.reason, ADJUSTMENT_REASONS) or ""
        v.text(f"{field}.adjustment.note", msg.adjustment.note)
    return FeedMessage(
        feed_id=msg.feed_id,
        sequence=msg.sequence,
        location_id=msg.location_id,
        kind=FeedKind(body),
        quantities=tuple((q.sku, q.quantity) for q in items),
        complete=body == "snapshot" and msg.snapshot.complete,
        reason=reason,
        note=msg.adjustment.note if body == "adjustment" else "",
    )


def day_of(ts: timestamp_pb2.Timestamp) -> str:
    return ts.ToDatetime(tzinfo=dt.timezone.utc).date().isoformat()


def day_to_proto(day: str) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(**day_fields(day))


# RiskRules fields by their proto names (money thresholds carry ``_minor`` there).
_RISK_THRESHOLDS = {
    "hold_order_value_above_minor": "hold_order_value_above",
    "reject_order_value_above_minor": "reject_order_value_above",
    "hold_first_order_above_minor": "hold_first_order_above",
    "max_orders_per_customer_per_hour": "max_orders_per_customer_per_hour",
    "max_orders_per_instrument_per_hour": "max_orders_per_instrument_per_hour",
    "hold_overdue_after_days": "hold_overdue_after_days",
    "agent_goodwill_limit_percent": "agent_goodwill_limit_percent",
}
_VALUE_LIMITS = {name: field for name, field in _RISK_THRESHOLDS.items() if name.endswith("_minor")}
MAX_VALUE_LIMIT_CURRENCIES = 300  # ISO 4217 has fewer


def _thresholds(msg: Any, names: dict[str, str], v: Violations, prefix: str) -> dict[str, int | None]:
    """Each named optional threshold of ``msg``: unset is off (None); negative ones are named."""
    doc: dict[str, int | None] = {}
    for name, field in names.items():
        if not msg.HasField(name):
            doc[field] = None
            continue
        value = getattr(msg, name)
        if value < 0:
            v.add(prefix + name, "zero or more, or unset for off")
        elif name.endswith("_minor") and value > MAX_AMOUNT_MINOR:
            v.add(prefix + name, f"at most {MAX_AMOUNT_MINOR}")
        doc[field] = value
    return doc


def risk_rules_from_proto(msg: orders_pb2.RiskRules, v: Violations, prefix: str = "rules.") -> RiskRules:
    """The rules a request sets: an unset threshold is off; every bad field is named."""
    doc: dict[str, Any] = {"hold_on_country_mismatch": msg.hold_on_country_mismatch}
    doc.update(_thresholds(msg, _RISK_THRESHOLDS, v, prefix))
    if msg.HasField("agent_goodwill_limit_percent") and msg.agent_goodwill_limit_percent > 100:
        v.add(prefix + "agent_goodwill_limit_percent", "a percent: at most 100")
    base = msg.limits_currency or DEFAULT_LIMITS_CURRENCY
    if not is_currency(base):
        v.add(prefix + "limits_currency", "an ISO 4217 code such as EUR, or empty for EUR")
    doc["limits_currency"] = base
    by_currency: dict[str, dict[str, int | None]] = {}
    if v.count(prefix + "value_limits", msg.value_limits, at_most=MAX_VALUE_LIMIT_CURRENCIES):
        for currency in sorted(msg.value_limits):
            where = f"{prefix}value_limits[{currency}]"
            if not is_currency(currency):
                v.add(where, "keyed by an ISO 4217 code such as USD")
            elif currency == base:
                v.add(where, f"the thresholds of {currency} orders are the rules' own: limits_currency is {currency}")
            by_currency[currency] = _thresholds(msg.value_limits[currency], _VALUE_LIMITS, v, where + ".")
    doc["value_limits"] = by_currency
    return RiskRules() if v.items else RiskRules.from_dict(doc)


def risk_rules_to_proto(rules: RiskRules, version: int) -> orders_pb2.RiskRules:
    msg = orders_pb2.RiskRules(
        hold_on_country_mismatch=rules.hold_on_country_mismatch, version=version, limits_currency=rules.limits_currency
    )
    for name, field in _RISK_THRESHOLDS.items():
        value = getattr(rules, field)
        if value is not None:
            setattr(msg, name, value)
    for currency, theirs in rules.value_limits.items():
        entry = msg.value_limits[currency]  # present even with every threshold off
        entry.SetInParent()
        for name, field in _VALUE_LIMITS.items():
            value = getattr(theirs, field)
            if value is not None:
                setattr(entry, name, value)
    return msg


def routing_rules_from_proto(msg: inventory_pb2.RoutingRules, v: Violations) -> dict:
    """The optimizer's rules document (``optimizer.RoutingRules.from_dict``) for a request."""
    rules = []
    if v.count("rules", msg.rules, at_most=limits.MAX_BULK_ITEMS):
        for i, r in enumerate(msg.rules):
            f = f"rules[{i}]"
            effect = v.enum(f"{f}.effect", r.effect, RULE_EFFECTS)
            channels = [v.enum(f"{f}.channels[{j}]", c, CHANNELS) for j, c in enumerate(r.channels)]
            modes = [v.enum(f"{f}.delivery_modes[{j}]", m, DELIVERY_MODES) for j, m in enumerate(r.delivery_modes)]
            types = [v.enum(f"{f}.location_types[{j}]", t, LOCATION_TYPES) for j, t in enumerate(r.location_types)]
            for j, lid in enumerate(r.location_ids):
                v.identifier(f"{f}.location_ids[{j}]", lid)
            for j, sku in enumerate(r.skus):
                v.identifier(f"{f}.skus[{j}]", sku)
            v.text(f"{f}.description", r.description)
            rules.append(
                {
                    "effect": effect,
                    "channels": [c.value for c in channels if c],
                    "delivery_modes": ["pickup" if m is DeliveryMode.PICKUP else "ship" for m in modes if m],
                    "location_types": [t.value for t in types if t],
                    "locations": list(r.location_ids),
                    "skus": list(r.skus),
                    "description": r.description,
                }
            )
    if msg.max_shipments < 0:
        v.add("max_shipments", "0 (unlimited) or more")
    limits_by_channel: dict[str, int] = {}
    for i, lim in enumerate(msg.channel_shipment_limits):
        channel = v.enum(f"channel_shipment_limits[{i}].channel", lim.channel, CHANNELS)
        if lim.max_shipments < 1:
            v.add(f"channel_shipment_limits[{i}].max_shipments", "at least 1")
        if channel is not None:
            limits_by_channel[channel.value] = lim.max_shipments
    safety: dict[str, dict[str, int]] = {}
    for i, s in enumerate(msg.channel_safety_stock):
        f = f"channel_safety_stock[{i}]"
        channel = v.enum(f"{f}.channel", s.channel, CHANNELS)
        if bool(s.location_id) == bool(s.location_type):
            v.add(f, "give either location_id or location_type")
        v.identifier(f"{f}.location_id", s.location_id, required=False)
        kind = LOCATION_TYPES.get(s.location_type) if s.location_type else None
        if s.location_type and kind is None:
            v.add(f"{f}.location_type", f"unknown value {s.location_type}")
        if s.units < 0:
            v.add(f"{f}.units", "must not be negative")
        if channel is not None:
            safety.setdefault(channel.value, {})[s.location_id or (kind.value if kind else "")] = s.units
    if msg.unfilled_unit_penalty_minor < 0:
        v.add("unfilled_unit_penalty_minor", "must not be negative")
    if not 0 <= msg.inbound_horizon_days <= limits.MAX_INBOUND_HORIZON_DAYS:
        v.add("inbound_horizon_days", f"between 0 and {limits.MAX_INBOUND_HORIZON_DAYS}")
    if msg.inbound_wait_unit_cost_minor < 0:
        v.add("inbound_wait_unit_cost_minor", "must not be negative")
    if msg.late_delivery_unit_cost_minor < 0:
        v.add("late_delivery_unit_cost_minor", "must not be negative (0: the default)")
    if not 0 <= msg.backorder_cancel_after_days <= limits.MAX_BACKORDER_DAYS:
        v.add("backorder_cancel_after_days", f"between 0 (units wait until stock comes) and {limits.MAX_BACKORDER_DAYS}")
    doc: dict = {"rules": rules, "max_shipments_by_channel": limits_by_channel, "safety_stock_by_channel": safety}
    if msg.max_shipments:
        doc["max_shipments"] = msg.max_shipments
    if msg.unfilled_unit_penalty_minor:
        doc["unfilled_unit_penalty"] = msg.unfilled_unit_penalty_minor
    if msg.inbound_horizon_days:
        doc["inbound_horizon_days"] = msg.inbound_horizon_days
        doc["inbound_wait_unit_cost"] = msg.inbound_wait_unit_cost_minor
    if msg.late_delivery_unit_cost_minor:
        doc["late_delivery_unit_cost"] = msg.late_delivery_unit_cost_minor
    if msg.backorder_cancel_after_days:
        doc["backorder_cancel_days"] = msg.backorder_cancel_after_days
    return doc


def routing_rules_to_proto(rules) -> inventory_pb2.RoutingRules:  # rules: optimizer.RoutingRules
    kinds = {k.value for k in LocationType}
    msg = inventory_pb2.RoutingRules(
        max_shipments=rules.max_shipments or 0,
        unfilled_unit_penalty_minor=rules.unfilled_unit_penalty,
        inbound_horizon_days=rules.inbound_horizon_days,
        inbound_wait_unit_cost_minor=rules.inbound_wait_unit_cost,
        late_delivery_unit_cost_minor=rules.late_delivery_unit_cost,
        backorder_cancel_after_days=rules.backorder_cancel_days,
    )
    for r in rules.rules:
        msg.rules.add(
            effect=RULE_EFFECT_TO_PROTO[r.effect],
            channels=sorted(CHANNEL_TO_PROTO[Channel(c)] for c in r.channels),
            delivery_modes=sorted(
                DELIVERY_TO_PROTO[DeliveryMode.PICKUP if m == "pickup" else DeliveryMode.SHIP] for m in r.delivery_modes
            ),
            location_types=sorted(LOCATION_TYPE_TO_PROTO[LocationType(t)] for t in r.location_types),
            location_ids=sorted(r.locations),
            skus=sorted(r.skus),
            description=r.description,
        )
    for channel, limit in sorted(rules.max_shipments_by_channel.items()):
        msg.channel_shipment_limits.add(channel=CHANNEL_TO_PROTO[Channel(channel)], max_shipments=limit)
    for channel, levels in sorted(rules.safety_stock_by_channel.items()):
        for key, units in sorted(levels.items()):
            entry = msg.channel_safety_stock.add(channel=CHANNEL_TO_PROTO[Channel(channel)], units=units)
            if key in kinds:
                entry.location_type = LOCATION_TYPE_TO_PROTO[LocationType(key)]
            else:
                entry.location_id = key
    return msg


def event_to_proto(cursor: str, event: OrderEvent) -> events_pb2.Event:
    return events_pb2.Event(
        cursor=cursor,
        type=event.type,
        order_id=event.order_id,
        customer_id=event.customer_id,
        channel=CHANNEL_TO_PROTO[Channel(event.channel)] if event.channel in CHANNEL_VALUES else 0,
        order_version=event.order_version,
        at=timestamp_to_proto(event.at_ms),
        data=event.data,
    )


def return_policy_from_proto(msg: returns_pb2.ReturnPolicy, v: Violations, prefix: str = "policy.") -> ReturnPolicy:
    """The policy a request sets; every bad field is named."""
    if not msg.HasField("window_days"):
        v.add(prefix + "window_days", "is required: days after delivery (0: no returns)")
    elif not 0 <= msg.window_days <= MAX_WINDOW_DAYS:
        v.add(prefix + "window_days", f"between 0 and {MAX_WINDOW_DAYS} days")
    by_channel: dict[str, int] = {}
    if v.count(prefix + "channel_windows", msg.channel_windows, at_most=len(CHANNELS)):
        for i, entry in enumerate(msg.channel_windows):
            where = f"{prefix}channel_windows[{i}]"
            channel = v.enum(where + ".channel", entry.channel, CHANNELS)
            if not 0 <= entry.window_days <= MAX_WINDOW_DAYS:
                v.add(where + ".window_days", f"between 0 and {MAX_WINDOW_DAYS} days")
            if channel is not None and channel.value in by_channel:
                v.add(where + ".channel", "each channel once")
            if channel is not None:
                by_channel[channel.value] = entry.window_days
    if not 0 <= msg.arrival_days <= MAX_WINDOW_DAYS:
        v.add(prefix + "arrival_days", f"between 0 and {MAX_WINDOW_DAYS} days (0: authorised returns never lapse)")
    keep_it_below = v.money(prefix + "keep_it_below", msg.keep_it_below, positive=True) if msg.HasField("keep_it_below") else None
    fee_reasons: set[str] = set()
    if not 0 <= msg.restocking_fee_bps <= MAX_RESTOCKING_FEE_BPS:
        v.add(prefix + "restocking_fee_bps", f"basis points, 0 to {MAX_RESTOCKING_FEE_BPS} (1000 is 10%)")
    elif msg.restocking_fee_bps and not msg.restocking_fee_reasons:
        v.add(prefix + "restocking_fee_reasons", "at least one: the reasons the fee is charged for")
    elif msg.restocking_fee_reasons and not msg.restocking_fee_bps:
        v.add(prefix + "restocking_fee_bps", "is required with restocking_fee_reasons")
    if v.count(prefix + "restocking_fee_reasons", msg.restocking_fee_reasons, at_most=len(REASONS_TO_PROTO) + 1):
        for i, code in enumerate(msg.restocking_fee_reasons):
            where = f"{prefix}restocking_fee_reasons[{i}]"
            value = "" if code == orders_pb2.RETURN_REASON_UNSPECIFIED else REASONS[code].value if code in REASONS else None
            if value is None:
                v.add(where, "not a ReturnReason")
            elif value == ReturnReason.UNDELIVERED.value:
                v.add(where, "a parcel back undelivered was never the customer's to return")
            elif value in fee_reasons:
                v.add(where, "each reason once")
            else:
                fee_reasons.add(value)
    return ReturnPolicy(
        window_days=msg.window_days, channel_window_days=by_channel, resolve_on_receipt=msg.resolve_on_receipt,
        arrival_days=msg.arrival_days, keep_it_below=keep_it_below,
        restocking_fee_bps=msg.restocking_fee_bps, restocking_fee_reasons=frozenset(fee_reasons),
    )  # fmt: skip


def return_policy_to_proto(policy: ReturnPolicy, version: int) -> returns_pb2.ReturnPolicy:
    return returns_pb2.ReturnPolicy(
        window_days=policy.window_days,
        channel_windows=[
            returns_pb2.ChannelReturnWindow(channel=CHANNEL_TO_PROTO[Channel(channel)], window_days=days)
            for channel, days in sorted(policy.channel_window_days.items())
        ],
        version=version,
        resolve_on_receipt=policy.resolve_on_receipt,
        arrival_days=policy.arrival_days,
        keep_it_below=money_to_proto(policy.keep_it_below) if policy.keep_it_below is not None else None,
        restocking_fee_bps=policy.restocking_fee_bps,
        restocking_fee_reasons=sorted(
            REASONS_TO_PROTO[ReturnReason(r)] if r else orders_pb2.RETURN_REASON_UNSPECIFIED
            for r in policy.restocking_fee_reasons
        ),
    )


def tax_rates_from_proto(msg: billing_pb2.TaxRates, v: Violations, prefix: str = "rates.") -> dict[str, frozenset[int]]:
    """The table a request sets; every bad field is named."""
    table: dict[str, frozenset[int]] = {}
    if v.count(prefix + "countries", msg.countries, at_most=limits.MAX_TAX_COUNTRIES):
        for i, entry in enumerate(msg.countries):
            where = f"{prefix}countries[{i}]"
            if v.country(where + ".country_code", entry.country_code, required=True) and entry.country_code in table:
                v.add(where + ".country_code", "each country once")
            if v.count(where + ".rates_bps", entry.rates_bps, at_least=1, at_most=limits.MAX_TAX_RATES_PER_COUNTRY):
                for j, rate in enumerate(entry.rates_bps):
                    if not 0 <= rate <= MAX_TAX_RATE_BPS:
                        v.add(f"{where}.rates_bps[{j}]", f"basis points, 0 to {MAX_TAX_RATE_BPS} (1900 is 19%)")
            table.setdefault(entry.country_code, frozenset(entry.rates_bps))
    return table


def tax_rates_to_proto(table: TaxTable, version: int) -> billing_pb2.TaxRates:
    return billing_pb2.TaxRates(
        countries=[
            billing_pb2.CountryTaxRates(country_code=country, rates_bps=sorted(rates, reverse=True))
            for country, rates in sorted(table.items())
        ],
        version=version,
    )
