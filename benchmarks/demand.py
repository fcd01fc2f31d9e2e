"""The day's demand: every CreateOrderRequest the channels send, when in the day, and what must exist first.

Drawn from the scenario's seed and its catalogue, customers and demand only (not
from stock, rules or warehouses), so scenarios that differ in their network or
rules send byte-identical requests, and what-if runs compare like with like.
Idempotency keys are ``<run_id>-<n>``; the run id defaults to the seed alone, so
the same day sent to a service that already took it is answered as retries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.scenario import HOURS, Pricing, Scenario
from benchmarks.world import World, rng, sku_id
from protos.oms.v1 import common_pb2, customers_pb2, orders_pb2

DEMAND = 10  # the demand's random stream (see world.py for the others)
EXPRESS = 11  # which orders ask for a day: a stream of its own, so the other draws stay as they were
SERVICE = 12  # which orders ask for a carrier service: likewise
TOGETHER = 13  # which orders ask for one parcel: likewise
SCHEDULED = 14  # which orders ask for a later day, and which day: likewise
CHANNELS = {
    "web": common_pb2.CHANNEL_WEB,
    "mobile_app": common_pb2.CHANNEL_MOBILE_APP,
    "store": common_pb2.CHANNEL_STORE,
    "call_center": common_pb2.CHANNEL_CALL_CENTER,
    "field_sales": common_pb2.CHANNEL_FIELD_SALES,
    "marketplace": common_pb2.CHANNEL_MARKETPLACE,
}
CHANNEL_NAMES = {v: k for k, v in CHANNELS.items()}
# Declined by the simulated card acquirer (oms_actors.payments.simulated_card), which
# gives what follows the marker as the reason.
DECLINED_TOKEN = "tok_decline_insufficient_funds"


@dataclass(frozen=True, kw_only=True)
class GiftCard:
    """A card the issuer loads before the day, so an order can pay with it."""

    number: str
    amount_minor: int
    customer_id: str


@dataclass(frozen=True, kw_only=True)
class Day:
    """Exactly what the channels send, in order, and the customers and gift cards it needs."""

    scenario: str
    seed: int
    run_id: str
    currency: str
    requests: list[orders_pb2.CreateOrderRequest]
    arrivals_s: np.ndarray  # float64 [n]: second of the day each request arrives
    customers: list[customers_pb2.Customer]
    gift_cards: list[GiftCard]
    # The UTC day it was made: the day its orders' deliver_by count from (a replay on a later
    # day moves them by as many days, ``asked_from``). "": made before days were asked for.
    made_on: str = ""

    def asked_from(self, today: dt.date) -> Day:
        """The day with each asked-for delivery day moved as many days as ``today`` is after
        the day it was made, so a replay asks for the same days ahead as the recording did."""
        if not self.made_on or (shift := (today - dt.date.fromisoformat(self.made_on)).days) == 0:
            return self
        moved = []
        for r in self.requests:
            if r.HasField("deliver_by") or r.HasField("deliver_from"):
                r = orders_pb2.CreateOrderRequest.FromString(r.SerializeToString())
                for asked in (r.deliver_by, r.deliver_from):
                    if asked.seconds:
                        asked.seconds += shift * 86_400
            moved.append(r)
        return dataclasses.replace(self, requests=moved, made_on=today.isoformat())

    def payloads(self) -> Iterator[bytes]:
        # Deterministic: the same message always serialises to the same bytes here.
        for r in self.requests:
            yield r.SerializeToString(deterministic=True)

    def sha256(self) -> str:
        h = hashlib.sha256()
        for p in self.payloads():
            h.update(len(p).to_bytes(4, "little"))
            h.update(p)
        return h.hexdigest()

    def hour_of(self) -> np.ndarray:
        return np.minimum((self.arrivals_s // 3600).astype(np.int64), HOURS - 1)


def default_run_id(s: Scenario) -> str:
    return f"s{s.seed}"


def hourly_counts(s: Scenario) -> dict[str, np.ndarray]:
    """Orders per channel and hour after scaling, rounded so each channel's day total is
    its scaled total (largest remainders), not the sum of 24 roundings."""
    out = {}
    for channel, hours in s.demand.orders_per_hour.items():
        x = np.asarray(hours, dtype=float) * s.demand.scale
        counts = np.floor(x).astype(np.int64)
        short = round(x.sum()) - int(counts.sum())
        if short > 0:
            counts[np.argsort(-(x - counts), kind="stable")[:short]] += 1
        out[channel] = counts
    return out


def generate_day(s: Scenario, world: World, *, run_id: str | None = None, today: dt.date | None = None) -> Day:
    """``today``: the UTC day its orders are placed on (default: today), which asked-for
    delivery days count from."""
    run_id = run_id or default_run_id(s)
    today = today or dt.datetime.now(dt.UTC).date()
    r = rng(s.seed, DEMAND)
    d = s.demand
    counts = hourly_counts(s)
    channel_of: list[str] = []
    arrivals: list[np.ndarray] = []
    for channel, per_hour in counts.items():
        hours = np.repeat(np.arange(HOURS), per_hour)
        arrivals.append((hours + r.random(len(hours))) * 3600.0)
        channel_of.extend([channel] * len(hours))
    at = np.concatenate(arrivals) if arrivals else np.zeros(0)
    order = np.argsort(at, kind="stable")
    at = at[order]
    channels = [channel_of[i] for i in order]
    n = len(channels)

    consumers = [c for c in world.customers if c.type != customers_pb2.CUSTOMER_TYPE_BUSINESS]
    businesses = [c for c in world.customers if c.type == customers_pb2.CUSTOMER_TYPE_BUSINESS]
    n_lines = np.minimum(1 + r.poisson(max(0.0, d.lines_per_order_mean - 1), size=n), d.lines_per_order_max)
    skus = r.choice(len(world.products), size=int(n_lines.sum()), p=world.popularity)
    quantities = r.integers(1, d.units_per_line_max + 1, size=len(skus))
    starts = np.concatenate([[0], np.cumsum(n_lines)])
    u = r.random((n, 6))  # business?, customer, pickup?, pickup store, payment mix, decline?
    pickup_ids = world.pickup_ids
    prices = world.prices
    requests: list[orders_pb2.CreateOrderRequest] = []
    arrivals_out: list[float] = []
    gift_cards: list[GiftCard] = []
    p = s.payments
    express = rng(s.seed, EXPRESS).random(n)
    service = rng(s.seed, SERVICE).random(n)
    together = rng(s.seed, TOGETHER).random(n)
    later = rng(s.seed, SCHEDULED).random((n, 2))
    asked = dt.datetime.combine(today + dt.timedelta(days=d.express_days), dt.time(), dt.UTC)
    for k in range(n):
        channel = channels[k]
        business = u[k, 0] < d.business_share.get(channel, 0.0)
        pool = (businesses if business else consumers) or consumers or businesses
        customer = pool[int(u[k, 1] * len(pool))]
        req = orders_pb2.CreateOrderRequest(
            channel=CHANNELS[channel],
            idempotency_key=f"{run_id}-{k:06d}",
            customer_id=customer.customer_id,
            external_reference=f"{channel.upper()}-{k:06d}",
        )
        total = 0
        seen: set[int] = set()
        for j in range(starts[k], starts[k + 1]):
            i = int(skus[j])
            if i in seen:  # two draws of one SKU make one line
                continue
            seen.add(i)
            qty = int(quantities[j])
            total += qty * int(prices[i])
            req.lines.add(
                sku=sku_id(i), quantity=qty, unit_price=common_pb2.Money(amount_minor=int(prices[i]), currency=s.currency),
                tax_rate_bps=tax_rate(s.pricing, i),
            )  # fmt: skip
        req.ship_complete = bool(together[k] < d.ship_complete_share.get(channel, 0.0))
        if later[k, 0] < d.scheduled_share.get(channel, 0.0):  # a day 2 to scheduled_days ahead
            ahead = 2 + int(later[k, 1] * (d.scheduled_days - 1))
            req.deliver_from.FromDatetime(dt.datetime.combine(today + dt.timedelta(days=ahead), dt.time(), dt.UTC))
        pickup = bool(pickup_ids) and u[k, 2] < d.pickup_share.get(channel, 0.0)
        if pickup:
            req.delivery_mode = common_pb2.DELIVERY_MODE_PICKUP_IN_STORE
            req.pickup_location_id = pickup_ids[int(u[k, 3] * len(pickup_ids))]
        else:
            req.delivery_mode = common_pb2.DELIVERY_MODE_SHIP
            req.ship_to.CopyFrom(customer.default_address)
            req.ship_to.name = customer.name
            if express[k] < d.express_share.get(channel, 0.0) and not req.HasField("deliver_from"):
                req.deliver_by.FromDatetime(asked)
            elif service[k] < d.carrier_service_share.get(channel, 0.0):
                req.shipping_service = d.carrier_service
            charge = s.pricing.shipping_minor
            if charge and not (s.pricing.free_shipping_from_minor and total >= s.pricing.free_shipping_from_minor):
                req.shipping.amount.CopyFrom(common_pb2.Money(amount_minor=charge, currency=s.currency))
                req.shipping.tax_rate_bps = s.pricing.tax_rate_bps
                total += charge
        if channel == "store":
            mix = p.in_store
        elif customer.type == customers_pb2.CUSTOMER_TYPE_BUSINESS:
            mix = p.business
        else:
            mix = p.consumer
        method = _pick(mix, u[k, 4])
        declined = u[k, 5] < p.card_decline_share
        gift_cards.extend(_pay(req, method, total, s, run_id=run_id, n=k, declined=declined, pickup=pickup))
        requests.append(req)
        arrivals_out.append(float(at[k]))
        if r.random() < d.retry_share:  # the channel timed out and sends the same request again
            requests.append(req)
            arrivals_out.append(float(at[k]))
    return Day(
        scenario=s.name,
        seed=s.seed,
        run_id=run_id,
        currency=s.currency,
        requests=requests,
        arrivals_s=np.array(arrivals_out, dtype=float),
        customers=list(world.customers),
        gift_cards=gift_cards,
        made_on=today.isoformat(),
    )


def tax_rate(pricing: Pricing, sku: int) -> int:
    """The rate included in a SKU's price: the reduced one for a fixed share of the catalogue,
    chosen by the SKU's id (not a random stream, so demand draws stay as they were)."""
    if pricing.reduced_share and zlib.crc32(sku_id(sku).encode()) % 10_000 < pricing.reduced_share * 10_000:
        return pricing.reduced_rate_bps
    return pricing.tax_rate_bps


def _pick(mix: dict[str, float], u: float) -> str:
    names = list(mix)
    weights = np.array([mix[m] for m in names], dtype=float)
    cumulative = np.cumsum(weights / weights.sum())
    return names[min(int(np.searchsorted(cumulative, u, side="right")), len(names) - 1)]


def _pay(
    req: orders_pb2.CreateOrderRequest, method: str, total: int, s: Scenario, *, run_id: str, n: int, declined: bool, pickup: bool
) -> list[GiftCard]:
    """Adds the payment instructions (summing to ``total``); returns the gift cards they need."""

    def money(amount: int) -> common_pb2.Money:
        return common_pb2.Money(amount_minor=amount, currency=s.currency)

    # A token per order, not per customer: the day is compressed into minutes, and the
    # risk rules count orders per card per wall-clock hour.
    card_token = f"{DECLINED_TOKEN}_{run_id}_{n:06d}" if declined else f"tok_{run_id}_{n:06d}"
    gift_number = f"gc_{run_id}_{n:06d}"
    if method == "card":
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=money(total), token=card_token)
    elif method == "gift_card":
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_GIFT_CARD, amount=money(total), token=gift_number)
        return [GiftCard(number=gift_number, amount_minor=total, customer_id=req.customer_id)]
    elif method == "gift_card_and_card":
        on_card = min(s.payments.gift_card_balance_minor, total - 1)
        if on_card < 1:
            req.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=money(total), token=card_token)
            return []
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_GIFT_CARD, amount=money(on_card), token=gift_number)
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_CARD, amount=money(total - on_card), token=card_token)
        return [GiftCard(number=gift_number, amount_minor=on_card, customer_id=req.customer_id)]
    elif method == "invoice":
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_INVOICE, amount=money(total))
    elif method == "cash_on_delivery" and not pickup:
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_CASH_ON_DELIVERY, amount=money(total))
    else:  # cash in store, or cash on collection of a pickup order
        req.payments.add(method=orders_pb2.PAYMENT_METHOD_CASH_IN_STORE, amount=money(total))
    return []


def unique_requests(requests: Sequence[orders_pb2.CreateOrderRequest]) -> list[int]:
    """Indexes of the first request of each (channel, idempotency key): the orders of the day."""
    seen: set[tuple[int, str]] = set()
    out = []
    for i, r in enumerate(requests):
        key = (r.channel, r.idempotency_key)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out
