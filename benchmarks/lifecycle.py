"""The rest of the day, through the API: reviewers, locations, carriers and customers after capture.

After the channels have placed the day's orders:

1. settle: wait until risk, payment and release have run for every order (``GetOrder``);
2. review: service agents decide the held orders (``ReviewOrder``): a declined payment is
   rejected (it cannot be approved), the others approved at the scenario's share;
3. fulfil: each active location works its list (``ListFulfilmentRequests``) and confirms
   a shipment per request (``ConfirmShipment``, or ``MarkReadyForPickup`` at the pickup
   store), no more units in the day than its capacity when the scenario says so;
4. deliver: carriers deliver a share of the shipments (``ConfirmDelivery``);
5. return: a share of delivered orders comes back, in a store or by post
   (``RequestReturn``, ``ReceiveReturn``, ``InspectReturn``), restocked or written off,
   refunded, credited, replaced, exchanged or repaired (``CompleteRepair``, or made good
   when beyond repair: ``DeclareBeyondRepair``); cheap items are
   kept, a share cancelled (``CancelReturn``); replacement orders are shipped in turn;
6. look: a final ``GetOrder`` of every order, a few ``GetCustomer360``, the event
   stream (``WatchEvents``), the dashboard's counts (``CountOrders``), the returns report
   (``GetReturnsReport``), the delivery report (``GetDeliveryReport``) and a stock audit
   (``AuditStock``).

Every call's latency and status is recorded by RPC. Random choices are a hash of the
order's idempotency key and the decision, so they do not depend on the order ids the
service drew or on the order calls complete in.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import grpc
import numpy as np
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from benchmarks.scenario import Scenario
from protos.oms.v1 import (
    billing_pb2,
    billing_pb2_grpc,
    common_pb2,
    customers_pb2,
    customers_pb2_grpc,
    events_pb2,
    events_pb2_grpc,
    fulfilment_pb2,
    fulfilment_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    orders_pb2,
    orders_pb2_grpc,
    returns_pb2,
    returns_pb2_grpc,
)

PAGE = 500
RESOLUTIONS = {
    "refund": orders_pb2.RETURN_RESOLUTION_REFUND,
    "store_credit": orders_pb2.RETURN_RESOLUTION_STORE_CREDIT,
    "replacement": orders_pb2.RETURN_RESOLUTION_REPLACEMENT,
    "repair": orders_pb2.RETURN_RESOLUTION_REPAIR,
    "exchange": orders_pb2.RETURN_RESOLUTION_EXCHANGE,
}
CARRIERS = ("DHL", "DPD", "GLS", "UPS", "Hermes")
STATUS = {v: orders_pb2.OrderStatus.Name(v).removeprefix("ORDER_STATUS_").lower() for v in orders_pb2.OrderStatus.values()}
# What customers say, and its code for the returns reports.
REASONS = (
    ("does not fit", orders_pb2.RETURN_REASON_DOES_NOT_FIT),
    ("not as described", orders_pb2.RETURN_REASON_NOT_AS_DESCRIBED),
    ("changed my mind", orders_pb2.RETURN_REASON_CHANGED_MIND),
    ("arrived damaged", orders_pb2.RETURN_REASON_DAMAGED),
    ("wrong item", orders_pb2.RETURN_REASON_WRONG_ITEM),
)
# Orders a customer may still change: approved, nothing shipped yet.
REDUCIBLE = (orders_pb2.ORDER_STATUS_ALLOCATED, orders_pb2.ORDER_STATUS_RELEASED, orders_pb2.ORDER_STATUS_PARTLY_BACKORDERED)
REASONS_FOR_GOODWILL = ("parcel arrived late", "box damaged, item fine", "missed delivery slot")
ProgressHook = Callable[[str, int, int | None], None]  # (phase, advance, total when it starts)


def refusals(exc: grpc.aio.AioRpcError) -> list[str]:
    """What a refusal says of each line it names (its status's PreconditionFailure)."""
    status = rpc_status.from_call(exc)
    found: list[str] = []
    for detail in status.details if status is not None else []:
        if detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            found += [v.description for v in failure.violations]
    return found


def unit(*parts: object) -> float:
    """A uniform draw in [0, 1) fixed by its parts."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass
class Calls:
    """Latency and status of every lifecycle call, by RPC."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    codes: dict[str, collections.Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    started: float = field(default_factory=time.monotonic)

    async def __call__(self, name: str, fn: Callable[..., Awaitable[Any]], request: Any, **kw: Any) -> Any:
        t0 = time.monotonic()
        try:
            result = await fn(request, **kw)
        except grpc.aio.AioRpcError as exc:
            self.latencies[name].append(time.monotonic() - t0)
            self.codes[name][exc.code().name] += 1
            raise
        self.latencies[name].append(time.monotonic() - t0)
        self.codes[name]["OK"] += 1
        return result

    def table(self) -> list[dict[str, Any]]:
        rows = []
        for name in sorted(self.latencies):
            lat = np.asarray(self.latencies[name]) * 1000
            codes = self.codes[name]
            rows.append(
                {
                    "rpc": name,
                    "calls": len(lat),
                    "ok": codes.get("OK", 0),
                    "errors": {k: v for k, v in codes.items() if k != "OK"},
                    "p50_ms": float(np.percentile(lat, 50)),
                    "p99_ms": float(np.percentile(lat, 99)),
                }
            )
        return rows


@dataclass
class DayAfter:
    """What the rest of the day did, and every order as it ended."""

    held: dict[str, orders_pb2.Order] = field(default_factory=dict)  # as they were before review
    approved: int = 0
    rejected_in_review: int = 0
    cards_replaced: int = 0  # held for a declined card alone, paid with another by the customer
    notes: int = 0  # orders service staff wrote a note on
    reduced: int = 0  # orders a customer wanted one unit fewer of
    shipments: list[tuple[str, str, str, int]] = field(default_factory=list)  # order, shipment, location, units
    capacity_backlog: dict[str, int] = field(default_factory=dict)  # location -> units left unshipped for capacity
    delivered: int = 0
    # Parcels that came back undelivered or were lost (ReportDeliveryFailure), those lost, and
    # those the desks found on their lists (ListReturns) and inspected (the inspection taken).
    undelivered: int = 0
    undelivered_lost: int = 0
    undelivered_inspected: int = 0
    invoices_paid: int = 0  # by business customers, recorded against the invoice
    shortages: dict[str, str] = field(default_factory=dict)  # order -> the location that reported it short
    declines: dict[str, str] = field(default_factory=dict)  # order -> the store that declined to ship it
    received_minor: int = 0
    returns_requested: int = 0
    returns_refused: int = 0
    returns_listed: int = 0  # returns the desks found on their lists (ListReturns) and inspected
    returns_kept: int = 0  # resolved without the parcel (the return policy's keep_it_below)
    repairs_returned: int = 0  # returns whose repaired units went back to the customer (CompleteRepair)
    repairs_unrepairable: int = 0  # returns whose units at repair were beyond it, made good (DeclareBeyondRepair)
    returns_cancelled: int = 0  # asked for, then not sent after all (CancelReturn)
    exchanges_sold_out: int = 0  # exchanges refused for a sold-out size, asked again as refunds
    worn_lines: int = 0  # refunded or credited lines found worn at inspection, a deduction kept
    worn_deducted_minor: int = 0  # what the desks kept for them
    goodwill: int = 0  # orders given money back without a return (GrantGoodwill)
    goodwill_minor: int = 0
    final: dict[str, orders_pb2.Order] = field(default_factory=dict)
    unsettled: int = 0
    events: dict[str, int] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)
    customer_360s: int = 0
    # The day's orders by status as CountOrders counts them from the indexes, against the orders
    # as read at the end: {status: (indexes, orders)} where they differ (none: they agree).
    status_counts: dict[str, int] = field(default_factory=dict)
    status_index_differences: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Units asked back by reason: the returns report (GetReturnsReport) against the orders read
    # at the end of the day, where they differ (reason: (reported, read)).
    returns_report_units: int = 0
    returns_report_differences: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Parcels by the location they left from: the delivery report (GetDeliveryReport) against the
    # shipments on the orders read at the end of the day, where they differ (location: (reported, read),
    # each (shipped, delivered, on time, late, returned, lost)); and the report's totals.
    delivery_report: dict[str, Any] = field(default_factory=dict)
    delivery_report_differences: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)
    # A recall of the day's most ordered SKU (ListOrders by SKU) against the orders read at the end.
    recall: dict[str, Any] = field(default_factory=dict)
    # The late orders ListOrders finds (``late``) once shortages were sourced again, against
    # those orders and the ones reported short as read then.
    late: dict[str, Any] = field(default_factory=dict)
    carrier_delays: set[str] = field(default_factory=set)  # orders with a parcel the carrier reported late
    # Orders' histories read (GetOrderHistory) and those not from creation to the last version.
    histories_read: int = 0
    history_differences: dict[str, str] = field(default_factory=dict)
    phase_s: dict[str, float] = field(default_factory=dict)
    # Calls confirmed in the phases that are mostly one kind of call (fulfil: shipments,
    # deliver: deliveries): with phase_s, the day's fulfilment throughput.
    phase_calls: dict[str, int] = field(default_factory=dict)


class Lifecycle:
    def __init__(
        self,
        channel: grpc.aio.Channel,
        metadata: tuple,
        scenario: Scenario,
        *,
        requests: dict[str, orders_pb2.CreateOrderRequest],  # order id -> the request that placed it
        returnable: set[str],
        variants: dict[str, list[str]] | None = None,  # sku -> the SKUs of its style (itself included)
        concurrency: int = 64,
        progress: ProgressHook | None = None,
        settle_timeout_s: float = 300.0,
        since_ms: int | None = None,  # when the day's capture began: its orders were created since
    ) -> None:
        self.s = scenario
        self.since_ms = since_ms
        self.md = metadata
        self.requests = requests
        self.returnable = returnable
        self.variants = variants or {}
        self.gate = asyncio.Semaphore(concurrency)
        self.progress = progress or (lambda phase, advance, total: None)
        self.settle_timeout_s = settle_timeout_s
        self.orders = orders_pb2_grpc.OrderServiceStub(channel)
        self.fulfilment = fulfilment_pb2_grpc.FulfilmentServiceStub(channel)
        self.returns = returns_pb2_grpc.ReturnServiceStub(channel)
        self.customers = customers_pb2_grpc.CustomerServiceStub(channel)
        self.inventory = inventory_pb2_grpc.InventoryServiceStub(channel)
        self.events = events_pb2_grpc.EventServiceStub(channel)
        self.billing = billing_pb2_grpc.BillingServiceStub(channel)
        self.calls = Calls()
        self.latest: dict[str, orders_pb2.Order] = {}
        self.came_back: dict[str, int] = {}  # location -> parcels back undelivered there, for its desk
        self.out = DayAfter()
        self.capacity = {
            lid: (loc.capacity_units_per_day if scenario.fulfilment.honour_capacity and loc.capacity_units_per_day is not None else None)
            for lid, loc in scenario.active_locations.items()
        }
        self._shipment_counter: collections.Counter = collections.Counter()

    async def _limited(self, coro: Awaitable[Any]) -> Any:
        async with self.gate:
            return await coro

    async def _each(self, items: Iterable[Any], fn: Callable[[Any], Awaitable[Any]], phase: str) -> list[Any]:
        """``fn`` over ``items``, ``concurrency`` at a time, advancing the phase's bar; errors come back as values."""
        items = list(items)
        self.progress(phase, 0, len(items))

        async def one(item: Any) -> Any:
            try:
                return await self._limited(fn(item))
            except grpc.aio.AioRpcError as exc:
                return exc
            finally:
                self.progress(phase, 1, None)

        return await asyncio.gather(*(one(i) for i in items))

    def key(self, order_id: str) -> str:
        r = self.requests.get(order_id)
        return r.idempotency_key if r is not None else order_id

    async def run(self, order_ids: list[str]) -> DayAfter:
        clock = time.monotonic()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.monotonic()
            self.out.phase_s[name] = now - clock
            clock = now

        await self.settle(order_ids, "settle")
        lap("settle")
        await self.review()
        lap("review")
        await self.serve_customers()
        lap("service")
        await self.fulfil("fulfil")
        if self.out.shortages or self.out.declines:  # units sourced again, released to locations done for the day
            await self.fulfil("fulfil")
        lap("fulfil")
        await self._list_late()
        lap("late orders")
        self.out.phase_calls["fulfil"] = len(self.out.shipments)
        await self.deliver(self.out.shipments, "deliver", failures=True)
        lap("deliver")
        self.out.phase_calls["deliver"] = self.out.delivered
        await self.collect("collect")
        lap("collect")
        replacements = await self.take_returns()
        lap("returns")
        await self.give_goodwill()
        lap("goodwill")
        if replacements:
            before = len(self.out.shipments)
            await self.settle(replacements, "settle")
            await self.fulfil("fulfil")
            await self.deliver(self.out.shipments[before:], "deliver")
        lap("replacements")
        everything = list(dict.fromkeys([*order_ids, *replacements]))
        await self.sweep(everything)
        lap("final read")
        await self.look_around(everything)
        lap("360, events, audit")
        return self.out

    async def get(self, order_id: str) -> orders_pb2.Order:
        order = await self.calls("GetOrder", self.orders.GetOrder, orders_pb2.GetOrderRequest(order_id=order_id), metadata=self.md, timeout=30)
        self.latest[order_id] = order
        return order

    async def read_many(self, order_ids: Iterable[str], phase: str) -> dict[str, orders_pb2.Order]:
        """Many orders at once: ``ListOrders`` pages (500 orders a call, newest first, so a day's
        orders come first) until every one was seen, then ``GetOrder`` for any not listed."""
        wanted = set(order_ids)
        found: dict[str, orders_pb2.Order] = {}
        token = ""
        while len(found) < len(wanted):
            try:
                page = await self.calls(
                    "ListOrders",
                    self.orders.ListOrders,
                    orders_pb2.ListOrdersRequest(page_size=PAGE, page_token=token),
                    metadata=self.md,
                    timeout=60,
                )
            except grpc.aio.AioRpcError:
                break  # recorded by self.calls; the rest are read one by one below
            mine = [o for o in page.orders if o.order_id in wanted and o.order_id not in found]
            for o in mine:
                found[o.order_id] = self.latest[o.order_id] = o
            self.progress(phase, len(mine), None)
            token = page.next_page_token
            if not token:
                break
        missing = [oid for oid in wanted if oid not in found]
        for oid, order in zip(missing, await asyncio.gather(*(self._limited(self._get_or_none(oid)) for oid in missing))):
            if order is not None:
                found[oid] = order
            self.progress(phase, 1, None)
        return found

    async def _get_or_none(self, order_id: str) -> orders_pb2.Order | None:
        try:
            return await self.get(order_id)
        except grpc.aio.AioRpcError:
            return None

    async def settle(self, order_ids: list[str], phase: str) -> None:
        """Reads orders until each has no pending step and is past acceptance: by pages while many
        wait, then one by one. The phase's bar counts reads."""
        waiting = list(dict.fromkeys(order_ids))
        deadline = time.monotonic() + self.settle_timeout_s
        first = True
        while waiting:
            if first or len(waiting) > PAGE:
                self.progress(phase, 0, len(waiting))
                orders = await self.read_many(waiting, phase)
            else:
                orders = dict(zip(waiting, await self._each(waiting, self._get_or_none, phase)))
            first = False
            waiting = [oid for oid in waiting if not settled(orders.get(oid))]
            if waiting:
                if time.monotonic() > deadline:
                    self.out.unsettled += len(waiting)
                    return
                await asyncio.sleep(0.25)

    async def review(self) -> None:
        held = {oid: o for oid, o in self.latest.items() if o.status == orders_pb2.ORDER_STATUS_ON_HOLD}
        self.out.held = dict(held)

        async def decide(order: orders_pb2.Order) -> None:
            declined = any(p.status == orders_pb2.PAYMENT_STATUS_DECLINED for p in order.payment_status)
            if declined and await self._pay_another_way(order):
                return
            approve = not declined and unit(self.key(order.order_id), "review") < self.s.review.approve_share
            request = orders_pb2.ReviewOrderRequest(
                order_id=order.order_id,
                decision=orders_pb2.REVIEW_DECISION_APPROVE if approve else orders_pb2.REVIEW_DECISION_REJECT,
                note="called the customer" if approve else ("payment declined" if declined else "could not verify"),
            )
            self.latest[order.order_id] = await self.calls("ReviewOrder", self.orders.ReviewOrder, request, metadata=self.md, timeout=30)
            if approve:
                self.out.approved += 1
            else:
                self.out.rejected_in_review += 1

        await self._each(held.values(), decide, "review")
        await self.settle(list(held), "settle")

    async def serve_customers(self) -> None:
        """Before the locations ship: service staff note calls on a share of the open orders, and
        a share of customers want one unit fewer of a line with several (CancelOrderLines.reduce_to)."""
        cfg = self.s.service
        open_ = [o for _, o in sorted(self.latest.items()) if o.status in REDUCIBLE]
        noted = [o for o in open_ if unit(self.key(o.order_id), "note") < cfg.note_share]
        reduced = [
            (o, line)
            for o in open_
            if unit(self.key(o.order_id), "reduce") < cfg.reduce_share
            for line in [next((x for x in o.lines if x.quantity - x.cancelled_quantity >= 2), None)]
            if line is not None
        ]

        async def note(order: orders_pb2.Order) -> None:
            request = orders_pb2.AddOrderNoteRequest(
                order_id=order.order_id, note_id=f"{order.order_id}-N1", text="Customer called about the delivery date."
            )
            self.latest[order.order_id] = await self.calls(
                "AddOrderNote", self.orders.AddOrderNote, request, metadata=self.md, timeout=30
            )
            self.out.notes += 1

        async def reduce(item: tuple[orders_pb2.Order, orders_pb2.OrderLine]) -> None:
            order, line = item
            request = orders_pb2.CancelOrderLinesRequest(
                order_id=order.order_id, reason="customer wants one fewer",
                reduce_to=[orders_pb2.LineQuantity(line_number=line.line_number, quantity=line.quantity - line.cancelled_quantity - 1)],
            )  # fmt: skip
            self.latest[order.order_id] = await self.calls(
                "CancelOrderLines", self.orders.CancelOrderLines, request, metadata=self.md, timeout=30
            )
            self.out.reduced += 1

        await self._each(noted, note, "service")
        await self._each(reduced, reduce, "service")

    async def _pay_another_way(self, order: orders_pb2.Order) -> bool:
        """The customer of an order held for its declined cards alone pays with another card (a
        share of them do): the order goes on by itself. Whether it did."""
        key = self.key(order.order_id)
        cards = [p for p in order.payment_status if p.status == orders_pb2.PAYMENT_STATUS_DECLINED]
        if not (
            all(p.method == orders_pb2.PAYMENT_METHOD_CARD for p in cards)
            and all(r.startswith("payment declined") for r in order.approval.reasons)
            and unit(key, "fixed card") < self.s.review.fixed_card_share
        ):
            return False
        for p in cards:
            request = orders_pb2.ReplacePaymentInstrumentRequest(
                order_id=order.order_id, payment_id=p.payment_id, token=f"tok_{key}_{p.payment_id}_new"
            )
            self.latest[order.order_id] = await self.calls(
                "ReplacePaymentInstrument", self.orders.ReplacePaymentInstrument, request, metadata=self.md, timeout=30
            )
        self.out.cards_replaced += 1
        return True

    async def fulfil(self, phase: str) -> None:
        """Every active location works its fulfilment list until it is empty or the day's capacity is used."""
        self.progress(phase, 0, None)

        async def location(lid: str) -> None:
            skipped: set[str] = set()
            while True:
                try:
                    listing = await self.calls(
                        "ListFulfilmentRequests",
                        self.fulfilment.ListFulfilmentRequests,
                        fulfilment_pb2.ListFulfilmentRequestsRequest(location_id=lid, page_size=PAGE),
                        metadata=self.md,
                        timeout=60,
                    )
                except grpc.aio.AioRpcError:
                    return  # recorded by self.calls: this location stops for the day
                todo = [r for r in listing.requests if r.order_id not in skipped]
                if not todo:
                    return
                confirms = []
                for request in todo:
                    units = sum(line.quantity for line in request.lines)
                    left = self.capacity.get(lid)
                    if left is not None and units > left:
                        skipped.add(request.order_id)
                        self.out.capacity_backlog[lid] = self.out.capacity_backlog.get(lid, 0) + units
                        continue
                    if left is not None:
                        self.capacity[lid] = left - units
                    confirms.append(request)
                results = await asyncio.gather(*(self._limited(self._ship(r)) for r in confirms))
                for request, ok in zip(confirms, results):
                    if not ok:  # listed again next round otherwise: do not loop on it
                        skipped.add(request.order_id)
                self.progress(phase, len(confirms), None)

        await asyncio.gather(*(location(lid) for lid in self.capacity))

    async def _ship(self, request: fulfilment_pb2.FulfilmentRequest) -> bool:
        location = self.s.active_locations.get(request.location_id)
        if (
            location is not None and location.type == "store" and request.order_id not in self.out.declines
            and unit(self.key(request.order_id), "decline") < self.s.fulfilment.decline_share
        ):  # fmt: skip
            self.out.declines[request.order_id] = request.location_id  # claimed before the call, as a shortage
            if await self._short(request, fulfilment_pb2.SHORTAGE_REASON_DECLINED):
                return True
            del self.out.declines[request.order_id]
            return False
        if request.order_id not in self.out.shortages and unit(self.key(request.order_id), "shortage") < self.s.fulfilment.shortage_share:
            # Claimed before the call: the locations work their lists at once, and an order
            # split between two of them is short at one only.
            self.out.shortages[request.order_id] = request.location_id
            if await self._short(request):
                return True
            del self.out.shortages[request.order_id]
            return False
        placed = self.requests.get(request.order_id)
        pickup_here = (
            placed is not None
            and placed.delivery_mode == common_pb2.DELIVERY_MODE_PICKUP_IN_STORE
            and placed.pickup_location_id == request.location_id
        )
        self._shipment_counter[(request.order_id, request.location_id)] += 1
        n = self._shipment_counter[(request.order_id, request.location_id)]
        shipment_id = f"{request.order_id}-{request.location_id}-{n}"
        key = self.key(request.order_id)
        confirm = fulfilment_pb2.ConfirmShipmentRequest(
            order_id=request.order_id,
            location_id=request.location_id,
            shipment_id=shipment_id,
            lines=request.lines,
            carrier="" if pickup_here else CARRIERS[int(unit(key, "carrier") * len(CARRIERS))],
            tracking="" if pickup_here else f"TRK{int(unit(key, shipment_id) * 1e12):012d}",
        )
        name, fn = ("MarkReadyForPickup", self.fulfilment.MarkReadyForPickup) if pickup_here else ("ConfirmShipment", self.fulfilment.ConfirmShipment)
        try:
            self.latest[request.order_id] = shipped = await self.calls(name, fn, confirm, metadata=self.md, timeout=30)
        except grpc.aio.AioRpcError:
            return False
        self.out.shipments.append((request.order_id, shipment_id, request.location_id, sum(line.quantity for line in request.lines)))
        delayed = unit(key, shipment_id, "delay") < self.s.fulfilment.carrier_delay_share
        if delayed and not pickup_here and shipped.HasField("promised_delivery"):
            await self._delay(shipped, shipment_id)
        return True

    async def _delay(self, order: orders_pb2.Order, shipment_id: str) -> None:
        """The carrier reports the parcel two days past the order's promised day."""
        later = orders_pb2.Order().promised_delivery
        later.FromSeconds(order.promised_delivery.seconds + 2 * 86_400)
        news = fulfilment_pb2.UpdateDeliveryEstimateRequest(
            order_id=order.order_id, shipment_id=shipment_id, estimated_delivery=later, reason="missed sort"
        )
        try:
            self.latest[order.order_id] = await self.calls(
                "UpdateDeliveryEstimate", self.fulfilment.UpdateDeliveryEstimate, news, metadata=self.md, timeout=30
            )
        except grpc.aio.AioRpcError:
            return  # recorded by self.calls
        self.out.carrier_delays.add(order.order_id)

    async def _short(
        self, request: fulfilment_pb2.FulfilmentRequest, reason: int = fulfilment_pb2.SHORTAGE_REASON_MISSING
    ) -> bool:
        """The location finds the request's units missing (or, ``reason`` declined, will not ship
        them today): it reports them short, and the order is sourced again (another location
        lists them, or they wait as a backorder)."""
        declined = reason == fulfilment_pb2.SHORTAGE_REASON_DECLINED
        report = fulfilment_pb2.ReportShortageRequest(
            order_id=request.order_id,
            location_id=request.location_id,
            shortage_id=f"{request.order_id}-{request.location_id}-{'declined' if declined else 'short'}",
            lines=request.lines,
            reason=reason,
        )
        try:
            self.latest[request.order_id] = await self.calls(
                "ReportShortage", self.fulfilment.ReportShortage, report, metadata=self.md, timeout=30
            )
        except grpc.aio.AioRpcError:
            return False
        return True

    async def deliver(self, shipments: list[tuple[str, str, str, int]], phase: str, *, failures: bool = False) -> None:
        """Carriers deliver a share of the shipments; with ``failures``, another share comes
        back undelivered (``undelivered_share``) to the location it left from."""
        cfg = self.s.fulfilment
        chosen = []
        for oid, sid, location, _ in shipments:
            u = unit(self.key(oid), sid, "delivered")
            if u < cfg.delivered_share:
                chosen.append((oid, sid, ""))
            elif failures and u < cfg.delivered_share + cfg.undelivered_share:
                chosen.append((oid, sid, location))

        async def one(item: tuple[str, str, str]) -> None:
            oid, sid, back_at = item
            if back_at:
                self.latest[oid] = answered = await self._came_back(oid, sid)
                self.out.undelivered += 1
                # Received where it came back: where it left from, or the store a pickup waited at;
                # a lost parcel nowhere.
                at = next((r.location_id for r in answered.returns if r.shipment_id == sid), back_at)
                if at:
                    self.came_back[at] = self.came_back.get(at, 0) + 1
                else:
                    self.out.undelivered_lost += 1
                return
            request = fulfilment_pb2.ConfirmDeliveryRequest(order_id=oid, shipment_id=sid)
            self.latest[oid] = await self.calls("ConfirmDelivery", self.fulfilment.ConfirmDelivery, request, metadata=self.md, timeout=30)
            self.out.delivered += 1

        await self._each(chosen, one, phase)

    def undelivered_orders(self) -> list[str]:
        return sorted(oid for oid, order in self.latest.items() if any(r.shipment_id for r in order.returns))

    async def _came_back(self, order_id: str, shipment_id: str) -> orders_pb2.Order:
        """A parcel the carrier brings back, or lost: a pickup never collected is refunded; a
        parcel refused is refunded; one whose address was not found, or lost, is sent again
        (a replacement)."""
        order = self.latest.get(order_id) or await self.get(order_id)
        u = unit(self.key(order_id), shipment_id, "why undelivered")
        if order.delivery_mode == common_pb2.DELIVERY_MODE_PICKUP_IN_STORE:
            reason, resolution = orders_pb2.UNDELIVERED_REASON_NOT_COLLECTED, orders_pb2.RETURN_RESOLUTION_REFUND
        elif u < 0.4:
            reason, resolution = orders_pb2.UNDELIVERED_REASON_ADDRESS_UNKNOWN, orders_pb2.RETURN_RESOLUTION_REPLACEMENT
        elif u < 0.6:
            reason, resolution = orders_pb2.UNDELIVERED_REASON_LOST, orders_pb2.RETURN_RESOLUTION_REPLACEMENT
        else:
            reason, resolution = orders_pb2.UNDELIVERED_REASON_REFUSED, orders_pb2.RETURN_RESOLUTION_REFUND
        request = fulfilment_pb2.ReportDeliveryFailureRequest(
            order_id=order_id, shipment_id=shipment_id, return_id=f"{shipment_id}-U", reason=reason, resolution=resolution,
        )  # fmt: skip
        report = self.fulfilment.ReportDeliveryFailure
        return await self.calls("ReportDeliveryFailure", report, request, metadata=self.md, timeout=30)

    async def collect(self, phase: str) -> None:
        """Business customers pay a share of the day's invoices on account, each a transfer
        finance records against its invoice (BillingService): the receivable settles and the
        customer's credit line is free again for its next orders."""
        share = self.s.payments.invoice_paid_share
        if not share:
            return
        chosen = [
            (oid, sid)
            for oid, sid, _, _ in self.out.shipments
            if unit(self.key(oid), sid, "paid") < share
            and oid in self.latest
            and any(p.method == orders_pb2.PAYMENT_METHOD_INVOICE for p in self.latest[oid].payment_status)
        ]

        async def one(item: tuple[str, str]) -> None:
            oid, sid = item
            order = await self.get(oid)  # the shipment's invoice is written with its capture, after the answer
            number = next((s.invoice_number for s in order.shipments if s.shipment_id == sid), "")
            if not number:
                return
            invoice = await self.calls(
                "GetInvoice", self.billing.GetInvoice, billing_pb2.GetInvoiceRequest(number=number), metadata=self.md, timeout=30
            )
            owed = sum(r.open.amount_minor for r in invoice.receivables)
            if owed <= 0:
                return
            request = billing_pb2.RecordInvoicePaymentRequest(
                idempotency_key=f"bank/{self.key(oid)}/{sid}", invoice_number=number,
                amount=common_pb2.Money(amount_minor=owed, currency=invoice.total.currency),
            )  # fmt: skip
            await self.calls("RecordInvoicePayment", self.billing.RecordInvoicePayment, request, metadata=self.md, timeout=30)
            self.out.invoices_paid += 1
            self.out.received_minor += owed

        await self._each(chosen, one, phase)

    async def take_returns(self) -> list[str]:
        """Returns a line of a share of the delivered orders; the replacement orders it made."""
        delivered = [oid for oid in {s[0] for s in self.out.shipments} if oid in self.latest]
        await self.settle(delivered, "settle")
        cfg = self.s.returns
        stores = sorted(lid for lid, loc in self.s.active_locations.items() if loc.type == "store")
        warehouses = sorted(lid for lid, loc in self.s.active_locations.items() if loc.type == "warehouse") or stores
        chosen = []
        for oid in sorted(delivered):
            order = self.latest[oid]
            key = self.key(oid)
            if order.status != orders_pb2.ORDER_STATUS_DELIVERED or unit(key, "return") >= cfg.rate:
                continue
            lines = [line for line in order.lines if line.delivered_quantity > 0 and line.sku in self.returnable]
            if not lines:
                continue
            chosen.append((order, lines[int(unit(key, "line") * len(lines))]))
        replacements: list[str] = []

        async def one(item: tuple[orders_pb2.Order, orders_pb2.OrderLine]) -> None:
            order, line = item
            key = self.key(order.order_id)
            in_store = bool(stores) and unit(key, "in store") < cfg.in_store_share
            places = stores if in_store else warehouses
            location = places[int(unit(key, "where") * len(places))]
            names = list(cfg.resolutions)
            weights = np.array([cfg.resolutions[n] for n in names], dtype=float)
            pick = int(np.searchsorted(np.cumsum(weights / weights.sum()), unit(key, "resolution"), side="right"))
            resolution = RESOLUTIONS[names[min(pick, len(names) - 1)]]
            exchange_sku = ""
            if resolution == orders_pb2.RETURN_RESOLUTION_EXCHANGE:
                # Another size of the same style; an item without variants is refunded instead.
                others = [sku for sku in self.variants.get(line.sku, []) if sku != line.sku]
                if others:
                    exchange_sku = others[int(unit(key, "exchange for") * len(others))]
                else:
                    resolution = orders_pb2.RETURN_RESOLUTION_REFUND
            return_id = f"{order.order_id}-R1"
            reason, reason_code = REASONS[int(unit(key, "reason") * len(REASONS))]
            self.out.returns_requested += 1
            request = returns_pb2.RequestReturnRequest(
                order_id=order.order_id,
                return_id=return_id,
                channel=common_pb2.CHANNEL_STORE if in_store else order.channel,
                location_id=location,
                lines=[
                    returns_pb2.ReturnLineRequest(
                        line_number=line.line_number,
                        quantity=line.delivered_quantity,
                        reason=reason,
                        reason_code=reason_code,
                        resolution=resolution,
                        exchange_sku=exchange_sku,
                    )
                ],
            )
            try:
                try:
                    asked = await self.calls("RequestReturn", self.returns.RequestReturn, request, metadata=self.md, timeout=30)
                except grpc.aio.AioRpcError as exc:
                    if not (exchange_sku and any("sold out" in said for said in refusals(exc))):
                        raise
                    # The size wanted is sold out: the customer takes the money back instead.
                    self.out.exchanges_sold_out += 1
                    request.lines[0].resolution = orders_pb2.RETURN_RESOLUTION_REFUND
                    request.lines[0].exchange_sku = ""
                    asked = await self.calls("RequestReturn", self.returns.RequestReturn, request, metadata=self.md, timeout=30)
            except grpc.aio.AioRpcError:
                self.out.returns_refused += 1
                return
            if any(r.return_id == return_id and r.kept for r in asked.returns):
                self.out.returns_kept += 1  # a cheap item: refunded without the parcel, nothing to receive
                return
            if unit(key, "cancel return") < cfg.cancel_share:
                await self.calls(
                    "CancelReturn",
                    self.returns.CancelReturn,
                    returns_pb2.CancelReturnRequest(order_id=order.order_id, return_id=return_id, reason="decided to keep it"),
                    metadata=self.md,
                    timeout=30,
                )
                self.out.returns_cancelled += 1
                return
            if not in_store:  # posted back: the customer's parcel is tracked on its way
                await self.calls(
                    "TrackReturn",
                    self.returns.TrackReturn,
                    returns_pb2.TrackReturnRequest(
                        order_id=order.order_id, return_id=return_id, carrier="dhl", tracking=f"RT-{order.order_id}"
                    ),
                    metadata=self.md,
                    timeout=30,
                )
            await self.calls(
                "ReceiveReturn",
                self.returns.ReceiveReturn,
                returns_pb2.ReceiveReturnRequest(
                    order_id=order.order_id,
                    return_id=return_id,
                    location_id=location,
                    lines=[orders_pb2.ShipmentLine(line_number=line.line_number, quantity=line.delivered_quantity)],
                ),
                metadata=self.md,
                timeout=30,
            )
            received_at[location] = received_at.get(location, 0) + 1

        received_at: dict[str, int] = dict(self.came_back)  # location -> returns received there (parcels back first)
        await self._each(chosen, one, "returns")
        await self.inspect_at_desks(received_at)
        returned = list(dict.fromkeys([*(order.order_id for order, _ in chosen), *self.undelivered_orders()]))
        await self.settle(returned, "settle")
        await self.return_repairs(sorted(received_at))
        for oid in returned:
            for ret in self.latest[oid].returns:
                # (An order sending new units for ones beyond repair is placed as the desk declares it.)
                replacements += [o for o in (ret.replacement_order_id, ret.repair_replacement_order_id) if o]
        return replacements

    async def return_repairs(self, locations: list[str]) -> None:
        """Each location's repair desk sends the repaired units on its list (ListReturns,
        awaiting_repair) back to their customers, or declares a share of them beyond repair
        (``unrepairable_share``): made good by a new unit or the price back."""
        due: list[tuple[str, str]] = []
        for location in locations:
            token = ""
            while True:
                page = await self.calls(
                    "ListReturns",
                    self.returns.ListReturns,
                    returns_pb2.ListReturnsRequest(location_id=location, awaiting_repair=True, page_size=500, page_token=token),
                    metadata=self.md,
                    timeout=30,
                )
                due += [(row.order_id, row.details.return_id) for row in page.returns]
                token = page.next_page_token
                if not token:
                    break

        async def one(item: tuple[str, str]) -> None:
            oid, return_id = item
            key = self.key(oid)
            try:
                if unit(key, "beyond repair") < self.s.returns.unrepairable_share:
                    made_good = (
                        orders_pb2.RETURN_RESOLUTION_REPLACEMENT
                        if unit(key, "made good by") < 0.5
                        else orders_pb2.RETURN_RESOLUTION_REFUND
                    )
                    declared = returns_pb2.DeclareBeyondRepairRequest(
                        order_id=oid, return_id=return_id, resolution=made_good, reason="beyond economic repair"
                    )
                    self.latest[oid] = await self.calls(
                        "DeclareBeyondRepair", self.returns.DeclareBeyondRepair, declared, metadata=self.md, timeout=30
                    )
                    self.out.repairs_unrepairable += 1
                    return
                request = returns_pb2.CompleteRepairRequest(
                    order_id=oid, return_id=return_id, carrier="dhl", tracking=f"REPAIR-{oid}-{return_id}"
                )
                self.latest[oid] = await self.calls(
                    "CompleteRepair", self.returns.CompleteRepair, request, metadata=self.md, timeout=30
                )
                self.out.repairs_returned += 1
            except grpc.aio.AioRpcError:
                pass  # counted by the call's record

        await self._each(due, one, "repairs")

    async def inspect_at_desks(self, received_at: dict[str, int]) -> None:
        """Each location's returns desk works its list (ListReturns: received, not yet
        inspected), restocking each return or writing it off if it came back damaged."""
        cfg = self.s.returns
        tried: set[tuple[str, str]] = set()  # a return whose inspection failed is not tried again

        async def desk(location: str) -> None:
            while True:
                page = await self.calls(
                    "ListReturns",
                    self.returns.ListReturns,
                    returns_pb2.ListReturnsRequest(location_id=location, status=orders_pb2.RETURN_STATUS_RECEIVED, page_size=500),
                    metadata=self.md,
                    timeout=30,
                )
                rows = [row for row in page.returns if (row.order_id, row.details.return_id) not in tried]
                if not rows:
                    return
                tried.update((row.order_id, row.details.return_id) for row in rows)
                self.out.returns_listed += sum(1 for row in rows if not row.details.shipment_id)  # (not parcels back)
                await asyncio.gather(*(self._limited(inspect(row)) for row in rows))

        async def inspect(row: returns_pb2.ReturnToHandle) -> None:
            damaged = unit(self.key(row.order_id), "damaged") < cfg.write_off_share
            disposition = returns_pb2.DISPOSITION_WRITE_OFF if damaged else returns_pb2.DISPOSITION_RESTOCK
            deductions = self._wear(row)
            try:
                self.latest[row.order_id] = await self._inspect(row, disposition, deductions)
            except grpc.aio.AioRpcError:
                pass  # counted by the call's record; the order is read again at the end
            else:
                self.out.undelivered_inspected += bool(row.details.shipment_id)
                self.out.worn_lines += len(deductions)
                self.out.worn_deducted_minor += sum(d.amount.amount_minor for d in deductions)
            self.progress("inspect", 1, None)

        self.progress("inspect", 0, sum(received_at.values()))
        await asyncio.gather(*(desk(location) for location in sorted(received_at)))

    def _wear(self, row: returns_pb2.ReturnToHandle) -> list[returns_pb2.LineDeduction]:
        """The deductions a desk keeps for the worn lines of a return (``worn_share``): only
        from money that goes back after inspection (refunds and store credit). A parcel that
        came back undelivered was never worn, and its money went out when it came back."""
        cfg = self.s.returns
        order = self.latest.get(row.order_id)
        if row.details.shipment_id or not cfg.worn_share or order is None:
            return []
        if unit(self.key(row.order_id), "worn", row.details.return_id) >= cfg.worn_share:
            return []
        out = []
        for line in row.details.lines:
            if not line.received or line.resolution not in (
                orders_pb2.RETURN_RESOLUTION_REFUND, orders_pb2.RETURN_RESOLUTION_STORE_CREDIT
            ):
                continue
            price = order.lines[line.line_number - 1].unit_price
            kept = max(1, line.received * price.amount_minor * cfg.worn_deduction_percent // 100)
            out.append(
                returns_pb2.LineDeduction(
                    line_number=line.line_number, amount=common_pb2.Money(amount_minor=kept, currency=price.currency),
                    reason="worn: signs of use beyond trying on",
                )
            )  # fmt: skip
        return out

    async def _inspect(
        self, row: returns_pb2.ReturnToHandle, disposition: int, deductions: Iterable[returns_pb2.LineDeduction] = ()
    ) -> orders_pb2.Order:
        return await self.calls(
            "InspectReturn",
            self.returns.InspectReturn,
            returns_pb2.InspectReturnRequest(
                order_id=row.order_id,
                return_id=row.details.return_id,
                dispositions=[
                    returns_pb2.LineDisposition(line_number=line.line_number, disposition=disposition)
                    for line in row.details.lines
                    if line.resolution != orders_pb2.RETURN_RESOLUTION_REPAIR  # the customer's: off to repair
                ],
                deductions=deductions,
            ),
            metadata=self.md,
            timeout=30,
        )

    async def give_goodwill(self) -> None:
        """Service agents give a share of the delivered orders nobody returned money back."""
        cfg = self.s.goodwill
        chosen = [
            order
            for oid, order in sorted(self.latest.items())
            if order.status == orders_pb2.ORDER_STATUS_DELIVERED and not order.returns and order.payment_status
            and unit(self.key(oid), "goodwill") < cfg.share
        ]  # fmt: skip

        async def one(order: orders_pb2.Order) -> None:
            key = self.key(order.order_id)
            amount = max(1, int(order.total.amount_minor * cfg.percent / 100))
            credit = unit(key, "goodwill voucher") < cfg.store_credit_share
            self.latest[order.order_id] = await self.calls(
                "GrantGoodwill",
                self.orders.GrantGoodwill,
                orders_pb2.GrantGoodwillRequest(
                    order_id=order.order_id,
                    goodwill_id=f"{order.order_id}-G1",
                    amount=common_pb2.Money(amount_minor=amount, currency=order.total.currency),
                    reason=REASONS_FOR_GOODWILL[int(unit(key, "goodwill reason") * len(REASONS_FOR_GOODWILL))],
                    resolution=RESOLUTIONS["store_credit" if credit else "refund"],
                ),
                metadata=self.md,
                timeout=30,
            )
            self.out.goodwill += 1
            self.out.goodwill_minor += amount

        await self._each(chosen, one, "goodwill")

    async def sweep(self, order_ids: list[str]) -> None:
        self.progress("final read", 0, len(order_ids))
        self.out.final = await self.read_many(order_ids, "final read")

    async def look_around(self, order_ids: list[str]) -> None:
        """What support staff, an event consumer and an auditor would look at after such a day."""
        sample = sorted({self.out.final[oid].customer_id for oid in order_ids if oid in self.out.final})[:: max(1, len(order_ids) // 20)][:20]

        async def profile(customer_id: str) -> None:
            await self.calls(
                "GetCustomer360",
                self.customers.GetCustomer360,
                customers_pb2.GetCustomer360Request(customer_id=customer_id, order_limit=20, event_limit=50),
                metadata=self.md,
                timeout=30,
            )
            self.out.customer_360s += 1

        await self._count_statuses()  # first: the orders move on as the service's periodic pass runs
        await self._each(sample, profile, "360, events, audit")
        await self._read_histories(order_ids)
        await self._list_recalled()
        await self._count_events()
        await self._report_returns()
        await self._report_deliveries()
        try:
            audit = await self.calls("AuditStock", self.inventory.AuditStock, inventory_pb2.AuditStockRequest(), metadata=self.md, timeout=300)
            self.out.audit = {
                "rows_checked": audit.rows_checked,
                "reservations_checked": audit.reservations_checked,
                "orders_checked": audit.orders_checked,
                "differences": len(audit.differences),
                "examples": [
                    f"{d.location_id} {d.sku} {d.kind}: expected {d.expected}, actual {d.actual} {d.detail}".strip()
                    for d in audit.differences[:10]
                ],
            }
        except grpc.aio.AioRpcError as exc:
            self.out.audit = {"error": exc.code().name, "details": exc.details()}

    async def _read_histories(self, order_ids: list[str], most: int = 100) -> None:
        """Service staff reading what happened to orders (GetOrderHistory), every k-th of the day's:
        each history should begin with the order's creation, run in version order up to the
        version read last (a save may change nothing others follow, such as a step done), and
        tell of each of its shipments, deliveries and returns."""
        final = self.out.final
        chosen = [oid for oid in sorted(order_ids) if oid in final][:: max(1, len(order_ids) // most)][:most]

        async def read(order_id: str) -> None:
            request = orders_pb2.GetOrderHistoryRequest(order_id=order_id, page_size=100)
            events: list[Any] = []
            while True:
                page = await self.calls("GetOrderHistory", self.orders.GetOrderHistory, request, metadata=self.md, timeout=30)
                events += page.events
                if not page.next_page_token:
                    break
                request.page_token = page.next_page_token
            order = final[order_id]
            versions = [e.order_version for e in events]
            told = {(e.type, e.data.get("return_id") or e.data.get("shipment_id", "")) for e in events}
            due = {("shipment.shipped", s.shipment_id) for s in order.shipments}
            due |= {("shipment.delivered", s.shipment_id) for s in order.shipments if s.HasField("delivered_at")}
            due |= {
                ("shipment.lost" if s.status == orders_pb2.SHIPMENT_STATUS_LOST else "shipment.returned", s.shipment_id)
                for s in order.shipments
                if s.HasField("returned_at")
            }  # fmt: skip
            # A parcel back undelivered is received at once; a lost one never: it is resolved.
            for r in order.returns:
                if not r.shipment_id:
                    due.add(("return.authorized", r.return_id))
                elif r.location_id:
                    due.add(("return.received", r.return_id))
                elif r.status == orders_pb2.RETURN_STATUS_RESOLVED:
                    due.add(("return.resolved", r.return_id))
            if not events or events[0].type != "order.created":
                self.out.history_differences[order_id] = f"begins with {events[0].type if events else 'nothing'}"
            elif versions != sorted(versions) or versions[-1] > order.version:
                self.out.history_differences[order_id] = f"versions {versions[0]}-{versions[-1]}, the order at {order.version}"
            elif missing := sorted(due - told):
                self.out.history_differences[order_id] = f"tells nothing of {missing[0][0]} {missing[0][1]}"
            self.out.histories_read += 1

        await self._each(chosen, read, "360, events, audit")

    async def _list_recalled(self) -> None:
        """A recall of the day's most ordered SKU: the orders ListOrders finds by it (the SKU
        index) against the day's orders read at the end that have a line of it."""
        if self.since_ms is None:
            return
        units: collections.Counter = collections.Counter()
        for order in self.out.final.values():
            for line in order.lines:
                units[line.sku] += line.quantity
        if not units:
            return
        sku = min(units, key=lambda s: (-units[s], s))
        listed = await self._listed_today(orders_pb2.ListOrdersRequest(sku=sku))
        read = {
            oid for oid, o in self.out.final.items()
            if o.created_at.ToMilliseconds() >= self.since_ms and any(line.sku == sku for line in o.lines)
        }  # fmt: skip
        self.out.recall = {"sku": sku, "orders": len(read), "listed": len(listed), "differences": len(listed ^ read)}

    async def _listed_today(self, request: orders_pb2.ListOrdersRequest) -> set[str]:
        """The ids of every page ListOrders answers ``request`` with, for orders created since the day began."""
        request.page_size, request.view = 500, orders_pb2.ORDER_VIEW_BASIC
        request.created_from.FromMilliseconds(self.since_ms or 0)
        listed: set[str] = set()
        while True:
            page = await self.calls("ListOrders", self.orders.ListOrders, request, metadata=self.md, timeout=30)
            listed.update(o.order_id for o in page.orders)
            if not page.next_page_token:
                return listed
            request.page_token = page.next_page_token

    async def _list_late(self) -> None:
        """Service's list of late orders (ListOrders ``late``) after the shortages and the
        carriers' delays: units sent from farther away than promised, parcels reported late.
        Checked against every listed order, every order reported short and every order
        delayed, as read now: the late ones among them are the ones listed."""
        if self.since_ms is None:
            return
        listed = await self._listed_today(orders_pb2.ListOrdersRequest(late=True))
        asked = sorted(listed | set(self.out.shortages) | self.out.carrier_delays)  # a few per cent of the day: one by one
        read = await asyncio.gather(*(self._limited(self._get_or_none(oid)) for oid in asked))
        late = {oid for oid, o in zip(asked, read) if o is not None and o.delivery_late}
        self.out.late = {
            "listed": len(listed), "late": len(late), "differences": len(listed ^ late),
            "carrier_delays": len(self.out.carrier_delays),
        }  # fmt: skip

    async def _count_statuses(self) -> None:
        """A dashboard's figures (CountOrders, from the status indexes) for the orders created since
        the day began, checked against the orders themselves as read at the end of the day.

        Orders move on while they are read: the service's periodic pass closes an order whose
        every parcel came back as soon as they are inspected, and sources backorders again. So
        where the two differ, the orders read in a status that differs are read again, once,
        and counted again."""
        if self.since_ms is None:
            return
        request = orders_pb2.CountOrdersRequest()
        request.created_from.FromMilliseconds(self.since_ms)
        for again in (False, True):
            counted = await self.calls("CountOrders", self.orders.CountOrders, request, metadata=self.md, timeout=30)
            indexed = {STATUS.get(c.status, str(c.status)): c.count for c in counted.by_status if c.count}
            day = {oid: o for oid, o in self.out.final.items() if o.created_at.ToMilliseconds() >= self.since_ms}
            read = collections.Counter(STATUS.get(o.status, str(o.status)) for o in day.values())
            self.out.status_counts = indexed
            self.out.status_index_differences = {
                status: (indexed.get(status, 0), read.get(status, 0))
                for status in sorted(set(indexed) | set(read))
                if indexed.get(status, 0) != read.get(status, 0)
            }
            if again or not self.out.status_index_differences:
                return
            moved = [oid for oid, o in day.items() if STATUS.get(o.status, str(o.status)) in self.out.status_index_differences]
            self.out.final.update(await self.read_many(moved, "final read"))

    async def _report_returns(self) -> None:
        """Merchandising's figures (GetReturnsReport: units asked back by reason, over the days the
        run spanned) checked against the returns on the orders as read at the end of the day."""
        if self.since_ms is None:
            return
        request = returns_pb2.GetReturnsReportRequest()
        request.requested_from.FromMilliseconds(self.since_ms)
        request.requested_to.FromMilliseconds(int(time.time() * 1000))
        found = await self.calls("GetReturnsReport", self.returns.GetReturnsReport, request, metadata=self.md, timeout=30)
        reported = {orders_pb2.ReturnReason.Name(r.reason): r.units for r in found.by_reason}
        read: collections.Counter = collections.Counter()
        for order in self.out.final.values():
            for ret in order.returns:
                if ret.shipment_id:  # a parcel back undelivered: no customer asked it back
                    continue
                for line in ret.lines:
                    read[orders_pb2.ReturnReason.Name(line.reason_code)] += line.quantity
        self.out.returns_report_units = found.units
        self.out.returns_report_differences = {
            reason: (reported.get(reason, 0), read.get(reason, 0))
            for reason in sorted(set(reported) | set(read))
            if reported.get(reason, 0) != read.get(reason, 0)
        }

    async def _report_deliveries(self) -> None:
        """Operations' figures (GetDeliveryReport: parcels shipped, delivered on time or late, back
        and lost, by the location they left from, over the days the run spanned) checked against
        the shipments on the orders as read at the end of the day."""
        if self.since_ms is None:
            return
        request = fulfilment_pb2.GetDeliveryReportRequest()
        request.counted_from.FromMilliseconds(self.since_ms)
        request.counted_to.FromMilliseconds(int(time.time() * 1000))
        found = await self.calls("GetDeliveryReport", self.fulfilment.GetDeliveryReport, request, metadata=self.md, timeout=30)

        def figures(c: fulfilment_pb2.DeliveryCounts) -> tuple[int, ...]:
            return (c.shipped, c.delivered, c.on_time, c.late, c.returned, c.lost)

        reported = {row.location_id: figures(row.counts) for row in found.by_location}
        read: dict[str, list[int]] = collections.defaultdict(lambda: [0] * 6)
        for order in self.out.final.values():
            promised = {
                line.line_number: line.promised_delivery.ToDatetime().date()
                for line in order.lines
                if line.HasField("promised_delivery")
            }
            for s in order.shipments:
                counted = read[s.location_id]
                counted[0] += 1
                if s.status == orders_pb2.SHIPMENT_STATUS_DELIVERED:
                    counted[1] += 1
                    days = [promised[line.line_number] for line in s.lines if line.line_number in promised]
                    if days:
                        counted[3 if s.delivered_at.ToDatetime().date() > min(days) else 2] += 1
                elif s.status == orders_pb2.SHIPMENT_STATUS_RETURNED:
                    counted[4] += 1
                elif s.status == orders_pb2.SHIPMENT_STATUS_LOST:
                    counted[5] += 1
        total = found.total
        self.out.delivery_report = {
            "shipped": total.shipped,
            "delivered": total.delivered,
            "on_time": total.on_time,
            "late": total.late,
            "returned": total.returned,
            "lost": total.lost,
            "mean_hours_to_deliver": round(total.mean_hours_to_deliver, 3),
            "carriers": len(found.by_carrier),
        }
        self.out.delivery_report_differences = {
            loc: (reported.get(loc, (0,) * 6), tuple(read.get(loc, (0,) * 6)))
            for loc in sorted(set(reported) | set(read))
            if reported.get(loc, (0,) * 6) != tuple(read.get(loc, (0,) * 6))
        }

    async def _count_events(self) -> None:
        """Every event the day published, by type, read from the start of the stream (one stream call)."""
        t0 = time.monotonic()
        counts: collections.Counter = collections.Counter()
        code = "OK"
        try:
            stream = self.events.WatchEvents(events_pb2.WatchEventsRequest(follow=False), metadata=self.md, timeout=300)
            async for event in stream:
                counts[event.type] += 1
        except grpc.aio.AioRpcError as exc:
            code = exc.code().name
        self.calls.latencies["WatchEvents (whole stream)"].append(time.monotonic() - t0)
        self.calls.codes["WatchEvents (whole stream)"][code] += 1
        self.out.events = dict(sorted(counts.items()))


def settled(order: orders_pb2.Order | None) -> bool:
    """Past acceptance with no step pending: risk, payment and release have run for it."""
    return order is not None and not order.pending_steps and order.status != orders_pb2.ORDER_STATUS_ACCEPTED
